"""What one crawl of one site learns, page by page, and the detections it ends in.

The spider only moves data: for each response it calls :meth:`SiteCollector.page`
(or :meth:`resource` / :meth:`failure`) and follows the URLs returned.  This
class holds scope, the crawl-trap guard, the per-page analysers and the small
per-page facts kept for the end of the crawl, when :meth:`finish` turns them
into detections.  It imports nothing of Scrapy, so it is tested on its own and
reused by any other fetcher (scrapy-redis workers, a browser renderer).

Memory is kept per page to a few hundred bytes (no HTML, no trees): 5,000
pages stay far below the 300 MB budget of the benchmark.
"""

from __future__ import annotations

import heapq
import logging
import re
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from crawler.analysis import columns as colmod
from crawler.analysis import interaction as inter
from crawler.analysis.attachments import AttachmentLimits, extract_text
from crawler.analysis.compliance import page_detection, sample_key, site_detection
from crawler.analysis.hidden import find_script_links, load_spam
from crawler.analysis.interp import sample_pairs
from crawler.analysis.links import PageLink, canonical_url
from crawler.analysis.page import ParsedPage
from crawler.analysis.privacy import find_privacy_in_attachment
from crawler.analysis.searchbox import SearchForm, find_search
from crawler.analysis.waf import challenge_reason
from crawler.analysis.wording import find_wording, load_dictionary
from crawler.job import CrawlTarget
from crawler.pagefacts import AnalysisSettings, InteractionFacts, PageFacts, analyse_page
from govmon import records as r
from govmon.config import MessageSelectors

log = logging.getLogger(__name__)

#: Paths that are pages (crawled) rather than resources (status-checked only).
_RESOURCE_EXT = re.compile(
    r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z|gz|jpe?g|png|gif|bmp|webp|svg|ico|css|js|mp[34]|"
    r"avi|flv|wmv|swf|txt|xml|csv|apk|exe)$",
    re.IGNORECASE,
)
_SESSION = re.compile(r";jsessionid=|[?&](?:sid|sessionid|jsessionid|phpsessid|aspsessionid\w*)=", re.I)
_CALENDAR = re.compile(r"[?&](?:date|day|month|year|ym|cal)=", re.I)
_PAGE_ELEMENTS = (r.Element.A, r.Element.IFRAME)
#: Attachments whose text is read for privacy leaks and wording errors.
_READABLE = re.compile(r"\.(?:pdf|docx|xlsx|xls|csv|txt|doc|wps)$", re.IGNORECASE)
_SCRIPT = re.compile(r"\.js$", re.IGNORECASE)

PAGE, ATTACHMENT, SCRIPT = "page", "attachment", "script"
#: Distinct paths the trap guard reports one by one; the rest share one unknown.
_MAX_TRAP_UNKNOWNS = 50
#: Pages of each kind in the indicators' compliance sample.
_SAMPLE = 5
#: Article titles kept for the site-search sample (the smallest sample keys).
_MAX_TITLES = 200
#: Parent hops walked to find the column a page belongs to.
_MAX_HOPS = 8


_ELEMENTS = tuple(r.Element)
_ELEMENT_CODE = {e: i for i, e in enumerate(_ELEMENTS)}


class Occurrences:
    """Where each link was seen: 4 bytes an occurrence (page number × 8 +
    element) instead of a 64-byte tuple, as a 5,000-page site has 260,000 of
    them and only the few links that fail are ever reported with their pages."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self._numbers: dict[str, int] = {}
        self._by_url: dict[str, array[int]] = {}

    def page(self, url: str) -> int:
        """The number of a page carrying links (given once per page)."""
        number = self._numbers.get(url)
        if number is None:
            number = self._numbers[url] = len(self.pages)
            self.pages.append(url)
        return number

    def add(self, url: str, page: int, element: r.Element) -> None:
        seen = self._by_url.get(url)
        if seen is None:
            seen = self._by_url[url] = array("I")
        seen.append(page * 8 + _ELEMENT_CODE[element])

    def __contains__(self, url: object) -> bool:
        return url in self._by_url

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_url)

    def __len__(self) -> int:
        return len(self._by_url)

    def pairs(self, url: str) -> list[tuple[str, r.Element]]:
        """(page URL, element) of every occurrence of ``url``, in crawl order."""
        return [(self.pages[v >> 3], _ELEMENTS[v & 7]) for v in self._by_url.get(url, ())]

    def select(self, urls: Iterable[str]) -> dict[str, list[tuple[str, r.Element]]]:
        return {url: self.pairs(url) for url in urls}


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A URL the spider should fetch next, and what to do with its answer."""

    url: str
    kind: str = PAGE  # PAGE, ATTACHMENT or SCRIPT
    referrer: str = ""


def _netloc(url: str) -> str:
    """host[:port] of a URL, the port only when not the scheme's default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return host
    return host if port is None or port == default else f"{host}:{port}"


_INDEX_FILE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.IGNORECASE)


def _page_alias(url: str) -> str:
    """A page's URL with its folder's index file dropped (/x/index.html → /x/):
    a pager's 首页 link and the menu's link are one page, crawled once so that
    its links are reported on one URL."""
    parts = urlsplit(url)
    path = _INDEX_FILE.sub("/", parts.path or "/")
    return parts._replace(path=path, fragment="").geturl()


@dataclass(slots=True)
class _PageFacts:
    url: str
    status: int
    depth: int
    page_type: r.PageType
    title: str
    listing: colmod.Listing | None  # list pages, the homepage and its children only
    detection: r.PageDetection | None


@dataclass(slots=True)
class CrawlOutcome:
    """The crawl's result: detections, and the links left for the link checker."""

    detections: list[r.Detection]
    #: canonical URL -> [(page URL, element)] for every link of ``to_check``
    occurrences: dict[str, list[tuple[str, r.Element]]]
    #: URLs whose status the crawl itself established (crawled pages)
    statuses: dict[str, tuple[int | None, str | None]]
    #: URLs the link checker must still check (external, resources, beyond limits)
    to_check: list[str]
    stats: r.CrawlStats
    pages: list[dict[str, Any]] = field(default_factory=list)
    #: URLs of ``to_check`` that already failed once in the crawl
    failed: frozenset[str] = frozenset()
    #: the homepage's site search, and article titles to search for (NAT-D-SEARCH)
    search_form: SearchForm | None = None
    titles: list[str] = field(default_factory=list)
    #: the hosts (host[:port]) that are the site: the search probe stays on them
    hosts: frozenset[str] = frozenset()


_NEGATE = str.maketrans("0123456789abcdef", "fedcba9876543210")


def _negate(hex_key: str) -> str:
    """A hex key whose order is reversed (a min-heap that keeps the smallest keys)."""
    return hex_key.translate(_NEGATE)


def _folder(url: str) -> str:
    """The folder of a column's URL (/a/b/index.html → /a/b/), for prefix matches."""
    key = _page_alias(url)
    return key if key.endswith("/") else key.rsplit("/", 1)[0] + "/"


def column_of(url: str, columns: Mapping[str, r.ColumnDetection], parents: Mapping[str, str]
              ) -> r.ColumnDetection | None:
    """The column a page belongs to: the nearest column list page among the page
    and the pages it was reached from, else the column whose folder holds it
    (the deepest).  ``columns`` is keyed by :func:`_page_alias` of their URL."""
    cur: str | None = url
    for _ in range(_MAX_HOPS):
        if cur is None:
            break
        hit = columns.get(_page_alias(cur))
        if hit is not None:
            return hit
        cur = parents.get(cur)
    best: r.ColumnDetection | None = None
    for col in columns.values():
        folder = _folder(col.url)
        if folder.count("/") > 3 and url.startswith(folder) and (best is None or len(folder) > len(_folder(best.url))):
            best = col
    return best


class SiteCollector:
    """Scope, trap guard, analysis and bookkeeping of one site's crawl."""

    def __init__(self, target: CrawlTarget) -> None:
        self.target = target
        self.home = canonical_url(target.url)
        # Scope is by host *and port*: another server on the same host (a
        # test's "external" site, an admin port) is not the site.
        self.hosts = frozenset({_netloc(self.home), *(_netloc("//" + h) for h in target.extra_hosts)})
        self.started = time.monotonic()
        self.scheduled: set[str] = {self.home}
        #: scheduled pages as the column analyser compares them: /x/index.html is /x/
        self.page_keys: set[str] = {_page_alias(self.home)}
        self.pattern_counts: dict[str, int] = defaultdict(int)
        self.facts: list[_PageFacts] = []
        self.parents: dict[str, str] = {}
        self.occurrences = Occurrences()
        self.statuses: dict[str, tuple[int | None, str | None]] = {}
        self.unknowns: list[r.UnknownDetection] = []
        self.extra: list[r.Detection] = []
        self.nav: list[colmod.NavLink] = []
        self.home_page: ParsedPage | None = None
        self.skipped_limit = 0
        self.skipped_trap = 0
        #: path of skipped trap URLs -> (first such URL, how many)
        self.trap_skips: dict[str, tuple[str, int]] = {}
        self.requests = 0
        self.bytes = 0
        self.attachments_left = target.max_attachments
        self.scripts_left = target.max_scripts
        self.host_names = frozenset(h.split(":")[0] for h in self.hosts)
        self.spam = load_spam()
        self.dictionary = load_dictionary()
        self.attachment_limits = AttachmentLimits()
        self.failed: set[str] = set()
        self.samples: dict[r.PageType, list[tuple[str, str, str]]] = {}
        selectors = MessageSelectors(**dict(target.message_selectors)) if target.message_selectors else None
        self.settings = AnalysisSettings(as_of=target.as_of, site_hosts=self.host_names,
                                         partner_domains=target.partner_domains, message_selectors=selectors)
        #: board, guide and policy pages: (URL, depth, facts)
        self.interactions: list[tuple[str, int, InteractionFacts]] = []
        #: answer page URL -> the message (detail page) URL it answers
        self.answer_of: dict[str, str] = {}
        #: (negated sample key, title) of the articles kept for the search sample
        self.titles: list[tuple[str, str]] = []
        #: URL -> heading of content pages with relation facts
        self.headings: dict[str, str] = {}
        #: called once per URL as soon as the crawl knows the link checker must
        #: check it (url, failed once already): checks then run beside the crawl
        self.on_check: Callable[[str, bool], None] | None = None
        self.dispatched: set[str] = set()

    # ------------------------------------------------------------------ scope
    def in_scope(self, url: str) -> bool:
        # Canonical URLs (all links are) carry a lowercase host and no default
        # port, so slicing is enough for them; anything else is parsed.
        if url.startswith(("http://", "https://")):
            netloc = url.split("/", 3)[2]
            if netloc in self.hosts:
                return True
            if "@" not in netloc and not netloc.startswith("[") and netloc.islower() and ":" not in netloc:
                return False  # a plain lowercase host without a port: it is what it is
        return _netloc(url) in self.hosts

    def _trap(self, url: str) -> bool:
        """Calendars, session ids and endless query strings are not followed."""
        t = self.target
        if len(url) > t.max_url_length or _SESSION.search(url):
            return True
        parts = urlsplit(url)
        if parts.query:
            params = parse_qsl(parts.query, keep_blank_values=True)
            if len(params) > t.max_query_params:
                return True
            if _CALENDAR.search("?" + parts.query) or len({k for k, _ in params}) < len(params):
                pattern = parts.path
            else:
                pattern = parts.path + "?" + "&".join(sorted(k for k, _ in params))
            self.pattern_counts[pattern] += 1
            if self.pattern_counts[pattern] > t.max_pages_per_pattern:
                return True
        # repeated path segments (a/b/a/b/a/b) are a relative-link loop
        segs = [s for s in parts.path.split("/") if s]
        return len(segs) > 12 or (len(segs) >= 6 and len(set(segs)) * 2 <= len(segs))

    def _wants_crawl(self, link: PageLink) -> bool:
        if link.element not in _PAGE_ELEMENTS or link.attachment:
            return False
        return not _RESOURCE_EXT.search(urlsplit(link.url).path)

    # ------------------------------------------------------------------ pages
    def accept(self, url: str, *, status: int, html: str, depth: int, headers: dict[str, str] | None = None,
               redirects: Sequence[str] = ()) -> bool:
        """Record an HTML answer; True when it is a page to analyse."""
        self.requests += 1 + len(redirects)
        self.bytes += len(html)
        key = canonical_url(url)
        hops = [canonical_url(hop) for hop in redirects]
        reason = challenge_reason(status, headers, html[:8192])
        if reason is None and status >= 400:
            # not settled: the link checker confirms it after a delay, and the
            # links that redirected here with it
            for k in (key, *hops):
                self._check(k, failed=True)
            return False
        for hop in hops:
            self.statuses.setdefault(hop, (status, None))
        if reason is not None:
            self.statuses[key] = (status, "blocked")
            self.unknowns.append(r.UnknownDetection(url=url, reason=r.UnknownReason.BLOCKED, status=status,
                                                    detail=reason))
            return False
        self.statuses[key] = (status, None)
        return True

    def _check(self, url: str, *, failed: bool = False) -> None:
        """Hand a URL to the link checker now (see :attr:`on_check`); what the
        crawl settles later is left out of the result by :meth:`finish`."""
        if failed:
            self.failed.add(url)
        if self.on_check is not None and url not in self.dispatched:
            self.dispatched.add(url)
            self.on_check(url, failed)

    def is_home(self, url: str, depth: int) -> bool:
        return depth == 0 or canonical_url(url) == self.home

    def page(self, url: str, *, status: int, html: str, depth: int, headers: dict[str, str] | None = None,
             redirects: Sequence[str] = ()) -> list[FollowUp]:
        """Record, analyse (in this process) and absorb one HTML answer."""
        if not self.accept(url, status=status, html=html, depth=depth, headers=headers, redirects=redirects):
            return []
        facts = analyse_page(url, html, is_home=self.is_home(url, depth), settings=self.settings)
        return self.absorb(facts, html=html, depth=depth, status=status)

    def absorb(self, facts: PageFacts, *, html: str, depth: int, status: int = 200) -> list[FollowUp]:
        """Keep a page's facts and return what to fetch next (links are
        deduplicated and scoped here, before any Request exists)."""
        url = facts.url
        listing = facts.listing
        is_home = facts.page_type is r.PageType.HOME
        if is_home:
            self.home_page = ParsedPage.parse(url, html)
            self.nav = list(facts.nav)
        detection = None
        if self.target.all_pages:
            detection = page_detection(ParsedPage.parse(url, html), facts.page_type, site_name=self.target.name,
                                       expected_site_code=self.target.site_code)
        else:
            self._offer_sample(facts.page_type, url, html)
        # Kept: list pages, the homepage, and the homepage's direct children
        # (the second level that judges a navigation-only homepage).
        keep = listing.is_list or listing.scripted or is_home or depth <= 1
        self.facts.append(_PageFacts(url=url, status=status, depth=depth, page_type=facts.page_type,
                                     title=facts.title, listing=listing if keep else None,
                                     detection=detection))
        self.extra.extend(facts.findings)
        self._keep_interaction(facts, depth)
        follow: list[FollowUp] = []
        links = list(facts.links)
        # Pager targets written by scripts (TRS createPageHTML) are followed too,
        # and a message's answer page (it is a link already; made sure of here).
        known = {link.url for link in links}
        extra_urls = [*listing.pagination, *(facts.interaction.answer_links if facts.interaction else ())]
        links += [PageLink(url=u, element=r.Element.A, attachment=False, text="")
                  for u in dict.fromkeys(extra_urls) if u not in known]
        page_no = self.occurrences.page(url)
        for link in links:
            target = link.url if link.url in known else canonical_url(link.url)
            linked = link.url in known
            if linked:
                self.occurrences.add(target, page_no, link.element)
            if target in self.scheduled:
                continue
            if not self.in_scope(target):
                if linked:
                    self._check(target)
                continue
            if not self._wants_crawl(link):
                extra = self._resource_follow_up(target, link, url)
                if extra is not None:
                    follow.append(extra)
                elif linked:
                    self._check(target)
                continue
            self.scheduled.add(target)
            alias = _page_alias(target)
            if alias in self.page_keys:
                if linked:
                    self._check(target)  # the same page under its other URL: crawled once, link-checked
                continue
            self.page_keys.add(alias)
            if depth + 1 > self.target.max_depth or self._trap(target):
                if linked:
                    self._check(target)
                self.skipped_trap += 1
                path = urlsplit(target).path.split(";", 1)[0]
                if path not in self.trap_skips and len(self.trap_skips) >= _MAX_TRAP_UNKNOWNS:
                    path = "*"  # the rest share one unknown
                first, n = self.trap_skips.get(path, (target, 0))
                self.trap_skips[path] = (first, n + 1)
                continue
            if len(self.scheduled) - self.skipped_trap - self.skipped_limit > self.target.max_pages:
                self.skipped_limit += 1
                if linked:
                    self._check(target)
                continue
            self.parents[target] = url
            follow.append(FollowUp(target, PAGE, url))
        return follow

    def _keep_interaction(self, facts: PageFacts, depth: int) -> None:
        """Keep the small board/guide/policy facts of a page, and its title for
        the search sample (a bounded, order-independent choice)."""
        if facts.heading and facts.page_type is r.PageType.CONTENT:
            key = sample_key(facts.url, self.target.sample_seed)
            item = (_negate(key), facts.heading)
            if len(self.titles) < _MAX_TITLES:
                heapq.heappush(self.titles, item)
            elif item > self.titles[0]:
                heapq.heapreplace(self.titles, item)
        info = facts.interaction
        if info is None:
            return
        url = canonical_url(facts.url)
        self.interactions.append((url, depth, info))
        for answer in info.answer_links:
            self.answer_of.setdefault(canonical_url(answer), url)
        if info.related is not None:
            self.headings[url] = facts.heading or facts.title.split("_")[0]

    def _offer_sample(self, page_type: r.PageType, url: str, html: str) -> None:
        """Keep the HTML of the pages in the indicators' sample so far (5 content,
        5 column pages with the smallest sample keys): compliance is checked on
        those at the end, not on every page."""
        if page_type not in (r.PageType.CONTENT, r.PageType.COLUMN):
            return
        held = self.samples.setdefault(page_type, [])
        key = sample_key(url, self.target.sample_seed)
        if len(held) < _SAMPLE and all(u != url for _, u, _ in held):
            held.append((key, url, html))
        elif held and key < max(held)[0] and all(u != url for _, u, _ in held):
            held.remove(max(held))
            held.append((key, url, html))

    def _resource_follow_up(self, target: str, link: PageLink, page_url: str) -> FollowUp | None:
        """Same-site attachments are read (privacy, wording) and same-site scripts
        scanned for written links, within per-site budgets."""
        path = urlsplit(target).path
        if _READABLE.search(path) and self.attachments_left > 0:
            self.attachments_left -= 1
            self.scheduled.add(target)
            return FollowUp(target, ATTACHMENT, page_url)
        if link.element is r.Element.SCRIPT and _SCRIPT.search(path) and self.scripts_left > 0:
            self.scripts_left -= 1
            self.scheduled.add(target)
            return FollowUp(target, SCRIPT, page_url)
        return None

    def attachment(self, url: str, *, status: int, body: bytes, content_type: str | None, referrer: str,
                   truncated: bool = False) -> None:
        """Read an attachment's text and look for leaks and wording errors in it."""
        self.requests += 1
        key = canonical_url(url)
        if status >= 400:
            self._check(key, failed=True)  # the link checker confirms and reports it
            return
        self.statuses[key] = (status, None)
        filename = urlsplit(url).path.rsplit("/", 1)[-1]
        if truncated:
            self.unknowns.append(r.UnknownDetection(url=url, reason=r.UnknownReason.LIMIT,
                                                    detail=f"attachment {filename}: larger than the byte limit"))
            return
        text = extract_text(body, filename=filename, content_type=content_type, limits=self.attachment_limits)
        unknown = text.unknown(url)
        if unknown is not None:
            self.unknowns.append(unknown)
        if text.text:
            self.extra.extend(find_privacy_in_attachment(text.text, url=referrer or url, attachment=url,
                                                         today=self.target.as_of))
            self.extra.extend(find_wording(text.text, url=referrer or url, pub_date=None,
                                           dictionary=self.dictionary, attachment=url))

    def script(self, url: str, *, status: int, text: str, referrer: str) -> None:
        """A same-site script: links it writes into pages (暗链 by document.write)."""
        self.requests += 1
        if status >= 400:
            self._check(canonical_url(url), failed=True)  # the link checker confirms and reports it
            return
        self.statuses[canonical_url(url)] = (status, None)
        self.extra.extend(find_script_links(text, url=referrer or url, script_url=url, site_hosts=self.host_names,
                                            partner_domains=self.target.partner_domains, spam=self.spam))

    def resource(self, url: str, *, status: int, headers: dict[str, str] | None = None,
                 body_start: str = "", redirects: Sequence[str] = ()) -> None:
        """A non-HTML answer (image, attachment) or an off-site redirect target."""
        self.requests += 1 + len(redirects)
        key = canonical_url(url)
        reason = challenge_reason(status, headers, body_start)
        if reason is not None:
            self.statuses[key] = (status, "blocked")
        elif status >= 400:
            self._check(key, failed=True)  # not settled: the link checker confirms it after a delay
        else:
            self.statuses[key] = (status, None)

    def failure(self, url: str, *, reason: r.UnknownReason | r.LinkError, status: int | None = None,
                detail: str = "") -> None:
        """A request that produced no answer.  Something unobservable (a timeout,
        a download over the byte limit) is an unknown and settled so: no problem
        is claimed for it.  A link error (refused, DNS, TLS) is the link
        checker's to confirm after its delay and report."""
        self.requests += 1
        key = canonical_url(url)
        if isinstance(reason, r.UnknownReason):
            self.failed.add(key)
            self.statuses[key] = (status, "unknown")
            self.unknowns.append(r.UnknownDetection(url=url, reason=reason, status=status, detail=detail))
        else:
            self._check(key, failed=True)

    # ----------------------------------------------------------------- finish
    def finish(self) -> CrawlOutcome:
        as_of = self.target.as_of
        listings = {f.url: f.listing for f in self.facts if f.listing is not None}
        homepage, columns = colmod.build_columns(listings, home_url=self.target.url, nav=self.nav,
                                                 parents=self.parents, as_of=as_of)
        detections: list[r.Detection] = [homepage, *columns]
        detections.extend(colmod.unknown_columns(listings, home_url=self.target.url))
        page_dets = self._page_detections()
        detections.extend(page_dets)
        if self.home_page is not None:
            detections.append(site_detection(self.home_page, page_dets, site_name=self.target.name,
                                             expected_site_code=self.target.site_code,
                                             domain_exceptions=self.target.domain_exceptions))
        detections.extend(self.extra)
        detections.extend(self._interaction_detections(columns))
        unknowns = list(self.unknowns)
        if self.skipped_limit:
            # A site-wide fact, not one page's: its URL must not mark the
            # homepage as unobserved.
            unknowns.append(r.UnknownDetection(
                url=self.target.url + "#crawl-limit", reason=r.UnknownReason.LIMIT,
                detail=f"{self.skipped_limit} page(s) not crawled: the page limit "
                       f"({self.target.max_pages}) was reached; their links were still checked"))
        # Pages the trap guard or the depth limit did not follow are not seen:
        # one unknown per path (a calendar, a session-id URL), so nothing is
        # claimed for them.
        for first, n in self.trap_skips.values():
            unknowns.append(r.UnknownDetection(
                url=first, reason=r.UnknownReason.LIMIT,
                detail=f"{n} URL(s) like this one not crawled: crawl-trap guard (session id, calendar, "
                       f"growing query) or depth limit ({self.target.max_depth}); their links were checked"))
        detections.extend(unknowns)
        to_check = [u for u in self.occurrences if u not in self.statuses]
        stats = r.CrawlStats(pages=len(self.facts), requests=self.requests,
                             seconds=round(time.monotonic() - self.started, 3),
                             unknown=len(unknowns), bytes=self.bytes)
        pages = [{"url": f.url, "status": f.status, "page_type": f.page_type.value, "title": f.title,
                  "depth": f.depth, "bytes": 0} for f in self.facts]
        return CrawlOutcome(detections=detections, occurrences=self.occurrences.select(to_check),
                            statuses=self.statuses, to_check=to_check, stats=stats, pages=pages,
                            failed=frozenset(self.failed & set(to_check)),
                            search_form=find_search(self.home_page) if self.home_page is not None else None,
                            titles=sorted(t for _, t in self.titles), hosts=self.hosts)

    # ----------------------------------------------------------- interaction
    def _interaction_detections(self, columns: Sequence[r.ColumnDetection]) -> list[r.Detection]:
        """Boards and their messages, guides, and the policy/interpretation
        pairs sample, from the facts kept page by page."""
        by_alias = {_page_alias(c.url): c for c in columns}
        out: list[r.Detection] = []
        out.extend(self._boards(by_alias))
        seen: set[str] = set()
        for url, _, info in self.interactions:
            if info.guide is not None and url not in seen:
                seen.add(url)
                out.append(info.guide)
        out.extend(self._interp_pairs(by_alias))
        return out

    def _boards(self, by_alias: Mapping[str, r.ColumnDetection]) -> list[r.Detection]:
        """One BoardDetection per board column (信访/举报 ones marked excluded) and
        its messages, list items, detail pages and answer pages merged."""
        boards = {k: c for k, c in by_alias.items() if inter.is_board(None, c.name)}
        # board key -> (name, url) and its facts
        named: dict[str, tuple[str, str]] = {}
        lists: dict[str, list[tuple[int, str, InteractionFacts]]] = defaultdict(list)
        details: dict[str, list[r.MessageDetection]] = defaultdict(list)
        answers: dict[str, list[r.MessageDetection]] = defaultdict(list)
        for url, depth, info in self.interactions:
            if info.board is None and info.detail is None:
                continue
            col = column_of(url, boards, self.parents)
            if col is None and url in self.answer_of:
                col = column_of(self.answer_of[url], boards, self.parents)
            if col is not None:
                key = _page_alias(col.url)
                named[key] = (col.name, col.url)
            else:
                key = "name:" + (info.column or "")
                named.setdefault(key, (info.column, url))
            if info.board is not None:
                lists[key].append((depth, url, info))
            if info.detail is not None:
                (answers if url in self.answer_of else details)[key].append(replace(info.detail, url=url))
        for key, col in boards.items():
            named.setdefault(key, (col.name, col.url))
        crawled = {canonical_url(f.url) for f in self.facts}
        out: list[r.Detection] = []
        for key, (name, board_url) in named.items():
            pages = sorted(lists.get(key, []), key=lambda t: (_page_alias(t[1]) != key, t[0], t[1]))
            listed = [replace(m, url=canonical_url(m.url)) for _, _, info in pages for m in info.list_messages]
            if not pages and not details.get(key) and key.startswith("name:"):
                continue
            read = {m.url for m in details.get(key, [])}
            # A list item whose page was crawled and does not read as a message
            # (an article in a column named 咨询) is not a message: dropped,
            # unless the list itself says how it was handled.
            items = [m for m in listed if m.url in read or m.url not in crawled
                     or m.status is not r.MessageStatus.UNKNOWN or m.answered is not None]
            messages = inter.merge_messages(details.get(key, []), answers.get(key, []), items,
                                            aliases=self.answer_of)
            messages = [replace(m, board=name) for m in messages]
            out.extend(messages)
            col = by_alias.get(key)
            if pages:
                first = pages[0][2].board
                assert first is not None
                dates = [m.asked for m in listed if m.asked is not None]
                out.append(replace(first, url=board_url if col is not None else first.url, name=name,
                                   messages=len({m.url for m in listed}),
                                   messages_published=bool(listed) or first.messages_published,
                                   newest=max(dates) if dates else first.newest,
                                   statistics=any(i.board is not None and i.board.statistics for _, _, i in pages),
                                   excluded=inter.is_excluded(name)))
            elif col is not None:
                # a board column whose list the board reader did not see: what the column says
                out.append(r.BoardDetection(url=col.url, name=name, messages_published=col.entries > 0,
                                            messages=col.entries, newest=col.newest,
                                            excluded=inter.is_excluded(name)))
        return out

    def _interp_pairs(self, by_alias: Mapping[str, r.ColumnDetection]) -> list[r.Detection]:
        """NAT-D-INTERP-LINK's sample over the articles of policy and
        interpretation columns (the column a page is under decides its role)."""
        roles = {r.ColumnClass.POLICY: "policy", r.ColumnClass.INTERPRETATION: "interpretation"}
        typed = {k: c for k, c in by_alias.items() if c.column_class in roles}
        policies: dict[str, str] = {}
        interps: dict[str, str] = {}
        links: dict[str, tuple[str, ...]] = {}
        for url, _, info in self.interactions:
            if info.related is None:
                continue
            col = column_of(url, typed, self.parents)
            role = roles[col.column_class] if col is not None else info.role
            if not role and "解读" in self.headings.get(url, ""):
                role = "interpretation"
            if not role:
                continue
            (policies if role == "policy" else interps)[url] = self.headings.get(url, "")
            links[url] = tuple(canonical_url(u) for u in info.related)
        if not policies and not interps:
            return []
        return list(sample_pairs(policies, interps, links_by_page=links, seed=self.target.sample_seed))

    def _page_detections(self) -> list[r.PageDetection]:
        """Compliance of the homepage and the sample (or of every page with
        ``all_pages``, computed as the pages came)."""
        if self.target.all_pages:
            return [f.detection for f in self.facts if f.detection is not None]
        out: list[r.PageDetection] = []
        name, code = self.target.name, self.target.site_code
        if self.home_page is not None:
            out.append(page_detection(self.home_page, r.PageType.HOME, site_name=name, expected_site_code=code))
        for page_type in (r.PageType.CONTENT, r.PageType.COLUMN):
            for _, url, html in sorted(self.samples.get(page_type, []), key=lambda t: t[1]):
                out.append(page_detection(ParsedPage.parse(url, html), page_type, site_name=name,
                                          expected_site_code=code))
        return out
