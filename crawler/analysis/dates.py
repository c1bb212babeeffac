"""Find publication dates in the text of Chinese government pages.

Lists and meta tags write dates as 2026-11-25, 2026/11/25, 2026.11.25,
2026年11月25日, [11-25] or 11-25 (the year left to the reader), 25/11 (day
first), with or without brackets and times, sometimes in full-width digits or
with U+2236 RATIO instead of a colon.  Every function takes ``as_of``: a date
after it cannot be a publication date (it is a meeting date in a title, or a
typo) and is rejected, as is anything before 1990, so that stray numbers never
make a stale column look fresh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone, tzinfo

#: China Standard Time; pages state local times without a zone.
CHINA_TZ = timezone(timedelta(hours=8), "CST")
MIN_DATE = date(1990, 1, 1)

_FULL_WIDTH: dict[int, int | str] = {ord("０") + i: ord("0") + i for i in range(10)}
_FULL_WIDTH.update(
    {
        ord("－"): "-",
        ord("／"): "/",
        ord("．"): ".",
        ord("："): ":",
        ord("∶"): ":",  # U+2236 RATIO (Shanghai PubDate)
        ord("［"): "[",
        ord("］"): "]",
        ord("【"): "[",
        ord("】"): "]",
        ord("\u3000"): " ",
        ord("\xa0"): " ",
        ord("\u2010"): "-",
        ord("\u2013"): "-",
    }
)

# One alternation, tried left to right at each position, so a full date is
# never read as a month-day inside it.  Look-arounds keep dates out of longer
# numbers (phone numbers, document index numbers such as 000014348/2020-35428).
_DATE = re.compile(
    r"(?<![\d])"
    r"(?:"
    r"(?P<y1>(?:19|20)\d{2})\s*(?P<s1>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=s1)\s*(?P<d1>\d{1,2})"
    r"|(?P<y2>(?:19|20)\d{2})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?"
    r"|(?<![-/.:])(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*日"
    r"|(?<![-/.:])(?P<m4>\d{1,2})-(?P<d4>\d{1,2})(?![\d\-/.:])"
    r"|(?<![-/.:])(?P<d5>\d{1,2})/(?P<m5>\d{1,2})(?![\d\-/.:])"
    r")"
    r"(?!\d)"
)
# A day and a year-month in separate elements (a big "20" over "2026-11"),
# which the text of a list item joins with a space.  Only tried on short list
# items that hold no ordinary date.
_SPLIT = re.compile(
    r"(?<!\d)(?P<d1>\d{1,2})\s+(?P<y1>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m1>\d{1,2})\s*月?(?![\d\-/.])"
    r"|(?<!\d)(?P<y2>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m2>\d{1,2})\s*月?\s+(?P<d2>\d{1,2})\s*日?(?![\d\-/.:])"
)
_TIME = re.compile(r"\s*(?P<h>\d{1,2})\s*[:时]\s*(?P<mi>\d{1,2})(?:\s*[:分]\s*(?P<s>\d{1,2}))?")


_NEEDS_NORMALISE = re.compile("[" + "".join(re.escape(chr(k)) for k in _FULL_WIDTH) + "]")


def normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (same length, so spans hold)."""
    # translate() walks every character; most text has nothing to translate.
    return text.translate(_FULL_WIDTH) if _NEEDS_NORMALISE.search(text) else text


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(month: int, day: int, as_of: date) -> date | None:
    """The latest date with this month and day that is not after ``as_of``."""
    for year in range(as_of.year, as_of.year - 8, -1):
        candidate = _valid(year, month, day)
        if candidate is not None and candidate <= as_of:
            return candidate
    return None


def _from_match(m: re.Match[str], as_of: date) -> date | None:
    g = m.group
    if g("y1"):
        found = _valid(int(g("y1")), int(g("m1")), int(g("d1")))
    elif g("y2"):
        found = _valid(int(g("y2")), int(g("m2")), int(g("d2")))
    elif g("m3"):
        found = _infer_year(int(g("m3")), int(g("d3")), as_of)
    elif g("m4"):
        found = _infer_year(int(g("m4")), int(g("d4")), as_of)
    else:
        day, month = int(g("d5")), int(g("m5"))
        # 25/11 is day/month; 11/25 cannot be, so it is read month/day.
        found = _infer_year(month, day, as_of) if 1 <= month <= 12 else None
        if found is None and 1 <= day <= 12:
            found = _infer_year(day, month, as_of)
    if found is None or found > as_of or found < MIN_DATE:
        return None
    return found


def iter_dates(text: str, *, as_of: date) -> Iterator[tuple[date, int, int]]:
    """Each acceptable date in ``text`` with its (start, end) span in ``text``."""
    norm = normalise(text)
    for m in _DATE.finditer(norm):
        found = _from_match(m, as_of)
        if found is not None:
            yield found, m.start(), m.end()


def find_dates(text: str, *, as_of: date) -> list[date]:
    """Every acceptable date in ``text``, in reading order."""
    return [d for d, _, _ in iter_dates(text, as_of=as_of)]


def parse_date(text: str, *, as_of: date) -> date | None:
    """The first acceptable date in ``text`` (a list cell, a meta value), or None."""
    for found, _, _ in iter_dates(text, as_of=as_of):
        return found
    return None


def find_split_date(text: str, *, as_of: date) -> date | None:
    """A date written as day + year-month in separate elements
    (``20 2026-11`` or ``2026-11 20`` once the item text is joined)."""
    for m in _SPLIT.finditer(normalise(text)):
        if m.group("y1"):
            found = _valid(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
        else:
            found = _valid(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        if found is not None and MIN_DATE <= found <= as_of:
            return found
    return None


def parse_datetime(
    text: str, *, as_of: date | None = None, tz: tzinfo = CHINA_TZ
) -> datetime | None:
    """A PubDate-style value (``2020年08月02日``, ``2023-11-30  14:52``,
    ``2023-08-19 10∶08``) as an aware datetime in ``tz`` (China time by default).

    Without a time the result is midnight.  ``as_of`` (default: no limit but
    year 1990) rejects dates after it, as :func:`parse_date` does.
    """
    limit = as_of or date(9999, 12, 31)
    norm = normalise(text)
    for m in _DATE.finditer(norm):
        found = _from_match(m, limit)
        if found is None:
            continue
        clock = time(0, 0)
        t = _TIME.match(norm, m.end())
        if t is not None:
            h, mi, s = int(t.group("h")), int(t.group("mi")), int(t.group("s") or 0)
            if h < 24 and mi < 60 and s < 60:
                clock = time(h, mi, s)
        return datetime.combine(found, clock, tzinfo=tz)
    return None
