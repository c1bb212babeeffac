"""Rendering an audit report as JSON (the contract), text (for a terminal) or HTML.

Everything taken from crawled pages is untrusted: the HTML form is rendered by
Jinja2 with autoescaping on, and the text form strips control characters so a
page title cannot rewrite the terminal.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, select_autoescape

from govmon import records as r

if TYPE_CHECKING:
    from govmon.audit import Report

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

TYPE_LABEL = {"veto": "否决", "deduction": "扣分", "bonus": "加分", "warning": "预警"}


def clean(text: object) -> str:
    """Untrusted text made safe for a terminal (no escape sequences, no bidi tricks)."""
    return _CONTROL.sub("", str(text))


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "html":
        return render_html(report)
    return render_text(report)


def _kinds(report: Report) -> Counter[str]:
    return Counter(d.KIND.value for d in report.detections)


def render_text(report: Report) -> str:
    s = report.score
    lines = [
        f"govmon audit — {clean(report.site.get('name') or '')} {clean(report.site['url'])}",
        f"profile {report.profile}, as of {report.as_of.isoformat()}",
        f"crawl: {report.crawl.pages} pages, {report.crawl.requests} requests, "
        f"{report.crawl.links_checked} links, {report.crawl.seconds:.1f} s, {report.crawl.unknown} unknown",
        "",
        f"score: {s.total:.2f}  grade: {s.grade}" + ("  VETOED: " + ", ".join(s.vetoes) if s.vetoed else ""),
        "",
    ]
    order = {"veto": 0, "warning": 1, "deduction": 2, "bonus": 3}
    events = sorted(report.events, key=lambda e: (order.get(e.type.value, 9), e.rule))
    if events:
        lines.append("events:")
    for e in events:
        pts = f"{e.points:+.2f}" if e.points else "  0  "
        flag = " (unknown — check by hand)" if e.unknown else ""
        lines.append(f"  [{TYPE_LABEL.get(e.type.value, e.type.value)}] {e.rule:<18} {pts}  x{e.count}  "
                     f"{clean(e.message)}{flag}")
        for url in e.evidence[:3]:
            lines.append(f"        {clean(url)}")
        if len(e.evidence) > 3:
            lines.append(f"        … and {len(e.evidence) - 3} more")
    homepage = next((d for d in report.detections if isinstance(d, r.HomepageDetection)), None)
    if homepage is not None:
        lines += ["", f"homepage: newest {homepage.newest or 'none'}"
                      + (" (navigation only)" if homepage.navigation_only else "")]
    columns = [d for d in report.detections if isinstance(d, r.ColumnDetection)]
    if columns:
        lines += ["", f"columns ({len(columns)}):"]
        for c in sorted(columns, key=lambda c: (c.level, c.column_class.value, c.url)):
            state = "BLANK" if c.blank else (c.newest.isoformat() if c.newest else "no date")
            lines.append(f"  L{c.level} {c.column_class.value:<14} {state:<10} {c.entries:>3} entries  "
                         f"{clean(c.name)}  {clean(c.url)}")
    links = [d for d in report.detections if isinstance(d, r.LinkDetection)]
    if links:
        lines += ["", f"dead links ({len(links)}):"]
        for link in links:
            where = "homepage" if link.on_homepage else f"{len(link.on_pages)} page(s)"
            lines.append(f"  {link.error.value:<13} {link.status or '-':<4} {clean(link.url)}  on {where}")
    unknown = [d for d in report.detections if isinstance(d, r.UnknownDetection)]
    if unknown:
        lines += ["", f"not observable ({len(unknown)}) — no problem is claimed for these:"]
        for u in unknown[:20]:
            lines.append(f"  {u.reason.value:<10} {clean(u.url)}  {clean(u.detail)}")
        if len(unknown) > 20:
            lines.append(f"  … and {len(unknown) - 20} more")
    kinds = _kinds(report)
    lines += ["", "detections: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))]
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>govmon audit — {{ site.name }}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5rem;color:#222;max-width:70rem}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#f3f3f3}.veto{color:#b00020;font-weight:bold}.warning{color:#a36100}
.score{font-size:2rem;font-weight:bold}.url{word-break:break-all}
@media print{body{margin:0}}
</style></head><body>
<h1>网站检查报告：{{ site.name }}</h1>
<p class="url">{{ site.url }} · 指标 {{ profile }} · 监测时间点 {{ as_of }}</p>
<p><span class="score">{{ "%.2f"|format(score.total) }}</span> {{ score.grade }}
{% if score.vetoed %}<span class="veto">单项否决：{{ score.vetoes|join("、") }}</span>{% endif %}</p>
<p>抓取 {{ crawl.pages }} 页，请求 {{ crawl.requests }} 次，用时 {{ "%.1f"|format(crawl.seconds) }} 秒，
无法观测 {{ crawl.unknown }} 项。</p>
<h2>事件</h2>
<table><tr><th>类型</th><th>指标</th><th>分值</th><th>次数</th><th>说明</th><th>证据</th></tr>
{% for e in events %}<tr class="{{ e.type }}"><td>{{ labels.get(e.type, e.type) }}</td><td>{{ e.rule }}</td>
<td>{{ e.points }}</td><td>{{ e.count }}</td><td>{{ e.message }}{% if e.unknown %}（无法观测，请人工核实）{% endif %}</td>
<td class="url">{% for u in e.evidence[:5] %}<a href="{{ u }}" rel="noopener noreferrer">{{ u }}</a><br>{% endfor %}</td></tr>
{% endfor %}</table>
<h2>栏目</h2>
<table><tr><th>栏目</th><th>类别</th><th>层级</th><th>最新</th><th>条目</th><th>空白</th></tr>
{% for c in columns %}<tr><td><a href="{{ c.url }}" rel="noopener noreferrer">{{ c.name }}</a></td><td>{{ c["class"] }}</td>
<td>{{ c.level }}</td><td>{{ c.newest or "" }}</td><td>{{ c.entries }}</td><td>{{ "是" if c.blank else "" }}</td></tr>
{% endfor %}</table>
<h2>错误链接</h2>
<table><tr><th>链接</th><th>错误</th><th>状态</th><th>所在页面</th></tr>
{% for l in links %}<tr><td class="url">{{ l.url }}</td><td>{{ l.error }}</td><td>{{ l.status or "" }}</td>
<td class="url">{% for p in l.on_pages[:5] %}{{ p }}<br>{% endfor %}</td></tr>{% endfor %}</table>
<h2>无法观测</h2>
<table><tr><th>地址</th><th>原因</th><th>说明</th></tr>
{% for u in unknown %}<tr><td class="url">{{ u.url }}</td><td>{{ u.reason }}</td><td>{{ u.detail }}</td></tr>{% endfor %}
</table>
<p><small>govmon {{ version }}</small></p>
</body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_html(report: Report) -> str:
    from govmon import __version__

    data = report.to_dict()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for d in data["detections"]:
        by_kind.setdefault(d["kind"], []).append(d)
    return _ENV.from_string(_HTML).render(
        site=data["site"], profile=data["profile"], as_of=data["as_of"], score=data["score"],
        crawl=data["crawl"], events=data["events"], columns=by_kind.get("column", []),
        links=by_kind.get("link", []), unknown=by_kind.get("unknown", []), labels=TYPE_LABEL,
        version=__version__,
    )
