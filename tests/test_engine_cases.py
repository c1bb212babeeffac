"""Table-driven scorer cases (tests/cases/*.yaml), worked out by hand from the seeds.

A case gives a profile, an as-of date (midnight Asia/Shanghai), detections (the
JSON shape of ``govmon.records.to_dict``; ``repeat: N`` makes N copies with
``{i}`` in strings replaced by 1..N) or ready-made events, optional reviews and
rule filter, and what must (``events``) and must not (``absent``) come out, and
the score.  Expected events match on the keys they give.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from govmon.records import Detection, Event, detection_from_dict, event_from_dict
from scoring.calendar import WorkCalendar
from scoring.engine import evaluate, score
from scoring.profiles import load_profile

TZ = ZoneInfo("Asia/Shanghai")
CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[dict[str, Any]]:
    cases = []
    for f in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(f.read_text(encoding="utf-8")):
            case["_file"] = f.name
            cases.append(case)
    return cases


CASES = _load_cases()


def _fill(value: Any, i: int) -> Any:
    if isinstance(value, str):
        return value.replace("{i}", str(i))
    if isinstance(value, list):
        return [_fill(v, i) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, i) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """YAML dates back to ISO text, as the JSON report has them."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _detections(raw: list[dict[str, Any]]) -> list[Detection]:
    out = []
    for item in raw:
        item = _plain(dict(item))
        n = item.pop("repeat", None)
        if n is None:
            out.append(detection_from_dict(item))
        else:
            out.extend(detection_from_dict(_fill(item, i)) for i in range(1, n + 1))
    return out


def _matches(event: Event, want: dict[str, Any]) -> bool:
    for key, value in want.items():
        if key == "message_contains":
            if value not in event.message:
                return False
        elif key == "notes_contain":
            if not any(value in n for n in event.notes):
                return False
        elif key == "points":
            if abs(event.points - value) > 1e-9:
                return False
        elif isinstance(value, list):
            if tuple(getattr(event, key)) != tuple(value):
                return False
        elif str(getattr(event, key)) != str(value) and getattr(event, key) != value:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[f"{c['_file'][:-5]}:{c['id']}" for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    profile = load_profile(case["profile"])
    if "rules" in case:
        keep = set(case["rules"])
        profile = profile.model_copy(
            update={"rules": [r for r in profile.rules if r.id in keep or r.name in keep]}
        )
    as_of = datetime.fromisoformat(str(case.get("as_of", "2026-11-25"))).replace(tzinfo=TZ)
    if "events_in" in case:
        events = [event_from_dict({**_plain(e)}) for e in case["events_in"]]
    else:
        dets = _detections(case.get("detections", []))
        reviews = {}
        for r in case.get("reviews", []):
            target = dets[r["detection"]]
            reviews[target.fingerprint()] = r["verdict"]
        events = evaluate(dets, profile, as_of, reviews=reviews, calendar=WorkCalendar(False))
    expect = case.get("expect", {})
    listing = "\n".join(
        f"  {e.type} {e.rule} {e.points} n={e.count} u={e.unit} unknown={e.unknown} {e.message}"
        for e in events
    )
    for want in expect.get("events", []):
        assert any(_matches(e, want) for e in events), f"missing {want} in\n{listing}"
    for unwanted in expect.get("absent", []):
        assert not any(_matches(e, unwanted) for e in events), (
            f"unexpected {unwanted} in\n{listing}"
        )
    if "count" in expect:
        assert len(events) == expect["count"], listing
    if "only_unknown" in expect:
        assert all(e.unknown and e.points == 0 for e in events), listing
    if "score" in expect:
        s = score(events, profile, has_services=case.get("has_services", True))
        for key, value in expect["score"].items():
            if key == "units":
                got = {u.unit: u for u in s.units}
                for unit, fields in value.items():
                    for k, v in fields.items():
                        actual = getattr(got[str(unit)], k)
                        assert (
                            actual == pytest.approx(v)
                            if isinstance(v, float | int) and not isinstance(v, bool)
                            else actual == v
                        ), (unit, k, actual, listing)
            elif key == "vetoes":
                assert list(s.vetoes) == value
            elif isinstance(value, float | int) and not isinstance(value, bool):
                assert getattr(s, key) == pytest.approx(value), (key, s, listing)
            else:
                assert getattr(s, key) == value, (key, s, listing)
