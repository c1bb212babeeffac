
"""Profiles: the built-ins load and quote their seeds; bad files fail naming file and rule."""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govmon.errors import ProfileError
from govmon.records import ColumnClass, ColumnDetection
from scoring.calendar import WorkCalendar
from scoring.engine import evaluate
from scoring.measures import MEASURES
from scoring.profiles import KNOWN_RULE_IDS, list_profiles, load_profile

AS_OF = datetime(2026, 11, 25, tzinfo=ZoneInfo("Asia/Shanghai"))
BUILTIN = ["anju-2022", "junshan-2017", "national-2019", "yanjiang-2021", "zhongshan-2022"]
SEEDS = {
    "national-2019": "002_c395182b3f9bacf5.txt",
    "junshan-2017": "004_99962faab3c7e253.txt",
    "anju-2022": "000_101c668d922d3b61.txt",
    "zhongshan-2022": "001_d8e674ad94f66608.txt",
    "yanjiang-2021": "003_dacc5059b402432e.txt",
}
_FULL = str.maketrans("（）：；，！、．", "():;,!,.")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_FULL))


def test_builtin_profiles_are_listed_and_load() -> None:
    assert list_profiles() == BUILTIN
    for name in BUILTIN:
        p = load_profile(name)
        assert p.name == name
        assert {r.id for r in p.rules} <= KNOWN_RULE_IDS
        assert all(r.measure in MEASURES for r in p.rules)


def test_national_profile_covers_every_national_indicator() -> None:
    ids = load_profile("national-2019").rule_ids()
    national = {i for i in KNOWN_RULE_IDS if i.startswith("NAT-")}
    assert national <= ids


@pytest.mark.parametrize("name", BUILTIN)
def test_rule_sources_quote_the_seed(name: str) -> None:
    """Every rule's source sentence is in its seed (pieces split on spaces)."""
    from tests.conftest import shared_or_skip

    seed = _norm(shared_or_skip("seeds", SEEDS[name]).read_text(encoding="utf-8"))
    for rule in load_profile(name).rules:
        for piece in rule.source.split():
            assert _norm(piece) in seed, f"{name} {rule.name}: {piece!r} is not in the seed"


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    f = tmp_path / name
    f.write_text(textwrap.dedent(text), encoding="utf-8")
    return f


HEAD = """\
name: test
title: 测试
source: test
structure: national
rules:
"""


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (
            "  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_stale, params: {max_age: 2 weeks}, colour: red}",
            "colour",
        ),
        (
            "  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_freshness}",
            "unknown measure",
        ),
        (
            "  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_stale, params: {max_age: 2 fortnights}}",
            "max_age",
        ),
        (
            "  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_stale, params: {max_age: -1 days}}",
            "bad threshold",
        ),
        (
            "  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_stale, params: {max_age: 1.5 months}}",
            "whole number",
        ),
        ("  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_stale}", "needs parameter"),
        (
            "  - {id: NAT-V-HOME, type: veto, source: s, measure: homepage_stale, params: {max_age: 2 weeks, where: home}}",
            "takes no parameter",
        ),
        (
            "  - {id: NAT-V-COLS-A, type: veto, source: s, measure: stale_columns, params: {groups: [{classes: [gossip], max_age: 2 weeks}]}}",
            "classes",
        ),
        (
            "  - {id: NAT-V-SECURITY, type: veto, source: s, measure: findings, params: {kinds: [rumour]}}",
            "kinds",
        ),
        (
            "  - {id: NAT-D-LINKS, type: deduction, source: s, measure: dead_links, params: {where: home}, points: 0.2}",
            "must be negative",
        ),
        (
            "  - {id: NAT-D-LINKZ, type: deduction, source: s, measure: dead_links, params: {where: home}, points: -0.2}",
            "unknown rule id",
        ),
        (
            "  - {id: NAT-D-IPV6, type: deduction, source: s, measure: ipv6, params: {check: ipv7}, points: -1}",
            "check must be one of",
        ),
        (
            "  - {id: NAT-V-COLS-C, type: veto, source: s, measure: blank_columns, min_count: 5, warn_at: 5}",
            "warn_at",
        ),
        (
            "  - {id: NAT-V-COLS-C, type: veto, source: s, measure: blank_columns, manual: true}",
            "manual: true",
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-measure",
        "bad-unit",
        "negative",
        "fractional-months",
        "missing-param",
        "foreign-param",
        "unknown-class",
        "unknown-kind",
        "sign",
        "unknown-id",
        "bad-check",
        "warn-at",
        "manual-flag",
    ],
)
def test_validation_errors_name_file_and_rule(tmp_path: Path, rule: str, fragment: str) -> None:
    f = _write(tmp_path, HEAD + rule + "\n")
    with pytest.raises(ProfileError) as exc:
        load_profile(f)
    msg = str(exc.value)
    assert str(f) in msg
    assert "rule NAT-" in msg and "(rules[0])" in msg
    assert fragment in msg


def test_unknown_top_level_key_and_duplicate_names(tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        HEAD.replace("structure: national", "structure: national\nbase_points: 100") + "  []\n",
    )
    with pytest.raises(ProfileError, match="base_points"):
        load_profile(f)
    rule = "  - {id: NAT-V-COLS-C, type: veto, source: s, measure: blank_columns}\n"
    f = _write(tmp_path, HEAD + rule + rule, "dup.yaml")
    with pytest.raises(ProfileError, match="two rules named 'NAT-V-COLS-C'"):
        load_profile(f)


def test_unknown_profile_name() -> None:
    with pytest.raises(ProfileError, match="unknown profile 'nationl-2019'"):
        load_profile("nationl-2019")


def test_extends_with_overrides_remove_and_add(tmp_path: Path) -> None:
    f = _write(
        tmp_path,
        """\
        extends: national-2019
        name: province-x
        title: 某省（动态10天）
        source: 某省办法
        overrides:
          NAT-V-COLS-A:
            params:
              groups:
                - {classes: [news], max_age: 10 days}
                - {classes: [notice, policy], level: 1, max_age: 6 months}
          NAT-D-LINKS/other: {points: -0.05}
        remove: [NAT-D-IPV6/missing]
        rules:
          - {id: NAT-D-REPOST, name: NAT-D-REPOST/extra, type: deduction, source: 省定, measure: manual, manual: true, points: -0.5}
        """,
    )
    p = load_profile(f)
    parent = load_profile("national-2019")
    assert p.name == "province-x" and p.structure == "national"
    assert p.rule("NAT-V-COLS-A").params.groups[0].max_age.value == 10  # type: ignore[index]
    assert p.rule("NAT-V-COLS-A").min_count == 5  # the rest of the rule is kept
    assert p.rule("NAT-D-LINKS/other").points == -0.05
    assert "NAT-D-IPV6/missing" not in {r.name for r in p.rules}
    assert p.rule("NAT-D-REPOST/extra").points == -0.5
    assert len(p.rules) == len(parent.rules)

    # 11 days old: stale under the province's 10 days, not under the national 2 weeks
    cols = [
        ColumnDetection(
            url=f"http://x.gov.cn/{i}/",
            name=f"动态{i}",
            column_class=ColumnClass.NEWS,
            entries=3,
            newest=date(2026, 11, 14),
        )
        for i in range(5)
    ]
    only = {"NAT-V-COLS-A"}
    child = p.model_copy(update={"rules": [r for r in p.rules if r.id in only]})
    nat = parent.model_copy(update={"rules": [r for r in parent.rules if r.id in only]})
    cal = WorkCalendar(False)
    assert [e.type for e in evaluate(cols, child, AS_OF, calendar=cal)] == ["veto"]
    assert evaluate(cols, nat, AS_OF, calendar=cal) == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("overrides: {NAT-X: {points: -1}}", "rule NAT-X: cannot override"),
        ("remove: [NAT-Y]", "rule NAT-Y: cannot remove"),
        ("overrides: {NAT-D-LINKS/home: {points: 1}}", "rule NAT-D-LINKS/home"),
        ("overrides: {NAT-V-HOME: {params: {max_age: 2 eons}}}", "rule NAT-V-HOME"),
    ],
    ids=["override-unknown", "remove-unknown", "override-sign", "override-threshold"],
)
def test_extends_errors_name_file_and_rule(tmp_path: Path, body: str, fragment: str) -> None:
    f = _write(tmp_path, f"extends: national-2019\nname: x\n{body}\n")
    with pytest.raises(ProfileError) as exc:
        load_profile(f)
    assert str(f) in str(exc.value)
    assert fragment in str(exc.value)


def test_extends_loop(tmp_path: Path) -> None:
    _write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(ProfileError, match="loops"):
        load_profile(tmp_path / "a.yaml")


def test_every_measure_is_documented() -> None:
    from govmon.paths import config_dir

    readme = (config_dir() / "profiles" / "README.md").read_text(encoding="utf-8")
    missing = [name for name in MEASURES if f"| `{name}` |" not in readme]
    assert not missing, f"measures missing from config/profiles/README.md: {missing}"
