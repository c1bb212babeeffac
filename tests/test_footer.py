"""Footer markers and the 找错 entry on synthetic pages built from real footer forms."""

from __future__ import annotations

import pytest

from crawler.analysis.footer import ConacForm, analyse_footer, find_jiucuo, site_code_valid
from crawler.analysis.page import ParsedPage
from govmon.records import FooterMarker

URL = "http://www.example.gov.cn/index.html"

#: One fragment per marker, as real footers write them.
FRAGMENTS = {
    FooterMarker.CONAC: (
        '<a href="https://bszs.conac.cn/sitename?method=show&id=0A87C46FEE4D331AE053022819ACDC8C">'
        '<img src="red.png"></a>'
    ),
    FooterMarker.SITE_CODE: "<p>网站标识码：5107030001</p>",
    FooterMarker.ICP: '<a href="https://beian.miit.gov.cn/">川ICP备05002834号-1</a>',
    FooterMarker.POLICE: (
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=51070302000123">'
        "川公网安备 51070302000123号</a>"
    ),
    FooterMarker.SPONSOR: "<p>主办单位：绵阳市人民政府办公室</p>",
    FooterMarker.CONTACT: "<p>联系电话：0816-2222222</p>",
}

ARTICLE = "<div class='article'><h1>关于开展活动的通知</h1><p>正文内容。</p></div>"


def page(footer: str, *, body: str = ARTICLE, head: str = "") -> ParsedPage:
    html = (
        f"<html><head><title>t</title>{head}</head><body>{body}"
        f"<div class='footer'>{footer}</div></body></html>"
    )
    return ParsedPage.parse(URL, html)


def test_all_markers_present() -> None:
    facts = analyse_footer(page("".join(FRAGMENTS.values())))
    assert facts.observable
    assert facts.missing == ()
    assert facts.present == tuple(FooterMarker)
    assert facts.site_code == "5107030001" and facts.site_code_valid is True
    assert facts.conac_form is ConacForm.LINK
    assert facts.icp == "川ICP备05002834号-1"
    assert facts.police == "川公网安备51070302000123号"


@pytest.mark.parametrize("absent", list(FooterMarker), ids=[m.value for m in FooterMarker])
def test_each_marker_missing_alone(absent: FooterMarker) -> None:
    footer = "".join(html for marker, html in FRAGMENTS.items() if marker is not absent)
    facts = analyse_footer(page(footer))
    assert facts.observable
    assert facts.missing == (absent,)


def test_nothing_at_all_is_six_missing_markers() -> None:
    facts = analyse_footer(page("<p>版权所有</p>"))
    assert facts.observable
    assert facts.missing == tuple(FooterMarker)


@pytest.mark.parametrize(
    ("text", "code", "valid"),
    [
        ("网站标识码：5107030001", "5107030001", True),
        ("网站标识码:5107030001", "5107030001", True),
        ("网站标识码 5107030001", "5107030001", True),
        ("网站标识码6100000017", "6100000017", True),
        ("网站识别码：1100000152", "1100000152", True),
        ("网站标识号：1100000152", "1100000152", True),
        ("政府网站标识码：1100000152", "1100000152", True),
        ("网站标识码：<span>bm14000002</span>", "bm14000002", True),
        ("网站标识码：BM14000002", "bm14000002", True),
        ("网站标识码：510703001", "510703001", False),  # 9 digits
        ("网站标识码：bm123", "bm123", False),
        ("网站标识码：9900000001", "9900000001", False),  # no such province
        ("网站标识码：51070300012", "51070300012", False),  # 11 digits
    ],
)
def test_site_code_forms_and_validation(text: str, code: str, valid: bool) -> None:
    facts = analyse_footer(page(f"<p>{text}</p>"))
    assert FooterMarker.SITE_CODE in facts.present  # a malformed code is present, not missing
    assert facts.site_code == code
    assert facts.site_code_valid is valid
    assert site_code_valid(code) is valid


def test_site_code_label_without_code_is_missing() -> None:
    facts = analyse_footer(page("<p>网站标识码：</p><p>主办单位：某局</p>"))
    assert FooterMarker.SITE_CODE in facts.missing
    assert facts.site_code is None and facts.site_code_valid is None


@pytest.mark.parametrize(
    ("html", "number"),
    [
        ("京ICP备19054529号-1", "京ICP备19054529号-1"),
        ("京ICP备19054529号 - 2", "京ICP备19054529号-2"),
        ("皖ICP备20004145号", "皖ICP备20004145号"),
        ("京<span>ICP</span>备<span>19054529</span>号<span>-1</span>", "京ICP备19054529号-1"),
        ("备案号：蜀ICP备：19007388号", "蜀ICP备19007388号"),
        ("京ICP证030173号", "京ICP证030173号"),
    ],
)
def test_icp_forms(html: str, number: str) -> None:
    facts = analyse_footer(page(f"<p>{html}</p>"))
    assert FooterMarker.ICP in facts.present
    assert facts.icp == number


def test_icp_link_without_number_text_counts() -> None:
    facts = analyse_footer(page('<a href="https://beian.miit.gov.cn/">ICP备案查询</a>'))
    assert FooterMarker.ICP in facts.present and facts.icp is None


@pytest.mark.parametrize(
    ("html", "number"),
    [
        ("冀公网安备 13042002000523号", "冀公网安备13042002000523号"),
        ("皖公网安备34010302000782号", "皖公网安备34010302000782号"),
        ("京公网安备<span>11010602060068</span>号", "京公网安备11010602060068号"),
        ("粤公网安备号44030402003007", "粤公网安备44030402003007号"),
    ],
)
def test_police_forms(html: str, number: str) -> None:
    facts = analyse_footer(page(f"<p>{html}</p>"))
    assert FooterMarker.POLICE in facts.present
    assert facts.police == number


@pytest.mark.parametrize("host", ["www.beian.gov.cn", "beian.mps.gov.cn"])
def test_police_link_only(host: str) -> None:
    html = (
        f'<a href="http://{host}/portal/registerSystemInfo?recordcode=44030402003007">'
        '<img src="ga.png"></a>'
    )
    facts = analyse_footer(page(html))
    assert FooterMarker.POLICE in facts.present
    assert facts.police == "44030402003007"


def test_police_number_of_wrong_length_is_not_a_marker() -> None:
    facts = analyse_footer(page("<p>京公网安备 1101060206006号</p>"))
    assert FooterMarker.POLICE in facts.missing


@pytest.mark.parametrize(
    ("html", "form"),
    [
        (FRAGMENTS[FooterMarker.CONAC], ConacForm.LINK),
        (
            '<script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' '
            "%3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/33/000/0000/60425889/"
            "CA330000000604258890010.js' type='text/javascript'%3E%3C/script%3E\"));</script>",
            ConacForm.SCRIPT,
        ),
        (
            "<span id='_ideConac'></span><script src='//dcs.conac.cn/js/27/000/0000/40705256/"
            "CA270000000407052560004.js'></script>",
            ConacForm.SCRIPT,
        ),
        ("<script src='images/CA051070000414687680001.js.下载'></script>", ConacForm.SCRIPT),
    ],
    ids=["bszs-link", "unescape-loader", "loader-src", "saved-loader"],
)
def test_conac_forms(html: str, form: ConacForm) -> None:
    facts = analyse_footer(page(html + FRAGMENTS[FooterMarker.SITE_CODE]))
    assert FooterMarker.CONAC in facts.present
    assert facts.conac_form is form


def test_conac_placeholder_without_loader_is_missing() -> None:
    facts = analyse_footer(page("<span id='_ideConac'></span>" + FRAGMENTS[FooterMarker.SITE_CODE]))
    assert FooterMarker.CONAC in facts.missing


def test_sponsor_words_in_an_article_do_not_stand_in_for_the_footer() -> None:
    """Outside the footer only the label forms (主办单位 / 主办：) count."""
    article = (
        "<div class='article'>" + "本次比赛由市教育局主办，各校参加。" * 3 + "正文" * 800 + "</div>"
    )
    facts = analyse_footer(page(FRAGMENTS[FooterMarker.SITE_CODE], body=article))
    assert FooterMarker.SPONSOR in facts.missing


@pytest.mark.parametrize(
    "html",
    [
        "<p>北京市教育委员会主办</p>",
        "<p>主办：乌鲁木齐市人民政府办公室</p>",
        "<p>网站主办单位: 某某市人民政府</p>",
    ],
)
def test_sponsor_forms(html: str) -> None:
    assert FooterMarker.SPONSOR in analyse_footer(page(html)).present


@pytest.mark.parametrize(
    "html",
    [
        '<a href="/lxwm/">联系我们</a>',
        '<a href="/aboutus.htm" title="联系我们"><i class="fa fa-id-card"></i></a>',
        "<p>地址：安徽省合肥市金寨路321号</p>",
        "<p>市民服务热线：12345</p>",
        "<p>服务热线 400-810-1996</p>",
        "<p>电子邮箱：office@example.gov.cn</p>",
        '<a href="mailto:office@example.gov.cn">写信</a>',
        "<p>电话（工作时间）：0551-69118381</p>",
    ],
)
def test_contact_forms(html: str) -> None:
    assert FooterMarker.CONTACT in analyse_footer(page(html)).present


def test_technical_support_number_alone_is_not_a_contact() -> None:
    """Corpus row 8: 技术支持：029-… is the vendor's number, not the site's contact."""
    facts = analyse_footer(page("<p>技术支持：029-63912478</p>" + FRAGMENTS[FooterMarker.ICP]))
    assert FooterMarker.CONTACT in facts.missing


def test_markers_outside_a_recognisable_footer_are_found() -> None:
    html = (
        "<html><body><div class='wrap'><div class='main'>正文</div>"
        "<table><tr><td>主办单位：某市人民政府 网站标识码：5107030001 川ICP备05002834号"
        "</td></tr></table></div></body></html>"
    )
    facts = analyse_footer(ParsedPage.parse(URL, html))
    assert {FooterMarker.SPONSOR, FooterMarker.SITE_CODE, FooterMarker.ICP} <= set(facts.present)


# --------------------------------------------------------------------------
# observability
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    [
        '<script src="static/js/footer.js"></script>',
        '<div id="footer"></div><script src="/include/foot.js"></script>',
        '<script type="text/javascript" src="/js/bottom.js"></script>',
        "<script>document.writeln('<div class=\"footer\">版权所有');"
        "document.writeln('</div>');</script>",
        '<div class="footer"></div><script>$(".footer").load("/inc/footer.html");</script>',
        '<div class="bottom"></div><script src="static/js/1801271409404350.js"></script>',
    ],
    ids=["footer.js", "foot.js", "bottom.js", "inline-writeln", "jquery-load", "empty-container"],
)
def test_script_written_footer_is_not_observable(tail: str) -> None:
    html = f"<html><body>{ARTICLE}{tail}</body></html>"
    facts = analyse_footer(ParsedPage.parse(URL, html))
    assert facts.observable is False
    assert facts.missing == () and facts.present == ()
    assert facts.footer_script


def test_footer_script_with_visible_markers_stays_observable() -> None:
    """A footer.js beside a static footer: what is visible is judged."""
    html = page(FRAGMENTS[FooterMarker.ICP], body=ARTICLE + '<script src="footer.js"></script>')
    facts = analyse_footer(html)
    assert facts.observable
    assert FooterMarker.ICP in facts.present
    assert FooterMarker.SITE_CODE in facts.missing


def test_markers_written_by_an_inline_script_are_visible() -> None:
    script = (
        '<script>document.writeln(\'<div class="ft">主办单位：某市人民政府 '
        "网站标识码：5107030001 川ICP备05002834号 川公网安备 51070302000123号 "
        "联系电话：0816-2222222</div>');</script>"
    )
    facts = analyse_footer(ParsedPage.parse(URL, f"<html><body>{ARTICLE}{script}</body></html>"))
    assert facts.observable
    assert facts.missing == (FooterMarker.CONAC,)
    assert facts.site_code == "5107030001"


def test_page_with_only_library_scripts_and_no_footer_is_observable() -> None:
    html = f"<html><body>{ARTICLE}<script src='/js/jquery.min.js'></script></body></html>"
    facts = analyse_footer(ParsedPage.parse(URL, html))
    assert facts.observable
    assert facts.missing == tuple(FooterMarker)


# --------------------------------------------------------------------------
# 我为政府网站找错
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "form", "code"),
    [
        (
            '<script id="_jiucuo_" sitecode="5107030001" '
            'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
            "script",
            "5107030001",
        ),
        (
            '<script id="_jiucuo_" sitecode="1304000009" src="images/jiucuo.js.下载"></script>',
            "script",
            "1304000009",
        ),
        (
            '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=bm14000002&amp;url=x">'
            '<img src="jiucuo.png"></a>',
            "link",
            "bm14000002",
        ),
        (
            '<a href="http://121.43.68.40/exposure/jiucuo.html?site_code=5107030001&url=x">'
            '<img src="jiucuo.png"></a>',
            "link",
            "5107030001",
        ),
        (
            "<script>document.write(unescape(\"%3Cscript id='_jiucuo_' sitecode='5107030001' "
            "src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'%3E%3C/script%3E\"));</script>",
            "script",
            "5107030001",
        ),
        (
            '<div class="dzjg j-jiucuo fl" data-setting="{sitecode:3400000072}"></div>',
            "widget",
            "3400000072",
        ),
        ('<a href="/jc/">我为政府网站找错</a>', "text", None),
    ],
    ids=["script", "saved-script", "link", "link-ip", "written", "widget", "text"],
)
def test_jiucuo_forms(html: str, form: str, code: str | None) -> None:
    facts = find_jiucuo(page(html))
    assert facts.present
    assert facts.form == form
    assert facts.sitecode == code


def test_commented_out_jiucuo_does_not_count() -> None:
    html = (
        '<!-- <a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5107030001">'
        "我为政府网站找错</a> -->"
        "<!-- <script id=\"_jiucuo_\" sitecode='5107030001' src='jiucuo.js'></script> -->"
    )
    assert not find_jiucuo(page(html)).present


def test_local_error_report_link_is_not_the_national_entry() -> None:
    html = '<a href="https://jd.sh.gov.cn/err_report/article_add_form.asp" title="纠错">纠错</a>'
    assert not find_jiucuo(page(html)).present


def test_jiucuo_styles_alone_do_not_count() -> None:
    html = "<style>#_span_jiucuo img{vertical-align:top}</style><div class='jiucuo'></div>"
    assert not find_jiucuo(page(html)).present


def test_short_article_mentioning_a_sponsor_beside_a_real_footer() -> None:
    """With a footer container found, article text is not read as footer text."""
    article = "<div class='article'><p>本次比赛由市教育局主办。</p></div>"
    facts = analyse_footer(page(FRAGMENTS[FooterMarker.SITE_CODE], body=article))
    assert FooterMarker.SPONSOR in facts.missing


def test_contact_link_in_the_navigation_does_not_reveal_a_script_footer() -> None:
    """Only a marker of the footer itself shows the footer was seen."""
    body = (
        "<div class='nav'><a href='/lxwm/'>联系我们</a></div>"
        + ARTICLE
        + "<p>正文</p>" * 800
        + '<script src="static/js/footer.js"></script>'
    )
    facts = analyse_footer(ParsedPage.parse(URL, f"<html><body>{body}</body></html>"))
    assert facts.observable is False
    assert facts.missing == ()
