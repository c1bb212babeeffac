"""All findings of a notice as an XLSX workbook: one sheet per problem kind plus
the rankings, each with a frozen header row, an auto-filter and set widths.

Text cells go through :func:`inert`, so a crawled ``=HYPERLINK(...)`` is stored
as text, never as a formula (openpyxl writes any string starting with ``=`` as
a formula); numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govmon.notices.model import NoticeData, ProblemRow
from govmon.notices.sanitize import inert

Cell = str | int | float | None

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="EDEDED")

PROBLEM_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6), ("单位编码", 10), ("单位", 16), ("网站", 22), ("网站地址", 30), ("问题类型", 18), ("性质", 10),
    ("指标", 18), ("问题描述", 48), ("问题链接", 48), ("扣分", 8), ("发现时间", 18), ("首次发现", 18),
    ("持续天数", 9), ("状态", 14), ("整改期限", 12),
)


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value.isoformat()


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, bool):
        return None if value is None else ("是" if value else "否")
    if isinstance(value, (int, float)):
        return value
    return inert(value)


def _sheet(wb: Workbook, title: str, columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[object]]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append([name for name, _ in columns])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        ws.append([_cell(v) for v in row])
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    return ws


def _problem_rows(problems: Sequence[ProblemRow]) -> list[list[object]]:
    return [
        [i, p.unit, p.unit_name, p.site, p.site_url, p.category, p.type_label, p.rule, p.message, p.evidence,
         p.points, _day(p.found_at), _day(p.first_seen), p.days, p.status_label, _day(p.deadline)]
        for i, p in enumerate(problems, start=1)
    ]


def build_xlsx(data: NoticeData) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = inert(data.title)
    wb.properties.creator = inert(data.office)
    _sheet(wb, "单项否决", PROBLEM_COLUMNS, _problem_rows([p for p in data.problems if p.type == "veto"]))
    _sheet(wb, "扣分问题", PROBLEM_COLUMNS, _problem_rows([p for p in data.problems if p.type == "deduction"]))
    _sheet(wb, "预警及待核实", PROBLEM_COLUMNS, _problem_rows(data.warnings))
    _sheet(wb, "已整改", PROBLEM_COLUMNS, _problem_rows(data.resolved))
    _sheet(wb, "网站得分与排名", (
        ("排名", 6), ("单位编码", 10), ("单位", 16), ("网站", 22), ("网站地址", 30), ("类别", 14), ("得分", 8),
        ("是否否决", 9), ("等次", 10), ("否决项", 8), ("扣分项", 8), ("扣分合计", 9), ("预警", 6), ("可用率", 9),
        ("探测次数", 9), ("首页最近更新", 12), ("监测栏目", 9), ("本期更新栏目", 12), ("上期排名", 9), ("名次变化", 9), ("上期得分", 9), ("得分变化", 9)),
        [[s.rank, s.unit, s.unit_name, s.name, s.url, s.level_label, s.total, s.vetoed, s.grade, s.vetoes,
          s.deductions, s.points, s.warnings, round(s.availability, 4) if s.availability is not None else None,
          s.probes, _day(s.homepage_newest), s.columns, s.columns_updated, s.previous_rank, s.rank_change, s.previous_total, s.score_change] for s in data.sites])
    _sheet(wb, "单位得分与排名", (
        ("排名", 6), ("单位编码", 10), ("单位", 18), ("网站数", 8), ("得分", 8), ("是否否决", 9), ("否决项", 8),
        ("扣分项", 8), ("预警", 6), ("上期排名", 9), ("名次变化", 9), ("上期得分", 9), ("得分变化", 9)),
        [[u.rank, u.unit, u.name, u.sites, u.total, u.vetoed, u.vetoes, u.deductions, u.warnings, u.previous_rank,
          u.rank_change, u.previous_total, u.score_change] for u in data.units])
    return wb


def render_xlsx(data: NoticeData) -> bytes:
    buffer = io.BytesIO()
    build_xlsx(data).save(buffer)
    return buffer.getvalue()
