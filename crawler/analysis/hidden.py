"""Find hidden off-site links (暗链): CSS-hidden, zero-width, marquee, document.write.

An attacker who owns a government page hides gambling or porn links so that
search engines see them and visitors do not.  A link is reported when it is
hidden by one of the known techniques *and* points off-site (not the site,
not a partner domain such as gov.cn, not a legitimate central-media domain).
Hidden menus and tabs that hold links to the site itself or to partners are
normal page furniture and never reported; an off-site hidden link without spam
vocabulary is reported with ``spam=False`` (lower severity).

Only the page's own markup is read: inline ``style`` attributes, the page's
``<style>`` blocks (simple selectors: tag, .class, #id, descendant), HTML
attributes (``hidden``, ``bgcolor``, ``<font color>``), ``<marquee>`` and
``document.write`` in inline scripts.  External scripts are the lead's to fetch
and pass to :func:`find_script_links`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml
from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.analysis.page import ParsedPage, squash
from crawler.analysis.privacy import mask_text
from govmon.errors import ConfigError
from govmon.paths import config_dir
from govmon.records import HiddenLinkDetection

log = logging.getLogger(__name__)

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
_ZW_TABLE = str.maketrans("", "", ZERO_WIDTH)

#: Techniques a page can use for a legitimate menu or tab: not reported when the
#: hidden block also holds links to the site itself or partners and no spam words.
_UI_TECHNIQUES = frozenset({"display_none", "visibility_hidden", "hidden_attribute"})


# --------------------------------------------------------------------------
# Spam vocabulary
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SpamTable:
    """Spam vocabulary of ``config/spam_keywords.yaml``."""

    text_keywords: tuple[str, ...] = ()
    url_keywords: tuple[str, ...] = ()
    legitimate_domains: tuple[str, ...] = ()
    categories: dict[str, str] = field(default_factory=dict, compare=False)

    def match(self, text: str = "", url: str = "") -> tuple[str, ...]:
        """Spam words found in a link's text (zero-width chars and spaces ignored) or target."""
        plain = re.sub(r"\s+", "", text.translate(_ZW_TABLE)).lower()
        target = unquote(url).lower()
        found = [k for k in self.text_keywords if k.lower() in plain or k.lower() in target]
        found += [k for k in self.url_keywords if k in target and k not in found]
        return tuple(dict.fromkeys(found))


@cache
def default_spam() -> SpamTable:
    """The bundled spam table, loaded once per process."""
    return load_spam()


def load_spam(path: str | Path | None = None) -> SpamTable:
    """Load a spam table (default: the bundled ``config/spam_keywords.yaml``)."""
    file = Path(path) if path is not None else config_dir() / "spam_keywords.yaml"
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{file}: cannot read the spam keyword table: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping with text_keywords, url_keywords")
    unknown = set(data) - {"text_keywords", "url_keywords", "legitimate_domains"}
    if unknown:
        raise ConfigError(f"{file}: unknown key(s) {sorted(unknown)}")
    words: list[str] = []
    categories: dict[str, str] = {}
    groups = data.get("text_keywords") or {}
    if not isinstance(groups, dict):
        raise ConfigError(f"{file}: text_keywords must map a category to a list of words")
    for category, items in groups.items():
        for word in items or ():
            words.append(str(word))
            categories[str(word)] = str(category)
    return SpamTable(
        text_keywords=tuple(words),
        url_keywords=tuple(str(k).lower() for k in data.get("url_keywords") or ()),
        legitimate_domains=tuple(str(d).lower() for d in data.get("legitimate_domains") or ()),
        categories=categories,
    )


# --------------------------------------------------------------------------
# Off-site judgement
# --------------------------------------------------------------------------


def _host_in(host: str, domains: Iterable[str]) -> bool:
    for d in domains:
        d = d.lower().strip(".")
        if d.startswith("www."):
            d = d[4:]
        if host == d or host.endswith("." + d):
            return True
    return False


#: what urllib's split strips from a URL's start, and drops anywhere in it
_LEADING_JUNK = "".join(map(chr, range(0x21)))
_DROPPED = str.maketrans("", "", "\t\r\n")


def keeps_base_host(href: str) -> bool:
    """Whether ``urljoin(base, href)`` has the base's scheme and host whatever the
    base: ``href``, as urllib reads it, has neither a scheme nor a ``//`` host.

    Cheaper than the join by far, and conservative: any colon at all counts as
    a scheme."""
    text = href.lstrip(_LEADING_JUNK).translate(_DROPPED)
    return ":" not in text and not text.startswith("//")


def is_offsite(
    target: str, *, site_hosts: Iterable[str], partner_domains: Sequence[str], spam: SpamTable
) -> bool:
    """An http(s) link to a host that is not the site, a partner or a legitimate domain."""
    try:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    return not _host_in(host, (*site_hosts, *partner_domains, *spam.legitimate_domains))


# --------------------------------------------------------------------------
# CSS: the page's own rules
# --------------------------------------------------------------------------

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_AT_BLOCK = re.compile(r"@[\w-]+[^{;]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}|@[\w-]+[^{;]*;")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^[\w\s.#\-*>]+$")
_RELEVANT = frozenset(
    {
        "display",
        "visibility",
        "opacity",
        "font-size",
        "clip",
        "left",
        "top",
        "text-indent",
        "margin-left",
        "margin-top",
        "height",
        "width",
        "overflow",
        "color",
        "background",
        "background-color",
        "position",
        "max-height",
    }
)


def parse_declarations(style: str) -> dict[str, str]:
    """``a:b; c:d`` as a dict, names lower-cased, ``!important`` dropped."""
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if not sep:
            continue
        name = name.strip().lower()
        value = value.replace("!important", "").strip().lower()
        if name and value:
            out[name] = value
    return out


_COMPOUND = re.compile(r"^([a-z][a-z0-9]*|\*)?((?:[.#][\w-]+)*)$")


@dataclass(frozen=True, slots=True)
class _Compound:
    """One compound selector: ``div.menu#top`` (tag, id, classes)."""

    tag: str | None
    id: str | None
    classes: frozenset[str]

    def matches(self, features: _Features) -> bool:
        tag, ident, classes = features
        if self.tag is not None and tag != self.tag:
            return False
        if self.id is not None and ident != self.id:
            return False
        return self.classes <= classes


#: What selectors look at in an element: (tag, id, classes).
_Features = tuple[str, str | None, frozenset[str]]


def _features(node: LexborNode) -> _Features:
    attrs = node.attributes
    ident = attrs.get("id")
    return (
        node.tag or "",
        str(ident) if ident else None,
        frozenset(str(attrs.get("class") or "").split()),
    )


def _parse_selector(selector: str) -> tuple[_Compound, ...] | None:
    """A selector of tag/.class/#id compounds joined by descendant (or ``>``, read as
    descendant), rightmost last; None for anything else (pseudo-classes, attributes)."""
    parts: list[_Compound] = []
    for token in selector.replace(">", " ").split():
        m = _COMPOUND.match(token.lower() if not ("." in token or "#" in token) else token)
        if not m or not token:
            return None
        tag = (m.group(1) or "").lower() or None
        ids = re.findall(r"#([\w-]+)", m.group(2))
        classes = frozenset(re.findall(r"\.([\w-]+)", m.group(2)))
        if len(ids) > 1:
            return None
        parts.append(_Compound(None if tag == "*" else tag, ids[0] if ids else None, classes))
    return tuple(parts) or None


@dataclass(slots=True)
class _StyleSheet:
    """The page's simple rules, indexed by the key of their rightmost compound
    (id, class, tag or universal) as browsers do, so that only the elements an
    analyser asks about are matched, never the whole tree once per rule."""

    by_key: dict[tuple[str, str], list[tuple[int, tuple[_Compound, ...], dict[str, str]]]]
    memo: dict[tuple[_Features, ...], dict[str, str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, tree: LexborHTMLParser) -> _StyleSheet:
        css = "\n".join(node.text() for node in tree.css("style"))
        css = _AT_BLOCK.sub(" ", _COMMENT.sub(" ", css))
        by_key: dict[tuple[str, str], list[tuple[int, tuple[_Compound, ...], dict[str, str]]]] = {}
        order = 0
        for m in _RULE.finditer(css):
            decls = {k: v for k, v in parse_declarations(m.group(2)).items() if k in _RELEVANT}
            if not decls:
                continue
            for selector in m.group(1).split(","):
                selector = selector.strip()
                if not selector or not _SIMPLE_SELECTOR.match(selector):
                    continue
                compounds = _parse_selector(selector)
                if compounds is None:
                    continue
                last = compounds[-1]
                if last.id is not None:
                    key = ("id", last.id)
                elif last.classes:
                    key = ("class", min(last.classes))
                elif last.tag is not None:
                    key = ("tag", last.tag)
                else:
                    key = ("*", "")
                order += 1
                by_key.setdefault(key, []).append((order, compounds, decls))
        return cls(by_key=by_key)

    def declarations(self, chain: tuple[_Features, ...]) -> dict[str, str]:
        """Declarations the rules give ``chain[0]`` (its ancestors follow), later rules winning.

        Memoised on the chain's features: the rows of a list or table share them.
        """
        cached = self.memo.get(chain)
        if cached is not None:
            return dict(cached)
        tag, ident, classes = chain[0]
        keys = [("*", ""), ("tag", tag)]
        if ident:
            keys.append(("id", ident))
        keys += [("class", c) for c in classes]
        hits: list[tuple[int, dict[str, str]]] = []
        for key in keys:
            for order, compounds, decls in self.by_key.get(key, ()):
                if _chain_matches(compounds, chain):
                    hits.append((order, decls))
        out: dict[str, str] = {}
        for _, decls in sorted(hits, key=lambda h: h[0]):
            out.update(decls)
        self.memo[chain] = out
        return dict(out)


def _chain_matches(compounds: tuple[_Compound, ...], chain: tuple[_Features, ...]) -> bool:
    if not compounds[-1].matches(chain[0]):
        return False
    i = 1
    for compound in reversed(compounds[:-1]):
        while i < len(chain) and not compound.matches(chain[i]):
            i += 1
        if i >= len(chain):
            return False
        i += 1
    return True


_NUMBER = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh)?$")


def _length(value: str | None) -> tuple[float, str] | None:
    if value is None:
        return None
    m = _NUMBER.match(value.strip())
    if not m:
        return None
    return float(m.group(1)), m.group(2) or "px"


def _far_negative(value: str | None) -> bool:
    length = _length(value)
    if length is None:
        return False
    number, unit = length
    return number <= -999 if unit in ("px", "pt") else number <= -100


def _tiny(value: str | None) -> bool:
    length = _length(value)
    return length is not None and length[0] <= 1 and length[1] in ("px", "pt", "em", "rem", "%")


_NAMED = {
    "white": "ffffff",
    "black": "000000",
    "red": "ff0000",
    "green": "008000",
    "blue": "0000ff",
    "yellow": "ffff00",
    "gray": "808080",
    "grey": "808080",
    "silver": "c0c0c0",
    "navy": "000080",
    "maroon": "800000",
    "purple": "800080",
    "orange": "ffa500",
    "lime": "00ff00",
    "aqua": "00ffff",
    "fuchsia": "ff00ff",
    "teal": "008080",
    "olive": "808000",
}
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")


def normalise_color(value: str | None) -> str | None:
    """A colour as six lower-case hex digits; None when unknown or transparent."""
    if not value:
        return None
    value = value.strip().lower()
    if "url(" in value or "gradient" in value:
        return None
    for word in value.split():
        if word in _NAMED:
            return _NAMED[word]
        m = re.fullmatch(r"#?([0-9a-f]{6}|[0-9a-f]{3})", word)
        if m and (word.startswith("#") or len(value.split()) == 1):
            hexa = m.group(1)
            return hexa if len(hexa) == 6 else "".join(c * 2 for c in hexa)
    m = _RGB.search(value)
    if m:
        if m.group(4) is not None and float(m.group(4)) == 0:
            return None
        return "".join(f"{min(int(g), 255):02x}" for g in m.group(1, 2, 3))
    return None


class _Styler:
    """Element declarations (sheet + inline + presentational attributes), cached."""

    def __init__(self, tree: LexborHTMLParser):
        self.sheet = _StyleSheet.parse(tree)
        self.cache: dict[int, dict[str, str]] = {}

    def decls(self, node: LexborNode, chain: tuple[_Features, ...] | None = None) -> dict[str, str]:
        key = node.mem_id
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if chain is None:
            chain = tuple(_features(n) for n in _ancestors(node))
        decls = self.sheet.declarations(chain)
        attrs = node.attributes
        if node.tag == "font" and attrs.get("color"):
            decls["color"] = str(attrs["color"])
        if attrs.get("bgcolor"):
            decls.setdefault("background-color", str(attrs["bgcolor"]))
        decls.update(parse_declarations(str(attrs.get("style") or "")))
        self.cache[key] = decls
        return decls


def _ancestors(node: LexborNode) -> list[LexborNode]:
    chain: list[LexborNode] = []
    cur: LexborNode | None = node
    while cur is not None and cur.tag not in ("html", "-document", None):
        chain.append(cur)
        cur = cur.parent
    return chain


def _own_technique(node: LexborNode, d: dict[str, str]) -> str | None:
    """The hiding technique an element applies to everything inside it, if any."""
    if "hidden" in node.attributes and node.tag not in ("input",):
        return "hidden_attribute"
    if d.get("display") == "none":
        return "display_none"
    opacity = _length(d.get("opacity"))
    if opacity is not None and (opacity[0] <= 0.01 if opacity[1] != "%" else opacity[0] <= 1):
        return "opacity_zero"
    clip = d.get("clip", "")
    if (
        clip.startswith("rect(")
        and all(
            _tiny(v) or v in ("0", "auto")
            for v in re.split(r"[\s,]+", clip[5:].rstrip(")").strip())
            if v
        )
        and "auto" not in clip
    ):
        return "clip"
    if any(
        _far_negative(d.get(p)) for p in ("left", "top", "text-indent", "margin-left", "margin-top")
    ):
        return "offscreen"
    overflow_hidden = d.get("overflow", "").startswith(("hidden", "clip"))
    if overflow_hidden and (
        _tiny(d.get("height")) or _tiny(d.get("width")) or _tiny(d.get("max-height"))
    ):
        return "zero_size"
    if node.tag == "marquee":
        attrs = node.attributes
        try:
            amount = float(str(attrs.get("scrollamount") or "0"))
        except ValueError:
            amount = 0.0
        tiny = any(
            _tiny(str(attrs.get(a) or "").strip() or None) or _tiny(d.get(a))
            for a in ("height", "width")
        )
        if amount >= 500 or tiny:
            return "marquee"
    return None


def _hiding(node: LexborNode, styler: _Styler) -> tuple[str, LexborNode] | None:
    """How an element is hidden and by which ancestor (or itself); None when visible."""
    chain = _ancestors(node)
    features = tuple(_features(n) for n in chain)
    decls = [styler.decls(n, features[i:]) for i, n in enumerate(chain)]
    for n, d in zip(chain, decls, strict=True):
        technique = _own_technique(n, d)
        if technique:
            return technique, n
    # Inherited properties: the nearest declaration decides.
    for n, d in zip(chain, decls, strict=True):
        if "visibility" in d:
            if d["visibility"] in ("hidden", "collapse"):
                return "visibility_hidden", n
            break
    # Font size and colour hide text only: an image link stays visible.
    if node.css_first("img, svg, canvas, video, object, embed, input, iframe") is not None:
        return None
    for n, d in zip(chain, decls, strict=True):
        if "font-size" in d:
            if _tiny(d["font-size"]) or d["font-size"] == "0":
                return "font_size_zero", n
            break
    color = next((d["color"] for d in decls if "color" in d), None)
    background = None
    for d in decls:
        bg = d.get("background-color") or d.get("background")
        if bg:
            background = bg
            break
    fg, bg_norm = normalise_color(color), normalise_color(background)
    if fg is not None and fg == bg_norm:
        return "same_color", node
    return None


# --------------------------------------------------------------------------
# document.write
# --------------------------------------------------------------------------

_WRITE = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(")
_JS_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.DOTALL)
_PCT_U = re.compile(r"%u([0-9a-fA-F]{4})")


def _js_unescape(s: str) -> str:
    def sub(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "xu" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(esc, esc)

    return _JS_ESCAPE.sub(sub, s)


def _call_argument(js: str, start: int) -> str:
    """The source of a call's argument list, from after ``(`` to the matching ``)``."""
    depth, i, quote = 1, start, ""
    while i < len(js):
        ch = js[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return js[start:i]
        i += 1
    return js[start:]


_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|`((?:[^`\\]|\\.)*)`", re.DOTALL)


def written_html(js: str) -> list[str]:
    """The HTML each ``document.write``/``writeln`` call of a script writes (its literals)."""
    out: list[str] = []
    for m in _WRITE.finditer(js):
        arg = _call_argument(js, m.end())
        pieces = [
            _js_unescape(next(g for g in s.groups() if g is not None))
            for s in _STRING.finditer(arg)
        ]
        html = "".join(pieces)
        if "unescape" in arg or "%3C" in html.upper():
            html = unquote(_PCT_U.sub(lambda u: chr(int(u.group(1), 16)), html))
        if html.strip():
            out.append(html)
    return out


def _written_links(js: str, base_url: str) -> list[tuple[str, str, str | None]]:
    """(target, text, hiding technique or None) of each link a script writes."""
    links: list[tuple[str, str, str | None]] = []
    for html in written_html(js):
        tree = LexborHTMLParser(html)
        styler = _Styler(tree)
        for a in tree.css("a[href]"):
            href = str(a.attributes.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            hidden = _hiding(a, styler)
            links.append(
                (
                    urljoin(base_url, href),
                    squash(a.text(separator=" ")),
                    hidden[0] if hidden else None,
                )
            )
    return links


def links_in_script(js: str, base_url: str) -> list[str]:
    """Absolute targets of the links a script writes with ``document.write`` (external scripts)."""
    return list(dict.fromkeys(target for target, _, _ in _written_links(js, base_url)))


def _script_detections(
    js: str,
    *,
    url: str,
    base_url: str,
    site_hosts: frozenset[str],
    partner_domains: Sequence[str],
    spam: SpamTable,
) -> list[HiddenLinkDetection]:
    out: list[HiddenLinkDetection] = []
    for target, text, hidden in _written_links(js, base_url):
        if not is_offsite(
            target, site_hosts=site_hosts, partner_domains=partner_domains, spam=spam
        ):
            continue
        keywords = spam.match(text, target)
        # A visible link written by a script is not hidden: only hidden or spam ones count.
        if hidden is None and not keywords:
            continue
        technique = "document_write" + (f"+{hidden}" if hidden else "")
        out.append(
            HiddenLinkDetection(
                url=url,
                target=target,
                technique=technique,
                text=mask_text(text[:200]),
                spam=bool(keywords),
                keywords=keywords,
            )
        )
    return out


def find_script_links(
    js: str,
    *,
    url: str,
    script_url: str,
    site_hosts: frozenset[str],
    partner_domains: Sequence[str] = ("gov.cn",),
    spam: SpamTable,
) -> list[HiddenLinkDetection]:
    """Hidden or spam off-site links written by an external same-site script of page ``url``."""
    own = {(urlsplit(u).hostname or "").lower() for u in (url, script_url)}
    return _script_detections(
        js,
        url=url,
        base_url=script_url,
        site_hosts=frozenset({*(h.lower() for h in site_hosts), *own} - {""}),
        partner_domains=partner_domains,
        spam=spam,
    )


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------


def _holds_own_links(
    block: LexborNode,
    page: ParsedPage,
    *,
    site_hosts: frozenset[str],
    partner_domains: Sequence[str],
    spam: SpamTable,
) -> bool:
    for a in block.css("a[href]"):
        href = str(a.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if not is_offsite(
            page.resolve(href), site_hosts=site_hosts, partner_domains=partner_domains, spam=spam
        ):
            return True
    return False


def find_hidden_links(
    page: ParsedPage,
    *,
    site_hosts: frozenset[str],
    partner_domains: Sequence[str] = ("gov.cn",),
    spam: SpamTable,
) -> list[HiddenLinkDetection]:
    """Hidden off-site links of a page, one detection per target.

    ``technique`` is one of ``display_none``, ``hidden_attribute``,
    ``visibility_hidden``, ``opacity_zero``, ``font_size_zero``, ``clip``,
    ``offscreen``, ``zero_size``, ``same_color``, ``marquee``, ``zero_width``,
    ``document_write`` (``document_write+display_none`` when the written link
    is hidden as well).  A UI-style hidden block (display:none, hidden,
    visibility:hidden) that also links to the site or its partners is a menu or
    tab: its off-site links are skipped unless they carry spam words.
    """
    page_host = (urlsplit(page.url).hostname or "").lower()
    hosts = frozenset({*(h.lower() for h in site_hosts), page_host} - {""})
    styler: _Styler | None = None  # built on the first off-site link: most pages have none
    out: list[HiddenLinkDetection] = []
    seen: set[str] = set()
    menus: dict[int, bool] = {}
    # A link with no scheme and no host of its own lands on the base's host:
    # when that host is the site's, the link is not resolved (most links of a
    # page are such: resolving and judging them was a fifth of a page's analysis)
    base_on_site = not is_offsite(page.base_url, site_hosts=hosts, partner_domains=partner_domains, spam=spam)
    for a in page.tree.css("a[href], area[href]"):
        href = str(a.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if base_on_site and keeps_base_host(href):
            continue
        target = page.resolve(href)
        if target in seen or not is_offsite(
            target, site_hosts=hosts, partner_domains=partner_domains, spam=spam
        ):
            continue
        raw_text = a.text(separator=" ")
        text = squash(raw_text.translate(_ZW_TABLE))
        title = str(a.attributes.get("title") or "")
        if styler is None:
            styler = _Styler(page.tree)
        hiding = _hiding(a, styler)
        technique: str | None = None
        if hiding is not None:
            technique, block = hiding
            keywords = spam.match(f"{text} {title}", target)
            if technique in _UI_TECHNIQUES and not keywords and block.mem_id != a.mem_id:
                menu = menus.get(block.mem_id)
                if menu is None:
                    menu = _holds_own_links(
                        block, page, site_hosts=hosts, partner_domains=partner_domains, spam=spam
                    )
                    menus[block.mem_id] = menu
                if menu:
                    continue
        elif any(ch in raw_text for ch in ZERO_WIDTH):
            technique = "zero_width"
            keywords = spam.match(f"{text} {title}", target)
        else:
            continue
        seen.add(target)
        out.append(
            HiddenLinkDetection(
                url=page.url,
                target=target,
                technique=technique,
                text=mask_text(text[:200]),
                spam=bool(keywords),
                keywords=keywords,
            )
        )
    for script in page.tree.css("script"):
        if script.attributes.get("src"):
            continue
        js = script.text()
        if "document" not in js:
            continue
        for det in _script_detections(
            js,
            url=page.url,
            base_url=page.base_url,
            site_hosts=hosts,
            partner_domains=partner_domains,
            spam=spam,
        ):
            if det.target not in seen:
                seen.add(det.target)
                out.append(det)
    if out:
        log.info("hidden links: %d on %s (%d spam)", len(out), page.url, sum(d.spam for d in out))
    return out
