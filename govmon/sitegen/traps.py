"""Crawl traps of a portal: an endless calendar, session ids in URLs, growing queries.

Each trap is an entry URL linked from the homepage, a regex matching every URL of
the trap, and a resolver answering any URL of it with a page that links new ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from govmon.sitegen import render
from govmon.sitegen.model import TrapKind

if TYPE_CHECKING:
    from govmon.sitegen.build import Resource, _Builder


ENTRY = {
    TrapKind.CALENDAR: "/hdrl/index.html?month=2026-11",
    TrapKind.JSESSIONID: "/wsbs/list.jsp;jsessionid=0A1B2C3D4E5F",
    TrapKind.SID: "/hdjl/board.do?sid=7f3a9c",
    TrapKind.GROWING_QUERY: "/cx/query.html?type=0",
}
LABEL = {
    TrapKind.CALENDAR: "活动日历",
    TrapKind.JSESSIONID: "网上办事",
    TrapKind.SID: "咨询留言板",
    TrapKind.GROWING_QUERY: "综合查询",
}
PATTERN = {
    TrapKind.CALENDAR: r"^/hdrl/index\.html\?month=",
    TrapKind.JSESSIONID: r"^/wsbs/list\.jsp;jsessionid=",
    TrapKind.SID: r"^/hdjl/board\.do\?sid=",
    TrapKind.GROWING_QUERY: r"^/cx/query\.html\?type=0",
}


def _trap_page(b: _Builder, title: str, body: str) -> Resource:
    from govmon.sitegen.build import Resource

    footer, _, _ = b._footer(None)
    html = render.page(
        b.site,
        title=f"{title}_{b.spec.site_name}",
        metas=b._metas(None, None, ""),
        body=body,
        footer=footer,
    )
    return Resource(
        body=html.encode(b.spec.encoding, "replace"),
        headers=(("Content-Type", f"text/html; charset={b.spec.encoding}"),),
    )


def _calendar(b: _Builder) -> Callable[[str], Resource | None]:
    pat = re.compile(r"^/hdrl/index\.html\?month=(\d{1,6})-(\d{2})$")

    def resolve(path: str) -> Resource | None:
        m = pat.match(path)
        if not m:
            return None
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            return None
        prev = (y, mo - 1) if mo > 1 else (y - 1, 12)
        nxt = (y, mo + 1) if mo < 12 else (y + 1, 1)
        days = "".join(f"<td>{d}</td>" for d in range(1, 29))
        body = (
            render.breadcrumb([("活动日历", ENTRY[TrapKind.CALENDAR])])
            + f"<h2>{y}年{mo}月活动安排</h2>"
            + f'<a href="/hdrl/index.html?month={prev[0]}-{prev[1]:02d}">上个月</a> '
            + f'<a href="/hdrl/index.html?month={nxt[0]}-{nxt[1]:02d}">下个月</a>'
            + f'<table class="calendar"><tr>{days}</tr></table>\n'
        )
        return _trap_page(b, "活动日历", body)

    return resolve


def _session(b: _Builder, kind: TrapKind) -> Callable[[str], Resource | None]:
    def resolve(path: str) -> Resource | None:
        if not re.match(PATTERN[kind], path):
            return None
        links = []
        for k in range(3):
            token = hashlib.sha1(f"{path}|{k}".encode()).hexdigest()[:12].upper()
            if kind is TrapKind.JSESSIONID:
                href = f"/wsbs/list.jsp;jsessionid={token}?page={k + 1}"
            elif kind is TrapKind.SID:
                href = f"/hdjl/board.do?sid={token.lower()}&page={k + 1}"
            else:
                href = f"{path}&type=0"
            links.append(f'<li><a href="{render.esc(href)}">第{k + 1}页</a></li>')
        body = f'<h2>{LABEL[kind]}</h2><ul class="trap">{"".join(links)}</ul>\n'
        return _trap_page(b, LABEL[kind], body)

    return resolve


RESOLVERS: dict[TrapKind, Callable[[_Builder], Callable[[str], Resource | None]]] = {
    TrapKind.CALENDAR: _calendar,
    TrapKind.JSESSIONID: lambda b: _session(b, TrapKind.JSESSIONID),
    TrapKind.SID: lambda b: _session(b, TrapKind.SID),
    TrapKind.GROWING_QUERY: lambda b: _session(b, TrapKind.GROWING_QUERY),
}
