"""The site search entry of a page (NAT-D-SEARCH): a form, a search link or a
script-driven box, with enough detail for the search probe to build a query URL.

Government search boxes come as plain GET forms (``/site/search/6788021``),
POST forms to TRS/WAS (``was5/web/search``) or Hanweb (``jsearchfront``), links to
a search page (sometimes with a query parameter already filled in), or an input
that a script reads (``onsubmit="return false"``).  Only the first two can be
turned into a URL directly; a link is worth fetching to find the form on it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborNode

from crawler.analysis.page import ParsedPage, squash

__all__ = ["SearchForm", "SearchKind", "find_search"]

#: Input names that hold the query on real sites (compared lower-cased).
# fmt: off
_QUERY_NAMES = frozenset((
    "q", "query", "keyword", "keywords", "searchword", "searchwords", "wd", "kw", "key", "keys",
    "word", "words", "contentkey", "qt", "sw", "searchkey", "searchtext", "search", "s", "text",
    "title_key", "textfield",
))
# fmt: on
_HINT = re.compile(r"search|sousuo|jsearch|was5|(?:^|[/_.-])so(?:$|[/_.-])|query|检索|搜索", re.I)
_PLACEHOLDER_HINT = re.compile(r"搜索|检索|关键字|关键词|请输入", re.I)
_STRONG_HINT = re.compile(r"搜索|检索|关键字|关键词|search", re.I)
_LINK_TEXT = re.compile(r"^(?:站内|全文|高级|智能)?(?:搜索|检索)$|^搜\s*索$")
_SEARCH_HOSTS = frozenset({"so", "search", "sousuo", "ss", "s", "jsearch", "www"})
_TEXT_TYPES = frozenset({"", "text", "search"})
#: ``location.href = "https://x.gov.cn/search/r.shtml?siteID=136&query=" + $('#q').val()``
_SCRIPT_URL = re.compile(
    r"""["']((?:https?:)?//[^"'\s?]+|/[^"'\s?]*)\?([^"'\s]*?)([A-Za-z_][\w]*)=["']\s*\+"""
)
_CHARSET = re.compile(r"charset\s*=\s*['\"]?([\w-]+)", re.I)


class SearchKind(enum.StrEnum):
    FORM = "form"  # a form: url_for works
    LINK = "link"  # a link to a search page; url_for works when it carries a query field
    SCRIPT = "script"  # an input a script reads: usable when the script names its URL


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchForm:
    """A site search entry.  ``hidden`` keeps the fixed fields in page order;
    ``charset`` is how the server expects the query encoded (GBK sites)."""

    kind: SearchKind
    action: str | None
    method: str = "GET"
    query_field: str | None = None
    hidden: tuple[tuple[str, str], ...] = ()
    charset: str = "utf-8"

    @property
    def usable(self) -> bool:
        """Whether :meth:`url_for` can build a query URL."""
        return self.action is not None and self.query_field is not None

    def params(self, query: str) -> list[tuple[str, str]]:
        """The form fields to send for ``query`` (hidden fields, then the query)."""
        if self.query_field is None:
            raise ValueError("this search entry has no known query field")
        fields = [(k, v) for k, v in self.hidden if k != self.query_field]
        return [*fields, (self.query_field, query)]

    def url_for(self, query: str) -> str:
        """The GET URL that runs ``query``.  For a POST form this is the same data
        as a query string (most government search engines accept both; the probe
        may POST :meth:`params` instead).  Raises ValueError for an entry without
        a URL or query field (a script-driven box, a bare link)."""
        if self.action is None or self.query_field is None:
            raise ValueError(f"a {self.kind.value} search entry cannot build a query URL")
        parts = urlsplit(self.action)
        kept = parse_qsl(parts.query, keep_blank_values=True) if self.method == "POST" else []
        names = {k for k, _ in self.params(query)}
        pairs = [(k, v) for k, v in kept if k not in names] + self.params(query)
        encoding = (
            "gb18030" if self.charset.lower() in ("gb2312", "gbk", "gb18030") else self.charset
        )
        try:
            qs = urlencode(pairs, encoding=encoding)
        except LookupError:
            qs = urlencode(pairs)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, qs, ""))


def _page_charset(page: ParsedPage) -> str:
    node = page.tree.css_first("meta[charset]")
    if node is not None and (node.attributes.get("charset") or "").strip():
        return (node.attributes.get("charset") or "utf-8").strip().lower()
    for node in page.tree.css("meta[http-equiv]"):
        m = _CHARSET.search(node.attributes.get("content") or "")
        if m:
            return m.group(1).lower()
    return "utf-8"


def _is_text_input(node: LexborNode) -> bool:
    return (
        node.tag == "input" and (node.attributes.get("type") or "").strip().lower() in _TEXT_TYPES
    )


def _query_input(inputs: list[LexborNode]) -> LexborNode | None:
    for node in inputs:
        name = (node.attributes.get("name") or "").strip().lower()
        if name in _QUERY_NAMES:
            return node
    for node in inputs:
        attrs = node.attributes
        hint = " ".join(
            attrs.get(a) or "" for a in ("id", "class", "placeholder", "title", "value", "alt")
        )
        if (
            _PLACEHOLDER_HINT.search(hint)
            or _HINT.search(hint)
            or ((attrs.get("id") or "").lower() in _QUERY_NAMES)
        ):
            return node
    return None


def _hidden_fields(form: LexborNode) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for node in form.css("input"):
        attrs = node.attributes
        kind = (attrs.get("type") or "").strip().lower()
        name = (attrs.get("name") or "").strip()
        if kind == "hidden" and name:
            out.append((name, attrs.get("value") or ""))
    for node in form.css("select[name]"):
        option = node.css_first("option[selected]") or node.css_first("option")
        if option is not None:
            value = option.attributes.get("value")
            out.append(
                (node.attributes.get("name") or "", value if value is not None else option.text())
            )
    return tuple(out)


def _from_form(page: ParsedPage, form: LexborNode, charset: str) -> SearchForm | None:
    if form.css_first("input[type=password]") is not None:
        return None
    attrs = form.attributes
    inputs = [n for n in form.css("input") if _is_text_input(n)]
    field = _query_input(inputs)
    action_attr = (attrs.get("action") or "").strip()
    hint = " ".join(attrs.get(a) or "" for a in ("action", "id", "name", "class"))
    if field is None:
        return None
    named = (field.attributes.get("name") or "").strip().lower() in _QUERY_NAMES
    field_hint = " ".join(
        field.attributes.get(a) or "" for a in ("id", "class", "placeholder", "title")
    )
    if not (named or _HINT.search(hint) or _STRONG_HINT.search(field_hint)):
        return None
    name = (field.attributes.get("name") or "").strip() or None
    scripted = "return false" in (
        attrs.get("onsubmit") or ""
    ).lower() or action_attr.lower().startswith("javascript:")
    if scripted or name is None:
        return SearchForm(kind=SearchKind.SCRIPT, action=None, query_field=name)
    method = (attrs.get("method") or "get").strip().upper()
    form_charset = (attrs.get("accept-charset") or "").split(",")[0].split()[0:1]
    return SearchForm(
        kind=SearchKind.FORM,
        action=page.resolve(action_attr) if action_attr else page.url,
        method="POST" if method == "POST" else "GET",
        query_field=name,
        hidden=_hidden_fields(form),
        charset=(form_charset[0].lower() if form_charset else charset),
    )


def _from_link(page: ParsedPage, charset: str) -> SearchForm | None:
    best: SearchForm | None = None
    page_host = urlsplit(page.url).hostname or ""
    for a in page.tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "#", "mailto:")):
            continue
        label = squash(a.text(separator=" ") + " " + (a.attributes.get("title") or ""))
        url = page.resolve(href)
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        field = next((k for k, _ in pairs if k.lower() in _QUERY_NAMES), None)
        host = parts.hostname or ""
        path_hint = _HINT.search(parts.path) is not None or (
            host.split(".")[0] in _SEARCH_HOSTS - {"www"}
        )
        if not (_LINK_TEXT.match(label.strip()) or (path_hint and field is not None)):
            continue
        # A search of another host (an open-data portal) is not the site search,
        # unless it is the site's search host (www.x.gov.cn → so.x.gov.cn).
        if (
            not _LINK_TEXT.match(label)
            and host
            and host != page_host
            and not (_same_site(host, page_host) and host.split(".")[0] in _SEARCH_HOSTS)
        ):
            continue
        candidate = SearchForm(
            kind=SearchKind.LINK,
            action=urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) if field else url,
            query_field=field,
            hidden=tuple((k, v) for k, v in pairs if k != field) if field else (),
            charset=charset,
        )
        if field is not None:
            return candidate
        best = best or candidate
    return best


def _same_site(a: str, b: str) -> bool:
    """Hosts of one registered domain (three labels: x.gov.cn, x.com.cn)."""
    return a.split(".")[-3:] == b.split(".")[-3:]


def _script_target(page: ParsedPage, charset: str) -> SearchForm | None:
    """The URL an inline search script sends the query to, when it is a literal."""
    for node in page.tree.css("script"):
        if node.attributes.get("src"):
            continue
        code = node.text() or ""
        for m in _SCRIPT_URL.finditer(code):
            base, query, field = m.group(1), m.group(2), m.group(3)
            if not _HINT.search(base):
                continue
            hidden = tuple(parse_qsl(query.rstrip("&"), keep_blank_values=True))
            return SearchForm(
                kind=SearchKind.SCRIPT,
                action=page.resolve(base),
                query_field=field,
                hidden=hidden,
                charset=charset,
            )
    return None


def find_search(page: ParsedPage) -> SearchForm | None:
    """The page's site search entry: a usable form first, then a search link,
    then a script-driven box; None when the page shows no search at all."""
    charset = _page_charset(page)
    scripted: SearchForm | None = None
    for form in page.tree.css("form"):
        found = _from_form(page, form, charset)
        if found is None:
            continue
        if found.kind is SearchKind.FORM:
            return found
        scripted = scripted or found
    link = _from_link(page, charset)
    if link is not None and link.usable:
        return link
    box = scripted or _loose_input(page)
    if box is not None:
        # A box read by a script: the script may name the URL it sends the query to.
        target = _script_target(page, charset)
        if target is not None:
            return target
    return link or box


def _loose_input(page: ParsedPage) -> SearchForm | None:
    """A search input outside any form (a script reads it)."""
    for node in page.tree.css("input"):
        if not _is_text_input(node) or _query_input([node]) is None:
            continue
        parent = node.parent
        while parent is not None and parent.tag != "form":
            parent = parent.parent
        if parent is not None:
            continue
        name = (node.attributes.get("name") or "").strip() or None
        return SearchForm(kind=SearchKind.SCRIPT, action=None, query_field=name)
    return None
