"""List pages, navigation, homepage facts and the column aggregator."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.analysis.columns import (
    HomeFacts,
    ListEntry,
    Listing,
    NameCandidates,
    NavLink,
    analyse_listing,
    build_columns,
    fold_key,
    homepage_facts,
    navigation,
    unknown_columns,
)
from crawler.analysis.page import ParsedPage
from govmon.records import ColumnClass, UnknownReason

AS_OF = date(2026, 11, 25)
SITE = "http://127.0.0.1:8080"


def page(
    body: str,
    *,
    url: str = f"{SITE}/tzgg/index.html",
    head: str = "",
    title: str = "通知公告_某区人民政府",
) -> ParsedPage:
    return ParsedPage.parse(
        url, f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def lis(
    dates: list[str],
    *,
    fmt: str = '<li><a href="./{i}.html">标题第{i}条信息</a><span>{d}</span></li>',
) -> str:
    return "".join(fmt.format(i=i, d=d) for i, d in enumerate(dates))


# --------------------------------------------------------------------------
# List layouts
# --------------------------------------------------------------------------

DATES = ["2026-11-20", "2026-11-02", "2026-10-15"]

LAYOUTS = [
    ("ul-span", f'<ul class="list">{lis(DATES)}</ul>'),
    ("ul-bracketed-md", "<ul>" + lis(["[11-20]", "[11-02]", "[10-15]"]) + "</ul>"),
    (
        "ul-date-inside-link",
        "<ul>"
        + lis(
            DATES, fmt='<li><a href="./{i}.html"><span>标题第{i}条信息</span><em>{d}</em></a></li>'
        )
        + "</ul>",
    ),
    (
        "ul-chinese-date-text",
        "<ul>"
        + lis(
            ["2026年11月20日", "2026年11月2日", "2026年10月15日"],
            fmt='<li><a href="./{i}.html">标题第{i}条信息</a> {d}</li>',
        )
        + "</ul>",
    ),
    (
        "table",
        "<table><tr><th>名称</th><th>发布日期</th></tr>"
        + lis(DATES, fmt='<tr><td><a href="./{i}.html">标题第{i}条信息</a></td><td>{d}</td></tr>')
        + "</table>",
    ),
    (
        "div-list",
        '<div class="news">'
        + lis(
            DATES,
            fmt='<div class="item"><a href="./{i}.html">标题第{i}条信息</a><span class="date">{d}</span></div>',
        )
        + "</div>",
    ),
    (
        "div-title-date-blocks",
        '<div class="news">'
        + lis(
            DATES,
            fmt='<div class="row"><div class="t"><a href="./{i}.html">标题第{i}条信息</a></div><div class="d">{d}</div></div>',
        )
        + "</div>",
    ),
    (
        "split-uls",
        '<div class="box">'
        + "<ul>"
        + lis(DATES[:2])
        + "</ul><ul>"
        + lis(DATES[2:])
        + "</ul></div>",
    ),
    (
        "div-of-dated-links",
        '<div class="list">'
        + lis(DATES, fmt='<a href="./{i}.html"><span>标题第{i}条信息</span><span>{d}</span></a>')
        + "</div>",
    ),
    (
        "p-lines",
        '<div class="con">'
        + lis(DATES, fmt='<p><a href="./{i}.html">标题第{i}条信息</a> {d}</p>')
        + "</div>",
    ),
    (
        "dl-dd",
        "<dl>"
        + lis(DATES, fmt='<dd><a href="./{i}.html">标题第{i}条信息</a><i>{d}</i></dd>')
        + "</dl>",
    ),
    (
        "split-day-and-year-month",
        "<ul>"
        + "".join(
            f'<li><div class="d"><b>{day}</b><span>{ym}</span></div><a href="./{i}.html">标题第{i}条信息</a></li>'
            for i, (day, ym) in enumerate([("20", "2026-11"), ("02", "2026-11"), ("15", "2026-10")])
        )
        + "</ul>",
    ),
    (
        "slash-dot-dates",
        "<ul>" + lis(["2026/11/20", "2026.11.02", "15/10"]) + "</ul>",
    ),
]


@pytest.mark.parametrize("body", [b for _, b in LAYOUTS], ids=[i for i, _ in LAYOUTS])
def test_list_layouts(body: str) -> None:
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.is_list
    assert not listing.is_article
    assert listing.newest == date(2026, 11, 20)
    assert [e.date for e in listing.entries] == [
        date(2026, 11, 20),
        date(2026, 11, 2),
        date(2026, 10, 15),
    ]
    assert listing.entries[0].title == "标题第0条信息"
    assert listing.entries[0].url == f"{SITE}/tzgg/0.html"
    assert not listing.blank


def test_main_list_wins_over_sidebar_and_menu() -> None:
    body = (
        '<ul class="nav"><li><a href="/a/">政务公开</a></li><li><a href="/b/">互动交流</a></li></ul>'
        '<div class="side"><ul>' + lis(["2026-11-24"]) + "</ul></div>"
        '<div class="main"><h2>通知公告</h2><ul>'
        + lis(["2026-06-01", "2026-05-01", "2026-04-01", "2026-03-01"])
        + "</ul></div>"
    )
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.newest == date(2026, 6, 1)
    assert len(listing.entries) == 4
    assert listing.page_dates[0] == date(2026, 11, 24)  # every dated item, for the homepage rule
    assert listing.names.heading == "通知公告"


def test_title_dates_are_not_publication_dates() -> None:
    body = (
        "<ul>"
        + lis(
            ["2026-06-01"] * 3,
            fmt='<li><a href="./{i}.html">关于2026年11月20日停水的通知{i}</a><span>{d}</span></li>',
        )
        + "</ul>"
    )
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.newest == date(2026, 6, 1)


def test_future_and_weekday_lines_are_ignored() -> None:
    body = (
        "<div class=top><ul><li>今天是2026年11月25日 星期三</li></ul></div>"
        "<ul>" + lis(["2026-12-01", "2026-03-01", "2026-02-01"]) + "</ul>"
    )
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.newest == date(2026, 3, 1)
    assert date(2026, 11, 25) not in listing.page_dates


def test_entry_without_link_and_script_links() -> None:
    body = (
        '<ul><li><p onclick="xq(1)">没有链接的第一条信息标题</p><span>2026-11-20</span></li>'
        '<li><a href="javascript:void(0)">脚本链接的信息标题</a><span>2026-11-19</span></li>'
        '<li><a href="./c.html">普通信息标题</a><span>2026-11-18</span></li></ul>'
    )
    entries = analyse_listing(page(body), as_of=AS_OF).entries
    assert [e.url for e in entries] == [None, None, f"{SITE}/tzgg/c.html"]
    assert entries[0].title == "没有链接的第一条信息标题"


def test_undated_entries_count_but_do_not_date() -> None:
    body = "<ul>" + lis(["2026-11-20", "", "2026-11-01", "2026-10-01"]) + "</ul>"
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert len(listing.entries) == 4
    assert listing.dated_entries == 3


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------

PAGERS = [
    (
        "next-link",
        '<div class="page"><a href="index_1.html">下一页</a><a href="index_9.html">尾页</a></div>',
        None,
        None,
    ),
    ("page-param", '<div><a href="?page=2">2</a><a href="?page=3">3</a></div>', None, None),
    (
        "totals",
        '<div class="page">共 125 条 共13页 <a href="index_1.html">下一页</a></div>',
        125,
        13,
    ),
    ("trs-script", '<script>createPageHTML(13, 0, "index", "html");</script>', None, 13),
    ("position", "<div>第1/7页</div>", None, 7),
    ("script-pager", '<div><a href="javascript:goPage(2)">下一页</a></div>', None, None),
]


@pytest.mark.parametrize(
    ("pager", "total", "pages"), [p[1:] for p in PAGERS], ids=[p[0] for p in PAGERS]
)
def test_pagination(pager: str, total: int | None, pages: int | None) -> None:
    listing = analyse_listing(page("<ul>" + lis(["2026-11-20"]) + "</ul>" + pager), as_of=AS_OF)
    assert listing.has_pagination
    assert listing.is_list  # one dated entry is enough with a pager
    assert listing.total_entries == total
    assert listing.total_pages == pages


def test_trs_script_pager_gives_the_next_page() -> None:
    body = (
        "<ul>"
        + lis(["2026-11-20"])
        + '</ul><script>createPageHTML(13, 0, "index", "shtml");</script>'
    )
    assert f"{SITE}/tzgg/index_1.shtml" in analyse_listing(page(body), as_of=AS_OF).pagination


def test_one_dated_entry_without_pager_or_name_is_not_a_list() -> None:
    listing = analyse_listing(page("<ul>" + lis(["2026-11-20"]) + "</ul>", title="x"), as_of=AS_OF)
    assert not listing.is_list


# --------------------------------------------------------------------------
# Blank columns
# --------------------------------------------------------------------------

BLANKS = [
    ("marker-zanwu-xinxi", '<div class="list">暂无信息</div>'),
    ("marker-zanwu-shuju", '<ul class="list"><li>暂无数据</li></ul>'),
    ("marker-zanwu-neirong", "<p>暂无内容</p>"),
    ("marker-building", "<div>栏目正在建设中</div>"),
    ("empty-container", '<ul class="news-list"></ul>'),
]


@pytest.mark.parametrize("body", [b for _, b in BLANKS], ids=[i for i, _ in BLANKS])
def test_blank_forms(body: str) -> None:
    head = '<meta name="ColumnName" content="通知公告">'
    listing = analyse_listing(page(body, head=head), as_of=AS_OF)
    assert listing.is_list
    assert listing.blank
    assert not listing.entries
    assert not listing.scripted


def test_marker_beside_entries_is_not_blank() -> None:
    body = '<div class="side">暂无数据</div><ul>' + lis(DATES) + "</ul>"
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert not listing.blank
    assert listing.blank_marker is None


def test_marker_inside_a_script_is_not_blank() -> None:
    body = '<ul class="list"></ul><script>$.ajax({url:"/api/list",success:function(d){if(!d.length){$("#l").html("暂无数据")}}})</script>'
    listing = analyse_listing(
        page(body, head='<meta name="ColumnName" content="通知公告">'), as_of=AS_OF
    )
    assert listing.is_list
    assert listing.scripted
    assert not listing.blank
    assert (
        unknown_columns({listing.url: listing}, home_url=f"{SITE}/")[0].reason
        is UnknownReason.SCRIPT
    )


def test_empty_container_without_name_or_pager_is_not_a_column() -> None:
    assert not analyse_listing(page('<ul class="list"></ul>', title="x"), as_of=AS_OF).is_list


# --------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------


def test_article_by_meta() -> None:
    head = '<meta name="ArticleTitle" content="某某通知"><meta name="PubDate" content="2026年11月02日">'
    body = "<h1>某某通知</h1><p>正文</p><ul>" + lis(DATES) + "</ul>"
    listing = analyse_listing(page(body, head=head), as_of=AS_OF)
    assert listing.is_article
    assert not listing.is_list
    assert listing.published == date(2026, 11, 2)


def test_article_by_labels_and_long_body() -> None:
    prose = "<p>" + "这是正文的内容，" * 60 + "</p>"
    body = (
        "<div>发布时间：2026-11-02 09:30 来源：区政府办</div>"
        + prose
        + "<h3>相关文章</h3><ul>"
        + lis(DATES)
        + "</ul>"
    )
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.is_article
    assert not listing.is_list
    assert listing.published == date(2026, 11, 2)


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------


def test_name_candidates() -> None:
    head = '<meta name="ColumnName" content="通知公告栏">'
    body = (
        '<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="./">通知公告</a></div>'
        '<div class="main"><div class="title">公告公示</div><ul>' + lis(DATES) + "</ul></div>"
    )
    names = analyse_listing(
        page(body, head=head, title="某区人民政府-通知 公告"), as_of=AS_OF
    ).names
    assert names == NameCandidates(
        column_name="通知公告栏", breadcrumb="通知公告", heading="公告公示", title="通知公告"
    )


BREADCRUMBS = [
    ("gt-text", "<div>您现在的位置：首页 > 政务公开 > 工作动态</div>", "工作动态"),
    ("raquo", "<p>当前位置: <a>首页</a> » <a>工作动态</a></p>", "工作动态"),
    (
        "arrow",
        '<div class="crumb"><a>首页</a>-&gt;<a>政府文件</a>-&gt;<a>近期信息公开</a></div>',
        "近期信息公开",
    ),
    (
        "css-separators",
        '<ol class="breadcrumb"><li><a>首页</a></li><li><a>通知公告</a></li><li>正文</li></ol>',
        "通知公告",
    ),
    ("marker-span", "<div><span>当前位置：</span><a>首页</a> / <a>人事信息</a></div>", "人事信息"),
]


@pytest.mark.parametrize(
    ("crumb", "expected"), [b[1:] for b in BREADCRUMBS], ids=[b[0] for b in BREADCRUMBS]
)
def test_breadcrumbs(crumb: str, expected: str) -> None:
    listing = analyse_listing(page(crumb + "<ul>" + lis(DATES) + "</ul>"), as_of=AS_OF)
    assert listing.names.breadcrumb == expected


def test_title_skips_the_site_name() -> None:
    head = '<meta name="SiteName" content="邯郸市人民政府">'
    listing = analyse_listing(
        page("<ul>" + lis(DATES) + "</ul>", head=head, title="邯郸市人民政府-政府信息公开指南"),
        as_of=AS_OF,
    )
    assert listing.names.title == "政府信息公开指南"


# --------------------------------------------------------------------------
# Navigation and homepage
# --------------------------------------------------------------------------

HOME = f"{SITE}/"
NAV_HTML = (
    '<div class="header"><ul id="nav">'
    '<li><a href="/">首页</a></li>'
    '<li><a href="/zwgk/">政务公开</a><ul class="sub"><li><a href="/zwgk/tzgg/">通知公告</a></li></ul></li>'
    '<li><a href="/gzdt/">工作动态</a></li>'
    '<li><a href="/hdjl/">互动交流</a></li>'
    '<li><a href="/bsfw/">办事服务</a></li>'
    "</ul></div>"
)


def test_navigation_first_level_only() -> None:
    nav = navigation(
        page(NAV_HTML + '<div class="footer-nav"><a href="/about/">关于我们</a></div>', url=HOME)
    )
    assert nav == [
        NavLink(text="政务公开", url=f"{SITE}/zwgk/"),
        NavLink(text="工作动态", url=f"{SITE}/gzdt/"),
        NavLink(text="互动交流", url=f"{SITE}/hdjl/"),
        NavLink(text="办事服务", url=f"{SITE}/bsfw/"),
    ]


def test_navigation_link_bar_fallback() -> None:
    bar = '<div class="top"><a href="/a/">机构概况</a><a href="/b/">政务公开</a><a href="/c/">政务服务</a><a href="/d/">互动交流</a></div>'
    nav = navigation(page(bar, url=HOME))
    assert [n.text for n in nav] == ["机构概况", "政务公开", "政务服务", "互动交流"]


def test_homepage_facts() -> None:
    body = (
        NAV_HTML
        + "<ul>"
        + lis(["2026-11-20", "2026-11-24"])
        + "</ul><div class=x><a href='/n/1.html'>新闻标题一</a> <span>11-23</span></div>"
    )
    facts = homepage_facts(page(body, url=HOME), as_of=AS_OF)
    assert facts == HomeFacts(
        url=HOME, newest=date(2026, 11, 24), dated_items=3, navigation_only=False, links=facts.links
    )
    assert facts.links >= 7


def test_navigation_only_homepage() -> None:
    facts = homepage_facts(
        page(NAV_HTML + "<div><a href='/x/'>专题</a></div>", url=HOME), as_of=AS_OF
    )
    assert facts.navigation_only
    assert facts.newest is None
    assert facts.dated_items == 0


# --------------------------------------------------------------------------
# The aggregator
# --------------------------------------------------------------------------


def listing(url: str, dates: list[date | None], **kw: object) -> Listing:
    entries = tuple(ListEntry(title=f"t{i}", url=f"{url}#{i}", date=d) for i, d in enumerate(dates))
    dated = [d for d in dates if d]
    return Listing(
        url=url,
        is_list=kw.pop("is_list", True),  # type: ignore[arg-type]
        entries=entries,
        newest=max(dated) if dated else None,
        page_dates=tuple(sorted(dated, reverse=True)),
        **kw,  # type: ignore[arg-type]
    )


def test_fold_key() -> None:
    assert fold_key(f"{SITE}/tzgg/index_3.html") == ("127.0.0.1:8080/tzgg/", 3)
    assert fold_key(f"{SITE}/tzgg/index.html") == ("127.0.0.1:8080/tzgg/", 0)
    assert fold_key(f"{SITE}/tzgg/") == ("127.0.0.1:8080/tzgg/", 0)
    assert fold_key(f"{SITE}/tzgg/list_2.shtml") == ("127.0.0.1:8080/tzgg/list.shtml", 2)
    assert fold_key(f"{SITE}/col.jsp?id=7&page=4") == ("127.0.0.1:8080/col.jsp?id=7", 4)
    assert fold_key(f"{SITE}/art/t20200805_1353179.html")[1] == 0  # an article id is not a page


def test_build_columns_folds_pages_and_names_and_levels() -> None:
    d = date
    listings = {
        HOME: listing(HOME, [d(2026, 11, 24), d(2026, 11, 20)]),
        f"{SITE}/gzdt/": listing(
            f"{SITE}/gzdt/",
            [d(2026, 11, 1), d(2026, 10, 1)],
            names=NameCandidates(column_name="动态栏目", breadcrumb="部门动态"),
            total_entries=40,
            pagination=(f"{SITE}/gzdt/index_1.html",),
        ),
        f"{SITE}/gzdt/index_1.html": listing(
            f"{SITE}/gzdt/index_1.html", [d(2026, 9, 1), d(2026, 8, 1), d(2026, 7, 1)]
        ),
        f"{SITE}/gzdt/index_2.html": listing(f"{SITE}/gzdt/index_2.html", [d(2026, 6, 1)]),
        f"{SITE}/zwgk/tzgg/": listing(
            f"{SITE}/zwgk/tzgg/",
            [d(2025, 1, 1)],
            names=NameCandidates(breadcrumb="通知公告", heading="公告", title="x"),
        ),
        f"{SITE}/zwgk/rsxx/": listing(
            f"{SITE}/zwgk/rsxx/",
            [],
            blank=True,
            names=NameCandidates(heading="人事信息", title="某区政府"),
        ),
        f"{SITE}/zwgk/js/": listing(
            f"{SITE}/zwgk/js/", [], scripted=True, names=NameCandidates(title="政策文件")
        ),
        f"{SITE}/art/1.html": listing(
            f"{SITE}/art/1.html", [d(2026, 11, 23)], is_list=False, is_article=True
        ),
        f"{SITE}/zwgk/": listing(f"{SITE}/zwgk/", [], is_list=False),
    }
    nav = [
        NavLink(text="工作动态", url=f"{SITE}/gzdt/index.html"),
        NavLink(text="政务公开", url=f"{SITE}/zwgk/"),
    ]
    parents = {
        f"{SITE}/gzdt/": HOME,
        f"{SITE}/gzdt/index_1.html": f"{SITE}/gzdt/",
        f"{SITE}/gzdt/index_2.html": f"{SITE}/gzdt/index_1.html",
        f"{SITE}/zwgk/": HOME,
        f"{SITE}/zwgk/tzgg/": f"{SITE}/zwgk/",
        f"{SITE}/zwgk/rsxx/": f"{SITE}/zwgk/tzgg/",
        f"{SITE}/art/1.html": f"{SITE}/gzdt/",
    }
    home, columns = build_columns(listings, home_url=HOME, nav=nav, parents=parents, as_of=AS_OF)
    assert home.newest == date(2026, 11, 24)
    assert home.dated_items == 2
    assert not home.navigation_only
    by_url = {c.url: c for c in columns}
    assert set(by_url) == {f"{SITE}/gzdt/", f"{SITE}/zwgk/tzgg/", f"{SITE}/zwgk/rsxx/"}

    gzdt = by_url[f"{SITE}/gzdt/"]
    assert gzdt.name == "工作动态"  # navigation text first
    assert gzdt.column_class is ColumnClass.NEWS
    assert gzdt.level == 1
    assert gzdt.parent is None
    assert gzdt.entries == 2  # the first list page only
    assert gzdt.list_pages == 3
    assert gzdt.newest == date(2026, 11, 1)
    assert gzdt.dates == (
        d(2026, 11, 1),
        d(2026, 10, 1),
        d(2026, 9, 1),
        d(2026, 8, 1),
        d(2026, 7, 1),
        d(2026, 6, 1),
    )
    assert gzdt.total_entries == 40
    assert not gzdt.blank

    tzgg = by_url[f"{SITE}/zwgk/tzgg/"]
    assert tzgg.name == "通知公告"  # breadcrumb before heading and title
    assert tzgg.column_class is ColumnClass.NOTICE
    assert tzgg.level == 2
    assert tzgg.parent == f"{SITE}/zwgk/"
    assert tzgg.newest == date(2025, 1, 1)

    rsxx = by_url[f"{SITE}/zwgk/rsxx/"]
    assert rsxx.blank
    assert rsxx.entries == 0
    assert rsxx.newest is None
    assert rsxx.name == "人事信息"
    assert rsxx.column_class is ColumnClass.PERSONNEL
    assert rsxx.parent == f"{SITE}/zwgk/tzgg/"  # the nearest column above it


def test_column_name_meta_precedes_breadcrumb_and_class_falls_back() -> None:
    url = f"{SITE}/c/"
    listings = {
        url: listing(
            url,
            [date(2026, 1, 1)],
            names=NameCandidates(column_name="专栏一", breadcrumb="政策文件"),
        )
    }
    _, (col,) = build_columns(listings, home_url=HOME, nav=[], parents={url: HOME}, as_of=AS_OF)
    assert col.name == "专栏一"
    assert col.column_class is ColumnClass.POLICY  # the name says nothing; the breadcrumb does
    assert col.level == 1  # linked from the homepage


def test_numbered_pages_without_their_first_page_still_fold() -> None:
    a, b = f"{SITE}/x/index_1.html", f"{SITE}/x/index_2.html"
    listings = {a: listing(a, [date(2026, 5, 1)]), b: listing(b, [date(2026, 4, 1)])}
    _, cols = build_columns(listings, home_url=HOME, nav=[], parents={}, as_of=AS_OF)
    assert len(cols) == 1
    assert cols[0].url == a
    assert cols[0].list_pages == 2
    assert cols[0].name == "x"  # the URL when nothing names it


def test_navigation_only_homepage_uses_second_level_pages() -> None:
    listings = {
        HOME: listing(HOME, [], is_list=False),
        f"{SITE}/a/": listing(f"{SITE}/a/", [date(2026, 11, 10)]),
        f"{SITE}/b.html": listing(
            f"{SITE}/b.html", [], is_list=False, is_article=True, published=date(2026, 11, 12)
        ),
        f"{SITE}/a/deep/": listing(f"{SITE}/a/deep/", [date(2026, 11, 24)]),
    }
    parents = {f"{SITE}/a/": HOME, f"{SITE}/b.html": HOME, f"{SITE}/a/deep/": f"{SITE}/a/"}
    home, _ = build_columns(
        listings, home_url=f"{SITE}/index.html", nav=[], parents=parents, as_of=AS_OF
    )
    assert home.navigation_only
    assert home.newest is None
    assert home.second_level_newest == date(2026, 11, 12)
    assert home.second_level_pages == 2


def test_homepage_not_crawled_claims_nothing() -> None:
    home, cols = build_columns({}, home_url=HOME, nav=[], parents={}, as_of=AS_OF)
    assert home.newest is None
    assert not home.navigation_only
    assert cols == []


# --------------------------------------------------------------------------
# Corpus pages (GROUND_TRUTH.md)
# --------------------------------------------------------------------------

RENMIN = "kevin3691__renmin/src__main__webapp__WEB-INF__views__affairs__"


def corpus_page(
    corpus_dir: Path, name: str, url: str = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"
) -> ParsedPage:
    return ParsedPage.parse(url, (corpus_dir / name).read_text(encoding="utf-8"))


def test_corpus_index_newest(corpus_dir: Path) -> None:
    p = corpus_page(corpus_dir, RENMIN + "index.jsp", "http://hdzfxxgk.hd.gov.cn/")
    listing = analyse_listing(p, as_of=AS_OF)
    assert listing.page_dates[0] == date(2020, 8, 2)  # YYYY-MM-DD in a <span>
    assert homepage_facts(p, as_of=AS_OF).newest == date(2020, 8, 2)
    assert listing.names.heading == "近期信息公开"


def test_corpus_list_page(corpus_dir: Path) -> None:
    listing = analyse_listing(corpus_page(corpus_dir, RENMIN + "list.jsp"), as_of=AS_OF)
    assert listing.is_list
    assert listing.newest == date(
        2020, 8, 5
    )  # a table cell; the JSP comment's 2020/8/10 is not an entry
    assert len(listing.entries) == 1
    assert (
        listing.entries[0].url
        == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html"
    )
    assert listing.has_pagination
    assert listing.total_entries == 6348
    assert listing.total_pages == 56
    assert listing.names.heading == "近期信息公开"


def test_corpus_guide_and_article_are_not_lists(corpus_dir: Path) -> None:
    for name in ("details.jsp", "gkzn.jsp"):
        assert not analyse_listing(corpus_page(corpus_dir, RENMIN + name), as_of=AS_OF).is_list, (
            name
        )
    details = analyse_listing(corpus_page(corpus_dir, RENMIN + "details.jsp"), as_of=AS_OF)
    assert details.is_article
    assert details.published == date(2020, 8, 2)


def test_corpus_articles_are_not_lists(corpus_dir: Path) -> None:
    paths = sorted(corpus_dir.glob("*/index.html"))
    assert len(paths) >= 10
    for path in paths:
        listing = analyse_listing(
            ParsedPage.parse("http://example.invalid/a.html", path.read_text(encoding="utf-8")),
            as_of=AS_OF,
        )
        assert not listing.is_list, path.parent.name


def test_corpus_article_publication_dates(corpus_dir: Path) -> None:
    expected = {
        "mhxqwer__nzwjw.beijing.gov.cn": date(2023, 11, 30),
        "mhxqwer__xhyshanghai.gov.cn": date(2023, 8, 19),
        "mhxqwer__zgy2jyt.ah.gov.cn": date(2023, 11, 6),
        "mhxqwer__wxhshaanxi.gov.cn": date(2013, 12, 23),
        "yuntaozhu__www.ccgp.gov.cn": date(2021, 6, 10),
    }
    for site, published in expected.items():
        p = ParsedPage.parse(
            "http://example.invalid/a.html",
            (corpus_dir / site / "index.html").read_text(encoding="utf-8"),
        )
        assert analyse_listing(p, as_of=AS_OF).published == published, site


def test_corpus_breadcrumbs(corpus_dir: Path) -> None:
    expected = {
        "mhxqwer__gqcwlmq.gov.cn": "通知公告",
        "mhxqwer__xhyshanghai.gov.cn": "上海要闻",
        "yuntaozhu__www.ccgp.gov.cn": "成交公告",
    }
    for site, crumb in expected.items():
        p = ParsedPage.parse(
            "http://example.invalid/a.html",
            (corpus_dir / site / "index.html").read_text(encoding="utf-8"),
        )
        assert analyse_listing(p, as_of=AS_OF).names.breadcrumb == crumb, site


def test_same_page_under_two_urls_counts_once() -> None:
    a, b = f"{SITE}/tzgg/", f"{SITE}/tzgg/index.html"
    listings = {b: listing(b, [date(2026, 5, 1)]), a: listing(a, [date(2026, 5, 1)])}
    _, (col,) = build_columns(listings, home_url=HOME, nav=[], parents={}, as_of=AS_OF)
    assert col.url == a
    assert col.list_pages == 1
    assert col.dates == (date(2026, 5, 1),)


def test_hanweb_datastore_records() -> None:
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/{i}.html" title="标题{i}">标题第{i}条</a><span>{d}</span></li>]]></record>'
        for i, d in enumerate(DATES)
    )
    body = (
        '<div id="4461"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="x"></a>]]></nextgroup>'
        f"<recordset>{records}</recordset><totalrecord>57</totalrecord></datastore></script>"
        "<script>$.ajax({url:'/module/web/jpage/dataproxy.jsp'})</script></div>"
    )
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.is_list
    assert not listing.scripted
    assert listing.newest == date(2026, 11, 20)
    assert [e.url for e in listing.entries][:1] == [f"{SITE}/art/0.html"]
    assert len(listing.entries) == 3
    assert listing.total_entries == 57
    assert listing.has_pagination


def test_single_page_column_with_sidebar_news_is_not_a_list() -> None:
    head = '<meta name="ColumnName" content="机构职能">'
    body = (
        '<div class="side"><h3>最新动态</h3><ul>'
        + lis([*DATES, "2026-09-01", "2026-08-01"])
        + "</ul></div>"
        '<div class="content">'
        + "<p>"
        + "负责全区教育事业的统筹规划和管理工作，" * 30
        + "</p></div>"
        '<div class="list_line"></div><ul class="list"></ul>'
    )
    listing = analyse_listing(page(body, head=head), as_of=AS_OF)
    assert not listing.is_list
    assert not listing.is_article
    assert not listing.blank


def test_list_with_an_introduction_stays_a_list() -> None:
    body = "<p>本栏目发布本单位的通知公告。</p><ul>" + lis(DATES * 4) + "</ul>"
    assert analyse_listing(page(body), as_of=AS_OF).is_list


def test_channel_front_page_of_several_lists_is_not_a_column() -> None:
    block = '<div class="box"><h3>{name}</h3><ul>{items}</ul><a href="/{name}/">更多</a></div>'
    body = "".join(
        block.format(name=n, items=lis(["2026-11-20", "2026-11-02", "2026-10-15", "2026-10-01"]))
        for n in ("a", "b", "c")
    )
    assert not analyse_listing(page(body), as_of=AS_OF).is_list
    sidebars = block.format(name="hot", items=lis(["2026-11-20", "2026-11-02"])) * 2
    column = sidebars + "<ul>" + lis(DATES * 5) + "</ul>"
    assert analyse_listing(page(column), as_of=AS_OF).is_list


def test_names_lose_the_spaces_of_menus() -> None:
    bar = '<ul class="nav"><li><a href="/a/">要 闻</a></li><li><a href="/b/">政府信息\n公开指南</a></li><li><a href="/c/">English Site</a></li></ul>'
    assert [n.text for n in navigation(page(bar, url=HOME))] == [
        "要闻",
        "政府信息公开指南",
        "English Site",
    ]


def test_gbk_page_with_a_wrong_header_end_to_end() -> None:
    from crawler.analysis.encoding import decode_html

    html = (
        '<html><head><meta charset="gb2312"><meta name="ColumnName" content="人事信息"></head><body><ul>'
        + lis(DATES, fmt='<li><a href="./{i}.html">王堃同志任职公示{i}</a><span>{d}</span></li>')
        + "</ul></body></html>"
    )
    text, codec = decode_html(html.encode("gbk"), "utf-8")
    listing = analyse_listing(ParsedPage.parse(f"{SITE}/rsxx/", text), as_of=AS_OF)
    assert codec == "gb18030"
    assert listing.entries[0].title == "王堃同志任职公示0"
    assert listing.names.column_name == "人事信息"


# --------------------------------------------------------------------------
# Channel front pages (hubs), undated lists, one-line content pages
# --------------------------------------------------------------------------

CRUMB = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/bsfw/">办事服务</a></div>'
HUB_BLOCK = (
    '<div class="sub-block"><div class="hd"><h3>{name}</h3>'
    '<a class="more" href="/bsfw/{slug}/">更多&gt;&gt;</a></div><ul class="list">{items}</ul></div>'
)


def test_channel_front_page_with_a_name_is_a_hub_of_its_blocks() -> None:
    body = CRUMB + "".join(
        HUB_BLOCK.format(name=n, slug=s, items=lis(ds))
        for n, s, ds in (
            ("办事指南", "bszn", ["2026-10-26", "2026-10-06", "2026-09-16"]),
            ("办事统计", "bstj", ["2026-11-05", "2026-10-06"]),
            ("领导信息", "ldxx", ["", ""]),
        )
    )
    listing = analyse_listing(page(body, url=f"{SITE}/bsfw/"), as_of=AS_OF)
    assert listing.is_list and listing.hub
    assert len(listing.entries) == 7  # every block's entries, dated or not
    assert listing.newest == date(2026, 11, 5)  # the newest of its sub-columns
    assert not listing.blank


def test_list_page_with_more_linked_sidebars_is_no_hub() -> None:
    sidebars = "".join(
        HUB_BLOCK.format(name=n, slug=s, items=lis(["2026-11-20", "2026-11-02"]))
        for n, s in (("热点", "rd"), ("推荐", "tj"))
    )
    body = CRUMB + sidebars + '<ul class="list">' + lis(DATES * 3) + "</ul>"
    listing = analyse_listing(page(body), as_of=AS_OF)
    assert listing.is_list and not listing.hub
    assert len(listing.entries) == 9


def test_hub_is_a_column_of_class_other() -> None:
    url = f"{SITE}/xwzx/"
    listings = {url: listing(url, [date(2026, 11, 24)], hub=True)}
    nav = [NavLink(text="新闻中心", url=url)]  # a name that reads as news
    _, (col,) = build_columns(listings, home_url=HOME, nav=nav, parents={url: HOME}, as_of=AS_OF)
    assert (col.column_class, col.level, col.newest) == (ColumnClass.OTHER, 1, date(2026, 11, 24))


UNDATED = '<ul class="list">' + lis(["", "", "", ""]) + '</ul><div class="page">共4条</div>'


def test_list_whose_entries_carry_no_date_is_blank() -> None:
    head = '<meta name="ColumnName" content="领导信息">'
    listing = analyse_listing(page(UNDATED, head=head), as_of=AS_OF)
    assert listing.is_list
    assert listing.blank
    assert listing.newest is None
    assert len(listing.entries) == 4
    url = listing.url
    _, (col,) = build_columns(
        {url: listing}, home_url=HOME, nav=[], parents={url: HOME}, as_of=AS_OF
    )
    assert (col.blank, col.newest, col.entries) == (True, None, 4)


@pytest.mark.parametrize(
    "body",
    [
        # digits beside the link: a date in a form not understood, not "no date"
        '<ul class="list">' + lis(["2026年第3期", "2026年第2期"]) + "</ul>",
        # a link bar, not a list container
        '<div class="links"><ul>' + lis(["", "", ""]) + "</ul></div>",
        # an article's related links under its 发布时间 line
        '<div class="info">发布时间：2026-10-26　来源：县政府办</div><ul class="list">'
        + lis(["", ""])
        + "</ul>",
    ],
    ids=["unread-digits", "not-a-list-container", "article"],
)
def test_undated_lists_not_claimed_blank(body: str) -> None:
    head = '<meta name="ColumnName" content="领导信息">'
    listing = analyse_listing(page(body, head=head), as_of=AS_OF)
    assert not listing.blank


@pytest.mark.parametrize(
    "body",
    [
        '<div class="article"><h1>城乡居民最低生活保障申请办事指南</h1>'
        '<div class="info">发布时间：2026-10-26 14:26　来源：县政府办　'
        '<a href="javascript:window.print()">打印本页</a></div>'
        '<table class="bszn"><tr><th>事项名称</th><td>城乡低保申请</td></tr></table></div>',
        '<div class="message"><h1>咨询公租房申请条件的答复</h1><table class="msg-table">'
        "<tr><th>答复单位</th><td>县住房和城乡建设局</td></tr>"
        "<tr><th>答复时间</th><td>2026-10-20 16:30</td></tr></table></div>",
    ],
    ids=["guide-article", "reply-page"],
)
def test_one_dated_line_of_a_content_page_is_no_list(body: str) -> None:
    head = '<meta name="ColumnName" content="办事指南">'
    crumb = '<div class="position">当前位置：首页 &gt; 办事服务 &gt; 办事指南</div>'
    assert not analyse_listing(page(crumb + body, head=head), as_of=AS_OF).is_list


def test_sub_column_in_a_column_folder_is_level_two_under_it() -> None:
    hub, sub = f"{SITE}/xwzx/", f"{SITE}/xwzx/yw/"
    listings = {
        hub: listing(hub, [date(2026, 11, 24)], hub=True),
        sub: listing(sub, [date(2026, 11, 24)], pagination=(f"{sub}index_1.html",)),
        f"{sub}index_1.html": listing(f"{sub}index_1.html", [date(2026, 11, 1)]),
    }
    parents = {
        hub: HOME,
        sub: HOME,  # the homepage's "more" link
        f"{sub}index_1.html": sub,
        f"{sub}index.html": f"{sub}index_1.html",  # the pager's 首页 link, found later
    }
    nav = [NavLink(text="新闻中心", url=hub)]
    _, cols = build_columns(listings, home_url=HOME, nav=nav, parents=parents, as_of=AS_OF)
    by_url = {c.url: c for c in cols}
    assert (by_url[sub].level, by_url[sub].parent) == (2, hub)
