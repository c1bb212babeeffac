"""The site-search probe against the generator's /search on 127.0.0.1 (titles found,
a title not found, grouped results, UTF-8 and GBK queries), a flat results page,
blocked and failed searches (unknown, never "not found"), and NAT-D-SEARCH
through the scorer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, time

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from crawler.analysis.page import ParsedPage
from crawler.analysis.searchbox import SearchForm, SearchKind, find_search
from govmon.records import EventType, SearchDetection
from govmon.sitegen.build import build_portal
from govmon.sitegen.scenarios import gbk, standard
from govmon.sitegen.server import serve
from probes.search import check_search, grouped_results, sample_titles, title_found
from scoring.engine import evaluate
from scoring.measures import BEIJING
from scoring.profiles import load_profile

AS_OF = date(2026, 11, 25)


def _run(form: SearchForm, titles: Sequence[str], **kw: object) -> list[SearchDetection]:
    async def go() -> list[SearchDetection]:
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            return await check_search(form, titles, client=client, delay=0, **kw)  # type: ignore[arg-type]

    return asyncio.run(go())


def _form_of(base: str, html: str) -> SearchForm:
    form = find_search(ParsedPage.parse(base + "/", html))
    assert form is not None and form.usable
    return form


@pytest.mark.parametrize("make", [standard, gbk])
def test_generated_search_finds_the_samples(make) -> None:  # type: ignore[no-untyped-def]
    portal = build_portal(make(AS_OF))
    truth = portal.truth.search
    assert truth is not None
    home = portal.resources["/"].body.decode(portal.truth.encoding)
    with serve(portal) as base:
        form = _form_of(base, home)
        found = _run(form, [*truth.samples, truth.absent], n=5)
    assert {d.query for d in found} == {*truth.samples, truth.absent}
    for d in found:
        assert d.found is (d.query != truth.absent), d.query
        assert d.search_url is not None and d.search_url.startswith(base + truth.url)
        # grouping is seen on pages with results; a page without any says nothing
        assert d.grouped is (truth.grouped if d.found else None)


def test_sample_is_seeded_and_order_free() -> None:
    titles = [f"标题{i}" for i in range(20)]
    assert sample_titles(titles, seed=3) == sample_titles(list(reversed(titles)), seed=3)
    assert len(sample_titles(titles)) == 4
    assert sample_titles(["甲", "甲", " "], n=4) == ["甲"]


def test_title_matching() -> None:
    t = "县人民政府关于印发《乡村振兴实施方案》的通知"
    assert title_found(t, ["县人民政府关于印发 《乡村振兴实施方案》 的通知"])
    assert title_found(t, ["县人民政府关于印发《乡村振兴…"])
    assert not title_found(t, ["县人民政府关于…"])  # too short a prefix
    assert not title_found(t, ["县人民政府关于印发《乡村振兴实施方案》的通知的解读"])


FLAT = """<html><head><meta charset="utf-8"><title>搜索</title></head><body>
<div class="header"><form action="/s"><input name="q"></form></div>
<div class="main"><p>搜索“{q}”，共找到{n}条结果</p><ul>{items}</ul></div></body></html>"""

TABS = """<html><head><meta charset="utf-8"></head><body><div class="main">
<ul class="s-tab"><li>全部</li><li>政策文件</li><li>办事指南</li><li>新闻动态</li></ul>
<ul><li><a href="/a.html">关于开展安全生产检查的通知</a></li></ul></div></body></html>"""


def _flat(request: Request) -> Response:
    q = request.args.get("q", "")
    items = "<li><a href='/a.html'>关于开展安全生产检查的通知</a></li>" if "安全" in q else ""
    body = FLAT.format(q=q, n=1 if items else 0, items=items)
    return Response(body, content_type="text/html; charset=utf-8")


def test_flat_results_are_not_grouped(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/s").respond_with_handler(_flat)
    form = SearchForm(kind=SearchKind.FORM, action=httpserver.url_for("/s"), query_field="q")
    found = {d.query: d for d in _run(form, ["关于开展安全生产检查的通知", "另一篇不存在的文章标题"])}
    hit, miss = found["关于开展安全生产检查的通知"], found["另一篇不存在的文章标题"]
    assert (hit.found, hit.grouped) == (True, False)
    # the query echoed in 搜索“…” is not a hit
    assert (miss.found, miss.grouped) == (False, None)


def test_tab_bar_is_grouping() -> None:
    assert grouped_results(ParsedPage.parse("http://127.0.0.1/s", TABS))


def test_blocked_failed_and_scriptless_searches_are_unknown(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/waf").respond_with_data("<html><script>$_ts=window['$_ts']</script></html>", status=412)
    httpserver.expect_request("/err").respond_with_data("oops", status=500)
    httpserver.expect_request("/js").respond_with_data(
        "<html><body><div id='app'></div><script src='/s.js'></script></body></html>",
        content_type="text/html",
    )
    for path in ("/waf", "/err", "/js"):
        form = SearchForm(kind=SearchKind.FORM, action=httpserver.url_for(path), query_field="q")
        (d,) = _run(form, ["关于开展安全生产检查的通知"])
        assert d.found is None and d.grouped is None, path
    dead = SearchForm(kind=SearchKind.FORM, action="http://127.0.0.1:1/s", query_field="q")
    (d,) = _run(dead, ["标题"])
    assert d.found is None
    script = SearchForm(kind=SearchKind.SCRIPT, action=None)
    assert [(d.found, d.search_url) for d in _run(script, ["甲", "乙"])] == [(None, None)] * 2


def test_post_form_and_polite_order(httpserver: HTTPServer) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.form.get("searchword", ""))
        return _flat(Request.from_values(query_string={"q": request.form.get("searchword", "")}))

    httpserver.expect_request("/was5", method="POST").respond_with_handler(handler)
    form = SearchForm(
        kind=SearchKind.FORM,
        action=httpserver.url_for("/was5"),
        method="POST",
        query_field="searchword",
        hidden=(("channelid", "1"),),
    )
    titles = ["关于开展安全生产检查的通知", "乙标题甲乙丙丁戊", "丙标题甲乙丙丁戊"]
    found = _run(form, titles, n=3)
    assert seen == [d.query for d in found]  # one request per title, in sample order
    assert [d.found for d in found if "安全" in d.query] == [True]


def _events(rule: str, dets: list[SearchDetection]):  # type: ignore[no-untyped-def]
    p = load_profile("national-2019")
    p = p.model_copy(update={"rules": [p.rule(rule)]})
    return evaluate(dets, p, datetime.combine(AS_OF, time(10), tzinfo=BEIJING))


def test_search_rules_through_the_scorer() -> None:
    def det(q: str, found: bool | None, grouped: bool | None) -> SearchDetection:
        return SearchDetection(url="http://127.0.0.1/s", query=q, search_url="http://127.0.0.1/s?q=1",
                               found=found, grouped=grouped)  # fmt: skip

    dets = [det("a", True, False), det("b", False, None), det("c", False, None), det("d", None, None)]
    titles = _events("NAT-D-SEARCH/titles", dets)
    assert sorted(e.points for e in titles if e.type is EventType.DEDUCTION) == [-0.2, -0.2]
    assert [e.unknown for e in titles if e.type is EventType.WARNING] == [True]
    assert [e.points for e in _events("NAT-D-SEARCH/grouping", dets)] == [-0.5]
    assert _events("NAT-D-SEARCH/grouping", [det("a", True, True), *dets]) == []
    assert _events("NAT-D-SEARCH/titles", [det("a", True, True)]) == []
