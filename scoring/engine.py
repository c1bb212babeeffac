"""The scorer: detections + profile + as-of → events, and events → scores.

:func:`evaluate` is pure (no I/O, no clock): it runs every rule's measure over
the detections, adds the imported manual findings of the rule, and turns the
occurrences into events:

* a veto rule counts its hits (per site, or per unit with ``scope: unit``); at
  ``min_count`` it emits one ``veto`` event; below it, an early ``warning`` when
  the count reaches ``warn_at`` or a measured value crossed its warning line —
  never a warning when the veto fires;
* a deduction or bonus rule emits one event per occurrence, ``points`` = the
  rule's points × count (or the occurrence's own points);
* a rule with ``params.confirm: true`` turns hits into warnings for a person to
  confirm, unless every detection behind a hit was confirmed in ``reviews`` or
  the hit is a manual finding: suspected hidden links never veto a site alone;
* what could not be observed becomes a ``warning`` flagged ``unknown`` with 0
  points, whatever the rule.

:func:`score` applies the profile's structure (national 国办秘函〔2019〕19号,
Junshan, Anju, Zhongshan, Yanjiang) to the events, for the site and per unit.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from govmon.records import Detection, Event, EventType, ManualFinding, Score, UnitScore
from scoring.calendar import WorkCalendar
from scoring.measures import MEASURES, Detections, Occurrence, Status
from scoring.profiles import Profile, Rule

log = logging.getLogger(__name__)

DISMISSED = "dismissed"
CONFIRMED = "confirmed"
CONFIRMED_NOTE = "人工已确认（confirmed by review）"
PENDING_NOTE = "疑似问题，需人工确认后计入（needs confirmation by a person）"
_ORDER = {EventType.VETO: 0, EventType.DEDUCTION: 1, EventType.BONUS: 2, EventType.WARNING: 3}
_MAX_EVIDENCE = 20


def _manual_occurrence(f: ManualFinding, rule: Rule) -> Occurrence:
    points = None
    if f.points is not None:
        sign = -1.0 if rule.type is EventType.DEDUCTION else 1.0
        points = (
            sign * abs(f.points) if rule.type in (EventType.DEDUCTION, EventType.BONUS) else 0.0
        )
    when = f" {f.on.isoformat()}" if f.on else ""
    return Occurrence(
        count=f.count,
        unit=f.unit,
        evidence=(f.url,) if f.url else (),
        detections=(f.fingerprint(),),
        message=f"人工检查{when}：{f.note}".rstrip("："),
        points=points,
    )


def _message(rule: Rule, text: str) -> str:
    title = f"{rule.title}：" if rule.title else ""
    return f"[{rule.id}] {title}{text}"


def _union(seqs: Iterable[Sequence[str]], limit: int | None = None) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for seq in seqs:
        for s in seq:
            out.setdefault(s, None)
    items = tuple(out)
    return items[:limit] if limit else items


def _event(
    rule: Rule,
    kind: EventType,
    occs: Sequence[Occurrence],
    text: str,
    *,
    points: float = 0.0,
    count: int | None = None,
    unknown: bool = False,
    notes: Sequence[str] = (),
) -> Event:
    units = {o.unit for o in occs}
    return Event(
        rule=rule.id,
        type=kind,
        points=round(points, 4),
        count=sum(o.count for o in occs) if count is None else count,
        unit=units.pop() if len(units) == 1 else None,
        message=_message(rule, text),
        evidence=_union((o.evidence for o in occs), _MAX_EVIDENCE),
        unknown=unknown,
        notes=_union([tuple(notes), *(o.notes for o in occs)]),
        detections=_union(o.detections for o in occs),
    )


def _rule_events(
    rule: Rule, occs: list[Occurrence], manual_fps: set[str], confirmed: set[str]
) -> list[Event]:
    events: list[Event] = []
    for o in occs:
        if o.status is Status.UNKNOWN:
            events.append(
                _event(
                    rule, EventType.WARNING, [o], f"无法判断，请人工核查：{o.message}", unknown=True
                )
            )
    hits = [o for o in occs if o.status is Status.HIT]
    near = [o for o in occs if o.status is Status.NEAR]

    def is_confirmed(o: Occurrence) -> bool:
        return bool(o.detections) and all(
            fp in confirmed or fp in manual_fps for fp in o.detections
        )

    if rule.params.confirm:
        pending = [o for o in hits if not is_confirmed(o)]
        hits = [o for o in hits if is_confirmed(o)]
        for o in pending:
            events.append(
                _event(rule, EventType.WARNING, [o], f"疑似：{o.message}", notes=[PENDING_NOTE])
            )

    def notes_for(group: Sequence[Occurrence]) -> list[str]:
        return (
            [CONFIRMED_NOTE] if any(fp in confirmed for o in group for fp in o.detections) else []
        )

    if rule.type is EventType.VETO:
        groups: dict[str | None, list[Occurrence]] = defaultdict(list)
        for o in hits + near:
            groups[o.unit if rule.scope == "unit" else None].append(o)
        for group in groups.values():
            g_hits = [o for o in group if o.status is Status.HIT]
            g_near = [o for o in group if o.status is Status.NEAR]
            total = sum(o.count for o in g_hits)
            listing = "；".join(o.message for o in g_hits[:8]) + ("……" if len(g_hits) > 8 else "")
            if g_hits and total >= rule.min_count:
                head = (
                    f"{total}处（达到{rule.min_count}处即单项否决）：" if rule.min_count > 1 else ""
                )
                events.append(
                    _event(
                        rule,
                        EventType.VETO,
                        g_hits,
                        head + listing,
                        count=total,
                        notes=notes_for(g_hits),
                    )
                )
            elif g_hits and rule.warn_at is not None and total >= rule.warn_at:
                events.append(
                    _event(
                        rule,
                        EventType.WARNING,
                        g_hits + g_near,
                        f"预警：已有{total}处，达到{rule.min_count}处即单项否决：{listing}",
                        count=total,
                    )
                )
            elif g_near:
                text = "；".join(o.message for o in g_near[:8])
                events.append(
                    _event(
                        rule,
                        EventType.WARNING,
                        g_near,
                        f"预警：接近否决线：{text}",
                        count=len(g_near),
                    )
                )
        return events

    for o in hits:
        counted = o.points if o.points is not None else rule.points * o.count
        pts = 0.0 if rule.type is EventType.WARNING else counted
        events.append(_event(rule, rule.type, [o], o.message, points=pts, notes=notes_for([o])))
    return events


def _manual_for(
    rule: Rule, profile: Profile, findings: Sequence[ManualFinding]
) -> list[ManualFinding]:
    """Findings naming this rule: by its name, or by its ID for the first rule of that ID."""
    first = next(r for r in profile.rules if r.id == rule.id)
    return [f for f in findings if f.rule == rule.name or (f.rule == rule.id and first is rule)]


def evaluate(
    detections: Iterable[Detection],
    profile: Profile,
    as_of: datetime,
    *,
    reviews: Mapping[str, str] | None = None,
    calendar: WorkCalendar | None = None,
) -> list[Event]:
    """The events of a profile at the as-of instant (aware datetime).

    ``reviews`` maps a detection fingerprint to ``dismissed`` (left out) or
    ``confirmed`` (its events say so; ``confirm`` rules may then veto).
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime (e.g. Asia/Shanghai)")
    reviews = reviews or {}
    cal = calendar if calendar is not None else WorkCalendar()
    kept = [d for d in detections if reviews.get(d.fingerprint()) != DISMISSED]
    confirmed = {fp for fp, verdict in reviews.items() if verdict == CONFIRMED}
    index = Detections(kept)
    manual = [d for d in kept if isinstance(d, ManualFinding)]
    known = profile.rule_ids()
    for f in manual:
        if f.rule not in known and f.rule not in {r.name for r in profile.rules}:
            log.warning("manual finding for %s ignored: not a rule of %s", f.rule, profile.name)
    events: list[Event] = []
    for rule in profile.rules:
        occs: list[Occurrence] = []
        if not rule.manual:
            with cal.track() as used:
                occs = MEASURES[rule.measure].fn(index, rule.params, as_of, cal)
            if used.years and not any(o.notes for o in occs):
                # a measure that does not attribute calendar notes per occurrence:
                # every occurrence of the rule may rest on an assumed working day
                occs = [dataclasses.replace(o, notes=used.notes) for o in occs]
        mine = _manual_for(rule, profile, manual)
        occs = occs + [_manual_occurrence(f, rule) for f in mine]
        events.extend(_rule_events(rule, occs, {f.fingerprint() for f in mine}, confirmed))
    events.sort(key=lambda e: _ORDER[e.type])
    return events


# --------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------


def _capped(events: Sequence[Event], profile: Profile, kind: EventType) -> float:
    caps = profile.caps()
    key_of: dict[str, str] = {}
    for r in profile.rules:
        key_of.setdefault(r.id, r.cap_key)
    sums: dict[str, float] = defaultdict(float)
    for e in events:
        if e.type is kind and not e.unknown:
            sums[key_of.get(e.rule, e.rule)] += abs(e.points)
    return round(float(sum(min(v, caps.get(k, v)) for k, v in sums.items())), 4)


def _grade(profile: Profile, total: float) -> str:
    for g in sorted(profile.grades, key=lambda g: g.min, reverse=True):
        if total >= g.min:
            return g.name
    return profile.fail_grade if profile.grades else ""


def _one(
    events: Sequence[Event], profile: Profile, has_services: bool
) -> tuple[float, bool, tuple[str, ...], str, float, float]:
    vetoes = tuple(
        dict.fromkeys(e.rule for e in events if e.type is EventType.VETO and not e.unknown)
    )
    deductions = _capped(events, profile, EventType.DEDUCTION)
    bonus = _capped(events, profile, EventType.BONUS)
    if profile.bonus_cap is not None:
        bonus = min(bonus, profile.bonus_cap)
    if vetoes:
        return 0.0, True, vetoes, profile.fail_grade, deductions, 0.0  # nothing else is scored
    if profile.structure == "national":
        base = profile.base if has_services else profile.service_base
        part = base - deductions
        if not has_services:
            part = part * profile.base / profile.service_base  # the 4/3 rule
        part = round(part, 4)
        if part < profile.pass_mark:
            return part, False, (), profile.fail_grade, deductions, 0.0
        if part <= profile.bonus_threshold:
            bonus = 0.0
        total = round(part + bonus, 4)
        return total, False, (), _grade(profile, total), deductions, bonus
    part = profile.base - deductions
    if profile.floor is not None:
        part = max(profile.floor, part)
    total = round(part + bonus, 4)
    return total, False, (), _grade(profile, total) if profile.grades else "", deductions, bonus


def score(events: Iterable[Event], profile: Profile, *, has_services: bool = True) -> Score:
    """The site's score and each unit's, by the profile's structure.

    National: any veto → 0 and 不合格 (the other events stay in the report, not
    in the score); deductions from 100 capped per item; below ``pass_mark`` (60)
    不合格; the bonus (≤ ``bonus_cap``) counts only above ``bonus_threshold`` (80);
    without external services the service rules are left out and the score out
    of 75 is multiplied by 4/3.  Others: ``base`` − capped deductions, floored at
    ``floor`` when set, + capped bonus; a veto gives 0 (Zhongshan).
    Warnings and unknowns never count.  Unit scores use the events of that unit.
    """
    evs = list(events)
    if not has_services:
        service = {r.id for r in profile.rules if r.service}
        evs = [e for e in evs if e.rule not in service]
    total, vetoed, vetoes, grade, ded, bonus = _one(evs, profile, has_services)
    units = sorted({e.unit for e in evs if e.unit is not None})
    unit_scores = []
    for u in units:
        t, v, vs, g, d, b = _one([e for e in evs if e.unit == u], profile, has_services)
        unit_scores.append(
            UnitScore(unit=u, total=t, vetoed=v, vetoes=vs, grade=g, deductions=d, bonus=b)
        )
    return Score(
        total=total,
        vetoed=vetoed,
        vetoes=vetoes,
        grade=grade,
        deductions=ded,
        bonus=bonus,
        units=tuple(unit_scores),
    )
