"""Site search entries (NAT-D-SEARCH): forms, links and script-driven boxes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler.analysis.page import ParsedPage
from crawler.analysis.searchbox import SearchForm, SearchKind, find_search

URL = "http://www.my.gov.cn/col/index.html"


def page(body: str, head: str = "", url: str = URL) -> ParsedPage:
    return ParsedPage.parse(url, f"<html><head>{head}</head><body>{body}</body></html>")


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


@pytest.mark.parametrize(
    ("form", "action", "method", "field"),
    [
        (
            '<form action="/search/searchResult.jsp"><input name="q"></form>',
            "http://www.my.gov.cn/search/searchResult.jsp",
            "GET",
            "q",
        ),
        (
            '<form method="post" action="http://www.my.gov.cn/was5/web/search">'
            '<input type="text" name="searchword"></form>',
            "http://www.my.gov.cn/was5/web/search",
            "POST",
            "searchword",
        ),
        (
            '<form action="/jsearchfront/search.do"><input type="search" name="kw"></form>',
            "http://www.my.gov.cn/jsearchfront/search.do",
            "GET",
            "kw",
        ),
        (
            '<form action="/site/search/6788021" class="j-search-form">'
            '<input name="keywords"></form>',
            "http://www.my.gov.cn/site/search/6788021",
            "GET",
            "keywords",
        ),
        ('<form action="/s"><input name="wd"></form>', "http://www.my.gov.cn/s", "GET", "wd"),
        (
            '<form action="/cx" id="searchform">'
            '<input name="text1" placeholder="请输入关键字"></form>',
            "http://www.my.gov.cn/cx",
            "GET",
            "text1",
        ),
        ('<form><input name="query"></form>', URL, "GET", "query"),
    ],
    ids=[
        "get-q",
        "post-was5",
        "jsearch-kw",
        "keywords",
        "wd",
        "unnamed-field-by-hint",
        "no-action",
    ],
)
def test_form_variants(form: str, action: str, method: str, field: str) -> None:
    found = find_search(page(form))
    assert found is not None and found.kind is SearchKind.FORM
    assert (found.action, found.method, found.query_field) == (action, method, field)
    assert found.usable


def test_hidden_fields_and_url_for() -> None:
    form = (
        '<form action="/search/s" method="get">'
        '<input type="hidden" name="siteCode" value="5107000001">'
        '<input type="hidden" name="tab" value="all"><input name="qt" type="text">'
        '<select name="scope"><option value="1">全站</option>'
        '<option value="2" selected>本栏</option></select>'
        '<input type="submit" value="搜索"></form>'
    )
    found = find_search(page(form))
    assert found is not None
    assert found.hidden == (("siteCode", "5107000001"), ("tab", "all"), ("scope", "2"))
    url = found.url_for("营商 环境")
    assert url.startswith("http://www.my.gov.cn/search/s?")
    assert query_of(url) == [
        ("siteCode", "5107000001"),
        ("tab", "all"),
        ("scope", "2"),
        ("qt", "营商 环境"),
    ]


def test_get_form_drops_the_action_query_like_a_browser() -> None:
    found = find_search(page('<form action="/s?old=1"><input name="q"></form>'))
    assert found is not None
    assert query_of(found.url_for("x")) == [("q", "x")]


def test_post_form_keeps_the_action_query() -> None:
    form = (
        '<form method="post" action="https://www.my.gov.cn/guestweb4/s?siteCode=5100000014&amp;uc=1">'
        '<input name="searchWord" type="text"><input name="uc" type="hidden" value="1"></form>'
    )
    found = find_search(page(form))
    assert found is not None and found.method == "POST"
    assert query_of(found.url_for("x")) == [
        ("siteCode", "5100000014"),
        ("uc", "1"),
        ("searchWord", "x"),
    ]
    assert found.params("x") == [("uc", "1"), ("searchWord", "x")]


def test_gbk_site_encodes_the_query_in_gbk() -> None:
    found = find_search(
        page('<form action="/s"><input name="q"></form>', head='<meta charset="gb2312">')
    )
    assert found is not None and found.charset == "gb2312"
    assert found.url_for("政府").endswith("q=%D5%FE%B8%AE")
    form = '<form action="/s" accept-charset="utf-8"><input name="q"></form>'
    found = find_search(
        page(form, head='<meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    )
    assert found is not None and found.charset == "utf-8"


def test_login_and_message_forms_are_not_search() -> None:
    login = '<form action="/login"><input name="q"><input type="password" name="p"></form>'
    message = '<form action="/liuyan/submit"><input name="name" placeholder="请输入姓名"></form>'
    assert find_search(page(login + message)) is None


def test_search_link_with_query_parameter_is_usable() -> None:
    link = (
        '<a href="/sxsearch/search.html?tenantId=10&amp;searchWord=%E8%90%A5%E5%95%86">营商环境</a>'
    )
    found = find_search(page(link))
    assert found is not None and found.kind is SearchKind.LINK
    assert found.action == "http://www.my.gov.cn/sxsearch/search.html"
    assert found.query_field == "searchWord" and found.hidden == (("tenantId", "10"),)
    assert query_of(found.url_for("x")) == [("tenantId", "10"), ("searchWord", "x")]


def test_plain_search_link_must_be_fetched_for_its_form() -> None:
    found = find_search(page('<a href="/search/index.html">站内搜索</a>'))
    assert found is not None and found.kind is SearchKind.LINK
    assert found.action == "http://www.my.gov.cn/search/index.html"
    assert not found.usable
    with pytest.raises(ValueError):
        found.url_for("x")


def test_search_of_another_portal_is_not_the_site_search() -> None:
    link = '<a href="https://opendata.other.gov.cn/search/list?keyWords=">数据开放</a>'
    assert find_search(page(link)) is None


def test_search_host_of_the_same_site_counts() -> None:
    link = '<a href="http://so.my.gov.cn/s?q=%E6%94%BF%E5%BA%9C">政府</a>'
    found = find_search(page(link))
    assert found is not None and found.action == "http://so.my.gov.cn/s"


def test_script_box_with_literal_target_url() -> None:
    body = (
        '<input class="search_text" name="contentKey" id="contentKey" value="搜索政务网">'
        '<input type="submit" onclick="headerSearch()"><script>function headerSearch() {'
        'location.href = "https://www.my.gov.cn/search/advance_result.shtml?siteID=136&query=" '
        "+ $('#contentKey').val();}</script>"
    )
    found = find_search(page(body))
    assert found is not None and found.kind is SearchKind.SCRIPT and found.usable
    assert (
        found.url_for("x") == "https://www.my.gov.cn/search/advance_result.shtml?siteID=136&query=x"
    )


def test_script_box_without_url_is_a_box_but_not_usable() -> None:
    body = (
        '<form id="myForm" onsubmit="return false;">'
        '<input type="text" name="keywords" placeholder="请输入关键词"></form>'
    )
    found = find_search(page(body))
    assert found == SearchForm(kind=SearchKind.SCRIPT, action=None, query_field="keywords")
    assert not found.usable
    loose = find_search(page('<input type="text" id="searchp" placeholder="请输入关键字">'))
    assert loose is not None and loose.kind is SearchKind.SCRIPT and loose.query_field is None


def test_form_wins_over_link_and_script() -> None:
    body = (
        '<a href="/search/index.html">搜索</a><input id="kw2" placeholder="搜索">'
        '<form action="/jsearch/s"><input name="q"></form>'
    )
    found = find_search(page(body))
    assert found is not None and found.kind is SearchKind.FORM


def test_no_search_at_all() -> None:
    assert find_search(page("<p>正文</p><a href='/about'>关于我们</a>")) is None
