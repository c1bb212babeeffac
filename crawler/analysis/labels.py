"""Label/value pairs of a detail page (留言时间：…, 申请条件 | …): the shared reader
behind the message-board and service-guide analysers.

Government CMSs write a labelled fact in a handful of ways: a table row with a
label cell and a value cell, a ``dl`` with ``dt``/``dd``, a ``span.label`` (or
bold text) followed by its value, or inline ``留言时间：2026-10-18`` in a
paragraph.  Reading all of them into one list lets each analyser match its own
label vocabulary without knowing the markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from crawler.analysis.page import ParsedPage, squash

__all__ = ["LabelValue", "clean_label", "has_inner", "in_chrome", "label_values"]

#: Numbering and decoration around a label: 一、 1. （1） 【】 ★ and the colon.
_DECOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．)）]|[（(]\d+[)）]|[★●◆■·•])\s*|[【】\[\]〔〕\s]|[：:]\s*$"
)
#: Inline ``标签：值`` inside a text block (the label is 2–10 Chinese characters).
_INLINE = re.compile(r"(?:^|(?<=[\s。；;，,]))【?([\u4e00-\u9fa5]{2,10})】?\s*[：:]\s*")
_MAX_LABEL = 14


@dataclass(frozen=True, slots=True)
class LabelValue:
    """One labelled fact: the cleaned label, the value text, and the node holding
    the value (callers read links inside it)."""

    label: str
    value: str
    node: LexborNode | None = None


def clean_label(text: str) -> str:
    """A label as matched: no numbering, brackets, spaces or trailing colon."""
    prev = None
    out = squash(text)
    while prev != out:
        prev = out
        out = _DECOR.sub("", out).strip()
    return out


def has_inner(node: LexborNode, selector: str) -> bool:
    """Whether a descendant (not the node itself: lexbor's css matches it too)
    matches ``selector``."""
    own = node.mem_id
    return any(n.mem_id != own for n in node.css(selector))


_CHROME = re.compile(r"foot|bottom|copyright|header|^top$|nav|menu|position|crumb", re.I)


def in_chrome(node: LexborNode) -> bool:
    """Whether a node sits in the page's header, navigation or footer, whose
    labels (承办单位：…, 联系电话：…) belong to the site, not to the content."""
    cur: LexborNode | None = node
    while cur is not None and cur.tag not in ("body", "html"):
        if cur.tag in ("footer", "header", "nav"):
            return True
        attrs = cur.attributes
        for key in ("class", "id"):
            value = attrs.get(key) or ""
            if value and any(_CHROME.search(part) for part in value.split()):
                return True
        cur = cur.parent
    return False


def _text(node: LexborNode) -> str:
    return squash(node.text(separator=" "))


def _next_element(node: LexborNode) -> LexborNode | None:
    nxt = node.next
    while nxt is not None and nxt.tag in ("-text", "-comment"):
        if nxt.tag == "-text" and squash(nxt.text()):
            return nxt
        nxt = nxt.next
    return nxt


def label_values(page: ParsedPage, root: LexborNode | None = None) -> list[LabelValue]:
    """Every label/value pair found on the page (or under ``root``), in page order
    per layout: table rows, dl lists, label elements, then inline ``标签：值``."""
    base = root if root is not None else page.tree.body
    if base is None:
        return []
    out: list[LabelValue] = []
    # tables: a short label cell followed by a value cell (pairs along the row)
    for row in base.css("tr"):
        cells = [c for c in row.iter() if c.tag in ("th", "td")]
        i = 0
        while i < len(cells) - 1:
            label = clean_label(_text(cells[i]))
            if 0 < len(label) <= _MAX_LABEL and not has_inner(cells[i], "table"):
                out.append(LabelValue(label, _text(cells[i + 1]), cells[i + 1]))
                i += 2
            else:
                i += 1
    # dl lists
    for dt in base.css("dt"):
        dd = _next_element(dt)
        if dd is not None and dd.tag == "dd":
            out.append(LabelValue(clean_label(_text(dt)), _text(dd), dd))
    # label elements followed by a sibling value: span.label, b/strong, div.tit
    for node in base.css("span, b, strong, label, em, div, h3, h4, h5, p"):
        if has_inner(node, "div, p, table, ul"):
            continue
        label = clean_label(_text(node))
        if not (0 < len(label) <= _MAX_LABEL) or not re.fullmatch(r"[\u4e00-\u9fa5（）()]+", label):
            continue
        nxt = _next_element(node)
        if nxt is None or in_chrome(node):
            continue
        value = squash(nxt.text()) if nxt.tag == "-text" else _text(nxt)
        out.append(LabelValue(label, value, node if nxt.tag == "-text" else nxt))
    # inline 标签：值 in leaf-ish blocks
    for node in base.css("p, li, span, div, td, dd"):
        if has_inner(node, "p, li, div, table, dd"):
            continue
        text = _text(node)
        matches = list(_INLINE.finditer(text))
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            out.append(LabelValue(m.group(1), text[m.end() : end].strip(), node))
    return [lv for lv in out if lv.node is None or not in_chrome(lv.node)]
