"""Service guides against the generator's truth (complete, missing 4, missing 2,
a dead form), other layouts and synonyms, and the service rules through the
scorer (NAT-V-SERVICE-A/B/C at and around their thresholds, JS-GUIDE)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.analysis.guides import (
    CATEGORIES,
    guide_detection,
    guide_elements,
    is_guide,
    load_synonyms,
    with_dead_attachments,
)
from crawler.analysis.page import ParsedPage
from govmon.errors import ConfigError
from govmon.records import (
    ColumnClass,
    ColumnDetection,
    Detection,
    Event,
    EventType,
    GuideDetection,
)
from scoring.engine import evaluate
from scoring.measures import BEIJING, NATIONAL_GUIDE_ELEMENTS
from scoring.profiles import load_profile
from tests.standard_portal import AS_OF, BASE, page, portal


def _html(body: str, title: str = "办事指南") -> ParsedPage:
    return ParsedPage.parse(
        "http://127.0.0.1/bs/1.html",
        f"<html><head><title>{title}</title></head><body><div class='nav'>办理流程 联系电话</div>"
        f"<div class='content'>{body}</div>"
        "<div class='footer'>联系电话：0816-1234567 地址：某某县</div></body></html>",
    )


def test_categories_match_the_scorer() -> None:
    assert CATEGORIES == NATIONAL_GUIDE_ELEMENTS
    assert tuple(load_synonyms()) == CATEGORIES


def test_generated_guides_match_the_truth() -> None:
    truth = portal().truth.guides
    assert any(g.missing for g in truth) and any(g.dead_attachments for g in truth)
    for t in truth:
        g = guide_detection(page(t.url))
        assert g is not None, t.url
        assert g.name == t.name
        assert g.elements_present == t.present
        assert g.elements_missing == t.missing
        assert g.attachments == tuple(BASE + a for a in t.attachments)
        dead = with_dead_attachments(g, {BASE + a for a in t.dead_attachments} | {BASE + "/x"})
        assert dead.dead_attachments == tuple(BASE + a for a in t.dead_attachments)


def test_non_guides() -> None:
    truth = portal().truth
    for path in ("/", "/bsfw/bszn/", truth.messages[1].url, truth.interp_pairs[0].policy):
        assert not is_guide(page(path)), path
        assert guide_detection(page(path)) is None


def test_dl_headings_bold_and_inline_labels_with_synonyms() -> None:
    g = guide_detection(
        _html(
            "<h1>残疾人证办理服务指南</h1>"
            "<dl><dt>法定依据</dt><dd>《残疾人保障法》</dd><dt>受理条件：</dt><dd>本县户籍</dd></dl>"
            "<h3>一、申请材料</h3><p>身份证</p>"
            "<p><strong>【实施机关】</strong>县残联</p>"
            "<p>受理地点：政务中心</p><p>咨询电话：0816-1111111</p>"
            "<p>办理时限：20个工作日</p>"
        )
    )
    assert g is not None and g.name == "残疾人证办理"
    assert g.elements_present == (
        "事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理机构", "联系电话",
    )  # fmt: skip
    # 办理时限 is a time limit, not 办理时间; the nav and footer labels do not count
    assert g.elements_missing == ("收费标准", "办理时间", "办理流程")


def test_two_column_table_with_pairs_per_row() -> None:
    rows = (
        "<tr><td>事项名称</td><td>道路运输经营许可</td><td>办理机构</td><td>县交通局</td></tr>"
        "<tr><td>收费标准</td><td>不收费</td><td>办理时间</td><td>工作日</td></tr>"
        "<tr><td>办理流程</td><td>受理—审核—决定</td><td>设定依据</td><td>条例</td></tr>"
    )
    g = guide_detection(_html(f"<table>{rows}</table>", title="道路运输经营许可"))
    assert g is not None and g.name == "道路运输经营许可"
    assert set(g.elements_present) == {"事项名称", "办理机构", "收费标准", "办理时间", "办理流程", "设定依据"}


def test_forms_and_attachments() -> None:
    g = guide_detection(
        _html(
            "<p>申请条件：无</p><p>办理材料：申请表</p><p>办理流程：受理</p>"
            "<p><a href='/f/sqb.docx'>申请表</a> <a href='/f/yb.html'>样表下载</a>"
            " <a href='/news/1.html'>新闻</a></p>"
        )
    )
    assert g is not None
    assert g.attachments == ("http://127.0.0.1/f/sqb.docx", "http://127.0.0.1/f/yb.html")


def test_bad_synonym_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "g.yaml"
    f.write_text("categories: {事项名称: [事项名称]}\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_synonyms(f)


def test_custom_synonyms() -> None:
    syn = dict(load_synonyms())
    syn["办理时间"] = (*syn["办理时间"], "办理时限")
    p = _html("<p>办理时限：20个工作日</p><p>申请条件：无</p><p>办理材料：无</p>")
    assert "办理时间" in guide_elements(p, syn)
    assert "办理时间" not in guide_elements(p)


# ---------------------------------------------------------------- scorer


def _guide(n: int, missing: int) -> GuideDetection:
    present = CATEGORIES[: 10 - missing]
    return GuideDetection(
        url=f"http://127.0.0.1/bs/{n}.html",
        name=f"事项{n}",
        elements_present=present,
        elements_missing=CATEGORIES[10 - missing :],
    )


def _run(rule: str, dets: list[Detection]) -> list[Event]:
    profile = "junshan-2017" if rule.startswith("JS") else "national-2019"
    p = load_profile(profile)
    p = p.model_copy(update={"rules": [p.rule(rule)]})
    return evaluate(dets, p, datetime.combine(AS_OF, time(10), tzinfo=BEIJING))


@pytest.mark.parametrize(
    ("bad", "missing", "veto"),
    [
        (5, 4, True),  # 5 items missing 4 categories: veto
        (4, 4, False),  # 4 items: warning only (warn_at 3)
        (5, 3, False),  # missing 3 is below the line
        (6, 5, True),
    ],
)
def test_service_b(bad: int, missing: int, veto: bool) -> None:
    guides = [_guide(i, missing) for i in range(bad)] + [_guide(i + 10, 0) for i in range(5)]
    events = _run("NAT-V-SERVICE-B", guides)
    assert any(e.type is EventType.VETO for e in events) is veto
    if bad == 4:
        assert [e.type for e in events] == [EventType.WARNING]


def test_service_c_fewer_than_five_items() -> None:
    assert [e.type for e in _run("NAT-V-SERVICE-C", [_guide(i, 4) for i in range(4)])] == [EventType.VETO]
    one_good = [_guide(i, 4) for i in range(3)] + [_guide(9, 3)]
    assert _run("NAT-V-SERVICE-C", one_good) == []
    assert _run("NAT-V-SERVICE-C", [_guide(i, 4) for i in range(5)]) == []


def test_service_a() -> None:
    blank = ColumnDetection(url="http://127.0.0.1/bs/", name="办事服务",
                            column_class=ColumnClass.SERVICE, blank=True)  # fmt: skip
    assert [e.type for e in _run("NAT-V-SERVICE-A", [blank])] == [EventType.VETO]
    assert _run("NAT-V-SERVICE-A", [blank, _guide(1, 0)]) == []


def test_js_guide_counts_elements_and_dead_forms() -> None:
    g = replace(
        _guide(1, 0),
        elements_present=tuple(c for c in CATEGORIES if c not in ("设定依据", "办理机构")),
        elements_missing=("设定依据", "办理机构"),
        attachments=("http://127.0.0.1/f.doc",),
        dead_attachments=("http://127.0.0.1/f.doc",),
    )
    events = _run("JS-GUIDE", [g])
    # 设定依据 and the dead form count; 办理机构 is not one of Junshan's eight
    assert [(e.count, e.points) for e in events] == [(2, -2.0)]


def test_generated_guides_through_the_scorer() -> None:
    truth = portal().truth
    guides = [
        with_dead_attachments(g, {BASE + a for t in truth.guides for a in t.dead_attachments})
        for t in truth.guides
        if (g := guide_detection(page(t.url))) is not None
    ]
    vetoes = _run("NAT-V-SERVICE-B", list(guides))
    assert not any(e.type is EventType.VETO for e in vetoes)  # one guide misses 4
    js = {e.evidence[0]: e.count for e in _run("JS-GUIDE", list(guides))}
    expected = {
        BASE + t.url: len([m for m in t.missing if m not in ("办理机构", "收费标准")]) + len(t.dead_attachments)
        for t in truth.guides
    }
    assert js == {u: n for u, n in expected.items() if n}


@given(st.lists(st.sampled_from(("申请条件", "受理条件", "办理材料", "联系电话", "其他", "")), max_size=8),
       st.integers(min_value=-1, max_value=6))
def test_the_guide_gate_counts_labels_like_a_plain_count(parts: list[str], n: int) -> None:
    """The gate before guide analysis stops early; it must agree with counting."""
    from crawler.pagefacts import _GUIDE_LABELS, _labels_at_least

    html = "<p>" + "</p><p>".join(parts) + "</p>"
    assert _labels_at_least(html, _GUIDE_LABELS, n) == (sum(k in html for k in _GUIDE_LABELS) >= n)
