"""The compliance analysers on the 10 real pages of ../shared/corpus/GROUND_TRUTH.md.

Each row records what a person finds in the raw HTML.  Decisions the ground truth
leaves open: the dcs.conac.cn loader counts as the conac marker (form ``script``);
the lonsun ``j-jiucuo`` widget with a sitecode (row 7) counts as the 找错 entry.
Missing tags follow what each page really carries (several pages have multi-line
``Description`` tags and empty ``Keywords``/``Author``/``Image`` ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from crawler.analysis.compliance import page_detection
from crawler.analysis.footer import ConacForm, analyse_footer, find_jiucuo
from crawler.analysis.meta import CONTENT_TAGS, SITE_TAGS, check_tags
from crawler.analysis.page import ParsedPage
from crawler.analysis.searchbox import find_search
from govmon.records import FooterMarker, PageType

HANDAN = "kevin3691__renmin/src__main__webapp__WEB-INF__views__affairs__"
NOT_CARRIED = ("Keywords", "Author", "Description", "Image", "Url")


@dataclass(frozen=True)
class Row:
    file: str
    url: str
    page_type: PageType
    missing: tuple[FooterMarker, ...] = ()
    observable: bool = True
    site_code: str | None = None
    conac: ConacForm | None = None
    icp: str | None = None
    police: str | None = None
    jiucuo: str | None = None  # the sitecode of the 找错 entry; "" = absent
    jiucuo_form: str | None = None
    tags_missing: tuple[str, ...] = ()
    pub_date: date | None = None
    extra: dict[str, object] = field(default_factory=dict)


_HANDAN_FOOTER = dict(
    site_code="1304000009",
    conac=ConacForm.LINK,
    icp="冀ICP备05029117号-1",
    police="冀公网安备13042002000523号",
    jiucuo="1304000009",
    jiucuo_form="script",
)

ROWS = {
    "1-handan-index": Row(
        HANDAN + "index.jsp", "http://hdzfxxgk.hd.gov.cn/", PageType.COLUMN, **_HANDAN_FOOTER
    ),
    "2-handan-list": Row(
        HANDAN + "list.jsp", "http://hdzfxxgk.hd.gov.cn/list.jsp", PageType.COLUMN, **_HANDAN_FOOTER
    ),
    "3-handan-gkzn": Row(
        HANDAN + "gkzn.jsp", "http://hdzfxxgk.hd.gov.cn/gkzn.jsp", PageType.COLUMN, **_HANDAN_FOOTER
    ),
    "4-handan-details": Row(
        HANDAN + "details.jsp",
        "http://hdzfxxgk.hd.gov.cn/details.jsp",
        PageType.CONTENT,
        tags_missing=NOT_CARRIED,
        pub_date=date(2020, 8, 2),
        **_HANDAN_FOOTER,
    ),
    "5-ccgp": Row(
        "yuntaozhu__www.ccgp.gov.cn/index.html",
        "http://www.ccgp.gov.cn/cggg/dfgg/cjgg/202106/t20210610_16404316.htm",
        PageType.CONTENT,
        site_code="bm14000002",
        conac=ConacForm.SCRIPT,
        icp="京ICP备19054529号-1",
        police="京公网安备11010602060068号",
        jiucuo="bm14000002",
        jiucuo_form="link",
        tags_missing=SITE_TAGS + CONTENT_TAGS,
    ),
    "6-beijing": Row(
        "mhxqwer__nzwjw.beijing.gov.cn/index.html",
        "http://jw.beijing.gov.cn/jyzx/jyxw/202311/t20231130_3316960.html",
        PageType.CONTENT,
        site_code="1100000152",
        conac=ConacForm.LINK,
        icp="京ICP备20014478号-1",
        police="京公网安备11040202430147号",
        jiucuo="1100000152",
        jiucuo_form="script",
        tags_missing=NOT_CARRIED,
        pub_date=date(2023, 11, 30),
    ),
    "7-anhui": Row(
        "mhxqwer__zgy2jyt.ah.gov.cn/index.html",
        "http://jyt.ah.gov.cn/xwzx/jcjy/40678766.html",
        PageType.CONTENT,
        missing=(FooterMarker.CONAC,),
        site_code="3400000072",
        icp="皖ICP备20004145号",
        police="皖公网安备34010302000782号",
        jiucuo="3400000072",
        jiucuo_form="widget",
        tags_missing=("Image", "Url"),
        pub_date=date(2023, 11, 6),
    ),
    "8-shaanxi": Row(
        "mhxqwer__wxhshaanxi.gov.cn/index.html",
        "http://www.shaanxi.gov.cn/xw/sxyw/201312/t20131223_1501140.html",
        PageType.CONTENT,
        missing=(FooterMarker.SPONSOR, FooterMarker.CONTACT),
        site_code="6100000017",
        conac=ConacForm.SCRIPT,
        icp="陕ICP备10004160号",
        police="陕公网安备61010202000169号",
        jiucuo="6100000017",
        jiucuo_form="script",
        tags_missing=("Keywords", "Author", "Image"),
        pub_date=date(2013, 12, 23),
    ),
    "9-urumqi": Row(
        "mhxqwer__gqcwlmq.gov.cn/index.html",
        "http://www.wlmq.gov.cn/fjbm/llj/tzgg/562718.htm",
        PageType.CONTENT,
        site_code="6501000002",
        conac=ConacForm.SCRIPT,
        icp="新ICP备05001907号",
        police="新公网安备65010502000005号",
        jiucuo="6501000002",
        jiucuo_form="script",
        tags_missing=("Keywords", "Image"),
        pub_date=date(2024, 3, 3),
    ),
    "10-shanghai-script-footer": Row(
        "mhxqwer__xhyshanghai.gov.cn/index.html",
        "https://www.shanghai.gov.cn/nw4411/20230819/0001.html",
        PageType.CONTENT,
        observable=False,
        jiucuo="",
        tags_missing=("Author", "Description", "Image", "Url"),
        pub_date=date(2023, 8, 19),
    ),
}


def _page(corpus_dir: Path, row: Row) -> ParsedPage:
    return ParsedPage.parse(row.url, (corpus_dir / row.file).read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_footer_markers(corpus_dir: Path, row: Row) -> None:
    facts = analyse_footer(_page(corpus_dir, row))
    assert facts.observable is row.observable
    if not row.observable:
        assert facts.missing == () and facts.present == ()
        assert facts.footer_script == "static/js/footer.js"
        return
    assert facts.missing == row.missing
    assert set(facts.present) == set(FooterMarker) - set(row.missing)
    assert facts.site_code == row.site_code
    assert facts.site_code_valid is True
    assert facts.conac_form == row.conac
    assert facts.icp == row.icp
    assert facts.police == row.police


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_jiucuo_entry(corpus_dir: Path, row: Row) -> None:
    facts = find_jiucuo(_page(corpus_dir, row))
    if row.jiucuo == "":
        assert not facts.present  # row 10: only a commented-out 纠错 link
        return
    assert facts.present
    assert facts.sitecode == row.jiucuo
    assert facts.form == row.jiucuo_form


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_meta_tags(corpus_dir: Path, row: Row) -> None:
    page = _page(corpus_dir, row)
    facts = check_tags(page, row.page_type, footer_site_code=row.site_code)
    assert facts.missing == row.tags_missing
    assert facts.invalid == ()
    assert facts.pub_date == row.pub_date


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_page_detection(corpus_dir: Path, row: Row) -> None:
    det = page_detection(
        _page(corpus_dir, row), row.page_type, site_name=None, expected_site_code=None
    )
    assert det.url == row.url
    assert det.page_type is row.page_type
    assert det.footer_observable is row.observable
    assert det.footer_missing == (row.missing if row.observable else ())
    assert det.jiucuo is bool(row.jiucuo)
    assert det.tags_missing == row.tags_missing
    assert det.site_code == row.site_code
    assert det.pub_date == row.pub_date


def test_shanghai_site_code_tag_checked_against_configuration(corpus_dir: Path) -> None:
    """No footer code is visible on row 10, so SiteIDCode meets the configured code."""
    row = ROWS["10-shanghai-script-footer"]
    page = _page(corpus_dir, row)
    good = page_detection(page, row.page_type, site_name=None, expected_site_code="3100000044")
    bad = page_detection(page, row.page_type, site_name=None, expected_site_code="3100000045")
    assert good.tags_invalid == ()
    assert bad.tags_invalid == ("SiteIDCode",)


def test_handan_column_pages_carry_all_column_tags(corpus_dir: Path) -> None:
    row = ROWS["3-handan-gkzn"]
    page = _page(corpus_dir, row)
    assert page.meta("ColumnName") == "政府信息公开指南"
    assert check_tags(page, PageType.COLUMN, footer_site_code="1304000009").missing == ()
    # The same page judged as a content page lacks every content tag.
    assert check_tags(page, PageType.CONTENT, footer_site_code=None).missing == CONTENT_TAGS


def test_title_and_header_naming_on_real_pages(corpus_dir: Path) -> None:
    shaanxi = _page(corpus_dir, ROWS["8-shaanxi"])
    det = page_detection(
        shaanxi, PageType.CONTENT, site_name="陕西省人民政府门户网站", expected_site_code=None
    )
    assert det.name_in_title is True
    handan = _page(corpus_dir, ROWS["3-handan-gkzn"])
    det = page_detection(
        handan, PageType.COLUMN, site_name="邯郸市人民政府", expected_site_code=None
    )
    assert det.name_in_title is True and det.name_in_header is True


SEARCH = {
    "1-handan-index": ("form", "http://www.hd.gov.cn/was5/web/search", "POST", "searchword"),
    "5-ccgp": None,
    "6-beijing": ("script", "http://jw.beijing.gov.cn/so/s", "GET", "qt"),
    "7-anhui": ("form", "http://jyt.ah.gov.cn/site/search/6788021", "GET", "keywords"),
    # the hot-word links carry the query field: a usable link wins over the script box
    "8-shaanxi": ("link", "http://www.shaanxi.gov.cn/sxsearch/search.html", "GET", "searchWord"),
    "9-urumqi": ("form", "http://www.wlmq.gov.cn/search/searchResult.jsp", "GET", "q"),
    "10-shanghai-script-footer": None,
}


@pytest.mark.parametrize("key", list(SEARCH), ids=list(SEARCH))
def test_search_entry_on_real_pages(corpus_dir: Path, key: str) -> None:
    found = find_search(_page(corpus_dir, ROWS[key]))
    expected = SEARCH[key]
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.kind.value, found.action, found.method, found.query_field) == expected
    assert found.usable
