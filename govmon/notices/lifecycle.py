"""A problem's life across notices: new, persisting (N days), resolved — and the
rectification rate (整改完成率) of the problems the last notice named.

A *problem* is one (site, rule, evidence URL) of a veto or deduction event: a
dead-link deduction with five URLs is five problems, each rectified on its own.
Warnings and events the tool could not observe (``unknown``) are not problems:
they are listed, never counted against a unit.  Pure functions only.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from govmon.records import Event, EventType


class ProblemStatus(enum.StrEnum):
    NEW = "new"
    PERSISTING = "persisting"
    RESOLVED = "resolved"
    #: named last time, but the site was not scored in this period: not rectified as far as we know
    UNCHECKED = "unchecked"


STATUS_LABEL = {
    ProblemStatus.NEW: "新发现",
    ProblemStatus.PERSISTING: "未整改",
    ProblemStatus.RESOLVED: "已整改",
    ProblemStatus.UNCHECKED: "本期未复查",
}

PROBLEM_TYPES = (EventType.VETO, EventType.DEDUCTION)


@dataclass(frozen=True, slots=True, order=True)
class ProblemKey:
    site_id: int
    rule: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteEvents:
    """The events of one site's scoring and the instant it was made."""

    as_of: datetime
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackedProblem:
    key: ProblemKey
    event: Event
    status: ProblemStatus
    first_seen: datetime
    #: whole days from first seen to the notice's end (0 for a new problem seen that day)
    days: int
    #: when its absence was seen (the current scoring), for resolved problems
    resolved_at: datetime | None = None
    #: a NEW problem seen before and rectified in between (反弹)
    recurred: bool = False

    @property
    def status_label(self) -> str:
        if self.status is ProblemStatus.PERSISTING:
            return f"持续{self.days}天未整改"
        if self.recurred:
            return "整改后再次出现"
        return STATUS_LABEL[self.status]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rectification:
    """上期通报问题 N 个，已整改 M 个，整改完成率 X%."""

    previous: int
    resolved: int

    @property
    def rate(self) -> float | None:
        return self.resolved / self.previous if self.previous else None

    def sentence(self) -> str:
        if not self.previous:
            return "上期未通报问题。"
        return (f"上期通报问题{self.previous}个，已整改{self.resolved}个，"
                f"整改完成率{format_percent(self.rate)}。")


def format_percent(ratio: float | None, digits: int = 1) -> str:
    """0.991 -> '99.1%'; None -> '—'."""
    if ratio is None:
        return "—"
    return f"{ratio * 100:.{digits}f}%"


def problems_of(site_id: int, events: Sequence[Event]) -> dict[ProblemKey, Event]:
    """The problems behind a scoring's events, one per evidence URL (first event wins)."""
    out: dict[ProblemKey, Event] = {}
    for event in events:
        if event.type not in PROBLEM_TYPES or event.unknown:
            continue
        for url in event.evidence or ("",):
            out.setdefault(ProblemKey(site_id, event.rule, url), event)
    return out


def track(
    *,
    current: Mapping[int, SiteEvents],
    previous: Mapping[int, SiteEvents],
    first_seen: Mapping[ProblemKey, datetime],
    as_of: datetime,
    period_start: datetime | None = None,
) -> list[TrackedProblem]:
    """Follow every problem of this period and the last one.

    ``current``/``previous`` map a site to its scoring of each period (a site
    absent from ``current`` was not checked: its old problems are UNCHECKED,
    never counted as rectified).  ``first_seen`` comes from the detections'
    lives; without it a problem is as old as the first scoring that showed it.
    A new problem first seen before ``period_start`` came back after a fix.
    """
    out: list[TrackedProblem] = []
    before: dict[ProblemKey, tuple[Event, datetime]] = {}
    for site_id, seen in previous.items():
        for key, event in problems_of(site_id, seen.events).items():
            before[key] = (event, seen.as_of)
    now: dict[ProblemKey, tuple[Event, datetime]] = {}
    for site_id, seen in current.items():
        for key, event in problems_of(site_id, seen.events).items():
            now[key] = (event, seen.as_of)

    for key, (event, seen_at) in now.items():
        candidates = [seen_at]
        if key in first_seen:
            candidates.append(first_seen[key])
        if key in before:
            candidates.append(before[key][1])
        first = min(candidates)
        status = ProblemStatus.PERSISTING if key in before else ProblemStatus.NEW
        out.append(TrackedProblem(key=key, event=event, status=status, first_seen=first,
                                  days=max(0, (as_of - first).days),
                                  recurred=status is ProblemStatus.NEW and period_start is not None
                                  and first < period_start))
    for key, (event, seen_at) in before.items():
        if key in now:
            continue
        first = min(seen_at, first_seen.get(key, seen_at))
        checked = current.get(key.site_id)
        if checked is None:
            out.append(TrackedProblem(key=key, event=event, status=ProblemStatus.UNCHECKED, first_seen=first,
                                      days=max(0, (as_of - first).days)))
        else:
            out.append(TrackedProblem(key=key, event=event, status=ProblemStatus.RESOLVED, first_seen=first,
                                      days=max(0, (checked.as_of - first).days), resolved_at=checked.as_of))
    out.sort(key=lambda p: (p.key, p.status.value))
    return out


def rectification(problems: Sequence[TrackedProblem]) -> Rectification:
    """Of last period's problems (persisting, resolved, unchecked), how many are resolved."""
    previous = [p for p in problems if p.status is not ProblemStatus.NEW]
    resolved = [p for p in previous if p.status is ProblemStatus.RESOLVED]
    return Rectification(previous=len(previous), resolved=len(resolved))
