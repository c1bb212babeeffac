"""Date parsing: every format of DESIGN.md, rejections, PubDate values."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.analysis.dates import (
    CHINA_TZ,
    find_dates,
    find_split_date,
    parse_date,
    parse_datetime,
)

AS_OF = date(2026, 11, 26)

CASES = [
    ("iso", "2026-11-25", date(2026, 11, 25)),
    ("slash", "2026/11/25", date(2026, 11, 25)),
    ("dot", "2026.11.25", date(2026, 11, 25)),
    ("dot-sentence-end", "印发于2026.11.25.", date(2026, 11, 25)),
    ("chinese", "2026年11月25日", date(2026, 11, 25)),
    ("chinese-short", "2026年8月2日", date(2026, 8, 2)),
    ("chinese-padded", "2020年08月02日", date(2020, 8, 2)),
    ("chinese-no-day-char", "2026年8月2", date(2026, 8, 2)),
    ("single-digits", "2026-8-2", date(2026, 8, 2)),
    ("bracketed-md", "[11-25]", date(2026, 11, 25)),
    ("md", "11-25", date(2026, 11, 25)),
    ("md-last-year", "12-20", date(2025, 12, 20)),
    ("md-chinese", "8月2日", date(2026, 8, 2)),
    ("dm", "25/11", date(2026, 11, 25)),
    ("dm-bracketed", "（25/11）", date(2026, 11, 25)),
    ("md-slash-when-not-dm", "11/25", date(2026, 11, 25)),
    ("bracketed-full", "[2026-11-25]", date(2026, 11, 25)),
    ("cjk-brackets", "【2026-11-25】", date(2026, 11, 25)),
    ("with-time", "2026-11-25 09:30", date(2026, 11, 25)),
    ("ratio-time", "2023-08-19 10∶08", date(2023, 8, 19)),
    ("two-spaces", "2023-11-30  14:52", date(2023, 11, 30)),
    ("full-width", "２０２６－１１－２５", date(2026, 11, 25)),
    ("full-width-chinese", "２０２６年１１月２５日", date(2026, 11, 25)),
    ("label", "发布时间：2026-11-25", date(2026, 11, 25)),
    ("feb29-inferred", "2月29日", date(2024, 2, 29)),
    ("today", "2026-11-26", date(2026, 11, 26)),
    ("1990", "1990-01-01", date(1990, 1, 1)),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, as_of=AS_OF) == expected


REJECTED = [
    ("future", "2026-11-27"),
    ("far-future", "2030年1月1日"),
    ("before-1990", "1989-12-31"),
    ("invalid-month", "2026-13-01"),
    ("invalid-day", "2026-02-30"),
    ("index-number", "000014348/2020-35428"),
    ("phone", "电话：0310-3187110"),
    ("time-only", "10:08"),
    ("version", "v1.2.3"),
    ("plain-number", "第2026期"),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [c[1] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_rejected(text: str) -> None:
    assert parse_date(text, as_of=AS_OF) is None


def test_find_dates_in_reading_order_skipping_future() -> None:
    text = "会议定于2026-12-01召开（发布：2026-11-20，更新 11-24），联系电话0310-3187110"
    assert find_dates(text, as_of=AS_OF) == [date(2026, 11, 20), date(2026, 11, 24)]


def test_full_date_not_read_as_month_day() -> None:
    assert find_dates("2026-11-25", as_of=AS_OF) == [date(2026, 11, 25)]


DATETIMES = [
    ("chinese", "2020年08月02日", datetime(2020, 8, 2, tzinfo=CHINA_TZ)),
    ("two-spaces", "2023-11-30  14:52", datetime(2023, 11, 30, 14, 52, tzinfo=CHINA_TZ)),
    ("ratio", "2023-08-19 10∶08", datetime(2023, 8, 19, 10, 8, tzinfo=CHINA_TZ)),
    ("midnight", "2023-11-06 00:00", datetime(2023, 11, 6, tzinfo=CHINA_TZ)),
    ("seconds", "2021-06-10 17:35:09", datetime(2021, 6, 10, 17, 35, 9, tzinfo=CHINA_TZ)),
    ("chinese-time", "2021年06月10日 17:35", datetime(2021, 6, 10, 17, 35, tzinfo=CHINA_TZ)),
    ("full-width-colon", "2021-06-10 17：35", datetime(2021, 6, 10, 17, 35, tzinfo=CHINA_TZ)),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in DATETIMES], ids=[c[0] for c in DATETIMES]
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


def test_parse_datetime_rejects_future_given_as_of() -> None:
    assert parse_datetime("2026-12-01 10:00", as_of=AS_OF) is None
    assert parse_datetime("not a date") is None


FORMATS = {
    "iso": lambda d: f"{d:%Y-%m-%d}",
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d:%Y.%m.%d}",
    "chinese": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "bracket-time": lambda d: f"[{d:%Y-%m-%d} 09:30]",
    "full-width": lambda d: f"{d:%Y-%m-%d}".translate(
        {ord(str(i)): chr(0xFF10 + i) for i in range(10)} | {ord("-"): "－"}
    ),
}
RECENT_FORMATS = {
    "md": lambda d: f"[{d:%m-%d}]",
    "dm": lambda d: f"{d.day}/{d.month}",
    "md-chinese": lambda d: f"{d.month}月{d.day}日",
}


@given(d=st.dates(min_value=date(1990, 1, 1), max_value=AS_OF))
def test_any_date_round_trips_in_each_full_format(d: date) -> None:
    for name, fmt in FORMATS.items():
        assert parse_date(fmt(d), as_of=AS_OF) == d, name


@given(back=st.integers(min_value=0, max_value=364))
def test_recent_dates_round_trip_without_year(back: int) -> None:
    d = AS_OF - timedelta(days=back)
    for name, fmt in RECENT_FORMATS.items():
        assert parse_date(fmt(d), as_of=AS_OF) == d, name


SPLIT = [
    ("day-over-year-month", "20 2026-11", date(2026, 11, 20)),
    ("year-month-then-day", "2026-11 20", date(2026, 11, 20)),
    ("chinese-year-month", "20 2026年11月", date(2026, 11, 20)),
    ("future", "30 2026-11", None),
    ("not-split", "第20期 共3页", None),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SPLIT], ids=[c[0] for c in SPLIT])
def test_find_split_date(text: str, expected: date | None) -> None:
    assert find_split_date(text, as_of=AS_OF) == expected
