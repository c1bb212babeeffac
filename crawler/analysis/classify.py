"""Classify a column by the keywords in its name (config/keywords/columns.yaml).

The class decides which freshness rule applies (动态 two weeks, 通知公告 six
months, ...), so the keyword table is data that users edit without touching
code.  Matching is longest keyword first, ties broken by the table's
``priority`` list; the YAML documents the scheme next to the keywords.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from govmon.errors import ConfigError
from govmon.paths import config_dir
from govmon.records import ColumnClass

log = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")
_FULL_WIDTH_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def normalise_name(name: str) -> str:
    """A name as matched: no whitespace, full-width ASCII made ASCII, lower case."""
    return _SPACE.sub("", name.translate(_FULL_WIDTH_ASCII)).lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class KeywordTable:
    """Keywords in match order: longest first, then by class priority.

    ``source`` names the file it came from, for error messages and logs.
    """

    entries: tuple[tuple[str, ColumnClass], ...]
    source: str = ""

    def match(self, name: str) -> tuple[str, ColumnClass] | None:
        """The winning (keyword, class) for a name, or None."""
        norm = normalise_name(name)
        if not norm:
            return None
        for keyword, cls in self.entries:
            if keyword in norm:
                return keyword, cls
        return None


def default_path() -> Path:
    return config_dir() / "keywords" / "columns.yaml"


def _class(value: Any, where: str) -> ColumnClass:
    try:
        return ColumnClass(str(value))
    except ValueError:
        known = ", ".join(c.value for c in ColumnClass)
        raise ConfigError(f"{where}: unknown column class {value!r} (known: {known})") from None


def build_table(data: Mapping[str, Any], source: str = "<memory>") -> KeywordTable:
    """Validate a parsed keyword document and order its keywords for matching."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping with 'classes' and 'priority'")
    unknown_keys = set(data) - {"classes", "priority"}
    if unknown_keys:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown_keys)))}")
    classes = data.get("classes")
    if not isinstance(classes, Mapping) or not classes:
        raise ConfigError(f"{source}: 'classes' must map class names to keyword lists")
    priority_raw = data.get("priority") or []
    if not isinstance(priority_raw, list):
        raise ConfigError(f"{source}: 'priority' must be a list of class names")
    priority = [_class(p, f"{source}: priority") for p in priority_raw]
    order: list[ColumnClass] = list(dict.fromkeys(priority))
    seen: dict[str, ColumnClass] = {}
    for key, keywords in classes.items():
        cls = _class(key, f"{source}: classes.{key}")
        if cls not in order:
            order.append(cls)
        if not isinstance(keywords, list):
            raise ConfigError(f"{source}: classes.{key} must be a list of keywords")
        for kw in keywords:
            if not isinstance(kw, str) or not normalise_name(kw):
                raise ConfigError(
                    f"{source}: classes.{key}: keyword {kw!r} is not a non-empty string"
                )
            norm = normalise_name(kw)
            if norm in seen and seen[norm] is not cls:
                other = seen[norm].value
                raise ConfigError(
                    f"{source}: classes.{key}: keyword {kw!r} is already in classes.{other}"
                )
            seen[norm] = cls
    rank = {cls: i for i, cls in enumerate(order)}
    entries = sorted(seen.items(), key=lambda kv: (-len(kv[0]), rank[kv[1]], kv[0]))
    return KeywordTable(entries=tuple(entries), source=source)


def load_keywords(path: str | Path | None = None) -> KeywordTable:
    """Load and validate a keyword table (default: the bundled columns.yaml)."""
    p = Path(path) if path is not None else default_path()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the column keyword table: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    table = build_table(data, str(p))
    log.debug("loaded %d column keywords from %s", len(table.entries), p)
    return table


@cache
def default_keywords() -> KeywordTable:
    """The bundled table, loaded once per process."""
    return load_keywords()


def classify(name: str, table: KeywordTable | None = None) -> ColumnClass:
    """The class of a column name; ``other`` when no keyword matches."""
    hit = (table or default_keywords()).match(name)
    return hit[1] if hit else ColumnClass.OTHER
