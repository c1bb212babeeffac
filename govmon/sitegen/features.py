"""Feature pages planted into a portal, each with its ground truth: site search,
policy/interpretation pairs, content safety (ID numbers, hidden links, an xlsx
attachment), a message board and service guides.

Features rewrite entries the builder already planned (titles, article content,
notes under the article), so dates, lists and link truth stay computed in one place.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from govmon.records import ColumnClass, Element, MessageStatus, PrivacyType
from govmon.sitegen import render
from govmon.sitegen.model import (
    DateFormat,
    Fault,
    GuideTruth,
    HiddenLinkTruth,
    InterpPairTruth,
    ListStyle,
    MessageTruth,
    PrivacyTruth,
    SearchTruth,
)

if TYPE_CHECKING:
    from govmon.sitegen.build import Resource, _Builder, _Col

GUIDE_CATEGORIES = (
    "事项名称",
    "设定依据",
    "申请条件",
    "办理材料",
    "办理地点",
    "办理机构",
    "收费标准",
    "办理时间",
    "联系电话",
    "办理流程",
)
_GUIDE_VALUES = {
    "事项名称": "{name}",
    "设定依据": "《社会救助暂行办法》（国务院令第649号）第十一条",
    "申请条件": "具有本县户籍，家庭人均收入低于当地最低生活保障标准",
    "办理材料": "1.申请书；2.居民身份证；3.户口簿；4.家庭收入情况声明",
    "办理地点": "某某县政务服务中心二楼民政窗口",
    "办理机构": "某某县民政局",
    "收费标准": "不收费",
    "办理时间": "工作日 上午9:00-12:00，下午14:00-17:30",
    "联系电话": "0816-1234567",
    "办理流程": "申请—受理—审核—公示—审批—发放",
}
_GUIDE_NAMES = (
    "城乡居民最低生活保障申请",
    "个体工商户设立登记",
    "建设工程规划许可证核发",
    "社会团体成立登记",
    "农村村民宅基地申请审批",
    "残疾人证办理",
    "特困人员救助供养认定",
    "道路运输经营许可",
)
_MESSAGE_TITLES = (
    "关于小区门口路灯长期不亮的问题",
    "咨询城乡居民医保缴费时间",
    "反映村道路面破损严重",
    "关于学校周边交通拥堵的建议",
    "咨询公租房申请条件",
    "反映农贸市场占道经营问题",
    "咨询新生儿落户需要哪些材料",
    "关于增设公交站点的建议",
    "反映自来水水压不足",
    "咨询退役军人优待证办理",
    "反映小区噪音扰民问题",
    "咨询灵活就业人员社保缴费",
    "关于老旧小区加装电梯的咨询",
    "反映河道垃圾清理不及时",
    "咨询养老服务补贴申领",
    "关于农村危房改造政策的咨询",
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(region: str, birth: date, seq: int) -> str:
    """A GB 11643 identity number with a valid MOD 11-2 check digit (fictitious)."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def mask(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def apply(b: _Builder) -> None:
    """Plant the features the spec asks for (after pages are planned)."""
    spec = b.spec
    if spec.interp_pairs:
        _interp_pairs(b)
    if spec.content_safety:
        _content_safety(b)
    if spec.board:
        _board(b)
    if spec.guides:
        _guides(b)
    if spec.search:
        _search_truth(b)


def _column(b: _Builder, cls: ColumnClass, n: int, level: int | None = None) -> _Col | None:
    for col in b.cols:
        if col.spec.column_class is not cls or col.spec.waf_list:
            continue
        if level is not None and col.level != level:
            continue
        live = [e for e in col.entries[:n] if e.url in b.plans and e.date is not None]
        if len(live) >= n:
            return col
    return None


def _plain_base(b: _Builder) -> str:
    return b.ext or ""


# --------------------------------------------------------------------------
# policy documents and their interpretations
# --------------------------------------------------------------------------


def _interp_pairs(b: _Builder) -> None:
    policy = _column(b, ColumnClass.POLICY, 4, level=1) or _column(b, ColumnClass.POLICY, 4)
    interp = _column(b, ColumnClass.INTERPRETATION, 3)
    if policy is None or interp is None:
        raise ValueError("interp_pairs needs a policy column (4 entries) and an interpretation one")
    pairs: list[InterpPairTruth] = []
    # (policy links interpretation, interpretation links policy)
    for i, (fwd, back) in enumerate(((True, True), (False, True), (False, False))):
        p, j = policy.entries[i], interp.entries[i]
        title = f"关于{p.title}的政策解读"
        b.retitle(interp, i, title)
        if fwd:
            b.notes.setdefault(p.url, []).append(
                f'<div class="xgjd">相关解读：<a href="{escape(j.url)}">{escape(title)}</a></div>\n'
            )
        if back:
            b.notes.setdefault(j.url, []).append(
                f'<div class="xgwj">相关文件：<a href="{escape(p.url)}">'
                f"{escape(p.title)}</a></div>\n"
            )
        pairs.append(
            InterpPairTruth(
                policy=p.url,
                interpretation=j.url,
                policy_links_interpretation=fwd,
                interpretation_links_policy=back,
            )
        )
    pairs.append(
        InterpPairTruth(
            policy=policy.entries[3].url,
            interpretation=None,
            policy_links_interpretation=False,
            interpretation_links_policy=False,
        )
    )
    b.feature_truth["interp_pairs"] = tuple(pairs)


# --------------------------------------------------------------------------
# content safety
# --------------------------------------------------------------------------


def _content_safety(b: _Builder) -> None:
    col = _column(b, ColumnClass.NOTICE, 3, level=2) or _column(b, ColumnClass.NOTICE, 3)
    news = _column(b, ColumnClass.NEWS, 3)
    if col is None or news is None:
        raise ValueError("content_safety needs a notice column and a news column")
    privacy: list[PrivacyTruth] = []
    full = id_number("510703", date(1965, 3, 12), 123)
    masked_a = mask(id_number("510703", date(1972, 8, 1), 456))
    masked_b = "5107031958****002X"
    page = col.entries[1].url
    b.retitle(col, 1, f"{b.as_of.year}年{b.as_of.month}月城乡最低生活保障对象公示")
    rows = (("张某某", full, 3, 1260), ("李某某", masked_a, 2, 840), ("王某某", masked_b, 1, 420))
    table = "".join(
        f"<tr><td>{k + 1}</td><td>{n}</td><td>{i}</td><td>{p}</td><td>{m}</td></tr>"
        for k, (n, i, p, m) in enumerate(rows)
    )
    b.content_html[page] = (
        '<table class="dbgs" border="1" cellspacing="0"><tr><th>序号</th><th>户主姓名</th>'
        "<th>身份证号码</th><th>保障人口</th><th>月保障金（元）</th></tr>"
        f"{table}</table>\n<p>公示期：7天。如有异议，请拨打监督电话0816-1234567。</p>\n"
    )
    privacy.append(
        PrivacyTruth(url=page, type=PrivacyType.ID_CARD, number=full, excerpt=mask(full), leak=True)
    )
    for masked in (masked_a, masked_b):
        privacy.append(
            PrivacyTruth(
                url=page, type=PrivacyType.ID_CARD, number=masked, excerpt=masked, leak=False
            )
        )
    # an xlsx attachment listing 救助对象 with full numbers
    page2 = col.entries[2].url
    b.retitle(col, 2, f"{b.as_of.year}年第三季度临时救助对象名单")
    xlsx = "/uploads/202610/P020261015387412345678.xlsx"
    people = (
        ("赵某某", id_number("510703", date(1980, 11, 5), 31), "1500"),
        ("钱某某", id_number("510704", date(1991, 2, 27), 82), "800"),
    )
    b.files[xlsx] = (
        xlsx_bytes([("姓名", "身份证号码", "救助金额（元）"), *people]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    b.content_html[page2] = (
        f'<p class="attachment">附件：<a href="{xlsx}">临时救助对象名单.xlsx</a></p>\n'
    )
    for _, number, _ in people:
        privacy.append(
            PrivacyTruth(
                url=page2,
                type=PrivacyType.ID_CARD,
                number=number,
                excerpt=mask(number),
                leak=True,
                attachment=xlsx,
            )
        )
    # a hidden gambling link injected into an old news article
    target = f"{_plain_base(b)}/_status/200/amwnsr.html"
    hidden_on = news.entries[2].url
    text = "澳门威尼斯人娱乐场"
    b.notes.setdefault(hidden_on, []).append(
        f'<div style="display:none"><a href="{escape(target)}">{text}</a></div>\n'
    )
    b.fine_special.add(target)
    b.feature_truth["privacy"] = tuple(privacy)
    b.feature_truth["hidden_links"] = (
        HiddenLinkTruth(
            url=hidden_on, target=target, technique="display:none", text=text, spam=True
        ),
    )


def xlsx_bytes(rows: list[tuple[str, ...]]) -> bytes:
    """A minimal, byte-for-byte reproducible .xlsx with inline strings."""

    def cell(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(cell(f"{chr(65 + c)}{r + 1}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="救助对象" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, xml.encode("utf-8"))
    return buf.getvalue()


# --------------------------------------------------------------------------
# message board
# --------------------------------------------------------------------------


def _board(b: _Builder) -> None:
    col = _column(b, ColumnClass.INTERACTION, 6)
    if col is None:
        raise ValueError("board needs an interaction column with 6 entries")
    from govmon.sitegen.build import _Plan

    live = [i for i, e in enumerate(col.entries) if e.url in b.plans and e.date is not None]
    oldest = live[-1]
    messages: list[MessageTruth] = []
    for n, i in enumerate(live):
        e = col.entries[i]
        assert e.date is not None
        title = _MESSAGE_TITLES[n % len(_MESSAGE_TITLES)]
        if title in b.titles:
            title = f"{title}（{n}）"
        b.retitle(col, i, title)
        asked = e.date
        answered: date | None = min(asked + timedelta(days=2), b.as_of)
        status = MessageStatus.ANSWERED
        unit: str | None = "某某县住房和城乡建设局"
        missing: tuple[str, ...] = ()
        reply_url: str | None = None
        if n == 0:
            answered, status, unit = None, MessageStatus.IN_PROGRESS, None
        elif n == 1:
            answered = min(asked + timedelta(days=1), b.as_of)
        elif n == 2:
            answered = min(asked + timedelta(days=12), b.as_of)
        elif n == 3:
            unit, missing = None, ("reply_unit",)
        elif n == 4:
            reply_url = e.url.replace(".html", "_dfnr.html")
        if i == oldest and (b.as_of - asked).days > 90:
            answered, status, unit = None, MessageStatus.UNANSWERED, None
        clock = render.clock(e.minute)
        state = {
            MessageStatus.ANSWERED: "已办结",
            MessageStatus.IN_PROGRESS: "办理中",
            MessageStatus.UNANSWERED: "待处理",
        }[status]
        rows = [
            ("留言标题", escape(title)),
            ("留言人", "匿名"),
            ("留言时间", f"{asked.isoformat()} {clock}"),
            ("留言内容", f"您好，{escape(title)}，希望有关部门尽快处理，谢谢！"),
            ("办理状态", state),
        ]
        answer_rows: list[tuple[str, str]] = []
        if answered is not None:
            if unit is not None:
                answer_rows.append(("答复单位", unit))
            answer_rows += [
                ("答复时间", f"{answered.isoformat()} 16:30"),
                (
                    "答复内容",
                    "您好，您反映的问题已收悉，我单位已安排专人现场核实处理。感谢您的监督！",
                ),
            ]
        if reply_url is not None:
            rows.append(("答复内容", f'<a href="{escape(reply_url)}">查看答复</a>'))
            b.extra_pages[reply_url] = (
                f"{title}的答复",
                f'<div class="message"><h1 class="title">{escape(title)}的答复</h1>'
                + _table(answer_rows)
                + "</div>\n",
            )
            b.plans[reply_url] = _Plan("extra", col, i)
        else:
            rows += answer_rows
        b.body_override[e.url] = (
            f'<div class="message"><h1 class="title">{escape(title)}</h1>{_table(rows)}</div>\n'
        )
        messages.append(
            MessageTruth(
                url=e.url,
                board=col.name,
                title=title,
                asked=asked,
                answered=answered,
                status=status,
                reply_unit=unit,
                missing_fields=missing,
                reply_url=reply_url,
            )
        )
    b.feature_truth["messages"] = tuple(messages)


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="msg-table" border="1" cellspacing="0">{body}</table>'


# --------------------------------------------------------------------------
# service guides
# --------------------------------------------------------------------------


def _guides(b: _Builder) -> None:
    col = _column(b, ColumnClass.SERVICE, 4)
    if col is None:
        raise ValueError("guides needs a service column with 4 entries")
    missing_of = {1: ("设定依据", "收费标准", "办理时间", "办理流程"), 2: ("办理地点", "联系电话")}
    guides: list[GuideTruth] = []
    live = [i for i, e in enumerate(col.entries) if e.url in b.plans]
    for n, i in enumerate(live):
        e = col.entries[i]
        name = _GUIDE_NAMES[n % len(_GUIDE_NAMES)]
        title = f"{name}办事指南" + (f"（{n}）" if n >= len(_GUIDE_NAMES) else "")
        b.retitle(col, i, title)
        missing = missing_of.get(n, ())
        present = tuple(c for c in GUIDE_CATEGORIES if c not in missing)
        rows = "".join(
            f"<tr><th>{c}</th><td>{escape(_GUIDE_VALUES[c].format(name=name))}</td></tr>"
            for c in present
        )
        html = f'<table class="bszn" border="1" cellspacing="0">{rows}</table>\n'
        attachments: tuple[str, ...] = ()
        dead: tuple[str, ...] = ()
        if n in (0, 3):
            form = f"/uploads/bszn/sqb_{n}.doc"
            html += f'<p>表格下载：<a href="{form}">{escape(name)}申请表.doc</a></p>\n'
            attachments = (form,)
            if n == 3:
                dead = (form,)
                b.dead[form] = (Fault.NOT_FOUND, Element.A, True)
            else:
                b.files[form] = ("申请表（样表）".encode("gb18030"), "application/msword")
        b.content_html[e.url] = html
        b.prose_off.add(e.url)
        guides.append(
            GuideTruth(
                url=e.url,
                name=name,
                present=present,
                missing=missing,
                attachments=attachments,
                dead_attachments=dead,
            )
        )
    b.feature_truth["guides"] = tuple(guides)


# --------------------------------------------------------------------------
# site search
# --------------------------------------------------------------------------


def _search_truth(b: _Builder) -> None:
    samples: list[str] = []
    for cls in (ColumnClass.NEWS, ColumnClass.NOTICE, ColumnClass.POLICY, ColumnClass.SERVICE):
        col = _column(b, cls, 1)
        if col is not None:
            samples.append(col.entries[0].title)
    b.feature_truth["search"] = SearchTruth(
        url="/search", param="q", samples=tuple(samples), grouped=True, absent="查无此词条目"
    )


def _decode_query(data: bytes) -> str:
    """A query as browsers send it: UTF-8, or the page's GBK on older portals."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


def search_resolver(b: _Builder) -> Callable[[str], Resource | None]:
    """``/search?q=``: titles containing the query, grouped by column, 10 per group."""
    from govmon.sitegen.build import Resource

    def resolve(path: str) -> Resource | None:
        base, _, query = path.partition("?")
        if base != "/search":
            return None
        raw = parse_qs(query, keep_blank_values=True, encoding="latin-1").get("q", [""])[0]
        q = _decode_query(raw.encode("latin-1")).strip()
        groups: list[str] = []
        total = 0
        if q:
            for col in b.cols:
                hits = [e for e in col.entries if e.url in b.plans and q in e.title]
                if not hits:
                    continue
                total += len(hits)
                groups.append(
                    f'<div class="search-group"><h3>{escape(col.name)}（{len(hits)}）</h3>'
                    + render.entry_list(hits[:10], ListStyle.UL, DateFormat.ISO)
                    + "</div>\n"
                )
        head = (
            f'<div class="search-summary">搜索“{escape(q)}”，共找到{total}条相关结果</div>\n'
            if q
            else '<div class="search-summary">请输入关键词</div>\n'
        )
        if q and not total:
            head += '<p class="no-data">未找到相关结果</p>\n'
        footer, _, _ = b._footer(None)
        html = render.page(
            b.site,
            title=f"站内搜索_{b.spec.site_name}",
            metas=b._metas(None, None, "/search"),
            body=render.breadcrumb([("站内搜索", "/search")]) + head + "".join(groups),
            footer=footer,
        )
        return Resource(
            body=html.encode(b.spec.encoding, "replace"),
            headers=(("Content-Type", f"text/html; charset={b.spec.encoding}"),),
        )

    return resolve
