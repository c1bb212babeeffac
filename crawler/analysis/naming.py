"""Site name and domain facts of NAT-D-DOMAIN: domain under gov.cn, named after a
region or department, name shown in the title and in the header of each page.

Heuristic for "named after the region or department": after dropping the
website suffix (门户网站, 网站, 网…) the name must contain an administrative or
organisational word — 人民政府, 政府, 委员会, 办公厅/办公室, 厅, 局, 委, 部, 署,
院, 办, 中心, or a level of the administrative division (省, 自治区, 市, 州, 盟,
县, 区, 旗, 镇, 乡, 街道) — or one of the region/department names the site
configuration gives (``extra_names``, e.g. ``上海`` for the portal "中国上海").
Names such as "掌上XX" or "阳光XX" without either fail.

The header check is conservative: a header drawn as a logo image may carry the
name where the tool cannot read it, so such a page gives ``None`` (unknown),
never ``False``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from crawler.analysis.footer import script_free_tree
from crawler.analysis.page import ParsedPage, squash

__all__ = [
    "core_name",
    "domain_compliant",
    "host_of",
    "name_in_header",
    "name_in_title",
    "named_after_region",
    "site_name_of",
]

_SUFFIXES = ("门户网站", "官方网站", "门户网", "网站", "官网", "门户", "网")
_ORG_WORDS = re.compile(
    r"人民政府|政府|委员会|办公厅|办公室|厅|局|委|部|署|院|办|中心"
    r"|省|自治区|特别行政区|市|州|盟|县|区|旗|镇|乡|街道"
)
_HEADER_TOKEN = re.compile(
    r"header|logo|banner|masthead|toubu|(?:^|[-_])(?:head|top|tou)(?:$|[-_\d])|^(?:head|top)", re.I
)
_NOT_HEADER_TOKEN = re.compile(r"thead|backtop|gotop|totop|scrolltop|top-?btn|margin|padding", re.I)
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||-|—|–|｜|--)\s*")
_SPACES = re.compile(r"\s+")
#: How much of the start of the body text stands for the header in any case.
_HEAD_CHARS = 300


def host_of(url_or_host: str) -> str:
    """The lower-cased host of a URL, or the argument itself when it is a host."""
    text = url_or_host.strip()
    if "//" not in text:
        text = "//" + text
    return (urlsplit(text).hostname or "").lower().rstrip(".")


def domain_compliant(url_or_host: str, exceptions: Iterable[str] = ()) -> bool:
    """Whether the site's host is under gov.cn, or is (under) a configured exception
    (a historical or approved domain).  A bare IP address never complies."""
    host = host_of(url_or_host)
    if not host:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
        return False
    except ValueError:
        pass
    if host == "gov.cn" or host.endswith(".gov.cn"):
        return True
    for exc in exceptions:
        allowed = host_of(exc).lstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def core_name(name: str) -> str:
    """The site name without whitespace and without its website suffix
    (陕西省人民政府门户网站 → 陕西省人民政府)."""
    core = _SPACES.sub("", name)
    for suffix in _SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            return core[: -len(suffix)]
    return core


def named_after_region(name: str, *, extra_names: Iterable[str] = ()) -> bool:
    """Whether ``name`` is the name of a region or department (module heuristic)."""
    core = core_name(name)
    if not core:
        return False
    if any(n and _SPACES.sub("", n) in core for n in extra_names):
        return True
    return _ORG_WORDS.search(core) is not None


def site_name_of(page: ParsedPage) -> str | None:
    """The site name a page declares: its SiteName tag, else the last part of its
    title (``文章_陕西省人民政府`` → 陕西省人民政府), else None."""
    declared = (page.meta("SiteName") or "").strip()
    if declared:
        return declared
    parts = [p for p in _TITLE_SPLIT.split(page.title) if p]
    if len(parts) > 1:
        return parts[-1]
    return None


def _contains(haystack: str, name: str) -> bool:
    text = _SPACES.sub("", haystack)
    return core_name(name) in text or _SPACES.sub("", name) in text


def name_in_title(page: ParsedPage, name: str | None) -> bool | None:
    """Whether the site name (or its core) is in ``<title>``; None without a name."""
    if not name or not name.strip():
        return None
    return _contains(page.title, name)


def _is_headerish(node: LexborNode) -> bool:
    if node.tag == "header" or (node.attributes.get("role") or "") == "banner":
        return True
    attrs = node.attributes
    tokens = (attrs.get("class") or "").split() + (attrs.get("id") or "").split()
    return any(_HEADER_TOKEN.search(t) and not _NOT_HEADER_TOKEN.search(t) for t in tokens)


def name_in_header(page: ParsedPage, name: str | None) -> bool | None:
    """Whether the site name is shown in the header area: the text and image
    alt/title of header-like containers, and the start of the body text.

    None without a name, or when the header shows an image the name may be
    drawn in, is empty or is filled by a script; False only for a header of
    readable static text without the name.
    """
    if not name or not name.strip():
        return None
    tree = script_free_tree(page)
    headers = [
        node
        for node in tree.css("header, [role=banner], [class], [id]")
        if node.tag not in ("html", "head", "body") and _is_headerish(node)
    ]
    texts = [page.body_text[:_HEAD_CHARS]]
    images = 0
    for node in headers:
        texts.append(node.text(separator=" "))
        for img in node.css("img"):
            images += 1
            texts.append(
                (img.attributes.get("alt") or "") + " " + (img.attributes.get("title") or "")
            )
        texts.extend(a.attributes.get("title") or "" for a in node.css("a[title]"))
    if _contains(squash(" ".join(texts)), name):
        return True
    if images or not headers or not any(squash(n.text(separator=" ")) for n in headers):
        return None
    # A header part filled by a script (logo or title block) may show the name.
    scripted = any(
        node.css_first("script, iframe") is not None
        for node in page.tree.css("header, [role=banner], [class], [id]")
        if node.tag not in ("html", "head", "body") and _is_headerish(node)
    )
    return None if scripted else False
