"""The notice as a DOCX a clerk can edit and send, laid out like an official
document (GB/T 9704 style): 方正小标宋 title, 仿宋 body, 黑体/楷体 headings,
attachments as tables on landscape pages, per-unit problem tables, 落款.

Every string from crawled pages goes through :func:`inert` (no control
characters, no formula starts), since tables are often pasted into a spreadsheet.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from govmon.notices.lifecycle import format_percent
from govmon.notices.model import (
    NoticeData,
    ProblemRow,
    cn_date,
    fmt_change,
    fmt_score,
    group_sentence,
    overview_paragraphs,
)
from govmon.notices.sanitize import inert

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
_CN_NUM = "一二三四五六七八九十"


def _cn_num(n: int) -> str:
    return _CN_NUM[n - 1] if 1 <= n <= 10 else ("十" + _CN_NUM[n - 11] if n < 20 else str(n))


def _day(value: date | datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d")


def _font(run_or_style: object, name: str, size: float, *, bold: bool = False) -> None:
    """Set the East Asian font too: python-docx's ``font.name`` only sets Latin."""
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = LATIN_FONT
    font.size = Pt(size)
    font.bold = bold
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def _para(doc: DocumentType, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
          align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = True) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(size * 2) if indent else Pt(0)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold=bold)
    return p


def _repeat_header(table: Table) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _table_styles(doc: DocumentType) -> tuple[ParagraphStyle, ParagraphStyle]:
    """Paragraph styles for table text and headers (a style per cell is cheap; fonts per run are not)."""
    styles = doc.styles
    out = []
    for name, font, bold in (("表格文字", BODY_FONT, False), ("表格标题", HEADING_FONT, False)):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            _font(style, font, 10.5, bold=bold)
            fmt = style.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.first_line_indent = Pt(0)
        out.append(style)
    return out[0], out[1]


def _fill_paragraph(p: Any, style_id: str, text: str) -> None:
    """Write a styled run straight into an empty ``<w:p>`` (python-docx's API is
    slow here: it searches for each child's place on every insert)."""
    ppr = etree.SubElement(p, qn("w:pPr"))
    etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), style_id)
    run = etree.SubElement(p, qn("w:r"))
    t = etree.SubElement(run, qn("w:t"))
    t.set(qn("xml:space"), "preserve")
    t.text = text


def _table(doc: DocumentType, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
    """A grid table with a repeated header row, all rows created at once (a region's
    thousands of dead links must not take minutes)."""
    text_style, header_style = _table_styles(doc)
    table: Table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    trs = list(table._tbl.iterchildren(qn("w:tr")))
    for r, (tr, values) in enumerate(zip(trs, [list(header), *rows], strict=True)):
        style_id = header_style.style_id if r == 0 else text_style.style_id
        for tc, value in zip(tr.iterchildren(qn("w:tc")), values, strict=True):
            _fill_paragraph(next(tc.iterchildren(qn("w:p"))), style_id, str(value) if r == 0 else inert(value))
    _repeat_header(table)
    return table


def _page_numbers(doc: DocumentType) -> None:
    """Centred "— 1 —" in the footer (GB/T 9704); later sections inherit it."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    _font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    _font(p.add_run(" —"), "宋体", 14)


def _landscape(doc: DocumentType) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(20)


def _attachment_title(doc: DocumentType, number: int, name: str) -> None:
    _para(doc, f"附件{number}", font=HEADING_FONT, size=16, indent=False)
    _para(doc, name, font=TITLE_FONT, size=18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


PROBLEM_HEADER = ("序号", "网站", "问题类型", "性质", "指标", "问题描述", "问题链接", "扣分", "发现时间",
                  "首次发现", "状态", "整改期限")


def _problem_cells(i: int, p: ProblemRow) -> list[object]:
    return [i, p.site, p.category, p.type_label, p.rule, p.message, p.evidence,
            f"{p.points:.2f}" if p.points else "—", _day(p.found_at), _day(p.first_seen), p.status_label,
            _day(p.deadline)]


def build_docx(data: NoticeData) -> DocumentType:
    doc = Document()
    normal = doc.styles["Normal"]
    _font(normal, BODY_FONT, 16)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = pf.space_after = Pt(0)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_numbers(doc)
    doc.core_properties.title = inert(data.title)
    doc.core_properties.author = inert(data.office)

    title = _para(doc, inert(data.title), font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(16)
    _para(doc, inert(data.addressees), indent=False)
    _para(doc, inert(data.opening))

    _para(doc, "一、总体情况", font=HEADING_FONT)
    for text in overview_paragraphs(data):
        _para(doc, inert(text))

    _para(doc, "二、存在的主要问题", font=HEADING_FONT)
    if not data.groups:
        _para(doc, "本期未发现单项否决和扣分问题。")
    for i, group in enumerate(data.groups, start=1):
        p = _para(doc, f"（{_cn_num(i)}）{group.label}。", font=SUBHEADING_FONT)
        _font(p.add_run(inert(group_sentence(group))), BODY_FONT, 16)
        for example in group.examples:
            link = f"（{inert(example.evidence)}）" if example.evidence else ""
            _para(doc, f"{inert(example.site)}：{inert(example.message)}{link}，{example.status_label}。")
    if data.warnings:
        p = _para(doc, f"（{_cn_num(len(data.groups) + 1)}）预警及待人工核实事项。", font=SUBHEADING_FONT)
        _font(p.add_run(f"共{len(data.warnings)}项，尚未构成扣分或否决，或工具无法自动判断，请相关单位核实处理。"),
              BODY_FONT, 16)
        for w in data.warnings:
            link = f"（{inert(w.evidence)}）" if w.evidence else ""
            _para(doc, f"{inert(w.site)}：{inert(w.message)}{link}〔{w.type_label}，{inert(w.rule)}〕")

    _para(doc, "三、下一步工作要求", font=HEADING_FONT)
    for i, text in enumerate(data.next_steps, start=1):
        _para(doc, f"{_cn_num(i)}是{inert(text)}")
    if data.closing:
        _para(doc, inert(data.closing))

    attachments = ["问题清单", "得分与排名"] + (["已整改问题"] if data.resolved else [])
    _para(doc, "")
    _para(doc, "附件：" + "　".join(f"{i}. {name}" for i, name in enumerate(attachments, start=1)))
    _para(doc, "")
    _para(doc, inert(data.office), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, cn_date(data.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    # 附件1: one table per unit, the unit's own list to act on.
    _landscape(doc)
    _attachment_title(doc, 1, "问题清单")
    by_unit: dict[str, list[ProblemRow]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in data.problems:
        by_unit[row.unit or ""].append(row)
        names[row.unit or ""] = row.unit_name or "未归属单位"
    if not data.problems:
        _para(doc, "本期无问题。", indent=False)
    for i, code in enumerate(sorted(by_unit, key=lambda c: (c == "", c)), start=1):
        _para(doc, f"（{_cn_num(i)}）{inert(names[code])}（{len(by_unit[code])}个）", font=SUBHEADING_FONT, indent=False)
        _table(doc, PROBLEM_HEADER, [_problem_cells(j, p) for j, p in enumerate(by_unit[code], start=1)])

    _landscape(doc)
    _attachment_title(doc, 2, "得分与排名")
    _para(doc, "（一）网站得分与排名", font=SUBHEADING_FONT, indent=False)
    _table(doc, ("排名", "单位", "网站", "类别", "得分", "等次", "否决项", "扣分项", "可用率", "首页最近更新",
                 "上期排名", "名次变化", "得分变化"),
           [[r.rank if r.rank is not None else "—", r.unit_name, r.name, r.level_label, fmt_score(r.total),
             r.grade or ("未评分" if not r.scored else ""), r.vetoes, r.deductions, format_percent(r.availability, 2),
             _day(r.homepage_newest), r.previous_rank if r.previous_rank is not None else "—", fmt_change(r.rank_change),
             fmt_change(r.score_change, score=True)] for r in data.sites])
    if data.units:
        _para(doc, "（二）单位得分与排名", font=SUBHEADING_FONT, indent=False)
        _table(doc, ("排名", "单位", "网站数", "得分", "否决项", "扣分项", "预警", "上期排名", "名次变化", "得分变化"),
               [[u.rank if u.rank is not None else "—", u.name, u.sites, fmt_score(u.total), u.vetoes, u.deductions,
                 u.warnings, u.previous_rank if u.previous_rank is not None else "—", fmt_change(u.rank_change),
                 fmt_change(u.score_change, score=True)] for u in data.units])
    if data.resolved:
        _landscape(doc)
        _attachment_title(doc, 3, "已整改问题")
        _table(doc, ("序号", "单位", "网站", "指标", "问题描述", "问题链接", "首次发现", "状态"),
               [[i, p.unit_name, p.site, p.rule, p.message, p.evidence, _day(p.first_seen), p.status_label]
                for i, p in enumerate(data.resolved, start=1)])
    return doc


def render_docx(data: NoticeData) -> bytes:
    buffer = io.BytesIO()
    build_docx(data).save(buffer)
    return buffer.getvalue()


def docx_text(source: bytes | io.BytesIO) -> str:
    """Paragraph and table text in document order, one line each (for tests and review)."""
    doc = Document(io.BytesIO(source) if isinstance(source, bytes) else source)
    lines: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, doc).text)
        elif child.tag == qn("w:tbl"):
            for row in Table(child, doc).rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines) + "\n"
