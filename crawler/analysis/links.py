"""Links of a page (the URLs a browser would open or fetch) and the canonical URL form
that deduplicates them across a crawl.

Resolution follows the WHATWG URL rules browsers apply, not ``urllib.parse.urljoin``:
urljoin collapses empty path segments (``https;//x`` becomes ``https;/x``), keeps
``//////`` as a URL, and leaves backslashes and dot segments of absolute URLs alone,
so the URL it checks is not the one a visitor's browser opens.  A link that a browser
cannot resolve at all (``//////``, ``https://example]org/``) is not returned: it has
no address that could be checked (see ``tests/test_link_extract.py`` for that choice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import quote

from crawler.analysis.page import ParsedPage, squash
from govmon.records import Element

#: File extensions that make a link an attachment (NAT-D-LINKS counts them too).
ATTACHMENT_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar", ".et", ".ofd"}
)

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_STRIP = "".join(chr(c) for c in range(0x21)) + "\x7f"
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
#: Characters a browser leaves unencoded in a path / a query (WHATWG percent-encode
#: sets: path = C0, space, " # < > ? ` { }; special query = C0, space, " # < > ').
_PATH_SAFE = "!$%&'()*+,/:;=@[]\\^|"
_QUERY_SAFE = "!$%&()*+,/:;=?@[]\\^|`{}"
_NEEDS_PATH_QUOTE = re.compile(r"[^A-Za-z0-9_.\-~!$%&'()*+,/:;=@\[\]\\^|]")
_NEEDS_QUERY_QUOTE = re.compile(r"[^A-Za-z0-9_.\-~!$%&()*+,/:;=?@\[\]\\^|`{}]")
_LOWER_ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_REFRESH = re.compile(
    r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*?)\1\s*$", re.IGNORECASE | re.DOTALL
)
#: <link rel> values that name an origin to warm up, not a resource: fonts.gstatic.com
#: answers 404 at its root, so checking them would accuse a working page.
_ORIGIN_ONLY_RELS = frozenset({"dns-prefetch", "preconnect"})
_SELECTOR = (
    "a[href], area[href], img, source, script[src], link[href], iframe[src], frame[src], "
    "meta[http-equiv]"
)
_TEXT_LIMIT = 200


class InvalidURL(ValueError):
    """A URL a browser would refuse (no host, a forbidden host character, a bad port)."""


class PageLink(NamedTuple):
    """One link of a page: its canonical absolute URL and where it was found.

    ``text`` is the anchor text (or an image's ``alt``), squashed and cut to 200
    characters, for the report; it is empty for scripts and stylesheets.

    A named tuple, not a dataclass: sixty a page are built in the analysis
    worker and cross to the crawl process, where a frozen dataclass cost a
    Python ``__init__`` (four ``object.__setattr__``) per link to unpickle.
    """

    url: str
    element: Element
    attachment: bool = False
    text: str = ""


def pack_links(links: tuple[PageLink, ...]) -> list[tuple[str, Element, bool, str]]:
    """Links as plain tuples, which pickle in C (see :func:`unpack_links`)."""
    return [tuple(link) for link in links]  # type: ignore[misc]


def unpack_links(rows: list[tuple[str, Element, bool, str]]) -> tuple[PageLink, ...]:
    new = tuple.__new__
    return tuple([new(PageLink, row) for row in rows])


# --------------------------------------------------------------------------
# URL resolution and canonical form
# --------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The form of an absolute http(s) URL used to deduplicate links.

    Lowercase scheme and host (IDNA for non-ASCII hosts), no default port, no
    fragment, dot segments removed, raw non-ASCII and spaces in the path and query
    percent-encoded as UTF-8 the way browsers send them, percent escapes in upper
    case, query order kept.  So ``/新闻/a.html`` and ``/%e6%96%b0%e9%97%bb/a.html``
    are one URL.  Raises :class:`InvalidURL` for a URL a browser would refuse, and
    for a relative or non-http(s) one.
    """
    resolved = resolve_url(url, None)
    if resolved is None:
        raise InvalidURL(f"not an http(s) URL: {url!r}")
    return resolved


def resolve_url(href: str, base: str | None) -> str | None:
    """Resolve ``href`` against the canonical absolute ``base`` as a browser does,
    and return its canonical form; None for non-http(s) schemes, pure anchors and
    empty references.  Raises :class:`InvalidURL` when a browser would fail."""
    ref = href.strip(_STRIP)
    if "\t" in ref or "\n" in ref or "\r" in ref:
        ref = _TAB_NEWLINE.sub("", ref)
    if not ref or ref[0] == "#":
        return None
    m = _SCHEME.match(ref)
    base_scheme = base[: base.index(":")] if base else None
    if m:
        scheme = m.group(1).lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        rest = ref[m.end() :].replace("\\", "/")
        if scheme != base_scheme or rest.startswith("/"):
            return _build_absolute(scheme, rest.lstrip("/"))
        ref = rest  # "http:foo" on an http page is relative (WHATWG special scheme)
    else:
        ref = ref.replace("\\", "/")
    if base is None or base_scheme is None:
        raise InvalidURL(f"relative URL without a base: {href!r}")
    if ref.startswith("//"):
        return _build_absolute(base_scheme, ref.lstrip("/"))
    # base is canonical: scheme://authority/path[?query]
    after_scheme = len(base_scheme) + 3
    path_start = base.find("/", after_scheme)
    origin = base[:path_start]
    base_path = base[path_start:]
    q = base_path.find("?")
    if q >= 0:
        base_path = base_path[:q]
    ref, _, _frag = ref.partition("#")
    if ref.startswith("/"):
        path, sep, query = ref.partition("?")
    elif ref.startswith("?"):
        path, sep, query = base_path, "?", ref[1:]
    elif not ref:  # "http:" alone on an http page: the page itself
        return base
    else:
        rel, sep, query = ref.partition("?")
        path = base_path[: base_path.rfind("/") + 1] + rel
    return origin + _finish(path, sep, query)


def _build_absolute(scheme: str, rest: str) -> str:
    """``scheme://`` + ``rest`` (authority, path, query, fragment), canonical."""
    end = len(rest)
    for ch in "/?#":
        i = rest.find(ch)
        if 0 <= i < end:
            end = i
    authority, tail = rest[:end], rest[end:]
    host_port = authority.rpartition("@")[2] if "@" in authority else authority
    userinfo = authority[: len(authority) - len(host_port)]
    host, port = _split_host_port(host_port)
    if port and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    tail = tail.partition("#")[0]
    path, sep, query = tail.partition("?")
    return f"{scheme}://{userinfo}{host}" + _finish(path or "/", sep, query)


def _split_host_port(host_port: str) -> tuple[str, str]:
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            raise InvalidURL(f"unclosed IPv6 literal: {host_port!r}")
        host, rest = host_port[: close + 1].lower(), host_port[close + 1 :]
        if rest and not rest.startswith(":"):
            raise InvalidURL(f"bad authority: {host_port!r}")
        port = rest[1:]
    else:
        host, _, port = host_port.partition(":")
        host = _canonical_host(host)
    if port:
        if not port.isdigit() or not port.isascii() or int(port) > 65535:
            raise InvalidURL(f"bad port: {host_port!r}")
        port = str(int(port))
    return host, port


def _canonical_host(host: str) -> str:
    if not host:
        raise InvalidURL("empty host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidURL(f"host cannot be IDNA-encoded: {host!r}") from exc
    host = host.lower()
    if _FORBIDDEN_HOST.search(host):
        raise InvalidURL(f"forbidden character in host: {host!r}")
    return host


def _finish(path: str, sep: str, query: str) -> str:
    """Path without dot segments and both parts percent-encoded the browser way."""
    if "/." in path or path.startswith("."):
        path = _remove_dot_segments(path)
    if _NEEDS_PATH_QUOTE.search(path):
        path = quote(path, safe=_PATH_SAFE)
    if "%" in path:
        path = _LOWER_ESCAPE.sub(_upper_escape, path)
    if sep:
        if _NEEDS_QUERY_QUOTE.search(query):
            query = quote(query, safe=_QUERY_SAFE)
        if "%" in query:
            query = _LOWER_ESCAPE.sub(_upper_escape, query)
        return f"{path}?{query}"
    return path


def _upper_escape(m: re.Match[str]) -> str:
    return "%" + m.group(1).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 (what browsers do), keeping empty segments."""
    out: list[str] = []
    segments = path.split("/")
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg == ".":
            if i == last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if i == last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


# --------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------


def is_attachment(url: str) -> bool:
    """True when the URL's path ends in an attachment extension (.pdf, .docx, …)."""
    path = url.partition("?")[0]
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return False
    return path[dot:].lower() in ATTACHMENT_EXTENSIONS


def srcset_urls(srcset: str) -> list[str]:
    """The candidate URLs of a ``srcset`` attribute (HTML spec parsing: a URL is a
    run of non-space characters, so commas inside it and in data: URIs survive)."""
    urls: list[str] = []
    i, n = 0, len(srcset)
    while i < n:
        while i < n and (srcset[i].isspace() or srcset[i] == ","):
            i += 1
        start = i
        while i < n and not srcset[i].isspace():
            i += 1
        url = srcset[start:i]
        if not url:
            break
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while i < n:  # skip the descriptors up to the next top-level comma
                ch = srcset[i]
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    depth = max(0, depth - 1)
                elif ch == "," and depth == 0:
                    break
                i += 1
        if url:
            urls.append(url)
    return urls


def refresh_url(content: str) -> str | None:
    """The URL of a ``<meta http-equiv=refresh content="5; url=...">``, if any."""
    m = _REFRESH.match(content)
    if m is None:
        return None
    url = m.group(2).strip()
    return url or None


def extract_links(page: ParsedPage) -> list[PageLink]:
    """Every http(s) link of a page, in document order, once per URL.

    The first occurrence of a URL decides its element and text.  Links inside
    inline CSS (``url(...)``), plain-text URLs, Open Graph metadata and unknown
    elements' ``href`` are not links a visitor opens and are not returned.
    """
    try:
        base = canonical_url(page.base_url)
    except InvalidURL:
        try:
            base = canonical_url(page.url)
        except InvalidURL:
            return []  # not a page of an http(s) site: nothing to resolve against
    seen: set[str] = set()
    out: list[PageLink] = []

    def add(raw: str | None, element: Element, text: str = "") -> None:
        if not raw:
            return
        try:
            url = resolve_url(raw, base)
        except InvalidURL:
            return
        if url is None or url in seen:
            return
        seen.add(url)
        out.append(PageLink(url=url, element=element, attachment=is_attachment(url), text=text))

    for node in page.tree.css(_SELECTOR):
        tag = node.tag
        attrs = node.attributes
        if tag == "a" or tag == "area":
            href = attrs.get("href")
            if href:
                text = (attrs.get("alt") or "") if tag == "area" else node.text(deep=True)
                add(href, Element.A, _short(text or attrs.get("title") or ""))
        elif tag == "img" or tag == "source":
            alt = _short(attrs.get("alt") or "")
            add(attrs.get("src"), Element.IMG, alt)
            srcset = attrs.get("srcset")
            if srcset:
                for candidate in srcset_urls(srcset):
                    add(candidate, Element.IMG, alt)
        elif tag == "script":
            add(attrs.get("src"), Element.SCRIPT)
        elif tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if not rels & _ORIGIN_ONLY_RELS:
                add(attrs.get("href"), Element.LINK)
        elif tag == "iframe" or tag == "frame":
            add(attrs.get("src"), Element.IFRAME)
        elif tag == "meta" and (attrs.get("http-equiv") or "").strip().lower() == "refresh":
            add(refresh_url(attrs.get("content") or ""), Element.A)
    return out


def link_occurrences(
    pages: Iterable[tuple[str, Sequence[PageLink]]],
) -> dict[str, list[tuple[str, Element]]]:
    """Link URL -> the (page URL, element) pairs carrying it, in crawl order: the
    ``occurrences`` argument of :func:`probes.links.link_detections`."""
    out: dict[str, list[tuple[str, Element]]] = {}
    for page_url, links in pages:
        for link in links:
            out.setdefault(link.url, []).append((page_url, link.element))
    return out


def _short(text: str) -> str:
    if not text:
        return ""
    text = squash(text)
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"
