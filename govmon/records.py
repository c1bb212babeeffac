"""The shared vocabulary of govmon: detection and event records and their enums.

Every stage (crawler, probes, scoring, store, notices) speaks in these frozen
records, so that a fact observed by the crawler reaches the scorer and the notice
unchanged.  This module imports nothing else of the project, on purpose: the
packages around it may depend on it, never the reverse.

A *detection* is a fact with evidence ("column 工作动态, newest entry
2026-11-02"), never a verdict.  Thresholds live in profiles only, so a stored
crawl can be re-scored under any profile and any as-of instant.

Records serialise to plain JSON-able dicts with :func:`to_dict` and back with
:func:`detection_from_dict`; the JSON report, the database payloads and the
notices all use that one mapping.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

REPORT_SCHEMA = "govmon.report/1"
PROBE_SCHEMA = "govmon.probe/1"


class DetectionKind(enum.StrEnum):
    """The kinds of facts the crawler and probes report (DESIGN.md table)."""

    HOMEPAGE = "homepage"
    COLUMN = "column"
    LINK = "link"
    PAGE = "page"
    UNKNOWN = "unknown"
    PRIVACY = "privacy"
    HIDDEN_LINK = "hidden_link"
    WORDING = "wording"
    SITE = "site"
    AVAILABILITY = "availability"
    IPV6 = "ipv6"
    BOARD = "board"
    MESSAGE = "message"
    GUIDE = "guide"
    SEARCH = "search"
    INTERP_LINK = "interp_link"
    MANUAL = "manual"


class ColumnClass(enum.StrEnum):
    """Column classes of DESIGN.md, plus those the interaction/service rules need."""

    NEWS = "news"
    NOTICE = "notice"
    POLICY = "policy"
    INTERPRETATION = "interpretation"
    PERSONNEL = "personnel"
    PLANNING = "planning"
    FINANCE = "finance"
    STATISTICS = "statistics"
    OVERVIEW = "overview"
    INTERACTION = "interaction"
    SERVICE = "service"
    SERVICE_STATS = "service_stats"
    DATA_RELEASE = "data_release"
    SURVEY = "survey"
    FAQ = "faq"
    OTHER = "other"


class PageType(enum.StrEnum):
    HOME = "home"
    COLUMN = "column"
    CONTENT = "content"
    OTHER = "other"


class LinkError(enum.StrEnum):
    """Why a link failed.  ``BLOCKED`` is not a failure of the site: it is unknown."""

    HTTP = "http"
    TIMEOUT = "timeout"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    REDIRECT_LOOP = "redirect_loop"
    SOFT_404 = "soft_404"
    BLOCKED = "blocked"


class Element(enum.StrEnum):
    """The element a link was found in (``area`` counts as ``a``, ``source`` as ``img``)."""

    A = "a"
    IMG = "img"
    SCRIPT = "script"
    LINK = "link"
    IFRAME = "iframe"


class FooterMarker(enum.StrEnum):
    """The six footer items of NAT-D-FOOTER."""

    CONAC = "conac"
    SITE_CODE = "site_code"
    ICP = "icp"
    POLICE = "police"
    SPONSOR = "sponsor"
    CONTACT = "contact"


class UnknownReason(enum.StrEnum):
    """What kept the tool from observing something; never a problem of the site."""

    BLOCKED = "blocked"
    LIMIT = "limit"
    TIMEOUT = "timeout"
    SCRIPT = "script"
    ERROR = "error"
    INSUFFICIENT_DATA = "insufficient_data"
    NETWORK = "network"
    UNSUPPORTED = "unsupported"


class PrivacyType(enum.StrEnum):
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    MOBILE = "mobile"


class Severity(enum.StrEnum):
    ORDINARY = "ordinary"
    SERIOUS = "serious"


class MessageStatus(enum.StrEnum):
    ANSWERED = "answered"
    IN_PROGRESS = "in_progress"
    UNANSWERED = "unanswered"
    UNKNOWN = "unknown"


class EventType(enum.StrEnum):
    VETO = "veto"
    DEDUCTION = "deduction"
    BONUS = "bonus"
    WARNING = "warning"


# --------------------------------------------------------------------------
# Detections
# --------------------------------------------------------------------------

_REGISTRY: dict[DetectionKind, type[Detection]] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Detection:
    """Base of every detection: where it was seen and the unit responsible.

    ``unit`` is filled by the site configuration's unit rules (URL prefix or
    column name to an agency code such as ``0101``), not by the analysers.
    """

    KIND: ClassVar[DetectionKind]
    #: Fields that identify "the same fact" across runs (life cycle tracking).
    IDENTITY: ClassVar[tuple[str, ...]] = ("url",)

    url: str
    unit: str | None = None

    @property
    def kind(self) -> DetectionKind:
        return self.KIND

    def fingerprint(self) -> str:
        """A stable id for this fact across runs (kind + identity fields)."""
        parts = [str(self.KIND)] + [str(getattr(self, f)) for f in self.IDENTITY]
        return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class HomepageDetection(Detection):
    """The homepage's newest dated item; for a navigation-only homepage, the
    newest item of its second-level pages (NAT-V-HOME)."""

    KIND: ClassVar[DetectionKind] = DetectionKind.HOMEPAGE
    newest: date | None = None
    navigation_only: bool = False
    dated_items: int = 0
    second_level_newest: date | None = None
    second_level_pages: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnDetection(Detection):
    """A column list page and how fresh it is.  ``dates`` are the entry dates seen
    on its list pages, newest first, for the rules that count updates."""

    KIND: ClassVar[DetectionKind] = DetectionKind.COLUMN
    name: str
    column_class: ColumnClass = ColumnClass.OTHER
    level: int = 1
    entries: int = 0
    newest: date | None = None
    blank: bool = False
    parent: str | None = None
    dates: tuple[date, ...] = ()
    total_entries: int | None = None
    list_pages: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkDetection(Detection):
    """A failed link.  ``on_pages`` lists every page that carries it."""

    KIND: ClassVar[DetectionKind] = DetectionKind.LINK
    status: int | None = None
    error: LinkError = LinkError.HTTP
    on_homepage: bool = False
    on_pages: tuple[str, ...] = ()
    element: Element = Element.A
    internal: bool = True
    redirects: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageDetection(Detection):
    """Compliance facts of one checked page (footer, 找错, meta tags, naming)."""

    KIND: ClassVar[DetectionKind] = DetectionKind.PAGE
    page_type: PageType = PageType.OTHER
    footer_observable: bool = True
    footer_missing: tuple[FooterMarker, ...] = ()
    jiucuo: bool = False
    tags_missing: tuple[str, ...] = ()
    tags_invalid: tuple[str, ...] = ()
    site_code: str | None = None
    site_code_valid: bool | None = None
    title: str = ""
    name_in_title: bool | None = None
    name_in_header: bool | None = None
    pub_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownDetection(Detection):
    """Something that could not be observed, so no problem is claimed for it."""

    KIND: ClassVar[DetectionKind] = DetectionKind.UNKNOWN
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "reason")
    reason: UnknownReason = UnknownReason.ERROR
    detail: str = ""
    status: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivacyDetection(Detection):
    """A personal number published on a page or in an attachment.

    Only the masked excerpt and a salted digest are ever kept: the full number
    must never reach the database, a log or a notice.
    """

    KIND: ClassVar[DetectionKind] = DetectionKind.PRIVACY
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "digest")
    type: PrivacyType = PrivacyType.ID_CARD
    excerpt: str = ""
    digest: str = ""
    possible: bool = False
    attachment: str | None = None
    context: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HiddenLinkDetection(Detection):
    KIND: ClassVar[DetectionKind] = DetectionKind.HIDDEN_LINK
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "target")
    target: str = ""
    technique: str = ""
    text: str = ""
    spam: bool = False
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WordingDetection(Detection):
    KIND: ClassVar[DetectionKind] = DetectionKind.WORDING
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "text")
    text: str = ""
    suggestion: str = ""
    severity: Severity = Severity.ORDINARY
    context: str = ""
    source: str = ""
    attachment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteDetection(Detection):
    """Site-level facts: name, domain, site code, search box (NAT-D-DOMAIN/SEARCH)."""

    KIND: ClassVar[DetectionKind] = DetectionKind.SITE
    name: str = ""
    domain: str = ""
    domain_compliant: bool | None = None
    named_after_region: bool | None = None
    pages_checked: int = 0
    pages_name_in_header: int = 0
    pages_without_name: tuple[str, ...] = ()
    search_box: bool | None = None
    search_url: str | None = None
    site_code: str | None = None
    site_code_expected: str | None = None
    site_code_matches: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityDetection(Detection):
    """Availability over a window of stored probes (NAT-V-AVAIL)."""

    KIND: ClassVar[DetectionKind] = DetectionKind.AVAILABILITY
    window_start: datetime | None = None
    window_end: datetime | None = None
    probes: int = 0
    failures: int = 0
    unknown: int = 0
    blocked: int = 0
    ratio: float = 0.0
    longest_outage_seconds: float = 0.0
    days: int = 0
    min_daily_probes: int = 0
    failed_at: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Ipv6Detection(Detection):
    KIND: ClassVar[DetectionKind] = DetectionKind.IPV6
    aaaa: bool = False
    reachable: bool = False
    links_checked: int = 0
    links_ok: int = 0
    support: float | None = None
    #: second-level pages that did not open over IPv6 (evidence for NAT-D-IPV6)
    failed_links: tuple[str, ...] = ()
    #: why the homepage did not open over IPv6, or why nothing was checked
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardDetection(Detection):
    """A consultation channel (留言/信箱/咨询) and what it publishes."""

    KIND: ClassVar[DetectionKind] = DetectionKind.BOARD
    name: str = ""
    working: bool = True
    messages_published: bool = True
    messages: int = 0
    newest: date | None = None
    statistics: bool = False
    excluded: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDetection(Detection):
    KIND: ClassVar[DetectionKind] = DetectionKind.MESSAGE
    board: str = ""
    title: str = ""
    asked: date | None = None
    answered: date | None = None
    status: MessageStatus = MessageStatus.UNKNOWN
    reply_unit: str | None = None
    missing_fields: tuple[str, ...] = ()
    #: Whether an answer text was seen: None when the answer is on a page not read
    #: (yet), so 答复时间/答复单位/答复内容 are not judged missing.
    replied: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GuideDetection(Detection):
    KIND: ClassVar[DetectionKind] = DetectionKind.GUIDE
    name: str = ""
    elements_present: tuple[str, ...] = ()
    elements_missing: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    dead_attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchDetection(Detection):
    KIND: ClassVar[DetectionKind] = DetectionKind.SEARCH
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "query")
    query: str = ""
    search_url: str | None = None
    found: bool | None = None
    grouped: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterpLinkDetection(Detection):
    """A policy document / interpretation pair and whether each links the other."""

    KIND: ClassVar[DetectionKind] = DetectionKind.INTERP_LINK
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "role")
    role: str = "policy"  # "policy" (sampled document) or "interpretation"
    counterpart: str | None = None
    linked: bool = False
    linked_back: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualFinding(Detection):
    """A finding no crawler can see (a circular, the quality of an answer),
    imported from CSV/YAML with the rule it counts against."""

    KIND: ClassVar[DetectionKind] = DetectionKind.MANUAL
    IDENTITY: ClassVar[tuple[str, ...]] = ("url", "rule", "on", "note")
    rule: str = ""
    on: date | None = None
    note: str = ""
    count: int = 1
    points: float | None = None


AnyDetection = TypeVar("AnyDetection", bound=Detection)

for _cls in (
    HomepageDetection,
    ColumnDetection,
    LinkDetection,
    PageDetection,
    UnknownDetection,
    PrivacyDetection,
    HiddenLinkDetection,
    WordingDetection,
    SiteDetection,
    AvailabilityDetection,
    Ipv6Detection,
    BoardDetection,
    MessageDetection,
    GuideDetection,
    SearchDetection,
    InterpLinkDetection,
    ManualFinding,
):
    _REGISTRY[_cls.KIND] = _cls
assert set(_REGISTRY) == set(DetectionKind), "every detection kind needs a record class"


def detection_class(kind: str | DetectionKind) -> type[Detection]:
    """The record class of a kind; ``KeyError`` names the unknown kind."""
    try:
        return _REGISTRY[DetectionKind(kind)]
    except ValueError as exc:
        raise KeyError(f"unknown detection kind {kind!r}") from exc


def detection_kinds() -> tuple[DetectionKind, ...]:
    return tuple(_REGISTRY)


# --------------------------------------------------------------------------
# Events and scores
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """What a profile rule concluded from detections, traceable to its rule ID
    and to URLs a person can open.  ``points`` < 0 for deductions, > 0 for
    bonuses, 0 otherwise.  ``notes`` carries caveats such as a working-day
    calendar that fell back to Monday–Friday."""

    rule: str
    type: EventType
    points: float = 0.0
    count: int = 1
    unit: str | None = None
    message: str = ""
    evidence: tuple[str, ...] = ()
    site: str | None = None
    unknown: bool = False
    notes: tuple[str, ...] = ()
    #: fingerprints of the detections behind the event
    detections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitScore:
    unit: str | None
    total: float
    vetoed: bool
    vetoes: tuple[str, ...] = ()
    grade: str = ""
    deductions: float = 0.0
    bonus: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    total: float
    vetoed: bool
    vetoes: tuple[str, ...] = ()
    grade: str = ""
    deductions: float = 0.0
    bonus: float = 0.0
    units: tuple[UnitScore, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlStats:
    pages: int = 0
    requests: int = 0
    seconds: float = 0.0
    unknown: int = 0
    links_checked: int = 0
    bytes: int = 0


# --------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------

#: JSON names that differ from the Python field names.
_RENAMED = {"column_class": "class"}
_UNRENAMED = {v: k for k, v in _RENAMED.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    return value


def to_dict(record: Any) -> dict[str, Any]:
    """A record as a JSON-able dict; detections carry their ``kind`` first."""
    out: dict[str, Any] = {}
    if isinstance(record, Detection):
        out["kind"] = record.KIND.value
    for f in dataclasses.fields(record):
        out[_RENAMED.get(f.name, f.name)] = _plain(getattr(record, f.name))
    return out


def _coerce(tp: Any, value: Any) -> Any:
    """Rebuild a field value from JSON using the field's annotation string."""
    if value is None:
        return None
    t = str(tp)
    if "tuple[" in t:
        inner = t[t.index("tuple[") + 6 : t.rindex("]")].split(",")[0].strip()
        return tuple(_coerce(inner, v) for v in value)
    for name, cls in _ENUMS.items():
        if t.startswith(name):
            return cls(value)
    if t.startswith("datetime"):
        return datetime.fromisoformat(value)
    if t.startswith("date"):
        return date.fromisoformat(value)
    return value


_ENUMS: dict[str, type[enum.Enum]] = {
    c.__name__: c
    for c in (
        DetectionKind,
        ColumnClass,
        PageType,
        LinkError,
        Element,
        FooterMarker,
        UnknownReason,
        PrivacyType,
        Severity,
        MessageStatus,
        EventType,
    )
}


def detection_from_dict(data: dict[str, Any]) -> Detection:
    """Inverse of :func:`to_dict` for detections; unknown keys are an error."""
    data = dict(data)
    cls = detection_class(data.pop("kind"))
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = _UNRENAMED.get(key, key)
        if name not in fields:
            raise KeyError(f"{cls.KIND.value} detection has no field {key!r}")
        kwargs[name] = _coerce(fields[name].type, value)
    return cls(**kwargs)


def event_from_dict(data: dict[str, Any]) -> Event:
    fields = {f.name: f for f in dataclasses.fields(Event)}
    return Event(**{k: _coerce(fields[k].type, v) for k, v in data.items()})


def dumps(record: Any) -> str:
    """Canonical JSON of a record (sorted keys, UTF-8 kept readable)."""
    return json.dumps(to_dict(record), ensure_ascii=False, sort_keys=True)

