"""Issue 3's done-when: ``audit_site`` on the generated portals finds what their
ground truth says, through the real pipeline (spider in a child process,
collector, analysers, link checker, scorer).

Each scenario is served on 127.0.0.1 and audited once per module; the tests
then compare the report with ``portal.truth``.  Columns behind a WAF
(``observable=False``) must come out as unknown, never as a column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import pytest

from govmon.records import (
    ColumnClass,
    ColumnDetection,
    EventType,
    HomepageDetection,
    LinkDetection,
    UnknownDetection,
    UnknownReason,
)
from govmon.sitegen.scenarios import SCENARIOS
from tests.audit_helpers import Audited as BaseAudited
from tests.audit_helpers import audit_generated


class Audited(BaseAudited):
    __slots__ = ()

    def columns(self) -> dict[str, ColumnDetection]:
        return {d.url: d for d in self.of(ColumnDetection)}

    def homepage(self) -> HomepageDetection:
        (home,) = self.of(HomepageDetection)
        return home


def _audit(scenario: str, *, check_links: bool = False, max_pages: int = 2000) -> Audited:
    audited = audit_generated(SCENARIOS[scenario], check_links=check_links, max_pages=max_pages)
    return Audited(truth=audited.truth, base=audited.base, report=audited.report)


#: (scenario, check_links, max_pages) of each audit, by fixture name
AUDITS = {
    "standard": ("standard", True, 2000),
    "gbk": ("gbk", False, 2000),
    "navigation_only": ("navigation_only", False, 2000),
    "waf": ("waf", True, 2000),
    "traps": ("traps", True, 2000),
    "veto_columns": ("veto_columns", False, 2000),
    "near_veto": ("near_veto", False, 2000),
    "limited": ("standard", False, 40),
}


@pytest.fixture(scope="module")
def audits() -> Iterator[dict[str, Future[Audited]]]:
    """Every audit of the module, run side by side: each crawls in its own
    child process, so four at a time take about the time of the slowest."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="audit") as pool:
        yield {
            name: pool.submit(_audit, scenario, check_links=links, max_pages=limit)
            for name, (scenario, links, limit) in AUDITS.items()
        }


@pytest.fixture(scope="module")
def standard(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["standard"].result()


@pytest.fixture(scope="module")
def gbk(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["gbk"].result()


@pytest.fixture(scope="module")
def navigation_only(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["navigation_only"].result()


@pytest.fixture(scope="module")
def waf(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["waf"].result()


@pytest.fixture(scope="module")
def traps(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["traps"].result()


@pytest.fixture(scope="module")
def veto_columns(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["veto_columns"].result()


@pytest.fixture(scope="module")
def near_veto(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["near_veto"].result()


@pytest.fixture(scope="module")
def limited(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["limited"].result()


def _column_diffs(a: Audited) -> list[str]:
    """Every difference between detected and true columns (observable ones)."""
    found = a.columns()
    diffs = []
    for col in a.truth.columns:
        if not col.observable:
            continue
        det = found.pop(a.url(col.url), None)
        if det is None:
            diffs.append(f"missing {col.name} {col.url}")
            continue
        want = (
            col.name,
            ColumnClass(col.column_class),
            col.newest,
            col.blank,
            col.level,
            a.url(col.parent) if col.parent else None,
            col.entries,
        )
        got = (
            det.name,
            det.column_class,
            det.newest,
            det.blank,
            det.level,
            det.parent,
            det.entries,
        )
        if got != want:
            diffs.append(f"{col.url}: detected {got}, truth {want}")
    diffs += [f"extra {d.name} {url}" for url, d in found.items()]
    return diffs


# --------------------------------------------------------------------------
# Columns and homepage
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["standard", "gbk", "navigation_only"])
def test_every_column_is_found_as_the_truth_says(
    scenario: str, request: pytest.FixtureRequest
) -> None:
    audited: Audited = request.getfixturevalue(scenario)
    diffs = _column_diffs(audited)
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("scenario", ["standard", "gbk", "navigation_only"])
def test_homepage_freshness(scenario: str, request: pytest.FixtureRequest) -> None:
    audited: Audited = request.getfixturevalue(scenario)
    home, truth = audited.homepage(), audited.truth.homepage
    assert (home.newest, home.navigation_only) == (truth.newest, truth.navigation_only)
    if truth.navigation_only:
        assert home.second_level_newest == truth.second_level_newest


def test_hubs_and_undated_lists_on_standard(standard: Audited) -> None:
    """The three shapes issue 3 names: a channel front page is a column of
    class other dated by its sub-columns; an undated list is blank; articles
    and replies are never one-entry columns."""
    cols = standard.columns()
    hub = cols[standard.url("/bsfw/")]
    assert (hub.column_class, hub.newest, hub.blank) == (ColumnClass.OTHER, date(2026, 11, 5), False)
    leaders = cols[standard.url("/zjmm/ldxx/")]
    assert (leaders.blank, leaders.newest, leaders.entries) == (True, None, 4)
    assert not [u for u in cols if u.endswith(".html")]


# --------------------------------------------------------------------------
# Unobservable pages: WAF and crawl traps
# --------------------------------------------------------------------------


def _no_false_problem(a: Audited) -> None:
    """Unobservable pages change nothing else: columns as the truth says, no
    dead link, no missing column, no event pointing at an unknown URL."""
    diffs = _column_diffs(a)
    assert not diffs, "\n".join(diffs)
    assert a.of(LinkDetection) == []
    unknown = {d.url for d in a.of(UnknownDetection)}
    assert a.report.crawl.unknown == len(unknown) > 0
    for event in a.report.events:
        assert "未发现" not in event.message, event
        assert not unknown & set(event.evidence), event


def test_waf_pages_are_unknown_not_problems(waf: Audited) -> None:
    unknown = {(d.url, d.reason, d.status) for d in waf.of(UnknownDetection)}
    for t in waf.truth.unknown:
        assert (waf.url(t.url), t.reason, t.status) in unknown
    cols = waf.columns()
    for col in waf.truth.columns:
        if not col.observable:
            assert waf.url(col.url) not in cols  # not seen: neither blank nor stale
    _no_false_problem(waf)


def test_trap_urls_are_unknown_with_reason_limit(traps: Audited) -> None:
    limits = [d.url for d in traps.of(UnknownDetection) if d.reason is UnknownReason.LIMIT]
    for trap in traps.truth.traps:
        pattern = re.compile(trap.pattern)
        assert any(pattern.search(u.removeprefix(traps.base)) for u in limits), trap.kind
    _no_false_problem(traps)


# --------------------------------------------------------------------------
# Dead links
# --------------------------------------------------------------------------


def test_exactly_the_true_dead_links(standard: Audited) -> None:
    found = {d.url: d for d in standard.of(LinkDetection)}
    want = {standard.url(t.url): t for t in standard.truth.dead_links}
    assert set(found) == set(want)
    for url, t in want.items():
        det = found[url]
        assert (det.error, det.on_homepage) == (t.error, t.on_homepage), url
        assert set(det.on_pages) == {standard.url(p) for p in t.on_pages}, url
    benign = {standard.url(b.url) for b in standard.truth.benign_links}
    assert not benign & set(found)


# --------------------------------------------------------------------------
# Vetoes (issue 6's done-when)
# --------------------------------------------------------------------------

VETO_RULES = ("NAT-V-COLS-A", "NAT-V-COLS-C", "NAT-V-HOME")


def test_veto_columns_meets_the_vetoes(veto_columns: Audited) -> None:
    events = {e.rule: e for e in veto_columns.report.events if e.rule in VETO_RULES}
    for rule in VETO_RULES:
        assert events[rule].type is EventType.VETO, rule
        assert events[rule].evidence, rule
        assert all(u.startswith(veto_columns.base) for u in events[rule].evidence), rule
    assert veto_columns.report.score.vetoed


def test_near_veto_warns_and_does_not_veto(near_veto: Audited) -> None:
    events = [e for e in near_veto.report.events if e.rule in VETO_RULES]
    assert {e.rule for e in events} == set(VETO_RULES)
    assert all(e.type is EventType.WARNING for e in events)
    assert not [e for e in near_veto.report.events if e.type is EventType.VETO]
    assert not near_veto.report.score.vetoed


# --------------------------------------------------------------------------
# Page limit
# --------------------------------------------------------------------------


def test_max_pages_bounds_the_crawl(limited: Audited) -> None:
    assert limited.report.crawl.pages <= 40
    assert any(d.reason is UnknownReason.LIMIT for d in limited.of(UnknownDetection))
    # what the crawl saw in full is right; nothing is called blank for a limit
    found = limited.columns()
    for col in limited.truth.columns:
        det = found.get(limited.url(col.url))
        if det is not None and det.list_pages == len(col.list_pages):
            assert (det.newest, det.blank) == (col.newest, col.blank), col.url
    blank_truth = {limited.url(c.url) for c in limited.truth.columns if c.blank}
    assert {u for u, d in found.items() if d.blank} <= blank_truth


def test_max_pages_claims_no_missing_column(limited: Audited) -> None:
    missing = [e for e in limited.report.events if "未发现" in e.message and not e.unknown]
    assert missing == []
