"""What a notice says, computed from plain inputs: periods, summary, rankings,
problems with their life cycle.  Pure: no store, no files, no clock.

The renderers (HTML, DOCX, XLSX, JSON) only lay out a :class:`NoticeData`; every
number a clerk reads is computed here once, so the four formats never disagree.
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from govmon.notices.lifecycle import (
    ProblemKey,
    ProblemStatus,
    Rectification,
    SiteEvents,
    TrackedProblem,
    format_percent,
    rectification,
    track,
)
from govmon.notices.template import NoticeTemplate
from govmon.records import ColumnDetection, Detection, Event, EventType, HomepageDetection, UnitScore

SCHEMA = "govmon.notice/1"

TYPE_LABEL = {"veto": "单项否决", "deduction": "扣分", "warning": "预警"}
OTHER_PROBLEMS = "其他问题"


class PeriodKind(enum.StrEnum):
    WEEK = "week"
    FORTNIGHT = "fortnight"


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """One or two ISO weeks, local time; ``cutoff`` ≤ ``end`` is where data stops."""

    kind: PeriodKind
    start: datetime
    end: datetime
    cutoff: datetime

    @property
    def weeks(self) -> int:
        return 2 if self.kind is PeriodKind.FORTNIGHT else 1

    @property
    def first_week(self) -> tuple[int, int]:
        iso = self.start.date().isocalendar()
        return iso.year, iso.week

    @property
    def last_week(self) -> tuple[int, int]:
        iso = (self.end - timedelta(days=1)).date().isocalendar()
        return iso.year, iso.week

    @property
    def id(self) -> str:
        (y1, w1), (y2, w2) = self.first_week, self.last_week
        if self.kind is PeriodKind.WEEK:
            return f"{y2}-W{w2:02d}"
        if y1 == y2:
            return f"{y2}-W{w1:02d}-W{w2:02d}"
        return f"{y1}-W{w1:02d}-{y2}-W{w2:02d}"

    @property
    def label(self) -> str:
        (y1, w1), (y2, w2) = self.first_week, self.last_week
        if self.kind is PeriodKind.WEEK:
            return f"{y2}年第{w2}周"
        if y1 == y2:
            return f"{y2}年第{w1}—{w2}周"
        return f"{y1}年第{w1}周至{y2}年第{w2}周"

    @property
    def last_day(self) -> date:
        """The last day with data: the cutoff's day, or the period's Sunday."""
        if self.cutoff < self.end:
            return self.cutoff.date()
        return (self.end - timedelta(days=1)).date()

    @property
    def span(self) -> str:
        """2026年11月23日至11月29日 (the year repeated only when it changes)."""
        a, b = self.start.date(), self.last_day
        tail = f"{b.month}月{b.day}日" if a.year == b.year else cn_date(b)
        return f"{cn_date(a)}至{tail}"

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end and instant <= self.cutoff

    def previous(self) -> Period:
        length = self.end - self.start
        return Period(kind=self.kind, start=self.start - length, end=self.start, cutoff=self.start)


def period_for(kind: PeriodKind | str, as_of: datetime, tz: tzinfo) -> Period:
    """The period a notice at ``as_of`` covers, in the office's time zone.

    The week is the ISO week holding ``as_of`` — except on its Monday, when a
    notice (the daemon sends them Monday morning) is about the week just ended.
    A fortnight is that week and the one before.  Data after ``as_of`` never
    counts, so a mid-week notice covers the week so far.
    """
    kind = PeriodKind(kind)
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    local = as_of.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    if local.weekday() == 0:
        monday -= timedelta(days=7)
    end = datetime(monday.year, monday.month, monday.day, tzinfo=tz) + timedelta(days=7)
    start = end - timedelta(days=7 * (2 if kind is PeriodKind.FORTNIGHT else 1))
    return Period(kind=kind, start=start, end=end, cutoff=min(end, local))


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------
# Inputs (plain, built by build.py from the store or by tests directly)
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteRef:
    id: int
    url: str
    name: str
    unit: str | None = None
    level: str = "portal"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringRef:
    """A site's scoring: the latest in a period."""

    as_of: datetime
    profile: str
    total: float
    vetoed: bool
    grade: str = ""
    events: tuple[Event, ...] = ()
    unit_scores: tuple[UnitScore, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Life:
    """A detection's life (from the store), to date a problem's first sighting."""

    fingerprint: str
    first_seen: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DayAvailability:
    day: date
    probes: int
    failures: int

    @property
    def ratio(self) -> float | None:
        return 1 - self.failures / self.probes if self.probes else None


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteUpdates:
    """How fresh a site was at its latest run in the period (首页及栏目更新情况)."""

    homepage_newest: date | None = None
    homepage_updated: bool | None = None
    columns: int = 0
    columns_updated: int = 0
    blank_columns: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteInput:
    site: SiteRef
    current: ScoringRef | None = None
    previous: ScoringRef | None = None
    lives: tuple[Life, ...] = ()
    availability: tuple[DayAvailability, ...] = ()
    updates: SiteUpdates | None = None


def updates_from_detections(detections: Sequence[Detection], since: date) -> SiteUpdates:
    """Homepage and column freshness from a run's detections: updated = newest item on or after ``since``.

    A navigation-only homepage counts by its second-level pages (NAT-V-HOME).
    """
    homepage = next((d for d in detections if isinstance(d, HomepageDetection)), None)
    newest = None
    if homepage is not None:
        newest = homepage.second_level_newest if homepage.navigation_only else homepage.newest
    columns = [d for d in detections if isinstance(d, ColumnDetection)]
    return SiteUpdates(
        homepage_newest=newest,
        homepage_updated=None if homepage is None else (newest is not None and newest >= since),
        columns=len(columns),
        columns_updated=sum(1 for c in columns if c.newest is not None and c.newest >= since),
        blank_columns=sum(1 for c in columns if c.blank),
    )


def availability_from_probes(rows: Sequence[Mapping[str, Any]], tz: tzinfo) -> tuple[DayAvailability, ...]:
    """Daily probes and failures from stored probe rows.

    Re-probes, blocked and unknown probes are left out: a WAF answer or our own
    network being down says nothing about the site (DESIGN.md).
    """
    probes: Counter[date] = Counter()
    failures: Counter[date] = Counter()
    for row in rows:
        if row.get("reprobe") or row.get("blocked") or row.get("unknown"):
            continue
        day = row["at"].astimezone(tz).date()
        probes[day] += 1
        if not row.get("ok"):
            failures[day] += 1
    return tuple(DayAvailability(day=d, probes=probes[d], failures=failures[d]) for d in sorted(probes))


# --------------------------------------------------------------------------
# The notice
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelCount:
    level: str
    label: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GradeCount:
    grade: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    sites: int
    by_level: tuple[LevelCount, ...]
    scored: int
    vetoed: int
    qualified: int
    pass_rate: float | None
    average: float | None
    grades: tuple[GradeCount, ...]
    probes: int
    probe_failures: int
    availability: float | None
    problems: int
    vetoes: int
    deductions: int
    new: int
    persisting: int
    warnings: int
    rectification: Rectification
    good_units: tuple[str, ...]
    homepages_checked: int = 0
    homepages_updated: int = 0
    columns: int = 0
    columns_updated: int = 0
    blank_columns: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteRow:
    site_id: int
    name: str
    url: str
    unit: str | None
    unit_name: str
    level: str
    level_label: str
    scored: bool
    profile: str | None
    total: float | None
    vetoed: bool
    grade: str
    vetoes: int
    deductions: int
    points: float
    warnings: int
    rank: int | None
    previous_rank: int | None
    rank_change: int | None
    previous_total: float | None
    score_change: float | None
    availability: float | None
    probes: int
    as_of: datetime | None
    homepage_newest: date | None = None
    columns: int = 0
    columns_updated: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitRow:
    unit: str
    name: str
    sites: int
    total: float | None
    vetoed: bool
    vetoes: int
    deductions: int
    warnings: int
    rank: int | None
    previous_rank: int | None
    rank_change: int | None
    previous_total: float | None
    score_change: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemRow:
    """One line of 问题清单: what, where (a URL a person can open), since when."""

    site_id: int
    site: str
    site_url: str
    unit: str | None
    unit_name: str
    type: str
    type_label: str
    category: str
    rule: str
    message: str
    evidence: str
    points: float
    found_at: datetime | None
    first_seen: datetime | None
    days: int
    status: str
    status_label: str
    deadline: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemGroup:
    label: str
    problems: int
    sites: tuple[str, ...]
    units: tuple[str, ...]
    examples: tuple[ProblemRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeData:
    schema: str
    kind: str
    period_id: str
    period_label: str
    period_span: str
    start: datetime
    end: datetime
    cutoff: datetime
    previous_period_id: str
    title: str
    office: str
    region: str
    addressees: str
    basis: str
    opening: str
    issued: date
    deadline: date
    scope_unit: str | None
    scope_unit_name: str | None
    profiles: tuple[str, ...]
    summary: Summary
    sites: tuple[SiteRow, ...]
    units: tuple[UnitRow, ...]
    problems: tuple[ProblemRow, ...]
    resolved: tuple[ProblemRow, ...]
    warnings: tuple[ProblemRow, ...]
    groups: tuple[ProblemGroup, ...]
    availability_days: tuple[DayAvailability, ...]
    next_steps: tuple[str, ...]
    closing: str

    @property
    def file_stem(self) -> str:
        stem = f"{self.period_id}-{self.kind}"
        return f"{stem}-unit-{self.scope_unit}" if self.scope_unit else stem


def _category(rule: str, template: NoticeTemplate) -> str:
    for group in template.problem_types:
        if any(fnmatch.fnmatchcase(rule, pattern) for pattern in group.rules):
            return group.label
    return OTHER_PROBLEMS


def _ranks(items: Mapping[Any, tuple[bool, float]]) -> dict[Any, int]:
    """Competition ranking (1, 2, 2, 4): unvetoed first, then by score."""
    order = sorted(items.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
    ranks: dict[Any, int] = {}
    prev: tuple[bool, float] | None = None
    rank = 0
    for i, (key, value) in enumerate(order, start=1):
        if value != prev:
            rank, prev = i, value
        ranks[key] = rank
    return ranks


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _unit_scores(inputs: Sequence[SiteInput], which: str) -> dict[str, tuple[bool, float]]:
    """A unit's score: the mean of its UnitScores in the scorings, else of its sites' totals."""
    explicit: dict[str, list[UnitScore]] = defaultdict(list)
    by_site: dict[str, list[ScoringRef]] = defaultdict(list)
    for item in inputs:
        scoring: ScoringRef | None = getattr(item, which)
        if scoring is None:
            continue
        for us in scoring.unit_scores:
            if us.unit:
                explicit[us.unit].append(us)
        if item.site.unit:
            by_site[item.site.unit].append(scoring)
    out: dict[str, tuple[bool, float]] = {}
    for unit in set(explicit) | set(by_site):
        if explicit.get(unit):
            scores = explicit[unit]
            out[unit] = (any(s.vetoed for s in scores), round(statistics.fmean(s.total for s in scores), 2))
        else:
            sc = by_site[unit]
            out[unit] = (any(s.vetoed for s in sc), round(statistics.fmean(s.total for s in sc), 2))
    return out


def _fill(text: str, **values: str) -> str:
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text  # a template typo prints as written rather than failing the notice


def build_notice_data(
    *,
    period: Period,
    sites: Sequence[SiteInput],
    template: NoticeTemplate,
    office: str,
    region: str,
    addressees: str,
    units: Mapping[str, str] | None = None,
    unit: str | None = None,
) -> NoticeData:
    """Compute a notice from plain inputs; ``unit`` narrows it to one unit's sites and problems."""
    units = dict(units or {})
    issued = period.last_day + timedelta(days=1) if period.cutoff >= period.end else period.cutoff.date()
    deadline = issued + timedelta(days=template.rectification_days)
    by_id = {item.site.id: item for item in sites}
    tz = period.start.tzinfo

    def local(instant: datetime) -> datetime:
        return instant.astimezone(tz)

    def unit_of(site_id: int, event: Event) -> str | None:
        return event.unit or by_id[site_id].site.unit

    # ---- life cycle over the whole region
    first_seen: dict[ProblemKey, datetime] = {}
    for item in sites:
        lives = {life.fingerprint: life.first_seen for life in item.lives}
        for scoring in (item.previous, item.current):
            if scoring is None:
                continue
            for event in scoring.events:
                seen = [lives[fp] for fp in event.detections if fp in lives]
                if not seen:
                    continue
                for url in event.evidence or ("",):
                    key = ProblemKey(item.site.id, event.rule, url)
                    first_seen[key] = min([*seen, first_seen.get(key, seen[0])])
    tracked = track(
        current={i.site.id: SiteEvents(as_of=i.current.as_of, events=i.current.events) for i in sites if i.current},
        previous={i.site.id: SiteEvents(as_of=i.previous.as_of, events=i.previous.events) for i in sites if i.previous},
        first_seen=first_seen,
        as_of=period.cutoff,
        period_start=period.start,
    )

    def problem_row(p: TrackedProblem) -> ProblemRow:
        item = by_id[p.key.site_id]
        code = unit_of(p.key.site_id, p.event)
        n = max(1, len(p.event.evidence))
        found = local(item.current.as_of) if item.current and p.status in (ProblemStatus.NEW, ProblemStatus.PERSISTING) else None
        return ProblemRow(
            site_id=item.site.id, site=item.site.name, site_url=item.site.url, unit=code,
            unit_name=units.get(code or "", code or ""), type=p.event.type.value,
            type_label=TYPE_LABEL.get(p.event.type.value, p.event.type.value),
            category=_category(p.event.rule, template), rule=p.event.rule, message=p.event.message,
            evidence=p.key.url, points=round(p.event.points / n, 2), found_at=found, first_seen=local(p.first_seen),
            days=p.days, status=p.status.value, status_label=p.status_label,
            deadline=deadline if p.status in (ProblemStatus.NEW, ProblemStatus.PERSISTING) else None,
        )

    open_problems = [p for p in tracked if p.status in (ProblemStatus.NEW, ProblemStatus.PERSISTING)]
    warnings: list[ProblemRow] = []
    for item in sites:
        if item.current is None:
            continue
        for event in item.current.events:
            if event.type is EventType.WARNING or (event.unknown and event.type in (EventType.VETO, EventType.DEDUCTION)):
                code = unit_of(item.site.id, event)
                for url in event.evidence[:1] or ("",):
                    warnings.append(ProblemRow(
                        site_id=item.site.id, site=item.site.name, site_url=item.site.url, unit=code,
                        unit_name=units.get(code or "", code or ""), type="warning",
                        type_label="预警" if event.type is EventType.WARNING else "待人工核实",
                        category=_category(event.rule, template), rule=event.rule, message=event.message,
                        evidence=url, points=0.0, found_at=local(item.current.as_of), first_seen=None, days=0,
                        status="warning", status_label="预警" if event.type is EventType.WARNING else "无法自动判断",
                        deadline=None))

    # ---- rankings over the whole region (a unit's notice shows its region rank)
    cur_scores = {i.site.id: (i.current.vetoed, i.current.total) for i in sites if i.current}
    prev_scores = {i.site.id: (i.previous.vetoed, i.previous.total) for i in sites if i.previous}
    cur_rank, prev_rank = _ranks(cur_scores), _ranks(prev_scores)
    unit_cur, unit_prev = _unit_scores(sites, "current"), _unit_scores(sites, "previous")
    unit_cur_rank, unit_prev_rank = _ranks(unit_cur), _ranks(unit_prev)

    counts: dict[int, Counter[str]] = defaultdict(Counter)
    points: dict[int, float] = defaultdict(float)
    unit_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for p in open_problems:
        counts[p.key.site_id][p.event.type.value] += 1
        points[p.key.site_id] += p.event.points / max(1, len(p.event.evidence))
        code = unit_of(p.key.site_id, p.event)
        if code:
            unit_counts[code][p.event.type.value] += 1
    for w in warnings:
        counts[w.site_id]["warning"] += 1
        if w.unit:
            unit_counts[w.unit]["warning"] += 1

    site_rows: list[SiteRow] = []
    for item in sites:
        cur, prev = item.current, item.previous
        probes = sum(d.probes for d in item.availability)
        fails = sum(d.failures for d in item.availability)
        rank, before = cur_rank.get(item.site.id), prev_rank.get(item.site.id)
        site_rows.append(SiteRow(
            site_id=item.site.id, name=item.site.name, url=item.site.url, unit=item.site.unit,
            unit_name=units.get(item.site.unit or "", item.site.unit or ""), level=item.site.level,
            level_label=template.level_label(item.site.level), scored=cur is not None,
            profile=cur.profile if cur else None, total=cur.total if cur else None,
            vetoed=bool(cur and cur.vetoed), grade=cur.grade if cur else "",
            vetoes=counts[item.site.id]["veto"], deductions=counts[item.site.id]["deduction"],
            points=round(points[item.site.id], 2), warnings=counts[item.site.id]["warning"],
            rank=rank, previous_rank=before,
            rank_change=(before - rank) if rank is not None and before is not None else None,
            previous_total=prev.total if prev else None,
            score_change=round(cur.total - prev.total, 2) if cur and prev else None,
            availability=(1 - fails / probes) if probes else None, probes=probes,
            as_of=local(cur.as_of) if cur else None,
            homepage_newest=item.updates.homepage_newest if item.updates else None,
            columns=item.updates.columns if item.updates else 0,
            columns_updated=item.updates.columns_updated if item.updates else 0,
        ))
    site_rows.sort(key=lambda s: (s.rank is None, s.rank or 0, s.name, s.site_id))

    unit_codes = set(unit_cur) | set(unit_counts) | {i.site.unit for i in sites if i.site.unit}
    unit_rows: list[UnitRow] = []
    for code in unit_codes:
        score = unit_cur.get(code)
        before_score = unit_prev.get(code)
        rank, before = unit_cur_rank.get(code), unit_prev_rank.get(code)
        unit_rows.append(UnitRow(
            unit=code, name=units.get(code, code), sites=sum(1 for i in sites if i.site.unit == code),
            total=score[1] if score else None, vetoed=bool(score and score[0]),
            vetoes=unit_counts[code]["veto"], deductions=unit_counts[code]["deduction"],
            warnings=unit_counts[code]["warning"], rank=rank, previous_rank=before,
            rank_change=(before - rank) if rank is not None and before is not None else None,
            previous_total=before_score[1] if before_score else None,
            score_change=round(score[1] - before_score[1], 2) if score and before_score else None,
        ))
    unit_rows.sort(key=lambda u: (u.rank is None, u.rank or 0, u.unit))

    problems = [problem_row(p) for p in open_problems]
    resolved = [problem_row(p) for p in tracked if p.status is ProblemStatus.RESOLVED]
    scoped_tracked = tracked
    # ---- narrow to one unit
    if unit is not None:
        problems = [p for p in problems if p.unit == unit]
        resolved = [p for p in resolved if p.unit == unit]
        warnings = [w for w in warnings if w.unit == unit]
        touched = {p.site_id for p in problems} | {w.site_id for w in warnings}
        site_rows = [s for s in site_rows if s.unit == unit or s.site_id in touched]
        unit_rows = [u for u in unit_rows if u.unit == unit]
        scoped_tracked = [p for p in tracked if unit_of(p.key.site_id, p.event) == unit]
    # A unit's figures count its own sites; a site it only has problems on (a column of
    # the portal it maintains) is listed in its tables but not counted as its site.
    counted = [s for s in site_rows if s.unit == unit] if unit is not None else site_rows
    counted = counted or site_rows
    kept = {s.site_id for s in counted}
    scoped = [i for i in sites if i.site.id in kept]

    order = {"veto": 0, "deduction": 1}
    problems.sort(key=lambda p: (order.get(p.type, 2), p.unit or "", p.site, p.rule, p.evidence))
    resolved.sort(key=lambda p: (p.unit or "", p.site, p.rule, p.evidence))
    warnings.sort(key=lambda p: (p.unit or "", p.site, p.rule, p.evidence))

    # ---- problem groups (二、存在的主要问题)
    labels = [g.label for g in template.problem_types] + [OTHER_PROBLEMS]
    grouped: dict[str, list[ProblemRow]] = defaultdict(list)
    for row in problems:
        grouped[row.category].append(row)
    groups = tuple(
        ProblemGroup(
            label=label, problems=len(grouped[label]),
            sites=tuple(sorted({p.site for p in grouped[label]})),
            units=tuple(sorted({p.unit_name for p in grouped[label] if p.unit_name})),
            examples=tuple(sorted(grouped[label], key=lambda p: (order.get(p.type, 2), p.points, -p.days))[:3]),
        )
        for label in labels if grouped.get(label)
    )

    # ---- summary
    scored_rows = [s for s in counted if s.scored]
    vetoed = sum(1 for s in scored_rows if s.vetoed)
    qualified = sum(1 for s in scored_rows if not s.vetoed and s.grade != "不合格")
    level_counts = Counter(s.level for s in counted)
    level_order = list(template.levels) + sorted(set(level_counts) - set(template.levels))
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for item in scoped:
        for d in item.availability:
            days[d.day][0] += d.probes
            days[d.day][1] += d.failures
    day_rows = tuple(DayAvailability(day=d, probes=v[0], failures=v[1]) for d, v in sorted(days.items()))
    probes = sum(d.probes for d in day_rows)
    failures = sum(d.failures for d in day_rows)
    updates = [i.updates for i in scoped if i.updates is not None]
    good_pool = [u for u in unit_rows if u.total is not None and not u.vetoed and u.vetoes + u.deductions == 0]
    good_units = tuple(u.name for u in sorted(good_pool, key=lambda u: (-(u.total or 0), u.unit))[: template.good_units])
    summary = Summary(
        sites=len(counted),
        by_level=tuple(LevelCount(level=lv, label=template.level_label(lv), count=level_counts[lv])
                       for lv in level_order if level_counts.get(lv)),
        scored=len(scored_rows), vetoed=vetoed, qualified=qualified,
        pass_rate=qualified / len(scored_rows) if scored_rows else None,
        average=_mean([s.total for s in scored_rows if s.total is not None]),
        grades=tuple(GradeCount(grade=g, count=c) for g, c in sorted(Counter(s.grade for s in scored_rows if s.grade).items())),
        probes=probes, probe_failures=failures, availability=(1 - failures / probes) if probes else None,
        problems=len(problems), vetoes=sum(1 for p in problems if p.type == "veto"),
        deductions=sum(1 for p in problems if p.type == "deduction"),
        new=sum(1 for p in problems if p.status == ProblemStatus.NEW.value),
        persisting=sum(1 for p in problems if p.status == ProblemStatus.PERSISTING.value),
        warnings=len(warnings), rectification=rectification(scoped_tracked), good_units=good_units,
        homepages_checked=sum(1 for u in updates if u.homepage_updated is not None),
        homepages_updated=sum(1 for u in updates if u.homepage_updated),
        columns=sum(u.columns for u in updates), columns_updated=sum(u.columns_updated for u in updates),
        blank_columns=sum(u.blank_columns for u in updates),
    )

    profiles = tuple(sorted({s.profile for s in site_rows if s.profile}))
    basis = template.basis_for(list(profiles))
    scope_name = units.get(unit, unit) if unit else None
    values = {
        "period": period.label, "region": region, "start": cn_date(period.start.date()),
        "end": cn_date(period.last_day), "deadline": cn_date(deadline), "office": office,
        "days": str(template.rectification_days), "basis": basis, "period_span": period.span,
    }
    title = _fill(template.title, **values)
    if scope_name:
        title = f"{title}（{scope_name}）"
    return NoticeData(
        schema=SCHEMA, kind=period.kind.value, period_id=period.id, period_label=period.label,
        period_span=period.span, start=period.start, end=period.end, cutoff=period.cutoff,
        previous_period_id=period.previous().id, title=title, office=office, region=region,
        addressees=f"{scope_name}：" if scope_name else addressees, basis=basis, opening=_fill(template.opening, **values), issued=issued,
        deadline=deadline, scope_unit=unit, scope_unit_name=scope_name, profiles=profiles, summary=summary,
        sites=tuple(site_rows), units=tuple(unit_rows), problems=tuple(problems), resolved=tuple(resolved),
        warnings=tuple(warnings), groups=groups, availability_days=day_rows,
        next_steps=tuple(_fill(t, **values) for t in template.next_steps), closing=_fill(template.closing, **values),
    )


# --------------------------------------------------------------------------
# Sentences shared by the HTML and DOCX forms
# --------------------------------------------------------------------------


def fmt_score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def fmt_change(value: int | float | None, *, score: bool = False) -> str:
    """Rank change: ↑2 / ↓1 / 持平; score change: +1.50 / −0.20."""
    if value is None:
        return "—"
    if score:
        return "持平" if value == 0 else f"{value:+.2f}"
    return "持平" if value == 0 else (f"↑{value}" if value > 0 else f"↓{-value}")


def overview_paragraphs(data: NoticeData) -> list[str]:
    """一、总体情况 as sentences, each number computed above."""
    s = data.summary
    levels = "、".join(f"{lv.label}{lv.count}个" for lv in s.by_level)
    out = [
        f"本期共监测政府网站{s.sites}个" + (f"（其中{levels}）" if levels else "") + "，监测覆盖率100%。"
        + (f"完成评分{s.scored}个" + (f"，{s.sites - s.scored}个网站本期无监测数据" if s.sites > s.scored else "") + "。")
    ]
    if s.scored:
        grades = "、".join(f"{g.grade}{g.count}个" for g in s.grades)
        out.append(
            f"合格网站{s.qualified}个，单项否决网站{s.vetoed}个，合格率{format_percent(s.pass_rate)}；"
            f"平均得分{fmt_score(s.average)}分" + (f"；等次分布：{grades}" if grades else "") + "。")
    out.append(f"本期发现问题{s.problems}个（单项否决{s.vetoes}个、扣分{s.deductions}个），其中新发现{s.new}个、"
               f"前期未整改{s.persisting}个；预警及待人工核实{s.warnings}项。" + s.rectification.sentence())
    if s.homepages_checked or s.columns:
        parts = []
        if s.homepages_checked:
            parts.append(f"本期首页有更新的网站{s.homepages_updated}个（共监测首页{s.homepages_checked}个）")
        if s.columns:
            parts.append(f"共监测栏目{s.columns}个，本期有更新的{s.columns_updated}个，空白栏目{s.blank_columns}个")
        out.append("；".join(parts) + "。")
    if s.probes:
        out.append(f"首页可用性监测共探测{s.probes}次，失败{s.probe_failures}次，可用率{format_percent(s.availability, 2)}。")
    else:
        out.append("本期无可用性探测数据。")
    if s.good_units:
        out.append(f"{'、'.join(s.good_units)}等单位网站本期未发现问题，得分较高，予以表扬。")
    return out


def group_sentence(group: ProblemGroup) -> str:
    units = f"，涉及{'、'.join(group.units)}" if group.units else ""
    return f"共{group.problems}个，涉及网站{len(group.sites)}个（{'、'.join(group.sites)}）{units}。"


def to_plain(value: Any) -> Any:
    """NoticeData (and its parts) as JSON-able values, dates in ISO form."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, DayAvailability):
            out["ratio"] = value.ratio
        if isinstance(value, Rectification):
            out["rate"] = value.rate
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value
