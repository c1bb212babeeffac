"""Chinese working days (holidays and make-up days) for the working-day rules.

Three sources, in order of precedence:

1. the user's data file (``config/holidays.yaml`` or any file with that format):
   holidays and make-up working days for any year, e.g. 2027 before the package
   knows it, or a local holiday;
2. the ``chinese_calendar`` package (1.11 knows 2004–2026);
3. for a year covered by neither, Monday–Friday, with a warning note, because
   monitoring must never stop for a missing year.  Every computation that used
   such a day can collect the note through :meth:`WorkCalendar.track` and carry it
   on its event.

``working_days_between(start, end)`` counts the working days *after* ``start``
up to and including ``end`` — the way "answered within 3 working days" is
counted: a message left on Friday and answered on Monday took 1 working day.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from govmon.errors import ConfigError

log = logging.getLogger(__name__)

FALLBACK_NOTE = (
    "{year} working days assumed Monday–Friday: add the State Council schedule to "
    "holidays.yaml（{year}年工作日按周一至周五推定，请在 holidays.yaml 中补充国务院放假安排）"
)


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's holidays and make-up working days from the user file."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @property
    def known(self) -> bool:
        """A section with no entry at all (the shipped empty 2027) is not a schedule."""
        return bool(self.holidays or self.workdays)


@dataclass(slots=True, eq=False)
class FallbackLog:
    """Collects the years for which Monday–Friday was assumed during a computation."""

    years: set[int] = field(default_factory=set)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(FALLBACK_NOTE.format(year=y) for y in sorted(self.years))


class TextDatesLoader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """A safe YAML loader that leaves dates as text, so that a bad date is
    reported with its file and field instead of failing inside the parser."""


TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _expand(values: Any, where: str) -> set[date]:
    """Dates and ``"2027-10-01..2027-10-07"`` ranges (both ends included)."""
    if values is None:
        return set()
    if not isinstance(values, list):
        raise ConfigError(f"{where}: expected a list of dates or 'start..end' ranges")
    out: set[date] = set()
    for item in values:
        if isinstance(item, str) and ".." in item:
            a, b = item.split("..", 1)
            start, end = _as_date(a, where), _as_date(b, where)
            if end < start:
                raise ConfigError(f"{where}: range {item!r} ends before it starts")
            out.update(start + timedelta(days=i) for i in range((end - start).days + 1))
        else:
            out.add(_as_date(item, where))
    return out


def load_holidays(path: str | Path) -> dict[int, YearSchedule]:
    """Read a holidays file; ``ConfigError`` names the file and the year/field."""
    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=TextDatesLoader) or {}
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read holidays file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or set(data) - {"years"}:
        raise ConfigError(f"{p}: expected one top-level key 'years'")
    years = data.get("years") or {}
    if not isinstance(years, dict):
        raise ConfigError(f"{p}: 'years' must map a year to its holidays and workdays")
    out: dict[int, YearSchedule] = {}
    for year, section in years.items():
        where = f"{p}: years.{year}"
        try:
            y = int(year)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {year!r} is not a year") from exc
        section = section or {}
        if not isinstance(section, dict) or set(section) - {"holidays", "workdays"}:
            raise ConfigError(f"{where}: only 'holidays' and 'workdays' are allowed")
        holidays = _expand(section.get("holidays"), f"{where}.holidays")
        workdays = _expand(section.get("workdays"), f"{where}.workdays")
        for d in holidays | workdays:
            if d.year != y:
                raise ConfigError(f"{where}: {d.isoformat()} is not in {y}")
        if holidays & workdays:
            both = min(holidays & workdays).isoformat()
            raise ConfigError(f"{where}: {both} is listed as both holiday and workday")
        out[y] = YearSchedule(frozenset(holidays), frozenset(workdays))
    return out


def _default_file() -> Path | None:
    from govmon.paths import config_dir

    try:
        path = config_dir() / "holidays.yaml"
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


class WorkCalendar:
    """Chinese working days, extendable by a user file, never failing on a year.

    ``extra`` is the holidays file; ``None`` reads the bundled
    ``config/holidays.yaml`` when present; ``False`` reads none.
    """

    def __init__(
        self,
        extra: str | Path | bool | None = None,
        *,
        years: dict[int, YearSchedule] | None = None,
    ) -> None:
        if extra is None:
            default = _default_file()
            self._years = load_holidays(default) if default else {}
        elif extra is False or extra is True:
            self._years = {}
        else:
            self._years = load_holidays(extra)
        if years:
            self._years.update(years)
        self._logs: list[FallbackLog] = []
        #: answers already computed (a year of messages asks the same days again)
        self._cache: dict[date, bool] = {}
        self._assumed: set[int] = set()

    # -- fallback bookkeeping -------------------------------------------------

    @contextlib.contextmanager
    def track(self) -> Iterator[FallbackLog]:
        """Collect the fallback notes of the days looked up inside the block."""
        record = FallbackLog()
        self._logs.append(record)
        try:
            yield record
        finally:
            self._logs.remove(record)

    def _fallback(self, d: date) -> bool:
        self._assumed.add(d.year)
        return d.weekday() < 5

    def covers(self, year: int) -> bool:
        """True when the year's schedule is known (user file or package)."""
        sched = self._years.get(year)
        if sched is not None and sched.known:
            return True
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    # -- the API ----------------------------------------------------------------

    def is_workday(self, d: date | datetime) -> bool:
        """True on a Chinese working day (make-up weekend days included)."""
        if isinstance(d, datetime):
            d = d.date()
        answer = self._cache.get(d)
        if answer is None:
            answer = self._cache[d] = self._lookup(d)
        if d.year in self._assumed:
            for record in self._logs:
                record.years.add(d.year)
        return answer

    def _lookup(self, d: date) -> bool:
        sched = self._years.get(d.year)
        if sched is not None:
            if d in sched.workdays:
                return True
            if d in sched.holidays:
                return False
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            if sched is not None and sched.known:
                return d.weekday() < 5
            return self._fallback(d)

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days d with start < d <= end; negative when end is before start."""
        if isinstance(start, datetime):
            start = start.date()
        if isinstance(end, datetime):
            end = end.date()
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for i in range(1, (end - start).days + 1)
            if self.is_workday(start + timedelta(days=i))
        )

    def add_working_days(self, d: date | datetime, n: int) -> date:
        """The n-th working day after d (before d when n < 0); d itself when n == 0."""
        if isinstance(d, datetime):
            d = d.date()
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        current = d
        while remaining:
            current += timedelta(days=step)
            if self.is_workday(current):
                remaining -= 1
        return current
