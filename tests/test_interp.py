"""Policy documents and interpretations: relation links on the generator's pages,
the seeded sampler against the truth (linked both ways, one way, not at all, no
interpretation), and NAT-D-INTERP-LINK through the scorer."""

from __future__ import annotations

from datetime import datetime, time

from crawler.analysis.interp import counterpart_by_title, related_links, sample_pairs
from crawler.analysis.page import ParsedPage
from govmon.records import Event, InterpLinkDetection
from scoring.engine import evaluate
from scoring.measures import BEIJING
from scoring.profiles import load_profile
from tests.standard_portal import AS_OF, BASE, page, portal


def _pages() -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, ...]]]:
    pairs = portal().truth.interp_pairs
    policies = {BASE + t.policy: page(t.policy) for t in pairs}
    interps = {BASE + t.interpretation: page(t.interpretation) for t in pairs if t.interpretation}
    links = {u: related_links(p) for u, p in {**policies, **interps}.items()}

    def title(p: ParsedPage) -> str:
        h = p.tree.css_first("h1.title")
        return h.text() if h is not None else p.title

    return (
        {u: title(p) for u, p in policies.items()},
        {u: title(p) for u, p in interps.items()},
        links,
    )


def test_related_links_follow_the_truth() -> None:
    for t in portal().truth.interp_pairs:
        links = related_links(page(t.policy))
        if t.interpretation is None:
            assert links == ()
            continue
        assert (BASE + t.interpretation in links) is t.policy_links_interpretation
        back = related_links(page(t.interpretation))
        assert (BASE + t.policy in back) is t.interpretation_links_policy
        # the breadcrumb and nav entries 政策解读 / 政策文件 are not relations
        assert all(not u.endswith("/") for u in (*links, *back))


def test_related_link_forms() -> None:
    p = ParsedPage.parse(
        "http://127.0.0.1/zc/1.html",
        "<html><body><div class='position'><a href='/zcjd/'>政策解读</a>"
        "<a href='/zcjd/x.html'>解读</a></div>"
        "<div class='content'><p>正文</p></div>"
        "<div class='relate'><h3>政策原文</h3><ul><li><a href='/zc/2.html'>某某办法</a></li></ul></div>"
        "<p><a href='/tj/1.html'>一图读懂某某办法</a></p><p><a href='/n/1.html'>新闻</a></p>"
        "</body></html>",
    )
    assert related_links(p) == ("http://127.0.0.1/zc/2.html", "http://127.0.0.1/tj/1.html")


def test_counterpart_by_title() -> None:
    doc = "县人民政府关于印发《乡村振兴实施方案》的通知"
    assert counterpart_by_title(doc, "《乡村振兴实施方案》政策解读")
    assert counterpart_by_title(doc, f"关于{doc}的政策解读")
    assert not counterpart_by_title(doc, "《城市更新实施方案》解读")


def test_sampler_against_the_truth() -> None:
    policies, interps, links = _pages()
    found = sample_pairs(policies, interps, links_by_page=links, n=3, seed=0)
    by = {(d.role, d.url): d for d in found}
    assert sum(d.role == "policy" for d in found) == 3
    assert sum(d.role == "interpretation" for d in found) == 3  # all three
    for t in portal().truth.interp_pairs:
        if t.interpretation is None:
            continue
        i = by[("interpretation", BASE + t.interpretation)]
        assert i.counterpart == BASE + t.policy
        assert i.linked is t.interpretation_links_policy
        assert i.linked_back is t.policy_links_interpretation
    for (role, url), d in by.items():
        if role != "policy":
            continue
        t = next(t for t in portal().truth.interp_pairs if BASE + t.policy == url)
        assert d.linked is (t.interpretation is not None)
        assert d.counterpart == (BASE + t.interpretation if t.interpretation else None)
        assert d.linked_back == (t.policy_links_interpretation if t.interpretation else None)


def test_sampler_is_seeded_and_takes_all_when_few() -> None:
    policies, interps, links = _pages()
    a = sample_pairs(policies, interps, links_by_page=links, seed=7)
    b = sample_pairs(dict(reversed(policies.items())), interps, links_by_page=links, seed=7)
    assert a == b
    small = sample_pairs(dict(list(policies.items())[:2]), {}, links_by_page=links)
    assert len(small) == 2


def _events(rule: str, dets: list[InterpLinkDetection]) -> list[Event]:
    p = load_profile("national-2019")
    p = p.model_copy(update={"rules": [p.rule(rule)]})
    return evaluate(dets, p, datetime.combine(AS_OF, time(10), tzinfo=BEIJING))


def test_generated_pairs_through_the_scorer() -> None:
    policies, interps, links = _pages()
    dets = sample_pairs(policies, interps, links_by_page=links, n=4)
    no_interp = _events("NAT-D-INTERP-LINK/no-interp", dets)
    assert [e.points for e in no_interp] == [-0.5]  # the document without interpretation
    unlinked = _events("NAT-D-INTERP-LINK/unlinked", dets)
    assert [e.points for e in unlinked] == [-0.3]  # the pair linked neither way
    no_back = _events("NAT-D-INTERP-LINK/no-backlink", dets)
    assert [e.points for e in no_back] == [-0.3, -0.3]  # one-way and neither


def test_interp_link_caps_at_three_each() -> None:
    dets = [InterpLinkDetection(url=f"http://127.0.0.1/zc/{i}.html", role="policy", linked=False) for i in range(5)]
    assert len(_events("NAT-D-INTERP-LINK/no-interp", dets)) == 3
