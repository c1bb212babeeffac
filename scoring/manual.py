"""Import manual findings (CSV or YAML) for the rules no crawler can observe.

Columns / keys: ``rule`` (a rule ID of the chosen profile, or a rule name such as
``NAT-D-REPLY/quality``), ``unit``, ``date`` (YYYY-MM-DD), ``note``, ``url``,
``count`` (default 1), ``points`` (optional: the finding's own points, e.g. a
remediation rate scored by hand).  A wrong row is a :class:`ConfigError` naming
the file, the row and the field, so that the clerk can fix the sheet.

CSV files are read as UTF-8 (with or without the BOM Excel writes), else GB18030.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from govmon.errors import ConfigError
from govmon.records import ManualFinding
from scoring.calendar import TextDatesLoader
from scoring.profiles import Profile

FIELDS = ("rule", "unit", "date", "note", "url", "count", "points")


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _rows(path: Path) -> list[Mapping[str, Any]]:
    try:
        text = _text(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read manual findings: {exc}") from exc
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in reader.fieldnames or []]
        unknown = [h for h in header if h and h not in FIELDS]
        if unknown:
            raise ConfigError(
                f"{path}: unknown column(s) {unknown}; columns are {', '.join(FIELDS)}"
            )
        if "rule" not in header:
            raise ConfigError(f"{path}: the 'rule' column is required")
        return [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.load(text, Loader=TextDatesLoader)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if isinstance(data, dict) and set(data) == {"findings"}:
            data = data["findings"]
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ConfigError(f"{path}: expected a list of findings (or 'findings:' with a list)")
        return data
    raise ConfigError(f"{path}: manual findings must be .csv, .yaml or .yml")


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def parse_finding(row: Mapping[str, Any], profile: Profile, where: str) -> ManualFinding:
    """One row → ManualFinding; ``where`` ("file: row 3") prefixes every error."""
    extra = [k for k in row if k not in FIELDS]
    if extra:
        raise ConfigError(f"{where}: unknown field(s) {extra}")
    rule = "" if _blank(row.get("rule")) else str(row["rule"]).strip()
    names = {r.name for r in profile.rules}
    if not rule:
        raise ConfigError(f"{where}: field 'rule': missing")
    if rule not in profile.rule_ids() and rule not in names:
        raise ConfigError(
            f"{where}: field 'rule': {rule!r} is not a rule of profile {profile.name}"
        )
    on: date | None = None
    value = row.get("date")
    if isinstance(value, datetime):
        on = value.date()
    elif isinstance(value, date):
        on = value
    elif not _blank(value):
        try:
            on = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ConfigError(
                f"{where}: field 'date': {value!r} is not a date (YYYY-MM-DD)"
            ) from None
    count = 1
    if not _blank(row.get("count")):
        try:
            count = int(str(row["count"]).strip())
        except ValueError:
            raise ConfigError(
                f"{where}: field 'count': {row['count']!r} is not a whole number"
            ) from None
        if count < 1:
            raise ConfigError(f"{where}: field 'count': must be at least 1")
    points: float | None = None
    if not _blank(row.get("points")):
        try:
            points = float(str(row["points"]).strip())
        except ValueError:
            raise ConfigError(
                f"{where}: field 'points': {row['points']!r} is not a number"
            ) from None
    unit = None if _blank(row.get("unit")) else str(row["unit"]).strip()
    return ManualFinding(
        url="" if _blank(row.get("url")) else str(row["url"]).strip(),
        unit=unit,
        rule=rule,
        on=on,
        note="" if _blank(row.get("note")) else str(row["note"]).strip(),
        count=count,
        points=points,
    )


def load_manual_findings(path: str | Path, profile: Profile) -> list[ManualFinding]:
    """The findings of a CSV/YAML file, validated against the profile's rules."""
    p = Path(path)
    rows = _rows(p)
    first = 2 if p.suffix.lower() == ".csv" else 1  # CSV: row 1 is the header
    return [parse_finding(row, profile, f"{p}: row {i}") for i, row in enumerate(rows, first)]
