"""Indicator profiles: YAML data validated by pydantic into rules the engine runs.

A profile names its source document and scoring structure and lists rules; each
rule quotes the sentence of the seed document it implements, names a registered
measure and its parameters, and says what one occurrence is worth.  A profile may
``extends:`` another and change it with ``overrides:`` (by rule name), ``remove:``
and extra ``rules:``, so that a province that uses 10 days for news is a
five-line file.  Every validation error is a :class:`ProfileError` naming the file
and the rule.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govmon.errors import ProfileError
from govmon.records import ColumnClass, DetectionKind, EventType, PageType, Severity

#: Rule IDs of INDICATORS.md (and the Yanjiang items, which it leaves unnamed).
KNOWN_RULE_IDS: frozenset[str] = frozenset(
    [
        "NAT-V-AVAIL",
        "NAT-V-HOME",
        "NAT-V-COLS-A",
        "NAT-V-COLS-B",
        "NAT-V-COLS-C",
        "NAT-V-INTERACT-A",
        "NAT-V-INTERACT-B",
        "NAT-V-SERVICE-A",
        "NAT-V-SERVICE-B",
        "NAT-V-SERVICE-C",
        "NAT-V-SECURITY",
        "NAT-D-OVERVIEW",
        "NAT-D-ORG",
        "NAT-D-LEADERS",
        "NAT-D-POLICY",
        "NAT-D-INTERP",
        "NAT-D-INTERP-LINK",
        "NAT-D-OTHER-COLS",
        "NAT-D-SVC-STATS",
        "NAT-D-SVC-GUIDE",
        "NAT-D-SSO",
        "NAT-D-CONSULT",
        "NAT-D-REPLY",
        "NAT-D-MOCK-ASK",
        "NAT-D-DOMAIN",
        "NAT-D-FOOTER",
        "NAT-D-LINKS",
        "NAT-D-JIUCUO",
        "NAT-D-SEARCH",
        "NAT-D-TAGS",
        "NAT-D-IPV6",
        "NAT-D-TYPO",
        "NAT-D-REPOST",
        "NAT-D-REMEDIATION",
        "NAT-B-DATA",
        "NAT-B-QA",
        "NAT-B-SURVEY",
        "NAT-B-SEARCH",
        "JS-NEWS",
        "JS-NOTICE",
        "JS-POLICY",
        "JS-PERSONNEL",
        "JS-PLAN",
        "JS-SHOULD",
        "JS-BLANK",
        "JS-KEY",
        "JS-CONSULT",
        "JS-GUIDE",
        "JS-TIMELY",
        "JS-ERRORS",
        "AJ-DISTRICT-DOCS",
        "AJ-DYNAMICS",
        "AJ-OTHER",
        "AJ-INTERACT",
        "AJ-UNIT-DOCS",
        "AJ-NOTIFIED",
        "AJ-TASKS",
        "AJ-COBUILD",
        "ZS-DYNAMICS",
        "ZS-TOPIC-180",
        "ZS-KEY-QUARTER",
        "ZS-CONTENT",
        "ZS-WEEKLY",
        "ZS-FAQ",
        "ZS-NEWMEDIA",
        "ZS-VETO-SECURITY",
        "ZS-B-DATAVIS",
        "ZS-B-INTERP",
        "ZS-B-SURVEY",
        "YJ-ORG",
        "YJ-STAFF",
        "YJ-RULES",
        "YJ-RULES-DONE",
        "YJ-OPENDAY",
        "YJ-CONSULT",
        "YJ-ZONE",
        "YJ-NEWMEDIA",
        "YJ-PLATFORM",
        "YJ-MAILBOX",
        "YJ-REQUESTS",
        "YJ-TASKS",
        "YJ-BONUS",
        "YJ-CIRCULAR",
    ]
)

Structure = Literal["national", "junshan", "anju", "zhongshan", "yanjiang"]
TimeUnit = Literal["days", "weeks", "months", "working_days"]
_THRESHOLD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z_]+)\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """A duration: ``"2 weeks"``, ``"6 months"``, ``"3 working_days"``, or a mapping."""

    value: float = Field(gt=0)
    unit: TimeUnit

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, str):
            m = _THRESHOLD.match(data)
            if not m:
                raise ValueError(f"bad threshold {data!r}: write '<number> <unit>', e.g. '2 weeks'")
            return {"value": float(m.group(1)), "unit": m.group(2)}
        return data

    @model_validator(mode="after")
    def _whole(self) -> Threshold:
        if self.unit in ("months", "working_days") and self.value != int(self.value):
            raise ValueError(f"{self.unit} must be a whole number, not {self.value}")
        return self

    def __str__(self) -> str:
        names = {"days": "天", "weeks": "周", "months": "个月", "working_days": "个工作日"}
        v = int(self.value) if self.value == int(self.value) else self.value
        return f"{v}{names[self.unit]}"


class ColumnGroup(_Strict):
    """Columns of some classes (optionally one level / names) and their cadence."""

    classes: list[ColumnClass] = Field(default_factory=list)
    level: int | None = Field(default=None, ge=1)
    name_contains: list[str] = Field(default_factory=list)
    max_age: Threshold
    warn_age: Threshold | None = None
    until: Threshold | None = None

    @model_validator(mode="after")
    def _select(self) -> ColumnGroup:
        if not self.classes and not self.name_contains:
            raise ValueError("a column group needs 'classes' or 'name_contains'")
        return self


class RuleParams(_Strict):
    """Every parameter any measure takes; each measure declares the ones it uses."""

    groups: list[ColumnGroup] | None = None
    classes: list[ColumnClass] | None = None
    exclude_classes: list[ColumnClass] | None = None
    level: int | None = Field(default=None, ge=1)
    name_contains: list[str] | None = None
    max_age: Threshold | None = None
    warn_age: Threshold | None = None
    until: Threshold | None = None
    window: Threshold | None = None
    period: Threshold | None = None
    per: Literal["column", "unit"] | None = None
    where: Literal["home", "other", "all"] | None = None
    page_types: list[PageType] | None = None
    tags: list[str] | None = None
    max_count: int | None = Field(default=None, ge=1)
    kinds: list[DetectionKind] | None = None
    severity: Severity | None = None
    min_probes: int | None = Field(default=None, ge=1)
    min_days: int | None = Field(default=None, ge=1)
    ratio: float | None = Field(default=None, gt=0, le=1)
    warn_ratio: float | None = Field(default=None, gt=0, le=1)
    check: str | None = None
    elements: list[str] | None = None
    min_missing: int | None = Field(default=None, ge=1)
    min_items: int | None = Field(default=None, ge=1)
    target: int | None = Field(default=None, ge=1)
    monthly_cap: float | None = Field(default=None, gt=0)
    below: float | None = Field(default=None, gt=0, le=1)
    at_least: float | None = Field(default=None, ge=0, le=1)
    confirm: bool | None = None
    role: Literal["policy", "interpretation"] | None = None
    field: Literal["linked", "linked_back"] | None = None
    weeks: int | None = Field(default=None, ge=1)

    def given(self) -> set[str]:
        return {k for k, v in self if v is not None}


class Rule(_Strict):
    """One rule: a sentence of the seed turned into a measure and its points."""

    id: str
    name: str = ""
    type: EventType
    title: str = ""
    source: str = Field(min_length=1)
    measure: str
    params: RuleParams = Field(default_factory=RuleParams)
    min_count: int = Field(default=1, ge=1)
    points: float = 0.0
    cap: float | None = Field(default=None, gt=0)
    group: str | None = None
    warn_at: int | None = Field(default=None, ge=1)
    manual: bool = False
    service: bool = False
    scope: Literal["site", "unit"] = "site"

    @field_validator("id")
    @classmethod
    def _known_id(cls, v: str) -> str:
        if v not in KNOWN_RULE_IDS:
            raise ValueError(f"unknown rule id {v!r} (see INDICATORS.md)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        from scoring.measures import MEASURES

        if not self.name:
            object.__setattr__(self, "name", self.id)
        if self.type is EventType.DEDUCTION and self.points > 0:
            raise ValueError("a deduction's points must be negative")
        if self.type is EventType.BONUS and self.points < 0:
            raise ValueError("a bonus's points must be positive")
        if self.type in (EventType.VETO, EventType.WARNING) and self.points != 0:
            raise ValueError(f"a {self.type.value} carries no points")
        if self.manual != (self.measure == "manual"):
            raise ValueError("'manual: true' goes with 'measure: manual' and only with it")
        measure = MEASURES.get(self.measure)
        if measure is None:
            raise ValueError(
                f"unknown measure {self.measure!r}; known: {', '.join(sorted(MEASURES))}"
            )
        given = self.params.given()
        extra = given - measure.allowed
        if extra:
            raise ValueError(
                f"measure {self.measure!r} takes no parameter(s) {sorted(extra)}; "
                f"it takes {sorted(measure.allowed)}"
            )
        if measure.checks and self.params.check not in measure.checks:
            raise ValueError(
                f"measure {self.measure!r}: check must be one of {sorted(measure.checks)}, "
                f"not {self.params.check!r}"
            )
        missing = measure.required - given
        if missing:
            raise ValueError(f"measure {self.measure!r} needs parameter(s) {sorted(missing)}")
        if self.warn_at is not None and self.warn_at >= self.min_count:
            raise ValueError("warn_at must be below min_count")
        return self

    @property
    def cap_key(self) -> str:
        """Deductions are capped per item: the group, else the indicator ID."""
        return self.group or self.id


class Grade(_Strict):
    name: str
    min: float


class Profile(_Strict):
    """A validated indicator profile."""

    name: str
    title: str
    source: str
    structure: Structure
    notes: str = ""
    base: float = 100.0
    service_base: float = 75.0
    pass_mark: float = 60.0
    bonus_threshold: float = 80.0
    bonus_cap: float | None = None
    floor: float | None = None
    grades: list[Grade] = Field(default_factory=list)
    fail_grade: str = "不合格"
    rules: list[Rule]
    path: str = ""

    @model_validator(mode="after")
    def _unique(self) -> Profile:
        seen: set[str] = set()
        for r in self.rules:
            if r.name in seen:
                raise ValueError(f"two rules named {r.name!r}: give one a distinct 'name'")
            seen.add(r.name)
        return self

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(name)

    def rule_ids(self) -> set[str]:
        return {r.id for r in self.rules}

    def caps(self) -> dict[str, float]:
        """Item caps: the smallest cap declared among the rules of an item."""
        out: dict[str, float] = {}
        for r in self.rules:
            if r.cap is not None:
                out[r.cap_key] = min(out.get(r.cap_key, r.cap), r.cap)
        return out


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def profiles_dir() -> Path:
    from govmon.paths import config_dir

    return config_dir() / "profiles"


def list_profiles() -> list[str]:
    """Names of the built-in profiles (``config/profiles/*.yaml``)."""
    try:
        return sorted(p.stem for p in profiles_dir().glob("*.yaml"))
    except FileNotFoundError:
        return []


def _resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml"):
        if not p.is_absolute() and relative_to is not None and (relative_to / p).is_file():
            p = relative_to / p
        if not p.is_file():
            raise ProfileError(f"{p}: profile file not found")
        return p
    for folder in ([relative_to] if relative_to else []) + [profiles_dir()]:
        candidate = folder / f"{name_or_path}.yaml"
        if candidate.is_file():
            return candidate
    raise ProfileError(
        f"unknown profile {str(name_or_path)!r}; built-in: {', '.join(list_profiles())}"
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile is a mapping with 'name', 'rules', ...")
    return data


def _merge(base: Any, change: Any) -> Any:
    """Deep merge for overrides: mappings merge, everything else replaces."""
    if isinstance(base, dict) and isinstance(change, dict):
        out = dict(base)
        for k, v in change.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return change


def _raw(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The profile's data with its ``extends`` chain applied (not yet validated)."""
    if path.resolve() in chain:
        raise ProfileError(f"{path}: 'extends' loops back on itself")
    data = _read(path)
    parent_name = data.pop("extends", None)
    overrides = data.pop("overrides", None) or {}
    remove = data.pop("remove", None) or []
    if parent_name is None:
        if overrides or remove:
            raise ProfileError(f"{path}: 'overrides' and 'remove' need 'extends'")
        return data
    parent_path = _resolve(parent_name, path.parent)
    parent = _raw(parent_path, (*chain, path.resolve()))
    _validate(parent, parent_path)  # a broken parent is reported against its own file
    rules: list[dict[str, Any]] = [dict(r) for r in parent.get("rules", [])]
    names = [str(r.get("name") or r.get("id")) for r in rules]
    if not isinstance(overrides, dict) or not isinstance(remove, list):
        raise ProfileError(f"{path}: 'overrides' is a mapping by rule name, 'remove' a list")
    for name in remove:
        if name not in names:
            raise ProfileError(
                f"{path}: rule {name}: cannot remove, {parent_name} has no such rule"
            )
    for name, change in overrides.items():
        if name not in names:
            raise ProfileError(
                f"{path}: rule {name}: cannot override, {parent_name} has no such rule"
            )
        if not isinstance(change, dict):
            raise ProfileError(f"{path}: rule {name}: an override is a mapping of fields")
        i = names.index(name)
        rules[i] = _merge(rules[i], change)
    rules = [r for r, n in zip(rules, names, strict=True) if n not in remove]
    own = data.pop("rules", None) or []
    merged = {k: v for k, v in parent.items() if k != "rules"}
    merged.update(data)
    merged["rules"] = rules + list(own)
    return merged


def _where(data: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules") or []
        rule = rules[loc[1]] if loc[1] < len(rules) and isinstance(rules[loc[1]], dict) else {}
        rid = rule.get("name") or rule.get("id") or "?"
        rest = ".".join(str(x) for x in loc[2:] if not str(x).startswith("function-"))
        return f"rule {rid} (rules[{loc[1]}])" + (f": {rest}" if rest else "")
    return ".".join(str(x) for x in loc) or "profile"


def _validate(data: dict[str, Any], path: Path) -> Profile:
    try:
        return Profile.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{path}: {_where(data, tuple(err['loc']))}: {msg}")
        raise ProfileError("\n".join(lines)) from None


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by name (``national-2019``) or a profile file by path."""
    path = _resolve(name_or_path)
    return _validate(_raw(path), path)
