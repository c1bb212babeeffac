"""The availability window: stored probe results -> counts, ratio, outages, alerts (pure).

Counting follows the inspection and is never kinder than it:

* every *scheduled* probe counts, failed or not; re-probes (``reprobe=True``)
  are stored but only decide alerts, never the ratio;
* probes recorded ``unknown`` (our own network was at fault) and ``blocked``
  answers (a WAF challenge: the site said nothing about itself) are left out of
  the ratio and reported in their own counts;
* the ratio is exact (``failures / probes``); the 5 % veto line, the 20 probes
  a day and the 7 days belong to the profile and the scorer, not here.

Days are local days of the inspection (China Standard Time, UTC+8, no DST).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from govmon.records import AvailabilityDetection
from probes.availability import ProbeResult

logger = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True, slots=True, kw_only=True)
class Tally:
    """Counts of a set of probe results under the counting rules above."""

    probes: int = 0
    failures: int = 0
    blocked: int = 0
    unknown: int = 0
    reprobes: int = 0

    @property
    def ratio(self) -> float:
        return self.failures / self.probes if self.probes else 0.0


def counted(result: ProbeResult) -> bool:
    """Whether a result enters the ratio: a scheduled probe, observed."""
    return not result.reprobe and not result.unknown and not result.blocked


def tally(results: Iterable[ProbeResult]) -> Tally:
    probes = failures = blocked = unknown = reprobes = 0
    for r in results:
        if r.reprobe:
            reprobes += 1
        elif r.unknown:
            unknown += 1
        elif r.blocked:
            blocked += 1
        else:
            probes += 1
            failures += r.failed
    return Tally(probes=probes, failures=failures, blocked=blocked, unknown=unknown,
                 reprobes=reprobes)


def _whole_days(start: datetime, end: datetime, tz: tzinfo) -> list[date]:
    """Local calendar days lying entirely inside ``[start, end)``."""
    local_start = start.astimezone(tz)
    day = local_start.date()
    if local_start.timetz().replace(tzinfo=None) != time(0):
        day += timedelta(days=1)
    days = []
    while datetime.combine(day + timedelta(days=1), time(0), tz) <= end:
        days.append(day)
        day += timedelta(days=1)
    return days


def longest_outage(results: Sequence[ProbeResult]) -> float:
    """Seconds of the longest run of consecutive failed scheduled probes.

    Measured from the first failure of the run to the end of its last failure
    (its ``at`` plus its duration): what was observed down, a lower bound.
    Unknown and blocked probes neither break nor extend a run.
    """
    best = 0.0
    first: ProbeResult | None = None
    for r in sorted((r for r in results if counted(r)), key=lambda r: r.at):
        if r.failed:
            first = first or r
            best = max(best, (r.at - first.at).total_seconds() + r.seconds)
        else:
            first = None
    return best


def summarise(
    results: Sequence[ProbeResult],
    *,
    url: str,
    start: datetime,
    end: datetime,
    min_daily: int = 20,
    tz: tzinfo = CHINA,
) -> AvailabilityDetection:
    """The availability detection of one site over ``[start, end)``.

    ``results`` are that site's stored results (scheduled probes and re-probes);
    those outside the window are ignored.  ``days`` counts local days with at
    least one counted probe; ``min_daily_probes`` is the smallest count of any
    whole local day inside the window (0 for a day with none), so that the
    scorer can say "insufficient data" below ``min_daily`` a day or under 7 days.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("window bounds must be aware datetimes")
    inside = sorted((r for r in results if start <= r.at < end), key=lambda r: r.at)
    t = tally(inside)
    daily = Counter(r.at.astimezone(tz).date() for r in inside if counted(r))
    whole = _whole_days(start, end, tz) or sorted(daily)
    min_daily_probes = min((daily.get(d, 0) for d in whole), default=0)
    if min_daily_probes < min_daily:
        logger.info("%s: at least one day has only %d probes (< %d)", url, min_daily_probes,
                    min_daily)
    return AvailabilityDetection(
        url=url,
        window_start=start,
        window_end=end,
        probes=t.probes,
        failures=t.failures,
        unknown=t.unknown,
        blocked=t.blocked,
        ratio=t.ratio,
        longest_outage_seconds=longest_outage(inside),
        days=len(daily),
        min_daily_probes=min_daily_probes,
        failed_at=tuple(r.at.isoformat() for r in inside if counted(r) and r.failed),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RedAlert:
    """Two consecutive scheduled probes of a site failed, neither cancelled by
    a successful re-probe.  ``at`` is when that became known."""

    url: str
    at: datetime
    since: datetime
    errors: tuple[str, ...]
    reason: str


def red_alerts(results: Iterable[ProbeResult], *, consecutive: int = 2) -> list[RedAlert]:
    """Red alerts, one per outage, in time order.

    A re-probe belongs to the scheduled probe just before it (same URL).  A
    failure whose re-probe did not fail (opened, or answered by a WAF) is
    cancelled and ends the run; unknown and blocked scheduled probes are
    skipped (they prove nothing either way).
    """
    by_url: dict[str, list[ProbeResult]] = {}
    for r in results:
        by_url.setdefault(r.url, []).append(r)
    alerts: list[RedAlert] = []
    for url, rows in by_url.items():
        pairs: list[tuple[ProbeResult, ProbeResult | None]] = []
        for r in sorted(rows, key=lambda r: (r.at, r.reprobe)):
            if r.reprobe:
                if pairs and pairs[-1][1] is None:
                    pairs[-1] = (pairs[-1][0], r)
            else:
                pairs.append((r, None))
        run: list[tuple[ProbeResult, ProbeResult | None]] = []
        for first, second in pairs:
            if first.unknown or first.blocked:
                continue
            confirmed = first.failed and (second is None or second.failed)
            if not confirmed:
                run = []
                continue
            run.append((first, second))
            if len(run) == consecutive:
                errors = tuple(str(f.error.value if f.error else "error") for f, _ in run)
                known_at = (second or first).at
                alerts.append(RedAlert(
                    url=url, at=known_at, since=run[0][0].at, errors=errors,
                    reason=f"{consecutive} consecutive failed probes ({', '.join(errors)}), "
                           "not cancelled by a re-probe",
                ))
    return sorted(alerts, key=lambda a: a.at)
