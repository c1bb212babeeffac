"""Window maths over stored probe results: exact ratios, days, outages, red alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from govmon.records import AvailabilityDetection, detection_from_dict, to_dict
from probes.availability import ProbeError, ProbeResult
from probes.window import CHINA, longest_outage, red_alerts, summarise, tally

URL = "http://www.example.gov.cn/"
# a week starting at local midnight (China time)
START = datetime(2026, 11, 16, 0, 0, tzinfo=CHINA)
END = START + timedelta(days=7)


def ok(at: datetime, **kw: object) -> ProbeResult:
    return ProbeResult(url=URL, at=at, ok=True, status=200, seconds=0.2, **kw)  # type: ignore[arg-type]


def fail(at: datetime, error: ProbeError = ProbeError.TIMEOUT, **kw: object) -> ProbeResult:
    return ProbeResult(url=URL, at=at, ok=False, error=error, seconds=15.0, **kw)  # type: ignore[arg-type]


def week(per_day: int, failing: set[int] = frozenset()) -> list[ProbeResult]:  # type: ignore[assignment]
    """per_day scheduled probes a day for 7 days; indexes in ``failing`` fail."""
    step = timedelta(days=1) / per_day
    out = []
    for i in range(per_day * 7):
        at = START + i * step + timedelta(seconds=30)
        out.append(fail(at) if i in failing else ok(at))
    return out


def test_exactly_five_percent() -> None:
    # 20 a day for 7 days = 140 probes; 7 failures = exactly 5 %
    d = summarise(week(20, set(range(0, 140, 20))), url=URL, start=START, end=END)
    assert (d.probes, d.failures) == (140, 7)
    assert d.ratio == 7 / 140 == 0.05
    assert d.days == 7 and d.min_daily_probes == 20


def test_just_below_five_percent() -> None:
    # 49 failures in 1000 probes = 4.9 %: the exact ratio, no rounding up
    results = [ok(START + timedelta(minutes=10 * i)) for i in range(1000)]
    for i in range(49):
        results[i * 20] = fail(results[i * 20].at)
    d = summarise(results, url=URL, start=START, end=END)
    assert (d.probes, d.failures) == (1000, 49)
    assert d.ratio == pytest.approx(0.049) and d.ratio < 0.05


def test_reprobes_blocked_and_unknown_are_out_of_the_ratio() -> None:
    results = week(24)
    t = START + timedelta(hours=3, minutes=1)
    results += [
        fail(t),
        ok(t + timedelta(seconds=16), reprobe=True),  # cancels an alert, not the failure
        fail(t + timedelta(minutes=20), unknown=True, detail="reference URLs failed"),
        ProbeResult(url=URL, at=t + timedelta(minutes=40), ok=False, status=412,
                    error=ProbeError.BLOCKED, blocked=True),
    ]
    d = summarise(results, url=URL, start=START, end=END)
    assert (d.probes, d.failures, d.unknown, d.blocked) == (24 * 7 + 1, 1, 1, 1)
    assert d.ratio == 1 / (24 * 7 + 1)
    assert d.failed_at == (t.isoformat(),)
    assert tally(results).reprobes == 1


def test_results_outside_the_window_are_ignored() -> None:
    results = [*week(20), fail(START - timedelta(seconds=1)), fail(END)]
    d = summarise(results, url=URL, start=START, end=END)
    assert (d.probes, d.failures) == (140, 0)


def test_min_daily_and_days_covered() -> None:
    skipped = START.date() + timedelta(days=3)
    results = [r for r in week(20) if r.at.astimezone(CHINA).date() != skipped]
    results = results[:-5]  # the last day has 15
    d = summarise(results, url=URL, start=START, end=END)
    assert d.days == 6
    assert d.min_daily_probes == 0  # a whole day without a probe


def test_local_days_are_china_time() -> None:
    # 23:30 UTC on the 15th is 07:30 on the 16th in China: inside the first day
    at = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)
    d = summarise([ok(at)], url=URL, start=START, end=START + timedelta(days=1))
    assert d.days == 1 and d.min_daily_probes == 1


def test_longest_outage() -> None:
    base = START + timedelta(hours=1)
    hour = timedelta(hours=1)
    results = [
        ok(base), fail(base + hour), ok(base + 2 * hour),
        fail(base + 3 * hour), fail(base + 4 * hour, ProbeError.HTTP),
        fail(base + 4 * hour + timedelta(seconds=20), reprobe=True),  # not in the run
        fail(base + 5 * hour), ok(base + 6 * hour),
    ]
    # run of 3 failures: 2 h from the first to the last, plus the last's 15 s
    assert longest_outage(results) == 2 * 3600 + 15.0
    d = summarise(results, url=URL, start=START, end=END)
    assert d.longest_outage_seconds == 7215.0


def test_detection_serialises() -> None:
    d = summarise(week(20, {3}), url=URL, start=START, end=END)
    back = detection_from_dict(to_dict(d))
    assert isinstance(back, AvailabilityDetection) and back == d


def test_red_alert_on_two_consecutive_failures() -> None:
    t = START + timedelta(hours=2)
    results = [
        ok(t),
        fail(t + timedelta(hours=1)), fail(t + timedelta(hours=1, seconds=16), reprobe=True),
        fail(t + timedelta(hours=2), ProbeError.RESET),
        fail(t + timedelta(hours=2, seconds=16), reprobe=True),
        fail(t + timedelta(hours=3)),  # same outage: no second alert
        ok(t + timedelta(hours=4)),
    ]
    alerts = red_alerts(results)
    assert len(alerts) == 1
    a = alerts[0]
    assert a.since == t + timedelta(hours=1)
    assert a.at == t + timedelta(hours=2, seconds=16)
    assert a.errors == ("timeout", "reset")
    assert "2 consecutive" in a.reason


def test_successful_reprobe_cancels() -> None:
    t = START + timedelta(hours=2)
    results = [
        fail(t), ok(t + timedelta(seconds=16), reprobe=True),
        fail(t + timedelta(hours=1)), ok(t + timedelta(hours=1, seconds=16), reprobe=True),
        fail(t + timedelta(hours=2)), ok(t + timedelta(hours=2, seconds=16), reprobe=True),
    ]
    assert red_alerts(results) == []
    # while the ratio still counts all three failures
    assert tally(results).failures == 3


def test_unknown_and_blocked_neither_break_nor_raise() -> None:
    t = START
    results = [
        fail(t),
        fail(t + timedelta(hours=1), unknown=True),
        ProbeResult(url=URL, at=t + timedelta(hours=2), ok=False, blocked=True,
                    error=ProbeError.BLOCKED),
        fail(t + timedelta(hours=3)),
    ]
    alerts = red_alerts(results)
    assert [a.since for a in alerts] == [t]
    assert red_alerts(results[:3]) == []


def test_naive_window_is_rejected() -> None:
    with pytest.raises(ValueError):
        summarise([], url=URL, start=datetime(2026, 11, 16), end=END)


def test_empty_window() -> None:
    d = summarise([], url=URL, start=START, end=END)
    assert (d.probes, d.failures, d.ratio, d.days, d.min_daily_probes) == (0, 0, 0.0, 0, 0)


def test_window_not_aligned_to_midnight_uses_whole_days_for_the_minimum() -> None:
    start = START + timedelta(hours=12)
    end = start + timedelta(days=7)
    results = [ok(start + timedelta(hours=h)) for h in range(7 * 24)]
    d = summarise(results, url=URL, start=start, end=end)
    assert d.probes == 168 and d.days == 8  # two half days at the edges
    assert d.min_daily_probes == 24  # the six whole days, not the 12-probe edges
