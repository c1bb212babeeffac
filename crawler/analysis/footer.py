"""Footer markers (NAT-D-FOOTER) and the 我为政府网站找错 entry (NAT-D-JIUCUO) of one page.

Real footers are messy: markers are split over ``<span>``s (``京<span>ICP</span>备…``),
written by ``document.write(unescape(…))``, or injected by a shared ``footer.js``.
The analyser therefore reads the footer area when it can find one (``<footer>``,
``#footer``, ``.footer``, ``.bottom``, ``#copyright``… and the last part of the
body) and falls back to the whole page with stricter patterns, so that an article
that mentions 电话 or 主办 does not stand in for the footer.

A footer that a script the tool did not run would write is *not observable*:
when such a script is present and no marker of the footer is visible, the facts
say ``observable=False`` and list nothing as missing (the scorer treats it as
unknown, never as missing).  A 联系我们 link or a 主办单位 label elsewhere on the
page does not make a script-written footer visible.

Decision on the conac loader (corpus GROUND_TRUTH rows 5, 8, 9): the
``dcs.conac.cn`` loader script, including ``document.write(unescape("%3Cspan
id='_ideConac'…"))``, counts as present, because a person on the live page sees
the badge; ``conac_form`` records which form was found (``link`` wins over
``script`` when both are there).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.analysis.page import ParsedPage, squash
from govmon.records import FooterMarker

__all__ = [
    "ConacForm",
    "FooterFacts",
    "JiucuoFacts",
    "JiucuoForm",
    "analyse_footer",
    "find_jiucuo",
    "script_free_tree",
    "site_code_valid",
]

#: Province abbreviations used in ICP and 公网安备 numbers.
_PROV = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳台蜀黔滇陇秦"
#: First two digits of the 6-digit administrative region codes (GB/T 2260).
# fmt: off
_PROVINCE_CODES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
))
# fmt: on

_SITE_CODE = re.compile(
    r"(?:标识码|识别码|标识号)\s*[：:]?\s*((?:bm|BM|Bm)?\s?\d+)(?!\d)",
)
_ICP = re.compile(
    rf"([{_PROV}])\s*ICP\s*([备证])\s*[：:]?\s*(\d{{4,}})\s*号(?:\s*-\s*(\d+))?", re.I
)
_POLICE = re.compile(rf"([{_PROV}])\s*公网安备\s*号?\s*[：:]?\s*(\d{{14}})(?!\d)")
#: Sponsor: in the footer area any 主办; on the whole page only the label forms.
_SPONSOR_FOOTER = re.compile(r"主办")
_SPONSOR_PAGE = re.compile(r"(?:网站)?主办单位|主办\s*[：:]")
_CONTACT_FOOTER = re.compile(
    r"联系我们|联系方式|联系电话|(?:电话|热线|传真)\s*(?:[（(][^）)]{0,10}[）)])?\s*[：:]?\s*[\d（(+]"
    r"|(?:邮箱|e-?mail|电子邮件)\s*[：:]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|地址\s*[：:]",
    re.I,
)
_CONTACT_LINK = re.compile(r"联系我们|联系方式")

#: Class/id tokens of footer containers (szf_footer, botFoter, copyright, …).
_FOOTER_TOKEN = re.compile(
    r"foot|foter|copyright|banquan|(?:^|[-_])(?:bottom|btm|copy|dibu|bq)(?:$|[-_\d])|^bottom",
    re.I,
)
#: Tokens that look like footer tokens but are layout utilities (am-margin-bottom-0).
_LAYOUT_TOKEN = re.compile(r"margin|padding|border|scroll|^m[tb]-|^p[tb]-|^am-", re.I)
#: Scripts whose name says they write the footer.
_FOOTER_SCRIPT = re.compile(
    r"(?:^|[/_.-])(?:foot|footer|foter|bottom|btm|copyright|dibu|tail|bq|public_?foot)[\w.-]*\.js",
    re.I,
)
_WRITE_CALL = re.compile(r"document\.write(?:ln)?\s*\(|\.innerHTML\s*=|\.load\s*\(|\.html\s*\(")
_FOOTERISH_WORD = re.compile(r"foot|bottom|copyright|版权|备案|主办|标识码", re.I)
#: Script names that never write a footer (libraries, statistics, widgets).
_LIBRARY_SCRIPT = re.compile(
    r"jquery|bootstrap|swiper|layer|vue|react|echarts|html5shiv|respond|polyfill|lazyload"
    r"|^hm\.js|analytics|gtag|^tj\.js|stat|jiucuo|conac|^CA\d+|wza|barrierfree|share|"
    r"articlehits|gettitle|tw_cn|scroll|slide|gallery|carousel|player|print",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_CONAC_SCRIPT = re.compile(r"dcs\.conac\.cn|/CA\d{15,}\.js", re.I)
_JIUCUO_SRC = re.compile(r"exposure/jiucuo|(?:^|/)jiucuo\.js", re.I)
_JIUCUO_SITECODE = re.compile(r"site_?code\s*['\"]?\s*[=:]\s*['\"]?([A-Za-z]{0,2}\d{6,})", re.I)
_JIUCUO_TEXT = "我为政府网站找错"
#: How much of the end of the body text stands for the footer when no container is found.
_TAIL_CHARS = 1500


#: Markers that only a footer carries: one of them visible means the footer was seen.
_FOOTER_ONLY = frozenset(
    {FooterMarker.CONAC, FooterMarker.SITE_CODE, FooterMarker.ICP, FooterMarker.POLICE}
)


class ConacForm(enum.StrEnum):
    """How the 党政机关网站标识 appears in the raw HTML."""

    LINK = "link"  # a static link to bszs.conac.cn (usually with the badge image)
    SCRIPT = "script"  # only the dcs.conac.cn loader that fills <span id="_ideConac">


@dataclass(frozen=True, slots=True, kw_only=True)
class FooterFacts:
    """The footer markers of one page.  When ``observable`` is False, ``present``
    and ``missing`` are both empty: nothing is claimed about the footer."""

    present: tuple[FooterMarker, ...] = ()
    missing: tuple[FooterMarker, ...] = ()
    observable: bool = True
    site_code: str | None = None
    site_code_valid: bool | None = None
    conac_form: ConacForm | None = None
    icp: str | None = None
    police: str | None = None
    #: When not observable, why: the footer script's URL, ``inline-script``,
    #: ``empty-footer-container:<script>`` or ``unidentified-script:<script>``.
    footer_script: str | None = None


class JiucuoForm(enum.StrEnum):
    """How the 我为政府网站找错 entry appears in the raw HTML."""

    SCRIPT = "script"  # <script id="_jiucuo_" sitecode=… src=…/exposure/jiucuo.js>
    LINK = "link"  # <a href=…/exposure/jiucuo.html?site_code=…><img></a>
    WIDGET = "widget"  # a CMS placeholder: <div class="j-jiucuo" data-setting="{sitecode:…}">
    TEXT = "text"  # the words 我为政府网站找错


@dataclass(frozen=True, slots=True, kw_only=True)
class JiucuoFacts:
    """The 我为政府网站找错 entry and the site code it carries."""

    present: bool = False
    form: JiucuoForm | None = None
    sitecode: str | None = None


def site_code_valid(code: str) -> bool:
    """10 digits (a 6-digit region code with a real province prefix + 4 digits),
    or ``bm`` + 8 digits for central ministries."""
    code = code.strip()
    if re.fullmatch(r"\d{10}", code):
        return code[:2] in _PROVINCE_CODES
    return re.fullmatch(r"bm\d{8}", code, re.I) is not None


# --------------------------------------------------------------------------
# text views
# --------------------------------------------------------------------------


def script_free_tree(page: ParsedPage) -> LexborHTMLParser:
    """A copy of the page without script/style/noscript/template, parsed once per
    page and cached on it, shared by the footer and header analysers (a candidate
    for ``ParsedPage`` itself)."""
    cached = page._cache.get("footer:clean_tree")
    if isinstance(cached, LexborHTMLParser):
        return cached
    clean = LexborHTMLParser(page.html)
    for bad in clean.css("script, style, noscript, template"):
        bad.decompose()
    page._cache["footer:clean_tree"] = clean
    return clean


def _is_footerish(node: LexborNode) -> bool:
    if node.tag == "footer" or (node.attributes.get("role") or "") == "contentinfo":
        return True
    attrs = node.attributes
    tokens = (attrs.get("class") or "").split() + (attrs.get("id") or "").split()
    return any(_FOOTER_TOKEN.search(t) and not _LAYOUT_TOKEN.search(t) for t in tokens)


def _footer_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Outermost footer-like containers (a nested one adds nothing)."""
    found: list[LexborNode] = []
    for node in tree.css("footer, [role=contentinfo], [class], [id]"):
        if node.tag in ("html", "body", "head") or not _is_footerish(node):
            continue
        found.append(node)
    mem_ids = {n.mem_id for n in found}
    outer: list[LexborNode] = []
    for node in found:
        parent = node.parent
        while parent is not None and parent.mem_id not in mem_ids:
            parent = parent.parent
        if parent is None:
            outer.append(node)
    return outer


def _footer_text(page: ParsedPage) -> str:
    cached = page._cache.get("footer:text")
    if isinstance(cached, str):
        return cached
    tree = script_free_tree(page)
    parts = [node.text(separator=" ") for node in _footer_nodes(tree)]
    if not any(p.strip() for p in parts):
        # No footer container with text: the end of the body stands for it.
        parts.append(page.body_text[-_TAIL_CHARS:])
    text = squash(" ".join(parts))
    page._cache["footer:text"] = text
    return text


def _script_written_text(page: ParsedPage) -> str:
    """Text that inline scripts write with document.write: static in the raw HTML,
    so a marker there is as observable as the conac loader."""
    out: list[str] = []
    for node in page.tree.css("script"):
        if node.attributes.get("src"):
            continue
        code = node.text() or ""
        if "document.write" not in code:
            continue
        if "unescape" in code or "%3C" in code:
            code = unquote(code)
        out.append(_TAG.sub(" ", code))
    return squash(" ".join(out))


# --------------------------------------------------------------------------
# markers
# --------------------------------------------------------------------------


def _conac(page: ParsedPage) -> ConacForm | None:
    for a in page.tree.css("a[href]"):
        host = urlsplit((a.attributes.get("href") or "").strip()).hostname or ""
        if host == "conac.cn" or (host.endswith(".conac.cn") and not host.startswith("dcs.")):
            return ConacForm.LINK
    for script in page.tree.css("script"):
        src = script.attributes.get("src") or ""
        if src and _CONAC_SCRIPT.search(src):
            return ConacForm.SCRIPT
        if not src:
            code = script.text() or ""
            if "conac" in code and _CONAC_SCRIPT.search(unquote(code)):
                return ConacForm.SCRIPT
    return None


def _links_with(page: ParsedPage, pattern: re.Pattern[str]) -> Iterable[LexborNode]:
    for a in page.tree.css("a"):
        label = " ".join((a.text(separator=" ") or "", a.attributes.get("title") or ""))
        if pattern.search(label):
            yield a


def _police_from_links(page: ParsedPage) -> str | None:
    """A 公网安备 link without the number in its text still carries it in the URL."""
    for a in page.tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        parts = urlsplit(href)
        host = parts.hostname or ""
        if host.endswith("beian.gov.cn") or host.endswith("beian.mps.gov.cn"):
            query = parse_qs(parts.query)
            codes = query.get("recordcode") or query.get("recordCode") or []
            return codes[0] if codes else ""
    return None


def _has_icp_link(page: ParsedPage) -> bool:
    for a in page.tree.css("a[href]"):
        host = urlsplit((a.attributes.get("href") or "").strip()).hostname or ""
        if host.endswith("miit.gov.cn") or host.endswith("miibeian.gov.cn"):
            label = a.text(separator=" ") + " " + (a.attributes.get("title") or "")
            if "ICP" in label.upper() or "备案" in label:
                return True
    return False


def _footer_script(page: ParsedPage) -> str | None:
    """Evidence that a script or include the tool did not run writes the footer."""
    for node in page.tree.css("script[src], iframe[src]"):
        src = (node.attributes.get("src") or "").strip()
        path = urlsplit(src).path
        if _FOOTER_SCRIPT.search(path) or (
            node.tag == "iframe" and re.search(r"foot|bottom", path, re.I)
        ):
            return src
    for node in page.tree.css("script"):
        if node.attributes.get("src"):
            continue
        code = node.text() or ""
        if _WRITE_CALL.search(code) and _FOOTERISH_WORD.search(code):
            return "inline-script"
    containers = _footer_nodes(script_free_tree(page))
    if any(squash(node.text(separator=" ")) for node in containers):
        return None
    # No footer with text: a footer container left empty, or no footer at all,
    # means a script we did not run draws it, unless the page has no script of
    # its own (only libraries, statistics, accessibility tools).
    body = page.tree.body
    scripts = body.css("script[src]") if body is not None else []
    for node in reversed(scripts):
        src = (node.attributes.get("src") or "").strip()
        name = urlsplit(src).path.rsplit("/", 1)[-1]
        if not _LIBRARY_SCRIPT.search(name):
            kind = "empty-footer-container" if containers else "unidentified-script"
            return f"{kind}:{src}"
    return None


def analyse_footer(page: ParsedPage) -> FooterFacts:
    """The six NAT-D-FOOTER markers of ``page`` with the facts behind them."""
    footer = _footer_text(page)
    written = _script_written_text(page)
    whole = page.body_text
    strict_text = " ".join((footer, written, whole))

    present: set[FooterMarker] = set()

    conac_form = _conac(page)
    if conac_form is not None:
        present.add(FooterMarker.CONAC)

    site_code: str | None = None
    m = _SITE_CODE.search(footer) or _SITE_CODE.search(written) or _SITE_CODE.search(whole)
    if m:
        site_code = re.sub(r"\s", "", m.group(1))
        if site_code[:2].lower() == "bm":
            site_code = "bm" + site_code[2:]
        present.add(FooterMarker.SITE_CODE)

    icp: str | None = None
    m = _ICP.search(strict_text)
    if m:
        icp = f"{m.group(1)}ICP{m.group(2)}{m.group(3)}号" + (
            f"-{m.group(4)}" if m.group(4) else ""
        )
        present.add(FooterMarker.ICP)
    elif _has_icp_link(page):
        present.add(FooterMarker.ICP)

    police: str | None = None
    m = _POLICE.search(strict_text)
    if m:
        police = f"{m.group(1)}公网安备{m.group(2)}号"
        present.add(FooterMarker.POLICE)
    else:
        code = _police_from_links(page)
        if code is not None:
            police = code or None
            present.add(FooterMarker.POLICE)

    # Sponsor and contact seen in the footer area (or in text a script writes)
    # show that the footer itself was seen; the page-wide fallbacks (a 联系我们
    # link in the top navigation) do not.
    footer_seen = False
    if _SPONSOR_FOOTER.search(footer) or _SPONSOR_FOOTER.search(written):
        present.add(FooterMarker.SPONSOR)
        footer_seen = True
    elif _SPONSOR_PAGE.search(whole):
        present.add(FooterMarker.SPONSOR)

    if _CONTACT_FOOTER.search(footer) or _CONTACT_FOOTER.search(written):
        present.add(FooterMarker.CONTACT)
        footer_seen = True
    elif (
        any(True for _ in _links_with(page, _CONTACT_LINK))
        or page.tree.css_first("a[href^='mailto:'], a[href^='tel:']") is not None
    ):
        present.add(FooterMarker.CONTACT)

    ordered = tuple(mk for mk in FooterMarker if mk in present)
    footer_seen = footer_seen or bool(present & _FOOTER_ONLY)
    if not footer_seen:
        evidence = _footer_script(page)
        if evidence is not None:
            return FooterFacts(observable=False, footer_script=evidence)
    return FooterFacts(
        present=ordered,
        missing=tuple(mk for mk in FooterMarker if mk not in present),
        observable=True,
        site_code=site_code,
        site_code_valid=site_code_valid(site_code) if site_code is not None else None,
        conac_form=conac_form,
        icp=icp,
        police=police,
    )


# --------------------------------------------------------------------------
# 我为政府网站找错
# --------------------------------------------------------------------------


def _sitecode_in(text: str) -> str | None:
    m = _JIUCUO_SITECODE.search(text)
    return m.group(1) if m else None


def find_jiucuo(page: ParsedPage) -> JiucuoFacts:
    """The 我为政府网站找错 entry, if the raw HTML carries one.

    Comments are not part of the parsed tree, so a commented-out link does not
    count (corpus row 10).
    """
    for script in page.tree.css("script"):
        attrs = script.attributes
        src = attrs.get("src") or ""
        if (attrs.get("id") or "") == "_jiucuo_" or (src and _JIUCUO_SRC.search(src)):
            code = attrs.get("sitecode") or _sitecode_in(src)
            return JiucuoFacts(present=True, form=JiucuoForm.SCRIPT, sitecode=code or None)
    for a in page.tree.css("a[href]"):
        href = a.attributes.get("href") or ""
        if "exposure/jiucuo" in href.lower():
            query = parse_qs(urlsplit(href.strip()).query)
            codes = query.get("site_code") or query.get("sitecode") or []
            return JiucuoFacts(
                present=True, form=JiucuoForm.LINK, sitecode=codes[0] if codes else None
            )
    for script in page.tree.css("script"):
        if script.attributes.get("src"):
            continue
        code = script.text() or ""
        if "jiucuo" in code and "document.write" in code:
            code = unquote(code)
            if _JIUCUO_SRC.search(code) or "_jiucuo_" in code:
                return JiucuoFacts(
                    present=True, form=JiucuoForm.SCRIPT, sitecode=_sitecode_in(code)
                )
    for node in page.tree.css("[class]"):
        classes = (node.attributes.get("class") or "").lower()
        if "jiucuo" not in classes:
            continue
        setting = " ".join(
            v or "" for k, v in node.attributes.items() if k.startswith("data-") or k == "sitecode"
        )
        code = _sitecode_in(setting)
        if code or node.css_first("a[href], img") is not None:
            return JiucuoFacts(present=True, form=JiucuoForm.WIDGET, sitecode=code)
    if _JIUCUO_TEXT in page.body_text:
        return JiucuoFacts(present=True, form=JiucuoForm.TEXT)
    for a in page.tree.css("a[title], img[alt]"):
        if _JIUCUO_TEXT in ((a.attributes.get("title") or "") + (a.attributes.get("alt") or "")):
            return JiucuoFacts(present=True, form=JiucuoForm.TEXT)
    return JiucuoFacts()
