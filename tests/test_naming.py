"""Site name and domain (NAT-D-DOMAIN), site-level detection and page sampling."""

from __future__ import annotations

import pytest

from crawler.analysis.compliance import page_detection, sample_pages, site_detection
from crawler.analysis.naming import (
    core_name,
    domain_compliant,
    host_of,
    name_in_header,
    name_in_title,
    named_after_region,
    site_name_of,
)
from crawler.analysis.page import ParsedPage
from govmon.records import PageType

HOME = "http://www.my.gov.cn/"


@pytest.mark.parametrize(
    ("url", "exceptions", "ok"),
    [
        ("http://www.my.gov.cn/index.html", (), True),
        ("https://jyt.ah.gov.cn", (), True),
        ("gov.cn", (), True),
        ("www.GOV.CN.", (), True),
        ("http://www.example.com/", (), False),
        ("http://xgov.cn/", (), False),
        ("http://www.gov.cn.example.com/", (), False),
        ("http://10.0.0.1/", (), False),
        ("http://[::1]/", (), False),
        ("http://www.ccgp.com.cn/", ("ccgp.com.cn",), True),
        ("http://news.ccgp.com.cn/", ("ccgp.com.cn",), True),
        ("http://fakeccgp.com.cn/", ("ccgp.com.cn",), False),
        ("http://www.example.org/", ("https://www.example.org/",), True),
    ],
)
def test_domain_compliance(url: str, exceptions: tuple[str, ...], ok: bool) -> None:
    assert domain_compliant(url, exceptions) is ok


def test_host_of() -> None:
    assert host_of("HTTP://WWW.My.Gov.Cn:8080/x") == "www.my.gov.cn"
    assert host_of("www.my.gov.cn") == "www.my.gov.cn"


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("陕西省人民政府门户网站", "陕西省人民政府"),
        ("乌鲁木齐市人民政府网", "乌鲁木齐市人民政府"),
        ("北京市教育委员会 门户网站", "北京市教育委员会"),
        ("安徽省教育厅", "安徽省教育厅"),
        ("中国政府网", "中国政府"),
    ],
)
def test_core_name(name: str, core: str) -> None:
    assert core_name(name) == core


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("绵阳市人民政府", True),
        ("北京市教育委员会门户网站", True),
        ("安徽省教育厅", True),
        ("四川省中医药管理局", True),
        ("涪城区政府门户网站", True),
        ("中国政府采购网", True),
        ("掌上生活", False),
        ("阳光政务在线", False),
        ("中国上海", False),
    ],
)
def test_named_after_region(name: str, expected: bool) -> None:
    assert named_after_region(name) is expected


def test_named_after_configured_region_name() -> None:
    assert named_after_region("中国上海", extra_names=("上海",)) is True


def page(html: str, url: str = HOME) -> ParsedPage:
    return ParsedPage.parse(url, html)


def test_site_name_of_prefers_the_tag_then_the_title() -> None:
    assert (
        site_name_of(page('<head><meta name="sitename" content="绵阳市人民政府"></head>'))
        == "绵阳市人民政府"
    )
    assert site_name_of(page("<title>通知_绵阳市人民政府</title>")) == "绵阳市人民政府"
    assert site_name_of(page("<title>绵阳市人民政府 | 工作动态</title>")) == "工作动态"
    assert site_name_of(page("<title>通知</title>")) is None


def test_name_in_title() -> None:
    p = page("<title>关于某事的通知_陕西省人民政府</title>")
    assert name_in_title(p, "陕西省人民政府门户网站") is True
    assert name_in_title(p, "绵阳市人民政府") is False
    assert name_in_title(p, None) is None
    assert name_in_title(p, "  ") is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<div class='header'><h1>绵阳市人民政府</h1><a>首页</a></div><div>正文</div>", True),
        ("<header><a href='/' title='绵阳市人民政府'>首页</a><span>导航</span></header>", True),
        ("<div id='top'><img src='logo.png' alt='绵阳市人民政府'></div>", True),
        ("<div class='head'><img src='logo.png'><a>首页</a></div>", None),
        ("<div class='head'><a>首页</a><a>新闻</a></div>" + "<p>正文</p>" * 200, False),
        ("<div id='page_top'></div><p>正文</p>", None),
        ("<div class='top'><a>首页</a><script src='logo.js'></script></div>", None),
        ("<div class='article'><p>正文</p></div>" + "<p>正文</p>" * 200, None),
    ],
    ids=[
        "text",
        "link-title",
        "logo-alt",
        "logo-image",
        "text-without-name",
        "empty",
        "scripted",
        "no-header",
    ],
)
def test_name_in_header(body: str, expected: bool | None) -> None:
    p = page(f"<html><head><title>t</title></head><body>{body}</body></html>")
    assert name_in_header(p, "绵阳市人民政府门户网站") is expected


# --------------------------------------------------------------------------
# site detection and sampling
# --------------------------------------------------------------------------

HOME_HTML = """<html><head><title>绵阳市人民政府</title>
<meta name="SiteName" content="绵阳市人民政府"><meta name="SiteIDCode" content="5107000001"></head>
<body><div class="header"><h1>绵阳市人民政府</h1>
<form action="/search/s" method="get"><input name="q">
<input type="hidden" name="siteCode" value="5107000001"></form>
</div><div class="main">要闻</div>
<div class="footer">主办单位：绵阳市人民政府办公室 网站标识码：5107000001</div></body></html>"""


def test_site_detection_facts() -> None:
    home = page(HOME_HTML)
    other = page(
        "<html><body><div class='head'><a>首页</a><a>新闻</a></div><p>x</p></body></html>",
        "http://www.my.gov.cn/a.html",
    )
    dets = [
        page_detection(home, PageType.HOME, site_name=None, expected_site_code="5107000001"),
        page_detection(
            other, PageType.CONTENT, site_name="绵阳市人民政府", expected_site_code=None
        ),
    ]
    site = site_detection(
        home, dets, site_name=None, expected_site_code="5107000001", domain_exceptions=()
    )
    assert site.url == HOME and site.name == "绵阳市人民政府" and site.domain == "www.my.gov.cn"
    assert site.domain_compliant is True and site.named_after_region is True
    assert site.pages_checked == 2 and site.pages_name_in_header == 1
    assert site.pages_without_name == ("http://www.my.gov.cn/a.html",)
    assert site.search_box is True and site.search_url == "http://www.my.gov.cn/search/s"
    assert site.site_code == "5107000001" and site.site_code_matches is True


def test_site_code_mismatch_and_unknowns() -> None:
    home = page(HOME_HTML)
    site = site_detection(
        home, [], site_name="绵阳市政府", expected_site_code="5107000002", domain_exceptions=()
    )
    assert site.site_code_expected == "5107000002" and site.site_code_matches is False
    bare = page("<html><body><p>x</p></body></html>", "http://www.example.com/")
    site = site_detection(
        bare, [], site_name=None, expected_site_code="5107000002", domain_exceptions=()
    )
    assert site.site_code is None and site.site_code_matches is None
    assert site.domain_compliant is False and site.search_box is False
    assert site.name == "" and site.named_after_region is None


def test_site_code_falls_back_to_the_tag_and_the_jiucuo_entry() -> None:
    tagged = page(
        '<html><head><meta name="SiteIDCode" content="5107000001"></head><body></body></html>'
    )
    assert (
        site_detection(
            tagged, [], site_name=None, expected_site_code=None, domain_exceptions=()
        ).site_code
        == "5107000001"
    )
    jiucuo = page(
        '<html><body><script id="_jiucuo_" sitecode="5107000003" src="jiucuo.js">'
        "</script></body></html>"
    )
    assert (
        site_detection(
            jiucuo, [], site_name=None, expected_site_code=None, domain_exceptions=()
        ).site_code
        == "5107000003"
    )


def test_sample_pages_is_deterministic_and_order_free() -> None:
    urls = [f"http://www.my.gov.cn/art/{i}.html" for i in range(40)]
    first = sample_pages(urls)
    assert len(first) == 5 and len(set(first)) == 5 and set(first) <= set(urls)
    assert sample_pages(list(reversed(urls)) + urls[:3]) == first
    assert sample_pages(urls, seed=1) != first
    assert sample_pages(urls[:3], n=5) == sorted(urls[:3])
    assert sample_pages(urls, n=0) == []
    assert len(sample_pages(urls, n=5, seed=7)) == 5
