"""The registry of measures: pure functions from detections to rule occurrences.

A measure reads the detections of some kinds, applies a rule's parameters at
the as-of instant and returns :class:`Occurrence` records: ``HIT`` (the rule's
condition holds, with evidence), ``NEAR`` (close to a veto line: feeds early
warnings) or ``UNKNOWN`` (the tool could not observe enough to say: a person
checks; never a deduction or a veto).  Measures know no points: the engine
turns occurrences into events with the rule's points, caps and veto counts.
"""

from __future__ import annotations

import calendar as _cal
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from govmon.records import (
    AvailabilityDetection,
    BoardDetection,
    ColumnClass,
    ColumnDetection,
    Detection,
    DetectionKind,
    GuideDetection,
    HiddenLinkDetection,
    HomepageDetection,
    InterpLinkDetection,
    Ipv6Detection,
    LinkDetection,
    LinkError,
    MessageDetection,
    MessageStatus,
    PageDetection,
    PageType,
    PrivacyDetection,
    SearchDetection,
    SiteDetection,
    UnknownDetection,
    UnknownReason,
    WordingDetection,
)
from scoring.calendar import WorkCalendar
from scoring.profiles import ColumnGroup, RuleParams, Threshold

D = TypeVar("D", bound=Detection)

#: Dates on Chinese government sites are Beijing dates.
BEIJING = ZoneInfo("Asia/Shanghai")

#: The ten key element categories of a service guide (NAT-V-SERVICE-B/C).
NATIONAL_GUIDE_ELEMENTS = (
    "事项名称", "设定依据", "申请条件", "办理材料", "办理地点",
    "办理机构", "收费标准", "办理时间", "联系电话", "办理流程",
)  # fmt: skip

FOOTER_NAMES = {
    "conac": "党政机关网站标识",
    "site_code": "网站标识码",
    "icp": "ICP备案编号",
    "police": "公安机关备案标识",
    "sponsor": "网站主办单位",
    "contact": "联系方式",
}


CLASS_NAMES = {
    "news": "动态要闻类", "notice": "通知公告类", "policy": "政策文件类",
    "interpretation": "政策解读类", "personnel": "人事信息类", "planning": "规划计划类",
    "finance": "财政资金类", "statistics": "统计数据类", "overview": "概况信息类",
    "interaction": "互动交流类", "service": "办事服务类", "service_stats": "办事统计类",
    "data_release": "数据发布类", "survey": "调查征集类", "faq": "常见问题类", "other": "其他",
}  # fmt: skip


class Status(enum.StrEnum):
    HIT = "hit"
    NEAR = "near"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrence:
    """One finding of a rule, before points: what, how many, whose, where to look."""

    status: Status = Status.HIT
    count: int = 1
    unit: str | None = None
    message: str = ""
    evidence: tuple[str, ...] = ()
    detections: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: points of the whole occurrence when the rule's points × count does not apply
    points: float | None = None


class Detections:
    """Detections grouped by kind, with the set of URLs that could not be observed."""

    def __init__(self, detections: Iterable[Detection]) -> None:
        self._by: dict[DetectionKind, list[Detection]] = defaultdict(list)
        for d in detections:
            self._by[d.kind].append(d)
        self.unknown_urls = {d.url for d in self._by[DetectionKind.UNKNOWN]}

    def of(self, cls: type[D]) -> list[D]:
        return [d for d in self._by[cls.KIND] if isinstance(d, cls)]

    def has(self, kind: DetectionKind) -> bool:
        return bool(self._by[kind])


MeasureFn = Callable[[Detections, RuleParams, datetime, WorkCalendar], list[Occurrence]]


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    fn: MeasureFn
    kinds: frozenset[DetectionKind]
    allowed: frozenset[str] = field(default_factory=frozenset)
    required: frozenset[str] = field(default_factory=frozenset)
    #: the values ``params.check`` may take, when the measure has checks
    checks: frozenset[str] = field(default_factory=frozenset)


MEASURES: dict[str, Measure] = {}


def measure(
    name: str,
    kinds: Sequence[DetectionKind],
    allowed: Sequence[str] = (),
    required: Sequence[str] = (),
    checks: Sequence[str] = (),
) -> Callable[[MeasureFn], MeasureFn]:
    """Register a measure under a name profiles can use."""

    def deco(fn: MeasureFn) -> MeasureFn:
        MEASURES[name] = Measure(
            name,
            fn,
            frozenset(kinds),
            frozenset(allowed) | frozenset(required),
            frozenset(required),
            frozenset(checks),
        )
        return fn

    return deco


# --------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """Calendar months, the day clamped to the month's end (03-31 − 1 month = 02-28)."""
    total = d.year * 12 + d.month - 1 + months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(d.day, _cal.monthrange(y, m + 1)[1]))


def cutoff(as_of: date, th: Threshold, cal: WorkCalendar) -> date:
    """The oldest date still "within" the threshold before as-of.

    An item dated on the cutoff counts as an update: "updated within 2 weeks"
    before 2026-11-25 means dated 2026-11-11 or later; "more than 10 days" stale
    means dated before 2026-11-15.
    """
    n = th.value
    if th.unit == "days":
        return as_of - timedelta(days=n)
    if th.unit == "weeks":
        return as_of - timedelta(days=7 * n)
    if th.unit == "months":
        return add_months(as_of, -int(n))
    return cal.add_working_days(as_of, -int(n))


def exceeds(start: date, end: date, th: Threshold, cal: WorkCalendar) -> bool:
    """True when the time from start to end is more than the threshold."""
    if th.unit == "working_days":
        return cal.working_days_between(start, end) > th.value
    return start < cutoff(end, th, cal)


def _day(as_of: datetime) -> date:
    """The as-of date in Beijing time, whatever zone the instant was given in."""
    return as_of.astimezone(BEIJING).date()


def _fp(*dets: Detection) -> tuple[str, ...]:
    return tuple(d.fingerprint() for d in dets)


def _iso(d: date | None) -> str:
    return d.isoformat() if d else "无日期"


def _units(dets: Iterable[D]) -> dict[str | None, list[D]]:
    out: dict[str | None, list[D]] = defaultdict(list)
    for d in dets:
        out[d.unit].append(d)
    return out


def _unit_of(dets: Sequence[Detection]) -> str | None:
    units = {d.unit for d in dets}
    return units.pop() if len(units) == 1 else None


# --------------------------------------------------------------------------
# Homepage and columns
# --------------------------------------------------------------------------


@measure("homepage_stale", [DetectionKind.HOMEPAGE], ["warn_age"], ["max_age"])
def homepage_stale(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-V-HOME: the newest dated homepage item (second level for a navigation
    homepage); no dated item at all counts as not updated."""
    assert p.max_age is not None
    out = []
    today = _day(as_of)
    for h in dets.of(HomepageDetection):
        if h.url in dets.unknown_urls:
            out.append(
                Occurrence(
                    status=Status.UNKNOWN,
                    unit=h.unit,
                    evidence=(h.url,),
                    detections=_fp(h),
                    message=f"首页未能访问，无法判断更新情况：{h.url}",
                )
            )
            continue
        newest = h.second_level_newest if h.navigation_only else h.newest
        where = "二级页面" if h.navigation_only else "首页"
        if newest is None:
            out.append(
                Occurrence(
                    unit=h.unit,
                    evidence=(h.url,),
                    detections=_fp(h),
                    message=f"{where}信息均未注明发布时间，视为未更新",
                )
            )
        elif newest < cutoff(today, p.max_age, cal):
            out.append(
                Occurrence(
                    unit=h.unit,
                    evidence=(h.url,),
                    detections=_fp(h),
                    message=f"{where}最新信息为{_iso(newest)}，{p.max_age}内无更新",
                )
            )
        elif p.warn_age is not None and newest < cutoff(today, p.warn_age, cal):
            out.append(
                Occurrence(
                    status=Status.NEAR,
                    unit=h.unit,
                    evidence=(h.url,),
                    detections=_fp(h),
                    message=f"{where}最新信息为{_iso(newest)}，已超过{p.warn_age}未更新",
                )
            )
    return out


def _matches(
    c: ColumnDetection,
    classes: Sequence[ColumnClass] | None,
    level: int | None,
    names: Sequence[str] | None,
    exclude: Sequence[ColumnClass] | None = None,
) -> bool:
    if classes and c.column_class not in classes:
        return False
    if exclude and c.column_class in exclude:
        return False
    if level is not None and c.level != level:
        return False
    return not names or any(n in c.name or n in (c.parent or "") for n in names)


def _group_of(c: ColumnDetection, groups: Sequence[ColumnGroup]) -> ColumnGroup | None:
    for g in groups:
        if _matches(c, g.classes or None, g.level, g.name_contains or None):
            return g
    return None


def _column_state(
    newest: date | None, g: ColumnGroup, today: date, cal: WorkCalendar
) -> Status | None:
    if newest is not None and g.until is not None and newest < cutoff(today, g.until, cal):
        return None  # older than the next tier: that tier's rule counts it
    if newest is None or newest < cutoff(today, g.max_age, cal):
        return Status.HIT
    if g.warn_age is not None and newest < cutoff(today, g.warn_age, cal):
        return Status.NEAR
    return None


@measure("stale_columns", [DetectionKind.COLUMN], ["per"], ["groups"])
def stale_columns(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Columns (or, ``per: unit``, a unit's columns together) not updated within
    their group's cadence.  Blank columns are left to ``blank_columns``; a column
    whose entries could not be read is unknown."""
    assert p.groups is not None
    today = _day(as_of)
    out: list[Occurrence] = []
    picked: list[tuple[ColumnDetection, ColumnGroup]] = []
    for c in dets.of(ColumnDetection):
        g = _group_of(c, p.groups)
        if g is None or c.blank:
            continue
        if c.url in dets.unknown_urls or (c.entries == 0 and c.newest is None):
            out.append(
                Occurrence(
                    status=Status.UNKNOWN,
                    unit=c.unit,
                    evidence=(c.url,),
                    detections=_fp(c),
                    message=f"栏目“{c.name}”未能读取条目，无法判断是否更新",
                )
            )
            continue
        picked.append((c, g))
    if p.per == "unit":
        by_unit: dict[str | None, list[tuple[ColumnDetection, ColumnGroup]]] = defaultdict(list)
        for c, g in picked:
            by_unit[c.unit].append((c, g))
        for unit, items in by_unit.items():
            dated = [c.newest for c, _ in items if c.newest is not None]
            newest = max(dated) if dated else None
            state = _column_state(newest, items[0][1], today, cal)
            if state is None:
                continue
            names = "、".join(c.name for c, _ in items)
            out.append(
                Occurrence(
                    status=state,
                    unit=unit,
                    evidence=tuple(c.url for c, _ in items),
                    detections=_fp(*(c for c, _ in items)),
                    message=f"栏目“{names}”最新信息{_iso(newest)}，{items[0][1].max_age}内未更新",
                )
            )
        return out
    for c, g in picked:
        state = _column_state(c.newest, g, today, cal)
        if state is None:
            continue
        what = (
            "条目未注明发布时间，视为未更新"
            if c.newest is None
            else (
                f"最新信息{_iso(c.newest)}，{g.max_age}内未更新"
                if state is Status.HIT
                else f"最新信息{_iso(c.newest)}，接近{g.max_age}未更新"
            )
        )
        out.append(
            Occurrence(
                status=state,
                unit=c.unit,
                evidence=(c.url,),
                detections=_fp(c),
                message=f"栏目“{c.name}”{what}",
            )
        )
    return out


@measure(
    "blank_columns",
    [DetectionKind.COLUMN],
    ["classes", "exclude_classes", "level", "name_contains"],
)
def blank_columns(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Columns with no entry at all (有栏目无内容)."""
    out = []
    for c in dets.of(ColumnDetection):
        if not c.blank or not _matches(c, p.classes, p.level, p.name_contains, p.exclude_classes):
            continue
        if c.url in dets.unknown_urls:
            out.append(
                Occurrence(
                    status=Status.UNKNOWN,
                    unit=c.unit,
                    evidence=(c.url,),
                    detections=_fp(c),
                    message=f"栏目“{c.name}”未能访问，无法判断是否空白",
                )
            )
            continue
        out.append(
            Occurrence(
                unit=c.unit,
                evidence=(c.url,),
                detections=_fp(c),
                message=f"栏目“{c.name}”为空白栏目",
            )
        )
    return out


@measure(
    "missing_column", [DetectionKind.COLUMN, DetectionKind.UNKNOWN], ["name_contains", "level", "per"], ["classes"]
)
def missing_column(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """No column of the classes on the site (``per: unit``: in each unit's
    columns); with no column seen at all, the answer is unknown."""
    columns = dets.of(ColumnDetection)
    classes = "、".join(CLASS_NAMES[str(c)] for c in p.classes or ())
    if p.name_contains:
        classes += "（" + "/".join(p.name_contains) + "）"
    if not columns:
        return [
            Occurrence(
                status=Status.UNKNOWN, message=f"未采集到任何栏目，无法判断是否开设{classes}栏目"
            )
        ]
    limited = any(u.reason is UnknownReason.LIMIT for u in dets.of(UnknownDetection))
    if p.per != "unit":
        if any(_matches(c, p.classes, p.level, p.name_contains) for c in columns):
            return []
        if limited:  # the column may be among the pages the limits kept us from
            return [Occurrence(status=Status.UNKNOWN,
                               message=f"未发现{classes}栏目，但抓取达到上限，无法判断，请人工核查")]
        return [Occurrence(message=f"未发现{classes}栏目")]
    out = []
    for unit in sorted({c.unit for c in columns}, key=lambda u: u or ""):
        own = [c for c in columns if c.unit == unit]
        if not any(_matches(c, p.classes, p.level, p.name_contains) for c in own):
            if limited:
                out.append(Occurrence(unit=unit, status=Status.UNKNOWN,
                                      message=f"未发现{classes}栏目，但抓取达到上限，无法判断，请人工核查"))
            else:
                out.append(Occurrence(unit=unit, message=f"未发现{classes}栏目"))
    return out


@measure(
    "update_count",
    [DetectionKind.COLUMN],
    ["name_contains", "level"],
    ["classes", "window", "target"],
)
def update_count(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Items a unit published in its columns of the classes within the window,
    against a target (AJ-DYNAMICS 40 a year, AJ-UNIT-DOCS 6): one occurrence whose
    count is the shortfall.  When the dates seen cannot cover the window (more list
    pages than were read), the count is a lower bound: unknown, not a deduction."""
    assert p.window is not None and p.target is not None
    today = _day(as_of)
    start = cutoff(today, p.window, cal)
    out = []
    cols = [c for c in dets.of(ColumnDetection) if _matches(c, p.classes, p.level, p.name_contains)]
    for unit, own in _units(cols).items():
        n = 0
        partial = False
        for c in own:
            seen = [d for d in c.dates if start <= d <= today]
            n += len(seen)
            if c.dates and min(c.dates) >= start and (c.total_entries or 0) > len(c.dates):
                partial = True
        if n >= p.target:
            continue
        ev = tuple(c.url for c in own)
        if partial:
            out.append(
                Occurrence(
                    status=Status.UNKNOWN,
                    unit=unit,
                    evidence=ev,
                    detections=_fp(*own),
                    message=f"已见{n}条，未读完全部列表页，无法核实是否达到{p.target}条",
                )
            )
        else:
            out.append(
                Occurrence(
                    unit=unit,
                    count=p.target - n,
                    evidence=ev,
                    detections=_fp(*own),
                    message=f"{p.window}内发布{n}条，少于{p.target}条，差{p.target - n}条",
                )
            )
    return out


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


@measure("fresh_columns", [DetectionKind.COLUMN], ["per"], ["groups"])
def fresh_columns(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Bonus: a column of the groups updated within ``max_age`` (and, with
    ``until``, not within ``until`` — for the 3–6 months tier of NAT-B-DATA).
    One occurrence for the site (``per: unit``: for each unit), however many
    columns qualify."""
    assert p.groups is not None
    today = _day(as_of)
    found: dict[str | None, list[ColumnDetection]] = defaultdict(list)
    for c in dets.of(ColumnDetection):
        g = _group_of(c, p.groups)
        if g is None or c.blank or c.newest is None or c.url in dets.unknown_urls:
            continue
        if c.newest < cutoff(today, g.max_age, cal) or c.newest > today:
            continue
        if g.until is not None and c.newest >= cutoff(today, g.until, cal):
            continue
        found[c.unit if p.per == "unit" else None].append(c)
    return [
        Occurrence(
            unit=unit if p.per == "unit" else _unit_of(cols),
            evidence=tuple(c.url for c in cols[:5]),
            detections=_fp(*cols),
            message="栏目“"
            + "、".join(c.name for c in cols[:5])
            + f"”最新信息{_iso(max(c.newest for c in cols if c.newest))}",
        )
        for unit, cols in found.items()
    ]


@measure(
    "min_updates",
    [DetectionKind.COLUMN],
    ["name_contains", "per"],
    ["classes", "window", "target"],
)
def min_updates(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Bonus: at least ``target`` items within the window in columns of the
    classes (NAT-B-SURVEY: 6 surveys in a year).  Once for the site, or per unit."""
    assert p.window is not None and p.target is not None
    today = _day(as_of)
    start = cutoff(today, p.window, cal)
    cols = [c for c in dets.of(ColumnDetection) if _matches(c, p.classes, None, p.name_contains)]
    groups = _units(cols) if p.per == "unit" else {None: cols}
    out = []
    for unit, own in groups.items():
        n = sum(1 for c in own for d in c.dates if start <= d <= today)
        if own and n >= p.target:
            out.append(
                Occurrence(
                    unit=unit if p.per == "unit" else _unit_of(own),
                    evidence=tuple(c.url for c in own[:5]),
                    detections=_fp(*own),
                    message=f"{p.window}内发布{n}条（不少于{p.target}条）",
                )
            )
    return out


@measure("weekly_gaps", [DetectionKind.COLUMN], ["classes"], ["weeks"])
def weekly_gaps(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """ZS-WEEKLY: of the last N full weeks (Monday–Sunday) before as-of, those in
    which a unit published nothing on the site front end."""
    assert p.weeks is not None
    this_week = _week_start(_day(as_of))
    weeks = [this_week - timedelta(days=7 * i) for i in range(p.weeks, 0, -1)]
    out = []
    cols = [c for c in dets.of(ColumnDetection) if _matches(c, p.classes, None, None)]
    for unit, own in _units(cols).items():
        starts = {
            _week_start(d) for c in own for d in (c.dates or ((c.newest,) if c.newest else ()))
        }
        missing = [w for w in weeks if w not in starts]
        if missing:
            out.append(
                Occurrence(
                    unit=unit,
                    count=len(missing),
                    evidence=tuple(c.url for c in own),
                    detections=_fp(*own),
                    message="以下各周无信息发布："
                    + "、".join(f"{w.isoformat()}起" for w in missing),
                )
            )
    return out


def _extra(dates: Sequence[date], end: date, period: Threshold, cal: WorkCalendar) -> int:
    """Items beyond the first in the period ending on ``end`` (inclusive)."""
    start = cutoff(end, period, cal)
    return max(0, sum(1 for d in dates if start < d <= end) - 1)


@measure(
    "extra_updates", [DetectionKind.COLUMN], ["name_contains"], ["classes", "period", "monthly_cap"]
)
def extra_updates(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Junshan bonus: items beyond the first in the monitoring period, one point
    each (the rule's points), at most ``monthly_cap`` in a calendar month: the
    earlier periods of the same month are recomputed from the dates, so each run
    only grants what the month has left."""
    assert p.period is not None and p.monthly_cap is not None
    today = _day(as_of)
    out = []
    cols = [c for c in dets.of(ColumnDetection) if _matches(c, p.classes, None, p.name_contains)]
    for unit, own in _units(cols).items():
        dates = [d for c in own for d in c.dates]
        earlier = 0
        end = cutoff(today, p.period, cal)
        while end.month == today.month and end.year == today.year:
            earlier += _extra(dates, end, p.period, cal)
            end = cutoff(end, p.period, cal)
        left = max(0.0, p.monthly_cap - earlier)
        this_period = _extra(dates, today, p.period, cal)
        now = min(float(this_period), left)
        if now > 0:
            out.append(
                Occurrence(
                    unit=unit,
                    count=int(now),
                    evidence=tuple(c.url for c in own),
                    detections=_fp(*own),
                    message=f"本期（{p.period}）多更新{this_period}条，"
                    f"本月已得{min(earlier, p.monthly_cap):g}分，上限{p.monthly_cap:g}分",
                )
            )
    return out


# --------------------------------------------------------------------------
# Availability, links, pages, site
# --------------------------------------------------------------------------


@measure(
    "availability",
    [DetectionKind.AVAILABILITY],
    ["warn_ratio", "min_days"],
    ["ratio", "min_probes"],
)
def availability(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-V-AVAIL: failures / probes over the window.  ``probes`` counts every
    probe made; those that ended unknown or blocked are left out of both sides.
    Fewer usable probes than the rule needs is "insufficient data", never a veto."""
    assert p.ratio is not None and p.min_probes is not None
    out = []
    for a in dets.of(AvailabilityDetection):
        usable = max(0, a.probes - a.unknown - a.blocked)
        ratio = a.failures / usable if usable else 0.0
        short_days = p.min_days is not None and a.days and a.days < p.min_days
        if usable < p.min_probes or short_days:
            out.append(
                Occurrence(
                    status=Status.UNKNOWN,
                    unit=a.unit,
                    evidence=(a.url,),
                    detections=_fp(a),
                    message=f"可用性监测数据不足：有效探测{usable}次（需{p.min_probes}次）"
                    + (f"，{a.days}天（需{p.min_days}天）" if short_days else "")
                    + f"，失败{a.failures}次",
                )
            )
            continue
        msg = f"首页访问失败{a.failures}次/有效探测{usable}次，失败率{ratio:.2%}"
        if ratio >= p.ratio:
            out.append(
                Occurrence(
                    unit=a.unit,
                    evidence=(a.url, *a.failed_at[:5]),
                    detections=_fp(a),
                    message=msg + f"（≥{p.ratio:.0%}）",
                )
            )
        elif p.warn_ratio is not None and ratio >= p.warn_ratio:
            out.append(
                Occurrence(
                    status=Status.NEAR,
                    unit=a.unit,
                    evidence=(a.url, *a.failed_at[:5]),
                    detections=_fp(a),
                    message=msg + f"（预警线{p.warn_ratio:.0%}）",
                )
            )
    return out


@measure("dead_links", [DetectionKind.LINK], ["max_count"], ["where"])
def dead_links(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Links that do not open, each counted once: on the homepage when the homepage
    carries it, else on other pages.  ``blocked`` answers never count: they are
    reported together as one unknown."""
    out = []
    blocked = []
    # "如首页仅为网站栏目导航入口，则检查所有二级页面上的链接": the first-level
    # column pages of a navigation homepage take the homepage's place.
    second: set[str] = set()
    if any(h.navigation_only for h in dets.of(HomepageDetection)):
        second = {c.url for c in dets.of(ColumnDetection) if c.level == 1}
    for link in dets.of(LinkDetection):
        if link.error is LinkError.BLOCKED:
            blocked.append(link)
            continue
        home = link.on_homepage or bool(second.intersection(link.on_pages))
        if (p.where == "home" and not home) or (p.where == "other" and home):
            continue
        if link.error is LinkError.SOFT_404:
            why = "页面显示不存在（soft 404）"
        else:
            why = f"HTTP {link.status}" if link.status else str(link.error)
        place = "首页" if home else "页面"
        out.append(
            Occurrence(
                unit=link.unit,
                evidence=(link.url, *link.on_pages[:3]),
                detections=_fp(link),
                message=f"{place}链接无法打开（{why}）：{link.url}",
            )
        )
    if p.max_count:
        out = out[: p.max_count]
    if blocked and p.where in ("home", "all"):
        out.append(
            Occurrence(
                status=Status.UNKNOWN,
                count=len(blocked),
                unit=_unit_of(blocked),
                evidence=tuple(b.url for b in blocked[:10]),
                detections=_fp(*blocked),
                message=f"{len(blocked)}个链接被防护系统拦截，未能检测，请人工核查",
            )
        )
    return out


def _unobservable(pages: Sequence[PageDetection], what: str) -> Occurrence:
    return Occurrence(
        status=Status.UNKNOWN,
        count=len(pages),
        unit=_unit_of(pages),
        evidence=tuple(pg.url for pg in pages[:10]),
        detections=_fp(*pages),
        message=f"{len(pages)}个页面的底部由脚本生成，未能看到{what}，请人工核查",
    )


@measure("footer_missing", [DetectionKind.PAGE])
def footer_missing(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-FOOTER: one occurrence per footer item missing on some page ("每缺一项")."""
    pages = dets.of(PageDetection)
    hidden = [pg for pg in pages if not pg.footer_observable]
    seen = [pg for pg in pages if pg.footer_observable and pg.url not in dets.unknown_urls]
    out = []
    for marker, label in FOOTER_NAMES.items():
        lacking = [pg for pg in seen if marker in {str(m) for m in pg.footer_missing}]
        if lacking:
            out.append(
                Occurrence(
                    unit=_unit_of(lacking),
                    evidence=tuple(pg.url for pg in lacking[:5]),
                    detections=_fp(*lacking),
                    message=f"页面底部缺少“{label}”（{len(lacking)}个页面）",
                )
            )
    if hidden:
        out.append(_unobservable(hidden, "底部标识"))
    return out


@measure("jiucuo_missing", [DetectionKind.PAGE], ["max_count"], ["where"])
def jiucuo_missing(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-JIUCUO: the 我为政府网站找错 entry missing from a footer."""
    out = []
    hidden = []
    for pg in dets.of(PageDetection):
        home = pg.page_type is PageType.HOME
        if (p.where == "home") != home and p.where != "all":
            continue
        if not pg.footer_observable or pg.url in dets.unknown_urls:
            hidden.append(pg)
        elif not pg.jiucuo:
            out.append(
                Occurrence(
                    unit=pg.unit,
                    evidence=(pg.url,),
                    detections=_fp(pg),
                    message=f"{'首页' if home else '页面'}底部未添加“我为政府网站找错”入口",
                )
            )
    if p.max_count:
        out = out[: p.max_count]
    if hidden:
        out.append(_unobservable(hidden, "“我为政府网站找错”入口"))
    return out


@measure("tags_missing", [DetectionKind.PAGE], ["max_count"], ["page_types", "tags"])
def tags_missing(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-TAGS: sampled pages of the types missing any of the required meta tags."""
    out = []
    for pg in dets.of(PageDetection):
        if pg.page_type not in (p.page_types or ()) or pg.url in dets.unknown_urls:
            continue
        lacking = [t for t in pg.tags_missing if t in (p.tags or ())]
        if lacking:
            out.append(
                Occurrence(
                    unit=pg.unit,
                    evidence=(pg.url,),
                    detections=_fp(pg),
                    message=f"页面缺少元数据标签：{'、'.join(lacking)}",
                )
            )
    return out[: p.max_count] if p.max_count else out


@measure(
    "site_check",
    [DetectionKind.SITE, DetectionKind.PAGE],
    [],
    ["check"],
    checks=["domain", "naming", "header", "search_box"],
)
def site_check(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Site-level yes/no facts: ``domain``, ``naming``, ``header``, ``search_box``.
    A fact the analyser left undecided (None) gives nothing."""
    out = []
    messages = {
        "domain": "域名不符合规范（备案域名与实际使用域名不一致或不在gov.cn下）",
        "naming": "网站未以本地区本部门名称命名",
        "header": "网站名称未在全站页面头部区域显著展示",
        "search_box": "未提供全站站内搜索功能或功能不可用",
    }
    if p.check not in messages:
        raise ValueError(f"site_check: unknown check {p.check!r}")
    for s in dets.of(SiteDetection):
        bad: bool | None
        ev: tuple[str, ...] = (s.url,)
        if p.check == "domain":
            bad = None if s.domain_compliant is None else not s.domain_compliant
        elif p.check == "naming":
            bad = None if s.named_after_region is None else not s.named_after_region
        elif p.check == "header":
            # Only pages where the name was looked for and not found count; a
            # header the analyser could not judge (a logo image, a script) is None.
            bad = bool(s.pages_without_name)
            ev = (s.url, *s.pages_without_name[:5])
            if not s.pages_checked and not s.pages_without_name:
                bad = None
        else:
            bad = None if s.search_box is None else not s.search_box
        if bad:
            out.append(
                Occurrence(unit=s.unit, evidence=ev, detections=_fp(s), message=messages[p.check])
            )
    if p.check == "header" and not out:
        pages = [pg for pg in dets.of(PageDetection) if pg.name_in_header is False]
        if pages:
            out.append(
                Occurrence(
                    unit=_unit_of(pages),
                    evidence=tuple(pg.url for pg in pages[:5]),
                    detections=_fp(*pages),
                    message=messages["header"],
                )
            )
    return out


@measure("search_titles", [DetectionKind.SEARCH], ["max_count"])
def search_titles(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-SEARCH: sampled titles not on the first result page; an unanswered
    search is unknown."""
    out = []
    for s in dets.of(SearchDetection):
        if s.found is None:
            out.append(
                Occurrence(
                    status=Status.UNKNOWN,
                    unit=s.unit,
                    evidence=(s.search_url or s.url,),
                    detections=_fp(s),
                    message=f"站内搜索“{s.query}”未得到结果页，无法判断",
                )
            )
        elif not s.found:
            out.append(
                Occurrence(
                    unit=s.unit,
                    evidence=(s.search_url or s.url, s.url),
                    detections=_fp(s),
                    message=f"站内搜索“{s.query}”，搜索结果第一页未找到该内容",
                )
            )
    hits = [o for o in out if o.status is Status.HIT]
    if p.max_count:
        hits = hits[: p.max_count]
    return hits + [o for o in out if o.status is not Status.HIT]


@measure("search_grouping", [DetectionKind.SEARCH])
def search_grouping(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-SEARCH: results not grouped by category (once for the site)."""
    bad = [s for s in dets.of(SearchDetection) if s.grouped is False]
    good = [s for s in dets.of(SearchDetection) if s.grouped]
    if bad and not good:
        return [
            Occurrence(
                unit=_unit_of(bad),
                evidence=(bad[0].search_url or bad[0].url,),
                detections=_fp(*bad),
                message="未对搜索结果进行分类展现",
            )
        ]
    return []


@measure(
    "ipv6", [DetectionKind.IPV6], ["below", "at_least"], ["check"], checks=["missing", "support"]
)
def ipv6(dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar) -> list[Occurrence]:
    """NAT-D-IPV6: ``check: missing`` (no AAAA or not reachable) or ``check: support``
    (support score below ``below`` and at least ``at_least``)."""
    out = []
    for v in dets.of(Ipv6Detection):
        done = v.aaaa and v.reachable
        if p.check == "missing":
            if not done:
                why = "无AAAA记录" if not v.aaaa else "IPv6无法访问"
                out.append(
                    Occurrence(
                        unit=v.unit,
                        evidence=(v.url,),
                        detections=_fp(v),
                        message=f"未完成IPv6改造（{why}）",
                    )
                )
            continue
        if not done:
            continue
        support = v.support
        if support is None and v.links_checked:
            support = v.links_ok / v.links_checked
        if support is None:
            continue
        if support > 1:
            support /= 100.0
        if (
            p.below is not None
            and support < p.below
            and (p.at_least is None or support >= p.at_least)
        ):
            out.append(
                Occurrence(
                    unit=v.unit,
                    evidence=(v.url,),
                    detections=_fp(v),
                    message=f"IPv6支持度{support:.1%}，低于{p.below:.0%}",
                )
            )
    return out


# --------------------------------------------------------------------------
# Content findings
# --------------------------------------------------------------------------


def _finding_text(d: Detection) -> str:
    if isinstance(d, WordingDetection):
        kind = "严重错误表述" if d.severity == "serious" else "错别字"
        tip = f"，建议“{d.suggestion}”" if d.suggestion else ""
        return f"{kind}“{d.text}”{tip}"
    if isinstance(d, PrivacyDetection):
        names = {"id_card": "身份证号", "bank_card": "银行卡号", "mobile": "手机号"}
        return f"疑似泄露个人隐私（{names.get(str(d.type), str(d.type))}：{d.excerpt}）"
    if isinstance(d, HiddenLinkDetection):
        return f"隐藏链接/暗链（{d.technique}）指向{d.target}"
    return str(d.kind)


@measure(
    "findings",
    [DetectionKind.WORDING, DetectionKind.PRIVACY, DetectionKind.HIDDEN_LINK],
    ["severity", "confirm", "max_count"],
    ["kinds"],
)
def findings(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Content findings (wording errors, privacy numbers, hidden links), one each.
    A privacy number flagged ``possible`` is unknown: a person decides.  With
    ``confirm: true`` the engine turns hits into warnings until a person confirms."""
    out = []
    wanted = set(p.kinds or ())
    for cls in (WordingDetection, PrivacyDetection, HiddenLinkDetection):
        if cls.KIND not in wanted:
            continue
        for d in dets.of(cls):
            if (
                p.severity is not None
                and isinstance(d, WordingDetection)
                and d.severity != p.severity
            ):
                continue
            status = (
                Status.UNKNOWN if isinstance(d, PrivacyDetection) and d.possible else Status.HIT
            )
            where = getattr(d, "attachment", None) or d.url
            out.append(
                Occurrence(
                    status=status,
                    unit=d.unit,
                    evidence=(where,),
                    detections=_fp(d),
                    message=_finding_text(d),
                )
            )
    if p.max_count:
        hits = [o for o in out if o.status is Status.HIT][: p.max_count]
        out = hits + [o for o in out if o.status is not Status.HIT]
    return out


@measure("interp_links", [DetectionKind.INTERP_LINK], ["field", "max_count"], ["role"])
def interp_links(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-INTERP-LINK / AJ-DISTRICT-DOCS: a sampled policy document without an
    interpretation (``role: policy``), an interpretation not linked to its document
    (``field: linked``) or the document not linking back (``field: linked_back``)."""
    out = []
    attr = p.field or "linked"
    for d in dets.of(InterpLinkDetection):
        if d.role != p.role:
            continue
        value = getattr(d, attr)
        if value is None:
            continue
        if not value:
            if p.role == "policy":
                msg = "政策文件未配发解读"
            elif attr == "linked":
                msg = "解读稿未与被解读的政策文件相关联"
            else:
                msg = "政策文件未与解读稿相关联"
            ev = (d.url, d.counterpart) if d.counterpart else (d.url,)
            out.append(Occurrence(unit=d.unit, evidence=ev, detections=_fp(d), message=msg))
    return out[: p.max_count] if p.max_count else out


# --------------------------------------------------------------------------
# Interaction
# --------------------------------------------------------------------------


def _excluded_boards(dets: Detections) -> set[str]:
    return {b.name for b in dets.of(BoardDetection) if b.excluded}


@measure(
    "late_replies",
    [DetectionKind.MESSAGE, DetectionKind.BOARD],
    ["until", "window", "max_count", "warn_age"],
    ["max_age"],
)
def late_replies(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Messages (asked within ``window`` before as-of) answered, or still unanswered
    at as-of, after more than ``max_age`` (and, with ``until``, not more than it —
    for tiered rules); ``warn_age`` marks still-unanswered messages as near the
    line (early warning of a veto).  Working days use the calendar; its fallback notes travel
    with each occurrence.  Messages on excluded boards (信访, 举报) are skipped."""
    assert p.max_age is not None
    today = _day(as_of)
    start = cutoff(today, p.window, cal) if p.window else None
    excluded = _excluded_boards(dets)
    out = []
    for m in dets.of(MessageDetection):
        if m.board in excluded or m.asked is None or m.asked > today:
            continue
        if start is not None and m.asked < start:
            continue
        end = m.answered
        if end is None:
            if m.status is MessageStatus.ANSWERED:
                out.append(
                    Occurrence(
                        status=Status.UNKNOWN,
                        unit=m.unit,
                        evidence=(m.url,),
                        detections=_fp(m),
                        message=f"留言“{m.title}”已答复但未见答复时间",
                    )
                )
                continue
            if m.status is MessageStatus.UNKNOWN:
                out.append(
                    Occurrence(
                        status=Status.UNKNOWN,
                        unit=m.unit,
                        evidence=(m.url,),
                        detections=_fp(m),
                        message=f"留言“{m.title}”答复情况无法判断",
                    )
                )
                continue
            end = today
        with cal.track() as used:
            late = exceeds(m.asked, end, p.max_age, cal)
            too_late = p.until is not None and exceeds(m.asked, end, p.until, cal)
            near = (
                not late
                and m.answered is None
                and p.warn_age is not None
                and exceeds(m.asked, end, p.warn_age, cal)
            )
        if near:
            out.append(
                Occurrence(
                    status=Status.NEAR,
                    unit=m.unit,
                    evidence=(m.url,),
                    detections=_fp(m),
                    notes=used.notes,
                    message=f"留言“{m.title}”{m.asked.isoformat()}提交，已超过{p.warn_age}未答复",
                )
            )
        if late and not too_late:
            state = f"{_iso(m.answered)}答复" if m.answered else "至今未答复"
            out.append(
                Occurrence(
                    unit=m.unit,
                    evidence=(m.url,),
                    detections=_fp(m),
                    notes=used.notes,
                    message=f"留言“{m.title}”{m.asked.isoformat()}提交，{state}，超过{p.max_age}",
                )
            )
    if p.max_count:
        hits = [o for o in out if o.status is Status.HIT][: p.max_count]
        out = hits + [o for o in out if o.status is not Status.HIT]
    return out


@measure("message_fields", [DetectionKind.MESSAGE], ["window", "max_count"])
def message_fields(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """Published messages missing 留言时间、答复时间、答复单位、答复内容."""
    today = _day(as_of)
    start = cutoff(today, p.window, cal) if p.window else None
    out = []
    for m in dets.of(MessageDetection):
        if not m.missing_fields or (start and m.asked and m.asked < start):
            continue
        out.append(
            Occurrence(
                unit=m.unit,
                evidence=(m.url,),
                detections=_fp(m),
                message=f"留言“{m.title}”未公开{'、'.join(m.missing_fields)}",
            )
        )
    return out[: p.max_count] if p.max_count else out


@measure("consult_channel", [DetectionKind.BOARD])
def consult_channel(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-V-INTERACT-A: no working consultation channel (信访/举报 excluded).
    When no channel was detected at all, the analyser may simply not have found
    it: unknown, for a person to check, never a veto."""
    boards = dets.of(BoardDetection)
    if not boards:
        return [
            Occurrence(
                status=Status.UNKNOWN,
                message="未识别到咨询建言类栏目，请人工确认是否提供网上咨询渠道",
            )
        ]
    usable = [b for b in boards if not b.excluded and b.working]
    if usable:
        return []
    return [
        Occurrence(
            unit=_unit_of(boards),
            evidence=tuple(b.url for b in boards[:5]),
            detections=_fp(*boards),
            message="未提供有效的网上咨询建言渠道（网上信访、纪检举报除外）",
        )
    ]


@measure(
    "board_check",
    [DetectionKind.BOARD],
    ["max_age"],
    ["check"],
    checks=["published", "stale", "statistics"],
)
def board_check(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-D-CONSULT facts per consultation board: ``published`` (messages not
    published), ``stale`` (not updated within ``max_age``), ``statistics`` (no
    statistics of message handling)."""
    out = []
    today = _day(as_of)
    for b in dets.of(BoardDetection):
        if b.excluded or b.url in dets.unknown_urls:
            continue
        msg = None
        if p.check == "published" and not b.messages_published:
            msg = f"“{b.name}”对网民留言未公开"
        elif p.check == "statistics" and not b.statistics:
            msg = f"“{b.name}”未公开留言受理反馈情况统计数据"
        elif (
            p.check == "stale"
            and p.max_age is not None
            and b.messages_published
            and (b.newest is None or b.newest < cutoff(today, p.max_age, cal))
        ):
            msg = f"“{b.name}”最新留言{_iso(b.newest)}，{p.max_age}内未更新"
        if msg:
            out.append(Occurrence(unit=b.unit, evidence=(b.url,), detections=_fp(b), message=msg))
    return out


# --------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------


def _missing(g: GuideDetection, elements: Sequence[str]) -> list[str]:
    present = set(g.elements_present)
    if g.elements_missing or not present:
        return [e for e in elements if e in set(g.elements_missing)]
    return [e for e in elements if e not in present]


@measure("no_services", [DetectionKind.GUIDE, DetectionKind.COLUMN])
def no_services(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-V-SERVICE-A: service columns seen, all blank, and no guide found.  No
    service column and no guide at all is unknown (the department may have no
    external services: ``score(..., has_services=False)``)."""
    if dets.of(GuideDetection):
        return []
    cols = [c for c in dets.of(ColumnDetection) if c.column_class is ColumnClass.SERVICE]
    if not cols:
        return [
            Occurrence(status=Status.UNKNOWN, message="未识别到办事服务栏目或办事指南，请人工确认")
        ]
    if all(c.blank for c in cols):
        return [
            Occurrence(
                unit=_unit_of(cols),
                evidence=tuple(c.url for c in cols[:5]),
                detections=_fp(*cols),
                message="未提供办事服务（办事栏目均为空白）",
            )
        ]
    return []


@measure("guides_incomplete", [DetectionKind.GUIDE], ["min_items"], ["elements", "min_missing"])
def guides_incomplete(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """NAT-V-SERVICE-B: each guide missing ``min_missing`` or more element
    categories.  With ``min_items`` (NAT-V-SERVICE-C): one occurrence when there
    are fewer than that many items and every one is that incomplete."""
    assert p.elements is not None and p.min_missing is not None
    guides = dets.of(GuideDetection)
    bad = [(g, _missing(g, p.elements)) for g in guides]
    bad = [(g, m) for g, m in bad if len(m) >= p.min_missing]
    if p.min_items is not None:
        if guides and len(guides) < p.min_items and len(bad) == len(guides):
            return [
                Occurrence(
                    unit=_unit_of(guides),
                    evidence=tuple(g.url for g in guides),
                    detections=_fp(*guides),
                    message=f"事项总数{len(guides)}个（不足{p.min_items}个），"
                    f"每个办事指南均缺失{p.min_missing}类及以上重点要素",
                )
            ]
        return []
    return [
        Occurrence(
            unit=g.unit,
            evidence=(g.url,),
            detections=_fp(g),
            message=f"办事指南“{g.name}”缺失{len(m)}类重点要素：{'、'.join(m)}",
        )
        for g, m in bad
    ]


@measure("guide_elements", [DetectionKind.GUIDE], [], ["elements"])
def guide_elements(
    dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar
) -> list[Occurrence]:
    """JS-GUIDE: one per missing element; a form or attachment that cannot be
    downloaded counts as missing too."""
    out = []
    for g in dets.of(GuideDetection):
        m = _missing(g, p.elements or ())
        n = len(m) + len(g.dead_attachments)
        if n:
            parts = [*m, *(f"附件无法下载：{a}" for a in g.dead_attachments)]
            out.append(
                Occurrence(
                    unit=g.unit,
                    count=n,
                    evidence=(g.url, *g.dead_attachments[:3]),
                    detections=_fp(g),
                    message=f"办事指南“{g.name}”缺少要素：{'、'.join(parts)}",
                )
            )
    return out


@measure("manual", [DetectionKind.MANUAL])
def manual(dets: Detections, p: RuleParams, as_of: datetime, cal: WorkCalendar) -> list[Occurrence]:
    """Rules no crawler can observe: only imported findings feed them (the engine
    adds those to every rule by rule ID)."""
    return []


def measure_names() -> list[str]:
    return sorted(MEASURES)


def _check_registry(registry: Mapping[str, Measure]) -> None:
    for name, m in registry.items():
        assert m.required <= m.allowed, name


_check_registry(MEASURES)
