"""《政府网站发展指引》 page tags: required sets, emptiness, sanity, PubDate formats."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.analysis.meta import (
    COLUMN_TAGS,
    CONTENT_TAGS,
    SITE_TAGS,
    check_tags,
    parse_pub_date,
    required_tags,
)
from crawler.analysis.page import ParsedPage
from govmon.records import PageType

URL = "http://www.example.gov.cn/art/2023/11/30/art_1.html"

FULL = {
    "SiteName": "绵阳市人民政府",
    "SiteDomain": "www.my.gov.cn",
    "SiteIDCode": "5107000001",
    "ColumnName": "工作动态",
    "ColumnDescription": "本地区工作动态",
    "ColumnKeywords": "动态",
    "ColumnType": "工作动态",
    "ArticleTitle": "标题",
    "PubDate": "2023-11-30 14:52",
    "ContentSource": "市政府办公室",
    "Keywords": "动态",
    "Author": "办公室",
    "Description": "摘要",
    "Image": "http://www.my.gov.cn/img/a.jpg",
    "Url": "http://www.my.gov.cn/art/2023/11/30/art_1.html",
}


def page_with(tags: dict[str, str], *, extra: str = "") -> ParsedPage:
    metas = "".join(f'<meta name="{k}" content="{v}">' for k, v in tags.items())
    return ParsedPage.parse(URL, f"<html><head>{metas}{extra}</head><body>x</body></html>")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-08-02", date(2020, 8, 2)),
        ("2020年08月02日", date(2020, 8, 2)),
        ("2020年8月2日 10:00", date(2020, 8, 2)),
        ("2023-11-30  14:52", date(2023, 11, 30)),
        ("2023-08-19 10∶08", date(2023, 8, 19)),
        ("2023-11-06 00:00", date(2023, 11, 6)),
        ("2024-03-03 15:54:07", date(2024, 3, 3)),
        ("2020/8/2", date(2020, 8, 2)),
        ("2020.08.02", date(2020, 8, 2)),
        ("20200802", date(2020, 8, 2)),
        ("  2021年06月10日 17:35 ", date(2021, 6, 10)),
    ],
)
def test_pub_date_formats(value: str, expected: date) -> None:
    assert parse_pub_date(value) == expected


@pytest.mark.parametrize(
    "value", ["", "昨天", "2020-13-01", "2023-02-30", "2023-08-19 25:00", "12-25"]
)
def test_pub_date_rejects_non_dates(value: str) -> None:
    assert parse_pub_date(value) is None


def test_required_sets_per_page_type() -> None:
    assert required_tags(PageType.HOME) == SITE_TAGS
    assert required_tags(PageType.OTHER) == SITE_TAGS
    assert required_tags(PageType.COLUMN) == SITE_TAGS + COLUMN_TAGS
    assert required_tags(PageType.CONTENT) == SITE_TAGS + CONTENT_TAGS
    assert len(set(SITE_TAGS + COLUMN_TAGS + CONTENT_TAGS)) == 15


@pytest.mark.parametrize("page_type", list(PageType), ids=[t.value for t in PageType])
def test_full_page_misses_nothing(page_type: PageType) -> None:
    facts = check_tags(page_with(FULL), page_type, footer_site_code="5107000001")
    assert facts.missing == () and facts.invalid == ()


def test_content_page_facts_and_pub_date() -> None:
    facts = check_tags(page_with(FULL), PageType.CONTENT, footer_site_code=None)
    assert facts.pub_date == date(2023, 11, 30)


def test_names_are_case_insensitive() -> None:
    lower = {k.lower(): v for k, v in FULL.items()}
    assert check_tags(page_with(lower), PageType.CONTENT, footer_site_code=None).missing == ()


def test_empty_content_counts_as_missing() -> None:
    tags = dict(FULL, Keywords="", Author="  ")
    facts = check_tags(page_with(tags), PageType.CONTENT, footer_site_code=None)
    assert facts.missing == ("Keywords", "Author")


def test_one_filled_copy_of_a_repeated_tag_is_enough() -> None:
    tags = dict(FULL)
    del tags["Description"]
    extra = '<meta name="description" content=""><meta name="Description" content="摘要">'
    facts = check_tags(page_with(tags, extra=extra), PageType.CONTENT, footer_site_code=None)
    assert facts.missing == ()


def test_column_tags_are_not_required_on_content_pages() -> None:
    tags = {k: v for k, v in FULL.items() if k not in COLUMN_TAGS}
    assert check_tags(page_with(tags), PageType.CONTENT, footer_site_code=None).missing == ()
    assert (
        check_tags(page_with(tags), PageType.COLUMN, footer_site_code=None).missing == COLUMN_TAGS
    )


def test_site_id_code_mismatch_with_footer_is_invalid() -> None:
    facts = check_tags(page_with(FULL), PageType.HOME, footer_site_code="5107000002")
    assert facts.invalid == ("SiteIDCode",)
    assert facts.missing == ()


def test_site_id_code_compared_case_insensitively_for_ministries() -> None:
    tags = dict(FULL, SiteIDCode="BM14000002")
    assert check_tags(page_with(tags), PageType.HOME, footer_site_code="bm14000002").invalid == ()


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("SiteIDCode", "510700001"),
        ("SiteIDCode", "bm123"),
        ("PubDate", "发布时间未知"),
        ("SiteDomain", "绵阳市政府网"),
        ("Url", "文章地址"),
    ],
)
def test_insane_values_are_invalid(tag: str, value: str) -> None:
    facts = check_tags(
        page_with(dict(FULL, **{tag: value})), PageType.CONTENT, footer_site_code=None
    )
    assert facts.invalid == (tag,)
    if tag == "PubDate":
        assert facts.pub_date is None


@pytest.mark.parametrize(
    "value",
    ["www.wlmq.gov.cn/fjbm/llj/tzgg/562718.htm", "//www.my.gov.cn/a.html", "https://x.gov.cn/"],
)
def test_url_tag_accepts_real_forms(value: str) -> None:
    facts = check_tags(page_with(dict(FULL, Url=value)), PageType.CONTENT, footer_site_code=None)
    assert facts.invalid == ()


def test_page_without_tags_lacks_all_required() -> None:
    facts = check_tags(page_with({}), PageType.COLUMN, footer_site_code=None)
    assert facts.missing == SITE_TAGS + COLUMN_TAGS
    assert facts.pub_date is None
