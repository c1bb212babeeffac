"""Records of the portal generator: what a portal should look like (spec) and what a
correct monitor must find on it (ground truth)."""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin

from govmon.records import (
    ColumnClass,
    ColumnDetection,
    Detection,
    Element,
    FooterMarker,
    HomepageDetection,
    LinkDetection,
    LinkError,
    MessageStatus,
    PageType,
    PrivacyType,
    UnknownDetection,
    UnknownReason,
)

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------


class DateFormat(enum.StrEnum):
    """How a list page writes an entry's date (DESIGN.md "Standards")."""

    ISO = "iso"  # 2026-11-25
    SLASH = "slash"  # 2026/11/25
    DOT = "dot"  # 2026.11.25
    CHINESE = "chinese"  # 2026年11月25日
    MONTH_DAY = "month_day"  # [11-25], the year from context
    DAY_MONTH = "day_month"  # 25/11, the year from context
    ISO_BRACKET = "iso_bracket"  # [2026-11-25]
    ISO_TIME = "iso_time"  # 2026-11-25 09:30
    CHINESE_BRACKET = "chinese_bracket"  # （2026年11月25日）


#: Formats without a year: their entries must lie within a year before as_of.
YEARLESS = frozenset({DateFormat.MONTH_DAY, DateFormat.DAY_MONTH})


class ListStyle(enum.StrEnum):
    UL = "ul"  # <ul class="list"><li><a>title</a><span>date</span></li></ul>
    TABLE = "table"  # <table><tr><td><a>title</a></td><td>date</td></tr></table>
    DIV = "div"  # <div class="news-item"><a>title</a><em>date</em></div>


class BlankForm(enum.StrEnum):
    """The three ways a blank column looks."""

    NO_INFO = "no_info"  # the text 暂无信息
    EMPTY_LIST = "empty_list"  # an empty <ul class="list">
    UNDATED = "undated"  # entries, none of them dated


class ConacStyle(enum.StrEnum):
    BADGE = "badge"  # <a href="https://bszs.conac.cn/sitename?..."><img red badge></a>
    SCRIPT = "script"  # <span id="_ideConac"> filled by the dcs.conac.cn loader


class Fault(enum.StrEnum):
    """What makes a dead link dead, and which route of the server produces it."""

    NOT_FOUND = "not_found"  # 404 (a missing file on the site, /_status/404 elsewhere)
    SERVER_ERROR = "server_error"  # /_status/500
    GONE = "gone"  # /_status/410
    TIMEOUT = "timeout"  # /_delay/60: never answers within a checker's timeout
    CONNECT = "connect"  # 127.0.0.1:1, where nothing listens
    REDIRECT_LOOP = "redirect_loop"  # /_loop/a <-> /_loop/b
    SOFT_404 = "soft_404"  # 200 with 页面不存在


class Benign(enum.StrEnum):
    """Links that a monitor must NOT report as dead, and why."""

    BLOCKED = "blocked"  # a WAF challenge (412/521): unknown, not dead
    HEAD_405 = "head_405"  # HEAD answers 405, GET answers 200
    TRANSIENT = "transient"  # the first request fails (503), a re-check succeeds
    REDIRECT = "redirect"  # a redirect chain that ends in 200
    MAILTO = "mailto"
    TEL = "tel"
    JAVASCRIPT = "javascript"
    ANCHOR = "anchor"


class TrapKind(enum.StrEnum):
    CALENDAR = "calendar"  # endless next/previous month links
    JSESSIONID = "jsessionid"  # ;jsessionid= path parameters, new on every page
    SID = "sid"  # ?sid=<random>
    GROWING_QUERY = "growing_query"  # each page links a longer query string


# --------------------------------------------------------------------------
# Spec
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkFault:
    """One dead link to plant.  ``where`` is ``"home"``, a column slug (its first list
    page and first article), or ``"all"`` (a sidebar link on every page)."""

    fault: Fault
    element: Element = Element.A
    where: str = "home"
    external: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BenignLink:
    """A link to plant that must not be reported (``where`` as for :class:`LinkFault`)."""

    kind: Benign
    where: str = "home"
    external: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnSpec:
    """One column.  Dates are counted in days before ``as_of``: the newest entry is
    ``as_of - newest_age`` and the others follow every ``interval`` days."""

    slug: str  # path segment(s) under the parent, e.g. "tzgg"
    name: str
    column_class: ColumnClass = ColumnClass.OTHER
    parent: str | None = None  # slug of the first-level hub column
    count: int = 12
    newest_age: int = 3
    interval: float = 5.0
    blank: BlankForm | None = None
    list_style: ListStyle = ListStyle.UL
    date_format: DateFormat = DateFormat.ISO
    per_page: int = 15
    on_homepage: bool = False
    hub: bool = False  # a first-level page showing the latest entries of its sub-columns
    footer_missing: tuple[FooterMarker, ...] = ()
    footer_script: bool = False  # footer written by document.write (not observable)
    no_jiucuo: bool = False
    tags_missing: tuple[str, ...] = ()
    waf_list: bool = False  # the list pages answer 412 (瑞数)
    waf_articles: int = 0  # this many of its articles answer 412
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PortalSpec:
    """Everything that makes one generated portal; ``build_portal`` is deterministic in it."""

    name: str  # scenario name
    as_of: date
    seed: int = 0
    site_name: str = "某某县人民政府"
    sponsor: str = "某某县人民政府办公室"
    domain: str = "www.moumou.gov.cn"
    site_code: str = "5107030001"
    icp: str = "川ICP备12345678号-1"
    police: str = "川公网安备 51070302000123号"
    police_code: str = "51070302000123"
    encoding: str = "utf-8"
    conac_style: ConacStyle = ConacStyle.BADGE
    site_code_label: str = "网站标识码"  # also 网站识别码 / 网站标识号 on real sites
    jiucuo_link: bool = False  # the older 找错 form: a linked image, not the script
    columns: tuple[ColumnSpec, ...] = ()
    navigation_only: bool = False
    homepage_footer_missing: tuple[FooterMarker, ...] = ()
    faults: tuple[LinkFault, ...] = ()
    benign: tuple[BenignLink, ...] = ()
    external_base: str | None = None
    #: one article answered with charset=utf-8 although its body is GBK
    lying_header: bool = False
    #: one article declared gb2312 that contains 堃 and 镕 (GBK only)
    gb2312_extension: bool = False
    waf_521: bool = False  # one article answers 521 (加速乐)
    traps: tuple[TrapKind, ...] = ()
    #: bytes of body text per article (a range); 0 means short realistic articles
    article_bytes: tuple[int, int] = (0, 0)
    #: target number of links per article/list page (padded with 相关文章), 0 = natural
    links_per_page: int = 0
    #: share of link occurrences per page to make dead (big portal), 0 = none
    dead_ratio: float = 0.0
    #: a site search at /search?q= answering titles (grouped by column)
    search: bool = True
    #: policy documents and interpretations linked both ways, one way or not at all
    interp_pairs: bool = False
    #: a 低保 list with a full ID number, a masked one, an xlsx of 救助对象, a hidden link
    content_safety: bool = False
    #: the first interaction column is a message board with answered/late/unanswered items
    board: bool = False
    #: the first service column holds guides, complete or missing element categories
    guides: bool = False


# --------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnTruth:
    """What a monitor must report for one column.

    ``entries`` counts the items of the first list page (linked entries, dated or
    not); ``dated_entries`` those with a date.  ``observable`` is False when its list
    page is behind a WAF: the monitor must then report it unknown, never blank."""

    url: str
    name: str
    column_class: ColumnClass
    level: int
    parent: str | None
    newest: date | None
    blank: bool
    blank_form: BlankForm | None
    entries: int
    dated_entries: int
    total_entries: int
    list_pages: tuple[str, ...]
    dates: tuple[date, ...]
    date_format: DateFormat
    list_style: ListStyle
    hub: bool = False
    observable: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class HomepageTruth:
    url: str
    newest: date | None
    navigation_only: bool
    dated_items: int
    #: newest date over the pages the homepage links (for navigation-only portals)
    second_level_newest: date | None
    second_level_pages: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLinkTruth:
    """A link that a correct checker reports as failed."""

    url: str  # absolute for external links, site-relative ("/x/y.html") for internal
    error: LinkError
    status: int | None
    element: Element
    on_pages: tuple[str, ...]
    on_homepage: bool
    internal: bool
    fault: Fault


@dataclass(frozen=True, slots=True, kw_only=True)
class BenignLinkTruth:
    """A link that a correct checker must NOT report as failed."""

    url: str
    kind: Benign
    element: Element
    on_pages: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PageTruth:
    url: str
    page_type: PageType
    title: str
    column: str | None
    footer_markers: tuple[FooterMarker, ...]
    footer_observable: bool
    jiucuo: bool
    meta_tags: tuple[str, ...]
    pub_date: date | None = None
    links: int = 0  # link-bearing elements (a/img/script/link/iframe) on the page
    bytes: int = 0  # body size (0 when not measured)
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownTruth:
    """A URL that must come out as unknown (WAF, trap beyond limits), never as a problem."""

    url: str
    reason: UnknownReason
    status: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrapTruth:
    kind: TrapKind
    entry: str  # the trap URL linked from the site
    pattern: str  # a regex matching every URL of the trap


@dataclass(frozen=True, slots=True, kw_only=True)
class CharsetTruth:
    """A page whose charset declaration is a trap, with a text it must decode to."""

    url: str
    actual: str
    header_charset: str | None
    meta_charset: str | None
    must_contain: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchTruth:
    """The site search: ``samples`` are titles a query for which lists them on page 1."""

    url: str
    param: str
    samples: tuple[str, ...]
    grouped: bool
    absent: str  # a query with no result


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivacyTruth:
    """A personal number on a page or in an attachment; ``leak`` False for masked ones.
    ``number`` is synthetic (valid check digit, fictitious person)."""

    url: str
    type: PrivacyType
    number: str
    excerpt: str  # how a monitor should show it: masked
    leak: bool
    attachment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HiddenLinkTruth:
    url: str
    target: str
    technique: str
    text: str
    spam: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class InterpPairTruth:
    """A policy document and its interpretation (None: it has none)."""

    policy: str
    interpretation: str | None
    policy_links_interpretation: bool
    interpretation_links_policy: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageTruth:
    url: str
    board: str
    title: str
    asked: date
    answered: date | None
    status: MessageStatus
    reply_unit: str | None
    missing_fields: tuple[str, ...] = ()
    reply_url: str | None = None  # the answer is on this second page


@dataclass(frozen=True, slots=True, kw_only=True)
class GuideTruth:
    url: str
    name: str
    present: tuple[str, ...]
    missing: tuple[str, ...]
    attachments: tuple[str, ...] = ()
    dead_attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroundTruth:
    """What a correct monitor finds on a generated portal, as of ``as_of``."""

    scenario: str
    as_of: date
    site_name: str
    site_code: str
    domain: str
    encoding: str
    homepage: HomepageTruth
    columns: tuple[ColumnTruth, ...]
    dead_links: tuple[DeadLinkTruth, ...]
    benign_links: tuple[BenignLinkTruth, ...]
    pages: tuple[PageTruth, ...]
    unknown: tuple[UnknownTruth, ...] = ()
    traps: tuple[TrapTruth, ...] = ()
    charsets: tuple[CharsetTruth, ...] = ()
    #: absolute URLs in the pages that no test may fetch (conac, jiucuo, beian...)
    external_unfetchable: tuple[str, ...] = ()
    #: their hosts, for a checker's deny list
    unfetchable_hosts: tuple[str, ...] = ()
    external_base: str | None = None
    search: SearchTruth | None = None
    privacy: tuple[PrivacyTruth, ...] = ()
    hidden_links: tuple[HiddenLinkTruth, ...] = ()
    interp_pairs: tuple[InterpPairTruth, ...] = ()
    messages: tuple[MessageTruth, ...] = ()
    guides: tuple[GuideTruth, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)

    def column(self, name_or_url: str) -> ColumnTruth:
        """The column with this name or URL (KeyError when absent)."""
        for col in self.columns:
            if name_or_url in (col.name, col.url):
                return col
        raise KeyError(name_or_url)

    def page(self, url: str) -> PageTruth:
        for page in self.pages:
            if page.url == url:
                return page
        raise KeyError(url)

    def dead_link(self, url: str) -> DeadLinkTruth:
        for link in self.dead_links:
            if link.url == url:
                return link
        raise KeyError(url)

    def to_dict(self, base_url: str | None = None) -> dict[str, Any]:
        """A JSON-able dict; with ``base_url`` every site-relative URL becomes absolute."""
        data = _plain(self)
        if base_url is not None:
            data = _absolutise(data, base_url)
        return data  # type: ignore[no-any-return]

    def to_json(self, base_url: str | None = None, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(base_url), ensure_ascii=False, sort_keys=True, indent=indent)


def absolute(base_url: str, url: str) -> str:
    """A truth URL made absolute against the portal's base (external URLs unchanged)."""
    if url.startswith("/") and not url.startswith("//"):
        return urljoin(base_url if base_url.endswith("/") else base_url + "/", url[1:])
    return url


_URL_KEYS = frozenset(
    {
        "url",
        "on_pages",
        "list_pages",
        "second_level_pages",
        "entry",
        "parent",
        "policy",
        "interpretation",
        "reply_url",
        "attachment",
        "attachments",
        "dead_attachments",
        "target",
    }
)


def _absolutise(value: Any, base: str, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _absolutise(v, base, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolutise(v, base, key) for v in value]
    if isinstance(value, str) and key in _URL_KEYS:
        return absolute(base, value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def expected_detections(truth: GroundTruth, base_url: str) -> list[Detection]:
    """The detections a correct crawl + link check of the served portal reports, as
    records (absolute URLs), for tests that compare a monitor's output field by field.

    Covers homepage, columns (observable ones), dead links and unknowns; pages,
    privacy, messages etc. stay in the truth's own records."""
    out: list[Detection] = []
    hp = truth.homepage
    out.append(
        HomepageDetection(
            url=absolute(base_url, hp.url),
            newest=hp.newest,
            navigation_only=hp.navigation_only,
            dated_items=hp.dated_items,
            second_level_newest=hp.second_level_newest,
            second_level_pages=len(hp.second_level_pages),
        )
    )
    for col in truth.columns:
        if not col.observable:
            continue
        out.append(
            ColumnDetection(
                url=absolute(base_url, col.url),
                name=col.name,
                column_class=col.column_class,
                level=col.level,
                entries=col.entries,
                newest=col.newest,
                blank=col.blank,
                parent=absolute(base_url, col.parent) if col.parent else None,
                dates=col.dates,
                total_entries=col.total_entries,
                list_pages=len(col.list_pages),
            )
        )
    for link in truth.dead_links:
        out.append(
            LinkDetection(
                url=absolute(base_url, link.url),
                status=link.status,
                error=link.error,
                on_homepage=link.on_homepage,
                on_pages=tuple(absolute(base_url, p) for p in link.on_pages),
                element=link.element,
                internal=link.internal,
            )
        )
    for unknown in truth.unknown:
        out.append(
            UnknownDetection(
                url=absolute(base_url, unknown.url),
                reason=unknown.reason,
                status=unknown.status,
                detail=unknown.detail,
            )
        )
    return out
