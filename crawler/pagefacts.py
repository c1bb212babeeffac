"""Everything the crawl needs to know about one page, computed in one call.

``analyse_page`` is a pure function of (url, html) and a few settings, and its
result is small and picklable, so it runs the same in the crawling process
(tests, small sites) or in a pool of worker processes beside Scrapy's reactor
(big sites: analysis is most of the CPU a crawl costs, and Scrapy uses one
core).  Compliance checks (footer, tags, naming) are not done here: they run on
the indicators' sample of pages only, chosen at the end of the crawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache
from typing import Any

from crawler.analysis import columns as colmod
from crawler.analysis import interaction as inter
from crawler.analysis.classify import classify
from crawler.analysis.guides import guide_detection, load_synonyms
from crawler.analysis.hidden import SpamTable, find_hidden_links, is_offsite, load_spam
from crawler.analysis.interp import related_links
from crawler.analysis.links import PageLink, extract_links, pack_links, unpack_links
from crawler.analysis.page import ParsedPage, squash
from crawler.analysis.privacy import find_privacy_in_page
from crawler.analysis.wording import Dictionary, find_wording, load_dictionary
from govmon import records as r
from govmon.config import MessageSelectors


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisSettings:
    """What the analysers need besides the page (picklable, sent with each page)."""

    as_of: date
    site_hosts: frozenset[str] = frozenset()
    partner_domains: tuple[str, ...] = ("gov.cn",)
    content_checks: bool = True
    #: site-specific message-board selectors (site configuration), if any
    message_selectors: MessageSelectors | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionFacts:
    """What a board, guide or policy page says, read only on such pages (small
    and picklable, like :class:`PageFacts`).

    ``column`` is the page's own column name (ColumnName meta, breadcrumb);
    ``list_messages`` the messages a board list page shows, ``detail`` the one
    message a board detail (or answer) page shows, ``answer_links`` where a
    detail page puts its answer; ``board`` the board summary of a list page;
    ``guide`` a guide page's detection; ``related`` the relation links of a
    policy/interpretation article (None when not read) and ``role`` what its
    column says it is ("policy", "interpretation" or "")."""

    column: str = ""
    list_messages: tuple[r.MessageDetection, ...] = ()
    detail: r.MessageDetection | None = None
    answer_links: tuple[str, ...] = ()
    board: r.BoardDetection | None = None
    guide: r.GuideDetection | None = None
    related: tuple[str, ...] | None = None
    role: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFacts:
    url: str
    page_type: r.PageType
    title: str
    listing: colmod.Listing
    links: tuple[PageLink, ...]
    nav: tuple[colmod.NavLink, ...] = ()
    findings: tuple[r.Detection, ...] = field(default_factory=tuple)
    #: the article's own title (ArticleTitle meta or h1) for content pages
    heading: str = ""
    interaction: InteractionFacts | None = None

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Every page's facts cross from its analysis worker: the links as
        # plain tuples, which pickle in C (2.7x faster to load than one
        # object each), the rest field by field.
        values = [getattr(self, name) for name in _FACT_FIELDS]
        values[_LINKS] = pack_links(self.links)
        return _page_facts, tuple(values)


_FACT_FIELDS = tuple(f.name for f in fields(PageFacts))
_LINKS = _FACT_FIELDS.index("links")


def _page_facts(*values: Any) -> PageFacts:
    kwargs = dict(zip(_FACT_FIELDS, values, strict=True))
    kwargs["links"] = unpack_links(kwargs["links"])
    return PageFacts(**kwargs)


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


#: Cheap gates: a page is read as a board / guide / policy page only when its
#: names or its HTML say so, so ordinary pages pay a few substring tests.
_BOARD_WORDS = re.compile(r"留言|信箱|咨询|问政|建言|来信|写信|诉求|投诉|信访|举报")
_MESSAGE_LABELS = ("留言时间", "来信时间", "咨询时间", "提问时间", "答复内容", "回复内容", "答复单位", "回复单位")
#: The labels a board detail (or answer) page must carry to read as one message.
_DETAIL_LABELS = (*inter._ASKED, *inter._ANSWERED, *inter._REPLY)
_GUIDE_WORDS = re.compile(r"指南|办事须知|服务事项")
_GUIDE_LABELS = ("申请条件", "受理条件", "办理材料", "申请材料", "办理地点", "收费标准", "办理时间", "设定依据",
                 "办理流程", "办理机构", "联系电话")
_POLICY_WORDS = re.compile(r"解读|政策|图解|文件|规章|法规")
_ROLES = {r.ColumnClass.POLICY: "policy", r.ColumnClass.INTERPRETATION: "interpretation"}


@cache
def _guide_labels() -> tuple[tuple[str, ...], ...]:
    return tuple(load_synonyms().values())


def _labels_at_least(html: str, labels: tuple[str, ...], n: int) -> bool:
    """Whether ``n`` of ``labels`` occur in ``html``, stopping as soon as the
    answer is known (most pages: when too few labels are left to reach it)."""
    if n <= 0:
        return True
    left = len(labels)
    for label in labels:
        if label in html:
            n -= 1
            if n == 0:
                return True
        left -= 1
        if left < n:
            return False
    return False


def _guide_possible(html: str) -> bool:
    """A necessary condition of ``is_guide``: labels of 3 categories (事项名称
    may come from the heading, so 2 found in the HTML are enough to look)."""
    return sum(any(name in html for name in names) for names in _guide_labels()) >= 2


def _heading(page: ParsedPage) -> str:
    """An article's own title (for the search sample): ArticleTitle, else its
    h1, else the <title> without the site name."""
    title = page.meta("ArticleTitle") or ""
    if not title:
        node = page.tree.css_first(".article h1, .content h1, h1.title, h1")
        title = squash(node.text()) if node is not None else ""
        if len(title) < 4:
            title = page.title.split("_")[0].split(" - ")[0]
    return squash(title)[:200]


def interaction_facts(page: ParsedPage, listing: colmod.Listing, html: str, *, is_home: bool,
                      settings: AnalysisSettings) -> InteractionFacts | None:
    """The board, guide and policy facts of a page, or None for an ordinary page
    (the gates are substring tests; the analysers run only behind them)."""
    if is_home:
        return None
    names = listing.names
    column = names.column_name or names.breadcrumb or ""
    title = page.title
    facts: dict[str, object] = {}
    # -- message boards
    board_named = bool(column) and inter.is_board(None, column)
    if board_named or (_BOARD_WORDS.search(column or title) and any(k in html for k in _MESSAGE_LABELS)):
        name = column or title.split("_")[0]
        if listing.is_list:
            msgs = inter.board_messages(page, as_of=settings.as_of, board=name,
                                        selectors=settings.message_selectors)
            facts["list_messages"] = tuple(msgs)
            facts["board"] = inter.board_detection(page, name=name, as_of=settings.as_of, messages=msgs)
        elif any(k in html for k in _DETAIL_LABELS):
            found = inter.board_messages(page, as_of=settings.as_of, board=name, as_detail=True)
            if found:
                facts["detail"] = found[0]
                facts["answer_links"] = inter.answer_links(page)
    # -- service guides
    if not listing.is_list and not facts and (
        _GUIDE_WORDS.search(f"{column} {title}") or _labels_at_least(html, _GUIDE_LABELS, 4)
    ) and _guide_possible(html):
        guide = guide_detection(page)
        if guide is not None:
            facts["guide"] = guide
    # -- policy documents and interpretations
    if not listing.is_list and not facts and _POLICY_WORDS.search(f"{column} {title}"):
        role = _ROLES.get(classify(column), "") if column else ""
        if role or "解读" in title:
            facts["related"] = related_links(page)
            facts["role"] = role
    if not facts:
        return None
    return InteractionFacts(column=column, **facts)  # type: ignore[arg-type]


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
    page_type = page_type_of(page, listing, is_home)
    return PageFacts(
        url=url,
        page_type=page_type,
        title=page.title[:200],
        listing=listing,
        links=links,
        nav=tuple(colmod.navigation(page)) if is_home else (),
        findings=tuple(findings),
        heading=_heading(page) if page_type is r.PageType.CONTENT else "",
        interaction=interaction_facts(page, listing, html, is_home=is_home, settings=settings),
    )
