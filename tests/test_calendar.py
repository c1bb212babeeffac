"""Working days across holidays and make-up days, the user file, and the fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from govmon.errors import ConfigError
from scoring.calendar import WorkCalendar, load_holidays

D = date.fromisoformat


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(False)


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        ("2026-10-01", False),  # National Day
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # a working Saturday (调休)
        ("2026-10-11", False),
        ("2026-09-25", False),  # Mid-Autumn
        ("2026-02-14", True),  # Saturday before the Spring Festival: working
        ("2026-02-16", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),  # a working Saturday after it
        ("2026-11-25", True),
        ("2026-11-28", False),
    ],
    ids=lambda v: str(v),
)
def test_is_workday_2026(cal: WorkCalendar, day: str, workday: bool) -> None:
    assert cal.is_workday(D(day)) is workday


@pytest.mark.parametrize(
    ("start", "end", "n"),
    [
        ("2026-09-30", "2026-10-09", 2),  # 10-08, 10-09
        ("2026-09-30", "2026-10-10", 3),  # + the working Saturday
        ("2026-09-30", "2026-10-12", 4),
        ("2026-02-13", "2026-02-25", 3),  # 02-14 (Sat, working), 02-24, 02-25
        ("2026-02-13", "2026-02-26", 4),
        ("2026-11-25", "2026-11-25", 0),  # the start day itself never counts
        ("2026-11-20", "2026-11-23", 1),  # Friday → Monday
        ("2026-11-23", "2026-11-20", -1),
    ],
    ids=lambda v: str(v),
)
def test_working_days_between(cal: WorkCalendar, start: str, end: str, n: int) -> None:
    assert cal.working_days_between(D(start), D(end)) == n


def test_add_working_days_across_national_day(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D("2026-09-30"), 3) == D("2026-10-10")
    assert cal.add_working_days(D("2026-10-10"), -3) == D("2026-09-30")
    assert cal.add_working_days(D("2026-11-25"), 0) == D("2026-11-25")
    for n in range(0, 12):
        d = cal.add_working_days(D("2026-09-28"), n)
        assert cal.working_days_between(D("2026-09-28"), d) == n


def test_2027_falls_back_to_monday_friday_with_a_note(cal: WorkCalendar) -> None:
    with cal.track() as used:
        assert cal.is_workday(D("2027-01-01")) is True  # a Friday; the real schedule is unknown
        assert cal.is_workday(D("2027-01-02")) is False
    assert used.years == {2027}
    assert "2027 working days assumed Monday–Friday" in used.notes[0]
    assert "holidays.yaml" in used.notes[0]
    assert not cal.covers(2027)
    with cal.track() as quiet:
        cal.working_days_between(D("2026-11-20"), D("2026-11-27"))
    assert quiet.notes == ()


def test_2027_from_the_user_file(tmp_path: Path) -> None:
    f = tmp_path / "holidays.yaml"
    f.write_text(
        "years:\n  2027:\n    holidays: [2027-01-01, '2027-02-06..2027-02-13']\n"
        "    workdays: [2027-02-14]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar(f)
    assert cal.covers(2027)
    with cal.track() as used:
        assert cal.is_workday(D("2027-01-01")) is False
        assert cal.is_workday(D("2027-02-08")) is False  # inside the range
        assert cal.is_workday(D("2027-02-14")) is True  # a make-up Sunday
        assert cal.is_workday(D("2027-03-01")) is True
        assert cal.working_days_between(D("2027-02-05"), D("2027-02-15")) == 2
    assert used.notes == ()


def test_user_file_overrides_the_package(tmp_path: Path) -> None:
    f = tmp_path / "h.yaml"
    f.write_text("years:\n  2026:\n    holidays: [2026-11-25]\n", encoding="utf-8")
    assert WorkCalendar(f).is_workday(D("2026-11-25")) is False


def test_bundled_file_has_an_empty_2027_section() -> None:
    cal = WorkCalendar()  # reads config/holidays.yaml
    assert not cal.covers(2027)
    with cal.track() as used:
        cal.is_workday(D("2027-03-01"))
    assert used.years == {2027}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("years:\n  2027:\n    holidays: [2027-13-01]\n", "years.2027.holidays"),
        ("years:\n  2027:\n    holidays: [2026-12-31]\n", "not in 2027"),
        ("years:\n  2027:\n    holiday: [2027-01-01]\n", "only 'holidays' and 'workdays'"),
        ("year: {}\n", "top-level key 'years'"),
        ("years:\n  2027:\n    holidays: ['2027-02-10..2027-02-01']\n", "ends before it starts"),
        ("years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-01-01]\n", "both"),
    ],
    ids=["bad-date", "wrong-year", "bad-key", "no-years", "bad-range", "both"],
)
def test_bad_holiday_files_name_file_and_field(tmp_path: Path, text: str, fragment: str) -> None:
    f = tmp_path / "holidays.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_holidays(f)
    assert str(f) in str(exc.value)
    assert fragment in str(exc.value)


def test_cached_days_still_report_the_fallback(cal: WorkCalendar) -> None:
    cal.is_workday(D("2027-05-03"))  # computed outside any tracking
    with cal.track() as used:
        assert cal.working_days_between(D("2027-04-30"), D("2027-05-03")) == 1
    assert used.years == {2027}


def test_nested_tracking_collects_in_both(cal: WorkCalendar) -> None:
    with cal.track() as outer:
        with cal.track() as inner:
            cal.is_workday(D("2028-01-03"))
        cal.is_workday(D("2027-01-04"))
    assert inner.years == {2028}
    assert outer.years == {2027, 2028}
