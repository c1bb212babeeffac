"""Find wrong expressions (typos, outdated institution names, political naming errors) in text.

The dictionary is data (``config/wording.yaml`` plus any site or province
file), every entry citing the rule it rests on.  Chinese has no word
boundaries, so a wrong form is only reported where no longer correct word
contains it: 文化部门 and 文化部署 contain 文化部, 卫生部门 contains 卫生部,
原农业部 names the old ministry on purpose.  Each entry carries exceptions and
guards, and a match is also dropped when the correct form itself is what is
written at that position.

Renamed institutions are reported only on pages published after the reform
(``reformed_on``).  A page without a known date is reported: it is being
published now, and an outdated name on a live page is what inspectors flag.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from crawler.analysis.page import squash
from crawler.analysis.privacy import masked_excerpt
from govmon.errors import ConfigError
from govmon.paths import config_dir
from govmon.records import Severity, WordingDetection

log = logging.getLogger(__name__)

#: Characters after a wrong form ending in 部 that make a longer correct word
#: (部门 department, 部署 deploy, 部分 part, 部位, 部件, 部落, 部队, 部属, 部首).
SUFFIX_GUARDS: dict[str, tuple[str, ...]] = {
    "部": ("门", "署", "分", "位", "件", "落", "队", "属", "首")
}
#: Words before an institution's old name that name the old body on purpose.
INSTITUTION_PREFIX_GUARDS = ("原", "前")

_KEYS = frozenset(
    {
        "wrong",
        "right",
        "severity",
        "source",
        "category",
        "reformed_on",
        "valid_until",
        "exceptions",
        "not_preceded_by",
        "not_followed_by",
        "disabled",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WordingEntry:
    """One wrong → right pair and the guards that keep longer correct words safe."""

    wrong: str
    right: str
    severity: Severity
    source: str
    category: str = ""
    #: Pages dated on or before this day used the then-correct name: not reported.
    reformed_on: date | None = None
    exceptions: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()

    def applies_to(self, pub_date: date | None) -> bool:
        return self.reformed_on is None or pub_date is None or pub_date > self.reformed_on

    def guarded_at(self, text: str, pos: int) -> bool:
        """Whether the match at ``pos`` is part of a correct longer expression."""
        end = pos + len(self.wrong)
        if any(text.startswith(p, pos - len(p)) for p in self.not_preceded_by if pos >= len(p)):
            return True
        if any(text.startswith(f, end) for f in self.not_followed_by):
            return True
        for longer in (self.right, *self.exceptions):
            k = longer.find(self.wrong)
            while k != -1:
                if pos - k >= 0 and text.startswith(longer, pos - k):
                    return True
                k = longer.find(self.wrong, k + 1)
        return False


@dataclass(frozen=True, slots=True)
class Dictionary:
    """The merged entries, longest wrong form first (a longer match wins an overlap)."""

    entries: tuple[WordingEntry, ...]

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, wrong: str) -> WordingEntry | None:
        return next((e for e in self.entries if e.wrong == wrong), None)

    def present(self, text: str) -> frozenset[str]:
        """The wrong forms that occur in ``text`` at all, found in one regex pass
        (one ``str.find`` per entry costs far more on a 30 KB page)."""
        pattern, contained = _matcher(self.entries)
        found: set[str] = set()
        for m in pattern.finditer(text):
            found |= contained[m.group(1)]
        return frozenset(found)


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, the longest one where several start at
    the same place (as an alternation sorted longest first does)."""
    root: dict[str, Any] = {}
    for word in words:
        if not word:
            raise ValueError("an empty word would match everywhere")
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, Any]) -> str:
        kids = sorted(ch for ch in node if ch)
        if not kids:
            return ""
        alts = [re.escape(ch) + branch(node[ch]) for ch in kids]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body  # a word ends here: the rest is optional

    return branch(root)


_MATCHERS: dict[int, tuple[tuple[WordingEntry, ...], re.Pattern[str], dict[str, frozenset[str]]]] = {}


def _matcher(entries: tuple[WordingEntry, ...]) -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """One alternation of every wrong form (longest first), and for each form the
    forms it contains, so a short form inside a longer match is not lost."""
    cached = _MATCHERS.get(id(entries))
    if cached is not None and cached[0] is entries:
        return cached[1], cached[2]
    forms = sorted({e.wrong for e in entries}, key=len, reverse=True)
    # The forms as a trie (中(?:国银行…|共中央…)): at each position sre follows
    # one branch instead of trying 161 alternatives (0.21 against 0.32 ms on a
    # page's text), and still takes the longest form that starts there.  No
    # lookahead, so sre keeps its first-character scan; a form overlapping a
    # longer match is found through ``contained`` or lost to it, as in find_wording.
    pattern = re.compile(f"({trie_pattern(forms)})" if forms else "((?!x)x)")
    contained = {f: frozenset(g for g in forms if g in f) for f in forms}
    _MATCHERS[id(entries)] = (entries, pattern, contained)
    return pattern, contained


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: expected a list of strings")


def _entry(raw: dict[str, Any], where: str) -> WordingEntry:
    unknown = set(raw) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key in ("wrong", "right", "severity", "source"):
        if not str(raw.get(key) or "").strip():
            raise ConfigError(f"{where}: missing {key!r}")
    wrong = str(raw["wrong"]).strip()
    try:
        severity = Severity(str(raw["severity"]))
    except ValueError as exc:
        raise ConfigError(f"{where}: severity must be 'ordinary' or 'serious'") from exc
    reformed = raw.get("reformed_on", raw.get("valid_until"))
    if reformed is not None and not isinstance(reformed, date):
        try:
            reformed = date.fromisoformat(str(reformed))
        except ValueError as exc:
            raise ConfigError(f"{where}: reformed_on/valid_until must be a date") from exc
    category = str(raw.get("category") or "")
    before = _strings(raw.get("not_preceded_by"), where)
    after = _strings(raw.get("not_followed_by"), where)
    if category == "institution" or reformed is not None:
        before = tuple(dict.fromkeys((*before, *INSTITUTION_PREFIX_GUARDS)))
    for ending, guards in SUFFIX_GUARDS.items():
        if wrong.endswith(ending):
            after = tuple(dict.fromkeys((*after, *guards)))
    return WordingEntry(
        wrong=wrong,
        right=str(raw["right"]).strip(),
        severity=severity,
        source=str(raw["source"]).strip(),
        category=category,
        reformed_on=reformed,
        exceptions=_strings(raw.get("exceptions"), where),
        not_preceded_by=before,
        not_followed_by=after,
    )


def _raw_entries(data: Any, file: Path) -> Iterable[tuple[dict[str, Any], str]]:
    if not isinstance(data, dict) or not set(data) <= {"entries", "groups"}:
        raise ConfigError(f"{file}: expected a mapping with 'entries' and/or 'groups'")
    for i, raw in enumerate(data.get("entries") or ()):
        if not isinstance(raw, dict):
            raise ConfigError(f"{file}: entries[{i}] must be a mapping")
        yield raw, f"{file}: entries[{i}]"
    for g, group in enumerate(data.get("groups") or ()):
        if not isinstance(group, dict):
            raise ConfigError(f"{file}: groups[{g}] must be a mapping")
        shared = {k: v for k, v in group.items() if k != "entries"}
        for i, item in enumerate(group.get("entries") or ()):
            where = f"{file}: groups[{g}].entries[{i}]"
            if isinstance(item, list) and len(item) == 2:
                item = {"wrong": item[0], "right": item[1]}
            if not isinstance(item, dict):
                raise ConfigError(f"{where}: expected a mapping or a [wrong, right] pair")
            yield {**shared, **item}, where


@cache
def default_dictionary() -> Dictionary:
    """The bundled dictionary, loaded once per process."""
    return load_dictionary()


def load_dictionary(*paths: str | Path, include_default: bool = True) -> Dictionary:
    """The bundled dictionary merged with site or province files, later files winning.

    An entry with the same ``wrong`` form replaces the earlier one; one with
    ``disabled: true`` removes it.  Every entry needs ``source``.
    """
    files = [config_dir() / "wording.yaml"] if include_default else []
    files += [Path(p) for p in paths]
    merged: dict[str, WordingEntry] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{file}: cannot read the wording dictionary: {exc}") from exc
        for raw, where in _raw_entries(data, file):
            if raw.get("disabled"):
                merged.pop(str(raw.get("wrong") or "").strip(), None)
                continue
            entry = _entry(raw, where)
            merged[entry.wrong] = entry
    ordered = sorted(merged.values(), key=lambda e: -len(e.wrong))
    return Dictionary(entries=tuple(ordered))


def _context(text: str, start: int, end: int, width: int = 15) -> str:
    # Masked: a personal number next to a typo must not travel in the excerpt.
    return squash(masked_excerpt(text, start - width, end + width))


def find_wording(
    text: str,
    *,
    url: str,
    pub_date: date | None,
    dictionary: Dictionary,
    attachment: str | None = None,
) -> list[WordingDetection]:
    """Wrong expressions in ``text``: one detection per wrong form, with its first context.

    ``pub_date`` is the article's publication date; entries with a
    ``reformed_on`` date apply only to later pages (``None``: reported).
    """
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, WordingDetection]] = []
    present = dictionary.present(text)
    if not present:
        return []
    for entry in dictionary.entries:
        if entry.wrong not in present or not entry.applies_to(pub_date):
            continue
        pos = text.find(entry.wrong)
        first: tuple[int, int] | None = None
        while pos != -1:
            end = pos + len(entry.wrong)
            if not entry.guarded_at(text, pos) and not any(s < end and pos < e for s, e in taken):
                taken.append((pos, end))
                first = first or (pos, end)
            pos = text.find(entry.wrong, pos + 1)
        if first is None:
            continue
        found.append(
            (
                first[0],
                WordingDetection(
                    url=url,
                    text=entry.wrong,
                    suggestion=entry.right,
                    severity=entry.severity,
                    context=_context(text, *first),
                    source=entry.source,
                    attachment=attachment,
                ),
            )
        )
    found.sort(key=lambda pair: pair[0])
    if found:
        log.debug("wording: %d wrong expression(s) on %s", len(found), url)
    return [det for _, det in found]
