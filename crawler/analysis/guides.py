"""Service guides (办事指南): which of the ten key element categories a guide
publishes and which forms it links (NAT-V-SERVICE-A/B/C, JS-GUIDE).

Element labels come as table rows (th/td), ``dl`` lists, headings, bold labels
or inline ``申请条件：…``; synonyms (受理条件 → 申请条件, …) live in
``config/keywords/guide_elements.yaml`` with the decisions taken (办理时限 is not
办理时间).  Dead forms are known only after the link check:
``with_dead_attachments`` adds them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

import yaml
from selectolax.lexbor import LexborNode

from crawler.analysis.labels import clean_label, in_chrome, label_values
from crawler.analysis.page import ParsedPage, squash
from govmon.errors import ConfigError
from govmon.paths import config_dir
from govmon.records import GuideDetection

__all__ = [
    "CATEGORIES",
    "guide_detection",
    "guide_elements",
    "is_guide",
    "load_synonyms",
    "with_dead_attachments",
]

#: The ten categories in the order of the 2019 indicators (scoring/measures.py).
CATEGORIES = (
    "事项名称", "设定依据", "申请条件", "办理材料", "办理地点",
    "办理机构", "收费标准", "办理时间", "联系电话", "办理流程",
)  # fmt: skip

_GUIDE_TITLE = re.compile(r"办事指南|服务指南|办事须知|办理指南|服务事项|指南")
_TITLE_SUFFIX = re.compile(r"(?:的)?(?:办事指南|服务指南|办事须知|办理指南)\s*$")
_FILE = re.compile(r"\.(?:docx?|xlsx?|wps|et|pdf|zip|rar|7z|ofd|ceb)(?:$|[?#])", re.I)
_FORM_TEXT = re.compile(r"表格下载|申请表|登记表|样表|范本|示范文本|附件|下载")
_CONTENT = ".content, #zoom, .TRS_Editor, .article, .bszn, .guide, .main, #content"
_MAX_CANDIDATE = 16


def _path() -> Path:
    return config_dir() / "keywords" / "guide_elements.yaml"


def load_synonyms(path: str | Path | None = None) -> Mapping[str, tuple[str, ...]]:
    """Category → accepted labels, from the YAML table (validated: the ten categories)."""
    p = Path(path) if path is not None else _path()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{p}: cannot read the guide element table: {exc}") from exc
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict) or set(cats) != set(CATEGORIES):
        raise ConfigError(f"{p}: 'categories' must list exactly {'、'.join(CATEGORIES)}")
    return {c: tuple(str(s) for s in cats[c]) for c in CATEGORIES}


@cache
def _default_synonyms() -> Mapping[str, tuple[str, ...]]:
    return load_synonyms()


def _category(label: str, synonyms: Mapping[str, tuple[str, ...]], *, inline: bool) -> str | None:
    label = clean_label(label)
    if not label or len(label) > _MAX_CANDIDATE:
        return None
    for cat, names in synonyms.items():
        for name in names:
            if label == name or label.endswith(name) or (not inline and label.startswith(name)):
                return cat
    return None


def _candidates(page: ParsedPage) -> Iterable[tuple[str, bool]]:
    """Label texts: table cells, dt, headings and bold text (whole element) and
    the labels of inline ``标签：值`` pairs."""
    body = page.tree.body
    if body is None:
        return
    for node in body.css("th, td, dt, h2, h3, h4, h5, h6, strong, b, span, p, div, li"):
        if in_chrome(node):
            continue
        text = squash(node.text(separator=" "))
        if 0 < len(text) <= _MAX_CANDIDATE + 4:
            yield text, False
    for lv in label_values(page):
        yield lv.label, True


def guide_elements(page: ParsedPage, synonyms: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The categories a guide page labels, in the canonical order."""
    syn = synonyms or _default_synonyms()
    found: set[str] = set()
    for text, inline in _candidates(page):
        cat = _category(text, syn, inline=inline)
        if cat is not None:
            found.add(cat)
    heading = _heading(page)
    if "事项名称" not in found and _TITLE_SUFFIX.search(heading) and _TITLE_SUFFIX.sub("", heading):
        found.add("事项名称")
    return tuple(c for c in CATEGORIES if c in found)


def _heading(page: ParsedPage) -> str:
    for node in page.tree.css("h1, h2, .title"):
        if not in_chrome(node):
            text = squash(node.text())
            if text:
                return text
    return page.title.split("_")[0].split(" - ")[0].strip()


def is_guide(page: ParsedPage) -> bool:
    """A guide page: its heading, title or ColumnName says 办事指南 (or similar)
    and it labels at least three categories, or it labels at least five."""
    names = " ".join((_heading(page), page.title, page.meta("ColumnName") or ""))
    n = len(guide_elements(page))
    return n >= 5 or (bool(_GUIDE_TITLE.search(names)) and n >= 3)


def _content_root(page: ParsedPage) -> LexborNode | None:
    for node in page.tree.css(_CONTENT):
        if not in_chrome(node):
            return node
    return page.tree.body


def _attachments(page: ParsedPage) -> tuple[str, ...]:
    root = _content_root(page)
    if root is None:
        return ()
    out = []
    for a in root.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "#", "mailto:")) or in_chrome(a):
            continue
        if _FILE.search(href) or _FORM_TEXT.search(squash(a.text())):
            out.append(page.resolve(href))
    return tuple(dict.fromkeys(out))


def _name(page: ParsedPage) -> str:
    for lv in label_values(page):
        if clean_label(lv.label) in ("事项名称", "项目名称", "服务名称") and lv.value:
            return lv.value
    return _TITLE_SUFFIX.sub("", _heading(page)).strip()


def guide_detection(page: ParsedPage, synonyms: Mapping[str, tuple[str, ...]] | None = None) -> GuideDetection | None:
    """A guide's categories present and missing (both filled, so the scorer reads
    ``elements_missing`` directly) and the forms/attachments it links; None when
    the page is not a guide."""
    if not is_guide(page):
        return None
    present = guide_elements(page, synonyms)
    return GuideDetection(
        url=page.url,
        name=_name(page),
        elements_present=present,
        elements_missing=tuple(c for c in CATEGORIES if c not in present),
        attachments=_attachments(page),
    )


def with_dead_attachments(guide: GuideDetection, dead_urls: Collection[str]) -> GuideDetection:
    """The guide with the attachments the link checker found dead (JS-GUIDE
    counts a form that cannot be downloaded as a missing element)."""
    dead = set(dead_urls)
    return replace(guide, dead_attachments=tuple(a for a in guide.attachments if a in dead))
