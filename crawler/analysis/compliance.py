"""Page and site compliance detections: the footer, 找错, tag, naming and search
analysers combined into ``PageDetection`` and ``SiteDetection`` records.

Facts only: how many points a missing marker costs is the profile's business.
A footer the tool could not see yields ``footer_observable=False`` with nothing
missing, so the scorer reports it as unknown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from crawler.analysis.footer import analyse_footer, find_jiucuo
from crawler.analysis.meta import check_tags
from crawler.analysis.naming import (
    domain_compliant,
    host_of,
    name_in_header,
    name_in_title,
    named_after_region,
    site_name_of,
)
from crawler.analysis.page import ParsedPage
from crawler.analysis.searchbox import find_search
from govmon.records import PageDetection, PageType, SiteDetection

__all__ = ["page_detection", "sample_pages", "site_detection"]


def page_detection(
    page: ParsedPage,
    page_type: PageType,
    *,
    site_name: str | None,
    expected_site_code: str | None,
) -> PageDetection:
    """The compliance facts of one checked page.

    ``site_name`` is the configured name (else the page's SiteName tag is used
    for the title/header checks); SiteIDCode is compared with the footer's
    网站标识码, or with ``expected_site_code`` when the footer shows none.
    """
    footer = analyse_footer(page)
    jiucuo = find_jiucuo(page)
    tags = check_tags(page, page_type, footer_site_code=footer.site_code or expected_site_code)
    name = site_name or site_name_of(page)
    return PageDetection(
        url=page.url,
        page_type=page_type,
        footer_observable=footer.observable,
        footer_missing=footer.missing if footer.observable else (),
        jiucuo=jiucuo.present,
        tags_missing=tags.missing,
        tags_invalid=tags.invalid,
        site_code=footer.site_code,
        site_code_valid=footer.site_code_valid,
        title=page.title,
        name_in_title=name_in_title(page, name),
        name_in_header=name_in_header(page, name),
        pub_date=tags.pub_date,
    )


def _found_site_code(home: ParsedPage, pages: Sequence[PageDetection]) -> str | None:
    """The site code the site shows: the homepage footer, else another checked
    page's footer, else the SiteIDCode tag, else the 找错 entry's sitecode."""
    footer = analyse_footer(home)
    if footer.site_code:
        return footer.site_code
    for det in pages:
        if det.site_code:
            return det.site_code
    declared = (home.meta("SiteIDCode") or "").strip()
    if declared:
        return declared
    return find_jiucuo(home).sitecode


def site_detection(
    home: ParsedPage,
    page_detections: Sequence[PageDetection],
    *,
    site_name: str | None,
    expected_site_code: str | None,
    domain_exceptions: Iterable[str] = (),
    region_names: Iterable[str] = (),
) -> SiteDetection:
    """Site-level facts from the homepage and the checked pages' detections.

    ``site_code_matches`` is None unless both a found and a configured code
    exist; ``pages_without_name`` lists pages whose header was readable and
    lacked the name (unknown headers are not listed).
    """
    name = site_name or site_name_of(home) or ""
    found = _found_site_code(home, page_detections)
    expected = expected_site_code.strip() if expected_site_code else None
    matches = None
    if found and expected:
        matches = found.lower() == expected.lower()
    search = find_search(home)
    search_url: str | None = None
    if search is not None:
        search_url = search.action
    return SiteDetection(
        url=home.url,
        name=name,
        domain=host_of(home.url),
        domain_compliant=domain_compliant(home.url, domain_exceptions),
        named_after_region=named_after_region(name, extra_names=region_names) if name else None,
        pages_checked=len(page_detections),
        pages_name_in_header=sum(1 for d in page_detections if d.name_in_header is True),
        pages_without_name=tuple(d.url for d in page_detections if d.name_in_header is False),
        search_box=search is not None,
        search_url=search_url,
        site_code=found,
        site_code_expected=expected,
        site_code_matches=matches,
    )


def sample_pages(candidates: Sequence[str], n: int = 5, seed: int = 0) -> list[str]:
    """``n`` pages drawn from ``candidates`` (the indicators sample 5 content and
    5 column pages), the same for the same set of URLs and seed whatever order
    the crawl found them in.

    A page is drawn when its :func:`sample_key` is among the ``n`` smallest, so
    a crawler can keep the sample as pages arrive, holding only ``n`` of them.
    """
    if n <= 0:
        return []
    unique = sorted(set(candidates), key=lambda u: sample_key(u, seed))
    return sorted(unique[:n], key=_path_key)


def sample_key(url: str, seed: int = 0) -> str:
    """The rank of a page in the sample: a hash of its path and query (not its
    host or port, so a mirror or a test server gets the same sample)."""
    path, _ = _path_key(url)
    return hashlib.sha1(f"{seed}\x1f{path}".encode()).hexdigest()


def _path_key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return (parts.path + ("?" + parts.query if parts.query else ""), url)
