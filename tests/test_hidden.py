"""Hidden link (暗链) detection: each technique is seen, menus and partner links are not."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.analysis.hidden import (
    find_hidden_links,
    find_script_links,
    keeps_base_host,
    links_in_script,
    load_spam,
    normalise_color,
    written_html,
)
from crawler.analysis.page import ParsedPage
from govmon.errors import ConfigError
from govmon.records import HiddenLinkDetection

URL = "http://www.example.gov.cn/index.html"
HOSTS = frozenset({"www.example.gov.cn"})
SPAM = load_spam()
CASINO = "http://www.casino-spam.example/"


def hidden(body: str, head: str = "") -> list[HiddenLinkDetection]:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return find_hidden_links(ParsedPage.parse(URL, html), site_hosts=HOSTS, spam=SPAM)


CASES = [
    ("display_none", '<div style="display:none"><a href="{t}">百家乐</a></div>', ""),
    (
        "display_none",
        '<div class="x"><a href="{t}">百家乐</a></div>',
        "<style>.x{{display: none !important}}</style>",
    ),
    (
        "display_none",
        '<div id="y"><p><a href="{t}">百家乐</a></p></div>',
        "<style>#y p{{DISPLAY:NONE}}</style>",
    ),
    ("hidden_attribute", '<div hidden><a href="{t}">百家乐</a></div>', ""),
    ("visibility_hidden", '<span style="visibility:hidden"><a href="{t}">百家乐</a></span>', ""),
    ("opacity_zero", '<a style="opacity:0" href="{t}">百家乐</a>', ""),
    ("font_size_zero", '<p style="font-size:0px"><a href="{t}">百家乐</a></p>', ""),
    (
        "clip",
        '<div style="position:absolute;clip:rect(0 0 0 0)"><a href="{t}">百家乐</a></div>',
        "",
    ),
    ("offscreen", '<div style="position:absolute;left:-9999px"><a href="{t}">百家乐</a></div>', ""),
    ("offscreen", '<div style="position:absolute;top:-1200px"><a href="{t}">百家乐</a></div>', ""),
    (
        "offscreen",
        '<p class="ti"><a href="{t}">百家乐</a></p>',
        "<style>p.ti{{text-indent:-99999px}}</style>",
    ),
    ("zero_size", '<div style="height:0;overflow:hidden"><a href="{t}">百家乐</a></div>', ""),
    (
        "zero_size",
        '<div style="width:1px;height:1px;overflow:hidden"><a href="{t}">百家乐</a></div>',
        "",
    ),
    (
        "same_color",
        '<div style="background:#FFF"><a style="color:white" href="{t}">百家乐</a></div>',
        "",
    ),
    (
        "same_color",
        '<table><tr><td bgcolor="#000000"><font color="#000"><a href="{t}">百家乐</a></font></td>'
        "</tr></table>",
        "",
    ),
    ("zero_width", '<a href="{t}">百\u200b家\u200b乐</a>', ""),
    ("marquee", '<marquee scrollamount="10000"><a href="{t}">百家乐</a></marquee>', ""),
    ("marquee", '<marquee height="1" width="1"><a href="{t}">百家乐</a></marquee>', ""),
]


@pytest.mark.parametrize(
    "technique, body, head", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_technique(technique: str, body: str, head: str) -> None:
    [det] = hidden(body.format(t=CASINO), head.format())
    assert det.technique == technique
    assert det.target == CASINO and det.url == URL
    assert det.spam and "百家乐" in det.keywords
    assert det.text.replace("\u200b", "") == "百家乐"


def test_document_write_in_inline_script() -> None:
    script = (
        "<script>document.write('<div style=\"display:none\">' + "
        "\"<a href='http://www.bet-spam.example/'>\\u592a\\u9633\\u57ce</a></div>\");</script>"
    )
    [det] = hidden(script)
    assert det.technique == "document_write+display_none"
    assert det.target == "http://www.bet-spam.example/"
    assert det.spam and det.keywords == ("太阳城",)


def test_document_write_with_unescape() -> None:
    js = 'document.write(unescape("%3Ca href%3D%22http://porn.example/%22%3E%u6210%u4EBA%u7F51%3C/a%3E"));'
    assert written_html(js) == ['<a href="http://porn.example/">成人网</a>']
    assert links_in_script(js, "http://www.example.gov.cn/js/a.js") == ["http://porn.example/"]
    [det] = find_script_links(
        js, url=URL, script_url="http://www.example.gov.cn/js/a.js", site_hosts=HOSTS, spam=SPAM
    )
    assert det.technique == "document_write" and det.spam and det.url == URL


def test_visible_written_footer_is_not_reported() -> None:
    # The conac badge loader and a footer written by script: visible, no spam.
    body = (
        "<script>document.write(unescape(\"%3Cspan id='_ideConac' %3E%3C/span%3E"
        "%3Cscript src='http://dcs.conac.cn/js/33/000/0000/60.js'%3E%3C/script%3E\"));</script>"
        "<script>document.writeln('<a href=\"http://www.partner-media.example/\">合作媒体</a>');"
        "document.writeln('<a href=\"/about.html\">关于我们</a>');</script>"
    )
    assert hidden(body) == []
    assert links_in_script(
        "document.writeln('<a href=\"/about.html\">关于</a>')", "http://www.example.gov.cn/js/f.js"
    ) == ["http://www.example.gov.cn/about.html"]


def test_visible_offsite_link_is_not_reported() -> None:
    assert hidden(f'<a href="{CASINO}">友情链接</a>') == []


def test_hidden_offsite_without_spam_words_is_reported_not_spam() -> None:
    [det] = hidden(
        '<div style="display:none"><a href="http://shop.example.com/">某某商城</a></div>'
    )
    assert det.technique == "display_none" and not det.spam and det.keywords == ()


def test_spam_in_target_url_only() -> None:
    [det] = hidden('<div style="display:none"><a href="http://casino88.example/">点击</a></div>')
    assert det.spam and det.keywords == ("casino",)


def test_dropdown_menus_and_tabs_are_normal() -> None:
    head = (
        "<style>.nav li ul{display:none} .nav li:hover ul{display:block} .tab{display:none}</style>"
    )
    body = """
    <ul class="nav"><li>机构<ul><li><a href="/jg/1.html">领导</a></li>
        <li><a href="http://www.sc.gov.cn/">四川省人民政府</a></li></ul></li></ul>
    <div class="tab"><a href="/news/2.html">要闻</a><a href="http://www.partner.example/">合作单位</a></div>
    <div style="display:none"><a href="http://www.gov.cn/">中国政府网</a>
        <a href="http://www.people.com.cn/">人民网</a><a href="https://bszs.conac.cn/x">标识</a></div>
    <select style="display:none"><option value="http://shop.example.com/">x</option></select>
    """
    assert hidden(body, head) == []


def test_menu_with_spam_is_still_reported() -> None:
    body = (
        '<div style="display:none"><a href="/a.html">本站</a>'
        '<a href="http://x.example/">澳门葡京</a></div>'
    )
    [det] = hidden(body)
    assert det.spam and det.target == "http://x.example/"


def test_partner_domains_and_site_hosts() -> None:
    body = (
        '<div style="display:none"><a href="http://news.example.org/">报道</a></div>'
        '<p hidden><a href="http://cdn.example.gov.cn/">cdn</a></p>'
        '<p hidden><a href="https://www.example.gov.cn/x">x</a></p>'
    )
    page = ParsedPage.parse(URL, f"<body>{body}</body>")
    assert (
        find_hidden_links(
            page, site_hosts=HOSTS, partner_domains=("gov.cn", "example.org"), spam=SPAM
        )
        == []
    )
    [det] = find_hidden_links(page, site_hosts=HOSTS, partner_domains=(), spam=SPAM)
    assert det.target == "http://news.example.org/"


def test_visible_content_and_overrides() -> None:
    body = """
    <p style="font-size:0"><span style="font-size:14px"><a href="http://a.example/">A</a></span></p>
    <div style="visibility:hidden"><div style="visibility:visible"><a href="http://b.example/">B</a></div></div>
    <div style="background:url(bg.png) #fff"><a style="color:#fff" href="http://c.example/">C</a></div>
    <div style="left:-10px;position:relative"><a href="http://d.example/">D</a></div>
    <div style="height:0"><a href="http://e.example/">E</a></div>
    <marquee scrollamount="3"><a href="http://f.example/">F</a></marquee>
    """
    assert (
        hidden(body, "<style>@media print { a { display:none } } a:hover{display:none}</style>")
        == []
    )


def test_one_detection_per_target() -> None:
    links = f'<a href="{CASINO}">百家乐</a><a href="{CASINO}">太阳城</a>'
    body = f'<div style="display:none">{links}</div>'
    assert len(hidden(body)) == 1


def test_colour_normalisation() -> None:
    assert (
        normalise_color("#FFF") == normalise_color("white") == normalise_color("rgb(255, 255, 255)")
    )
    assert normalise_color("transparent") is None
    assert normalise_color("rgba(0,0,0,0)") is None


def test_spam_table_is_editable(tmp_path: Path) -> None:
    path = tmp_path / "spam.yaml"
    path.write_text("text_keywords:\n  custom: [特供酒]\nurl_keywords: [wine]\n", encoding="utf-8")
    table = load_spam(path)
    assert table.match("正宗特供酒", "http://x/") == ("特供酒",)
    assert table.match("", "http://wine.example/") == ("wine",)
    path.write_text("text_keyword: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_spam(path)


def test_no_findings_on_the_real_corpus(corpus_dir: Path) -> None:
    for path in corpus_dir.rglob("*"):
        if path.suffix not in (".html", ".jsp"):
            continue
        page = ParsedPage.parse("http://corpus.example.gov.cn/", path.read_text(encoding="utf-8"))
        found = find_hidden_links(page, site_hosts=frozenset({"corpus.example.gov.cn"}), spam=SPAM)
        assert [(d.target, d.technique) for d in found] == [], path.name


def test_image_links_are_not_hidden_by_font_size_or_colour() -> None:
    body = (
        '<div style="font-size:0"><a href="http://xjwljb.example/"><img src="a.jpg"></a></div>'
        '<div style="background:#fff;color:#fff">'
        '<a href="http://y.example/"><img src="b.png"></a></div>'
    )
    assert hidden(body) == []
    # display:none hides the image too.
    [det] = hidden(
        '<div style="display:none"><a href="http://z.example/"><img src="c.png"></a></div>'
    )
    assert det.technique == "display_none"


def test_browser_upgrade_popup_is_normal() -> None:
    body = (
        '<div class="ie-tip-box" style="display:none"><a class="i-close">X</a>'
        '<a href="https://pc.qq.com/detail/11/detail_351.html">QQ浏览器</a>'
        '<a href="https://www.google.cn/chrome/">Chrome</a></div>'
    )
    assert hidden(body) == []


def test_page_host_is_always_the_site() -> None:
    page = ParsedPage.parse(URL, '<div style="display:none"><a href="/x.html">百家乐专题</a></div>')
    assert find_hidden_links(page, site_hosts=frozenset(), spam=SPAM) == []
    js = 'document.write(\'<a style="display:none" href="/y.html">y</a>\')'
    assert (
        find_script_links(
            js,
            url=URL,
            script_url="http://www.example.gov.cn/js/a.js",
            site_hosts=frozenset(),
            spam=SPAM,
        )
        == []
    )


# --- links that cannot leave the base's host are not resolved ---------------

_HREF_CHARS = st.sampled_from([*"ab/:.?#@%\\ \t\r\n\x00\x1f", "//", "http:", "https://", "javascript:", "evil.com"])
_BASES = ["http://www.example.gov.cn/a/b.html", "https://www.example.gov.cn/", "http://127.0.0.1:8080/x/",
          "http://other.example/", "ftp://files.example/pub/"]


@given(href=st.lists(_HREF_CHARS, max_size=8).map("".join), base=st.sampled_from(_BASES))
@settings(max_examples=2000, deadline=None)
def test_a_link_kept_on_the_base_host_joins_to_the_base_scheme_and_host(href: str, base: str) -> None:
    """What ``keeps_base_host`` promises, against urllib's own join: the link
    analysers skip such links on a page whose base is on the site."""
    if keeps_base_host(href):
        joined, origin = urlsplit(urljoin(base, href)), urlsplit(base)
        assert (joined.scheme, joined.hostname, joined.port) == (origin.scheme, origin.hostname, origin.port)


@pytest.mark.parametrize("href", ["http://evil.example/", "//evil.example/x", "\t//evil.example/",
                                  "/\t/evil.example/", "\x00//evil.example", "https:evil", "a:b"])
def test_links_that_may_leave_the_base_host_are_resolved(href: str) -> None:
    assert not keeps_base_host(href)


def test_a_relative_link_is_off_site_when_the_base_is() -> None:
    """``<base href>`` off the site: relative links go there, and a hidden one is seen."""
    found = hidden('<div style="display:none"><a href="/bet">百家乐</a></div>',
                   head='<base href="http://www.casino-spam.example/">')
    assert [(d.target, d.technique) for d in found] == [("http://www.casino-spam.example/bet", "display_none")]
