"""The notice as one self-contained HTML page: inline CSS, inline SVG charts, no script.

Jinja2 with autoescape on renders every crawled string (titles, URLs, event
messages) as text; links are made only for http(s) URLs; and a
Content-Security-Policy with ``default-src 'none'`` keeps any script from
running even if something slipped through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from govmon.notices.lifecycle import format_percent
from govmon.notices.model import NoticeData, cn_date, fmt_change, fmt_score, group_sentence, overview_paragraphs
from govmon.notices.sanitize import safe_href, strip_controls

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_CN_NUM = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True, kw_only=True)
class HBar:
    y: int
    label: str
    width: float
    previous: float | None
    value: str
    alert: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreChart:
    width: int
    height: int
    label_width: int
    bars: tuple[HBar, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VBar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    alert: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailChart:
    width: int
    height: int
    top: float
    base: float
    veto_y: float
    floor: str
    bars: tuple[VBar, ...]


def score_chart(data: NoticeData, *, width: int = 640, label_width: int = 190) -> ScoreChart | None:
    """Horizontal bars of each scored site's total, with last period's as a tick."""
    rows = [s for s in data.sites if s.total is not None]
    if not rows:
        return None
    top = max(100.0, *(s.total or 0 for s in rows), *(s.previous_total or 0 for s in rows))
    span = width - label_width - 60
    bars = []
    for i, s in enumerate(rows):
        name = s.name if len(s.name) <= 14 else s.name[:13] + "…"
        bars.append(HBar(
            y=8 + i * 24, label=strip_controls(name), width=round(max(0.0, s.total or 0) / top * span, 1),
            previous=round(max(0.0, s.previous_total) / top * span, 1) if s.previous_total is not None else None,
            value=fmt_score(s.total) + ("（否决）" if s.vetoed else ""), alert=s.vetoed,
        ))
    return ScoreChart(width=width, height=16 + len(rows) * 24, label_width=label_width, bars=tuple(bars))


def availability_chart(data: NoticeData, *, width: int = 640, height: int = 200) -> AvailChart | None:
    """Daily availability of all sites; the axis starts low enough to show the 95% line."""
    days = [d for d in data.availability_days if d.ratio is not None]
    if not days:
        return None
    lowest = min(d.ratio or 0 for d in days)
    floor = 0.9 if lowest >= 0.9 else (0.5 if lowest >= 0.5 else 0.0)
    top, base = 20.0, float(height - 30)
    plot = base - top

    def y(ratio: float) -> float:
        return round(base - (max(ratio, floor) - floor) / (1 - floor) * plot, 1)

    step = (width - 50) / len(days)
    bars = tuple(
        VBar(x=round(45 + i * step + step * 0.15, 1), y=y(d.ratio or 0), width=round(step * 0.7, 1),
             height=round(base - y(d.ratio or 0), 1), label=f"{d.day.month}/{d.day.day}",
             value=format_percent(d.ratio, 1), alert=(d.ratio or 0) < 0.95)
        for i, d in enumerate(days)
    )
    return AvailChart(width=width, height=height, top=top, base=base, veto_y=y(0.95),
                      floor=format_percent(floor, 0), bars=bars)


def _cn_num(n: int) -> str:
    if 1 <= n <= 10:
        return _CN_NUM[n - 1]
    if n < 20:
        return "十" + _CN_NUM[n - 11]
    return str(n)


def _link(url: str) -> Markup:
    text = strip_controls(url)
    href = safe_href(text)
    if href is None:
        return Markup("{}").format(text)
    return Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(href, text)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True, trim_blocks=False,
                      keep_trailing_newline=True)
    env.globals.update(
        pct=format_percent, score=fmt_score, change=fmt_change, cn_num=_cn_num, cn_date=cn_date,
        link=_link, href=safe_href, day=_day, group_sentence=group_sentence,
        points=lambda v: f"{v:.2f}" if v else "—",
    )
    return env


def render_html(data: NoticeData) -> str:
    """The page; ``data`` is the only input (no clock, no files but the template)."""
    template = _environment().get_template("notice.html")
    return template.render(
        data=data, s=data.summary, overview=overview_paragraphs(data),
        score_chart=score_chart(data), avail_chart=availability_chart(data),
    )
