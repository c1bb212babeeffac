"""Working-day thresholds through the engine, and the fallback note on events."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govmon.records import ColumnClass, ColumnDetection
from scoring.calendar import WorkCalendar
from scoring.engine import evaluate
from scoring.profiles import load_profile

TZ = ZoneInfo("Asia/Shanghai")


def _profile(tmp_path: Path):  # type: ignore[no-untyped-def]
    f = tmp_path / "wd.yaml"
    f.write_text(
        "extends: national-2019\nname: wd\n"
        "overrides:\n  NAT-D-POLICY/stale:\n    params:\n      groups:\n"
        "        - {classes: [policy], level: 1, max_age: 10 working_days}\n",
        encoding="utf-8",
    )
    p = load_profile(f)
    return p.model_copy(update={"rules": [p.rule("NAT-D-POLICY/stale")]})


def _column(newest: date) -> ColumnDetection:
    return ColumnDetection(
        url="http://x.gov.cn/zc/", name="政策文件", column_class=ColumnClass.POLICY,
        level=1, entries=3, newest=newest,
    )  # fmt: skip


def test_ten_working_days_across_national_day(tmp_path: Path) -> None:
    profile = _profile(tmp_path)
    cal = WorkCalendar(False)
    as_of = datetime(2026, 10, 16, tzinfo=TZ)
    # the 10 working days before Friday 10-16: 15, 14, 13, 12, 10 (a working
    # Saturday), 9, 8, then over the holiday 09-30, 09-29, 09-28
    assert cal.add_working_days(date(2026, 10, 16), -10) == date(2026, 9, 28)
    assert cal.working_days_between(date(2026, 9, 28), date(2026, 10, 16)) == 10
    assert evaluate([_column(date(2026, 9, 28))], profile, as_of, calendar=cal) == []
    events = evaluate([_column(date(2026, 9, 27))], profile, as_of, calendar=cal)
    assert [(e.rule, e.points) for e in events] == [("NAT-D-POLICY", -1.0)]
    assert events[0].notes == ()


def test_2027_working_days_carry_the_fallback_note(tmp_path: Path) -> None:
    profile = _profile(tmp_path)
    events = evaluate(
        [_column(date(2026, 12, 1))], profile, datetime(2027, 1, 20, tzinfo=TZ),
        calendar=WorkCalendar(False),
    )  # fmt: skip
    assert len(events) == 1
    assert any("2027 working days assumed Monday–Friday" in n for n in events[0].notes)


def test_2027_from_a_user_file_has_no_note(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n", encoding="utf-8")
    events = evaluate(
        [_column(date(2026, 12, 1))], _profile(tmp_path), datetime(2027, 1, 20, tzinfo=TZ),
        calendar=WorkCalendar(holidays),
    )  # fmt: skip
    assert len(events) == 1 and events[0].notes == ()
