"""Decode Chinese pages whose declared charset may be wrong.

Pages come in UTF-8, GBK, GB2312 and GB18030, often mislabelled: a server that
sends ``charset=utf-8`` for a GBK page makes Scrapy's ``response.text`` full of
U+FFFD.  :func:`text_needs_redecode` is the cheap check the spider runs on every
``response.text``; :func:`decode_html` is the careful decoder it then runs on
the raw bytes.  All GB labels decode as gb18030, their superset, so that 堃 and
镕 (outside GB2312) survive.
"""

from __future__ import annotations

import codecs
import re

_GB = {
    "gb2312",
    "gbk",
    "gb18030",
    "x-gbk",
    "cp936",
    "gb_2312-80",
    "csgb2312",
    "euc-cn",
    "hz-gb-2312",
}
_UTF8 = {"utf-8", "utf8", "unicode-1-1-utf-8"}
#: Labels that servers send by default, not because they know the page.
_WEAK = {codecs.lookup(n).name for n in ("iso-8859-1", "us-ascii", "windows-1252")}

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: UTF-8 read as Latin-1/cp1252: a lead byte followed by a continuation byte.
_MOJIBAKE = re.compile("[\u00c2-\u00ef][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]")
_CJK = re.compile("[\u4e00-\u9fff]")


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a declared charset; GB labels become gb18030,
    unknown labels None."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB:
        return "gb18030"
    if name in _UTF8:
        return "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares in ``<meta charset>`` or ``http-equiv``
    (first 4 KB, as browsers do), normalised, or None."""
    m = _META_CHARSET.search(body[:4096])
    return normalise_charset(m.group(1).decode("ascii", "replace")) if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """The page's text and the codec used.

    Order: a BOM; valid UTF-8 with non-ASCII bytes is UTF-8 whatever the label
    says (GBK text is practically never valid UTF-8); then the HTTP header's
    charset, the page's own declaration and gb18030, each accepted only if it
    decodes without error; server-default Latin labels come last.  If nothing
    decodes cleanly, the candidate with the fewest replacement characters wins.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, "replace"), codec.removesuffix("-sig")
    if _NON_ASCII.search(body) is None:
        declared = normalise_charset(header_charset) or meta_charset(body) or "utf-8"
        return body.decode("ascii"), declared
    utf8 = _strict(body, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    header = normalise_charset(header_charset)
    candidates: list[str] = []
    for label in (header, meta_charset(body), "gb18030"):
        if label and label not in candidates and label not in _WEAK and label != "utf-8":
            candidates.append(label)
    for codec in candidates:
        text = _strict(body, codec)
        if text is not None:
            return text, codec
    weak = [c for c in (header, meta_charset(body)) if c and c in _WEAK]
    for codec in weak:
        text = _strict(body, codec)
        if text is not None:
            return text, codec
    best: tuple[int, str, str] | None = None
    for codec in [*candidates, "utf-8"]:
        text = body.decode(codec, "replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, codec)
    assert best is not None
    return best[1], best[2]


def text_needs_redecode(text: str) -> bool:
    """Whether Scrapy's decoded text looks mis-decoded: replacement characters,
    or UTF-8 bytes read as Latin-1 in a page with no Chinese characters.

    Cheap (C-level counting and two bounded regex scans), so it runs on
    every page; when true, re-decode the raw body with :func:`decode_html`.
    """
    if "\ufffd" in text:
        return True
    head = text[:65536]
    return _CJK.search(head) is None and len(_MOJIBAKE.findall(head)) >= 5
