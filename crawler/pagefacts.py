"""Everything the crawl needs to know about one page, computed in one call.

``analyse_page`` is a pure function of (url, html) and a few settings, and its
result is small and picklable, so it runs the same in the crawling process
(tests, small sites) or in a pool of worker processes beside Scrapy's reactor
(big sites: analysis is most of the CPU a crawl costs, and Scrapy uses one
core).  Compliance checks (footer, tags, naming) are not done here: they run on
the indicators' sample of pages only, chosen at the end of the crawl.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from crawler.analysis import columns as colmod
from crawler.analysis.hidden import SpamTable, find_hidden_links, is_offsite, load_spam
from crawler.analysis.links import PageLink, extract_links
from crawler.analysis.page import ParsedPage
from crawler.analysis.privacy import find_privacy_in_page
from crawler.analysis.wording import Dictionary, find_wording, load_dictionary
from govmon import records as r


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisSettings:
    """What the analysers need besides the page (picklable, sent with each page)."""

    as_of: date
    site_hosts: frozenset[str] = frozenset()
    partner_domains: tuple[str, ...] = ("gov.cn",)
    content_checks: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFacts:
    url: str
    page_type: r.PageType
    title: str
    listing: colmod.Listing
    links: tuple[PageLink, ...]
    nav: tuple[colmod.NavLink, ...] = ()
    findings: tuple[r.Detection, ...] = field(default_factory=tuple)


@cache
def _spam() -> SpamTable:
    return load_spam()


@cache
def _dictionary() -> Dictionary:
    return load_dictionary()


def _host(url: str) -> str:
    """The host of a canonical absolute URL (no port), by string slicing."""
    netloc = url.split("/", 3)[2] if url.count("/") >= 2 else ""
    netloc = netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        return netloc[1:netloc.find("]")]
    return netloc.split(":", 1)[0]


def page_type_of(page: ParsedPage, listing: colmod.Listing, is_home: bool) -> r.PageType:
    if is_home:
        return r.PageType.HOME
    if listing.is_list:
        return r.PageType.COLUMN
    if listing.is_article or page.meta("ArticleTitle"):
        return r.PageType.CONTENT
    return r.PageType.OTHER


def analyse_page(url: str, html: str, *, is_home: bool, settings: AnalysisSettings) -> PageFacts:
    """Parse once and run the per-page analysers: listing, links, content safety."""
    page = ParsedPage.parse(url, html)
    listing = colmod.analyse_listing(page, as_of=settings.as_of)
    links = tuple(extract_links(page))
    findings: list[r.Detection] = []
    if settings.content_checks:
        findings += find_privacy_in_page(page, today=settings.as_of)
        # A hidden link is an off-site link: a page with none, and no script
        # writing links, cannot have one (most pages: skip the style analysis).
        hosts = {_host(link.url) for link in links if link.element is r.Element.A} - settings.site_hosts
        if "document.write" in html or any(
            is_offsite(f"http://{host}/", site_hosts=settings.site_hosts,
                       partner_domains=settings.partner_domains, spam=_spam())
            for host in hosts
        ):
            findings += find_hidden_links(page, site_hosts=settings.site_hosts,
                                          partner_domains=settings.partner_domains, spam=_spam())
        findings += find_wording(f"{page.title}\n{page.body_text}", url=url, pub_date=listing.published,
                                 dictionary=_dictionary())
    return PageFacts(
        url=url,
        page_type=page_type_of(page, listing, is_home),
        title=page.title[:200],
        listing=listing,
        links=links,
        nav=tuple(colmod.navigation(page)) if is_home else (),
        findings=tuple(findings),
    )


def analysis_workers() -> int:
    """Worker processes for page analysis: ``GOVMON_ANALYSIS_WORKERS``, or one
    fewer than the CPUs (Scrapy keeps one), 0 meaning in-process."""
    env = os.environ.get("GOVMON_ANALYSIS_WORKERS")
    if env is not None:
        return max(0, int(env))
    return max(0, (os.cpu_count() or 1) - 1)


def make_pool(workers: int) -> Executor | None:
    if workers <= 0:
        return None
    # spawn, not fork: the crawling process runs a reactor and threads.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
