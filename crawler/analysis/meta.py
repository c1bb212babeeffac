"""The 《政府网站发展指引》 page tags (NAT-D-TAGS): present, non-empty and sane.

Site tags belong on every page, column tags on column pages, content tags on
content pages (the split of the indicator: "content pages without site tags or
content tags; column pages without site tags or column tags").  Names are
matched case-insensitively: real pages write ``sitename``, ``SiteName`` and the
ordinary ``keywords``/``description`` that double as the Keywords/Description tags.

PubDate is parsed by a small private parser here; ``crawler/analysis/dates.py``
(written in parallel) is meant to replace it once merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from crawler.analysis.footer import site_code_valid
from crawler.analysis.page import ParsedPage
from govmon.records import PageType

__all__ = [
    "COLUMN_TAGS",
    "CONTENT_TAGS",
    "SITE_TAGS",
    "TagFacts",
    "check_tags",
    "parse_pub_date",
    "required_tags",
]

SITE_TAGS: tuple[str, ...] = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_TAGS: tuple[str, ...] = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
CONTENT_TAGS: tuple[str, ...] = (
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Image",
    "Url",
)

_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.年]|\s)\s*(?P<m>\d{1,2})\s*(?:[-/.月]|\s)\s*(?P<d>\d{1,2})"
)
_COMPACT_DATE = re.compile(r"^\s*(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:\d{4,6})?\s*$")
_TIME = re.compile(r"(\d{1,2})\s*[:：∶]\s*(\d{2})(?:\s*[:：∶]\s*(\d{2}))?")
_HOST = re.compile(
    r"^(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?/?$", re.I
)
_URL = re.compile(
    r"^(?:(?:https?:)?//)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$",
    re.I,
)
_IMAGE = re.compile(r"^\S+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class TagFacts:
    """Tags a page lacks (absent or empty), tags whose value is not sane, and the
    parsed PubDate (content pages)."""

    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    pub_date: date | None = None


def required_tags(page_type: PageType) -> tuple[str, ...]:
    """The tags a page of this type must carry (site tags on every page)."""
    if page_type is PageType.COLUMN:
        return SITE_TAGS + COLUMN_TAGS
    if page_type is PageType.CONTENT:
        return SITE_TAGS + CONTENT_TAGS
    return SITE_TAGS


def parse_pub_date(value: str) -> date | None:
    """A PubDate in any form seen on real pages: ``2020-08-02``, ``2020年08月02日``,
    ``2023-11-30  14:52``, ``2023-08-19 10∶08`` (U+2236), ``2020/8/2``,
    ``20200802``; None when it holds no valid calendar date."""
    m = _DATE.search(value) or _COMPACT_DATE.match(value)
    if m is None:
        return None
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    rest = value[m.end() :]
    t = _TIME.search(rest)
    if t is not None and (int(t[1]) > 23 or int(t[2]) > 59 or (t[3] and int(t[3]) > 59)):
        return None
    return day


def _values(page: ParsedPage) -> dict[str, list[str]]:
    """Every meta name (lower-cased) with all its contents: a page may repeat a
    tag, and one non-empty copy is enough."""
    cached = page._cache.get("meta:all")
    if isinstance(cached, dict):
        return cached
    out: dict[str, list[str]] = {}
    for node in page.tree.css("meta[name]"):
        name = (node.attributes.get("name") or "").strip().lower()
        if name:
            out.setdefault(name, []).append((node.attributes.get("content") or "").strip())
    page._cache["meta:all"] = out
    return out


def _sane(tag: str, value: str, *, site_code: str | None) -> bool:
    if tag == "PubDate":
        return parse_pub_date(value) is not None
    if tag == "SiteIDCode":
        if not site_code_valid(value):
            return False
        return site_code is None or value.lower() == site_code.lower()
    if tag == "SiteDomain":
        return all(_HOST.match(part) for part in re.split(r"[\s,;，；]+", value) if part)
    if tag == "Url":
        return _URL.match(value) is not None
    if tag == "Image":
        return _IMAGE.match(value) is not None
    return True


def check_tags(page: ParsedPage, page_type: PageType, *, footer_site_code: str | None) -> TagFacts:
    """Missing and invalid tags of ``page`` for its type.

    ``footer_site_code`` is the 网站标识码 shown in the footer (or the configured
    one): SiteIDCode must equal it when both exist.
    """
    values = _values(page)
    missing: list[str] = []
    invalid: list[str] = []
    pub_date: date | None = None
    for tag in required_tags(page_type):
        filled = [v for v in values.get(tag.lower(), ()) if v]
        if not filled:
            missing.append(tag)
            continue
        if not any(_sane(tag, v, site_code=footer_site_code) for v in filled):
            invalid.append(tag)
        if tag == "PubDate":
            pub_date = next((d for d in map(parse_pub_date, filled) if d is not None), None)
    if page_type is not PageType.CONTENT and pub_date is None:
        pubs = [v for v in values.get("pubdate", ()) if v]
        pub_date = next((d for d in map(parse_pub_date, pubs) if d is not None), None)
    return TagFacts(missing=tuple(missing), invalid=tuple(invalid), pub_date=pub_date)
