"""One parsed page shared by every analyser, so a page is parsed once, not once
per check.

``ParsedPage.parse(url, html)`` is the only way analysers receive a page: it is
built from (url, decoded html) alone, so analysers stay pure functions of those
two and run the same inside the spider, on saved pages and in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode


def squash(text: str) -> str:
    """Collapse runs of whitespace (incl. full-width and nbsp) to one space.

    ``str.split`` knows the same whitespace as ``re``'s ``\\s`` (every code
    point gives the same result as ``re.sub(r"\\s+", " ", text).strip()``; both
    include U+3000 and U+00A0) at a fifth of the cost, on every page's text."""
    return " ".join(text.split())


@dataclass(slots=True)
class ParsedPage:
    """A decoded HTML page and its lazily computed views.

    ``html`` must be decoded text (Scrapy's ``response.text``), never raw bytes:
    lexbor mangles GBK bytes declared as gb2312 (DEPENDENCIES.md).
    """

    url: str
    html: str
    tree: LexborHTMLParser = field(repr=False)
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, url: str, html: str) -> ParsedPage:
        # JSP/ASP wrappers before <html> (corpus kevin3691__renmin) are tolerated
        # by lexbor as text; nothing to strip.
        return cls(url=url, html=html, tree=LexborHTMLParser(html))

    @property
    def base_url(self) -> str:
        """The URL relative links resolve against: ``<base href>`` when present."""
        cached = self._cache.get("base_url")
        if isinstance(cached, str):
            return cached
        base = self.url
        node = self.tree.css_first("base[href]")
        if node is not None:
            href = (node.attributes.get("href") or "").strip()
            if href:
                base = urljoin(self.url, href)
        self._cache["base_url"] = base
        return base

    @property
    def title(self) -> str:
        cached = self._cache.get("title")
        if isinstance(cached, str):
            return cached
        node = self.tree.css_first("title")
        title = squash(node.text()) if node is not None else ""
        self._cache["title"] = title
        return title

    def meta(self, name: str) -> str | None:
        """The content of ``<meta name=...>`` (case-insensitive name), or None."""
        cached = self._cache.get("meta")
        metas: dict[str, str | None]
        if isinstance(cached, dict):
            metas = cached
        else:
            metas = {}
            for node in self.tree.css("meta[name]"):
                key = (node.attributes.get("name") or "").strip().lower()
                if key and key not in metas:
                    metas[key] = node.attributes.get("content")
            self._cache["meta"] = metas
        value = metas.get(name.lower())
        return value if value is None else str(value)

    @property
    def body_text(self) -> str:
        """Visible-ish text of the body, scripts and styles removed, squashed."""
        cached = self._cache.get("body_text")
        if isinstance(cached, str):
            return cached
        text = squash(visible_body_text(self.tree))
        self._cache["body_text"] = text
        return text

    def resolve(self, href: str) -> str:
        return urljoin(self.base_url, href.strip())


_INVISIBLE = ["script", "style", "noscript", "template"]


def visible_body_text(tree: LexborHTMLParser, *, keep_tree: bool = True) -> str:
    """Text of a parsed page's body without <script>, <style>, <noscript> and
    <template> content.

    The invisible elements are stripped from a clone of the tree (a copy in C,
    a third of the cost of serialising the body and parsing it again, which
    :func:`visible_text` must do for a single node), or from the tree itself
    when the caller needs it no more (``keep_tree=False``)."""
    work = tree.clone() if keep_tree else tree
    work.strip_tags(_INVISIBLE)
    body = work.body
    return body.text(separator=" ") if body is not None else ""


def visible_text(node: LexborNode | None) -> str:
    """Text of a node without <script>, <style>, <noscript> and <template> content."""
    if node is None:
        return ""
    clone = LexborHTMLParser(node.html or "")
    for bad in clone.css("script, style, noscript, template"):
        bad.decompose()
    root = clone.body or clone.root
    return root.text(separator=" ") if root is not None else ""
