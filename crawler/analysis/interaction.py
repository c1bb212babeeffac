"""Message boards (留言/信箱/咨询): which columns are boards, each message's dates,
status, replying unit and missing fields, and a board's summary
(NAT-V-INTERACT-A/B, NAT-D-CONSULT, NAT-D-REPLY, AJ-INTERACT, JS-CONSULT).

A board shows messages on list pages (often a table: 标题 | 留言时间 | 状态) and
each message on a detail page, sometimes with the answer on a further page.
``board_messages`` reads either kind; ``merge_messages`` joins the facts of the
list, the detail page and the answer page by message URL.  A status that cannot
be read stays ``UNKNOWN``: the scorer then says "cannot judge", never "unanswered".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from selectolax.lexbor import LexborNode

from crawler.analysis.classify import classify
from crawler.analysis.dates import parse_date
from crawler.analysis.labels import LabelValue, clean_label, has_inner, label_values
from crawler.analysis.page import ParsedPage, squash
from govmon.config import MessageSelectors
from govmon.records import BoardDetection, ColumnClass, MessageDetection, MessageStatus

__all__ = [
    "FIELD_ANSWERED",
    "FIELD_ASKED",
    "FIELD_REPLY",
    "FIELD_UNIT",
    "answer_links",
    "board_detection",
    "board_messages",
    "is_board",
    "is_excluded",
    "merge_messages",
    "parse_status",
]

#: The four fields NAT-D-CONSULT / AJ-INTERACT require, as the seeds name them.
FIELD_ASKED, FIELD_ANSWERED, FIELD_UNIT, FIELD_REPLY = "留言时间", "答复时间", "答复单位", "答复内容"

_ASKED = ("留言时间", "提问时间", "来信时间", "咨询时间", "写信时间", "提交时间", "投诉时间", "信件时间")
_ANSWERED = ("答复时间", "回复时间", "办结时间", "处理时间", "反馈时间", "回复日期", "答复日期")
_UNIT = (
    "答复单位", "回复单位", "办理单位", "答复部门", "回复部门", "办理部门",
    "处理单位", "处理部门", "承办部门", "答复机构", "回复机构",
)  # fmt: skip
_REPLY = ("答复内容", "回复内容", "办理结果", "答复意见", "回复意见", "处理结果", "处理意见", "办理情况")
_STATUS = ("办理状态", "处理状态", "答复状态", "回复状态", "信件状态", "状态")
_TITLE = ("留言标题", "信件标题", "来信标题", "咨询标题", "标题", "主题")

_UNANSWERED = re.compile(r"未答复|未回复|待回复|待答复|待处理|未办理|未处理|未办结|尚未")
_IN_PROGRESS = re.compile(r"办理中|处理中|受理中|正在办理|正在处理|已受理|已转办|转办中|审核中")
_ANSWERED_WORDS = re.compile(r"已答复|已回复|已办结|已处理|已反馈|办结|已完成")
#: A value that says "nothing here" (an empty answer cell).
_EMPTY = re.compile(r"^(?:无|暂无|暂无答复|暂无回复|空|-+|/)?$")
#: A link to the answer on another page.
_ANSWER_LINK = re.compile(r"查看答复|查看回复|答复详情|回复详情|查看办理结果|点击查看")

_BOARD_NAME = re.compile(r"留言|信箱|咨询|问政|建言|来信|写信|诉求|投诉|书记|县长|市长|区长|镇长|局长|网民")
_NOT_BOARD = re.compile(r"访谈|调查|征集|常见问题|知识库|问答库")
_EXCLUDED = re.compile(r"信访|纪检|举报|监察")
_STATISTICS = re.compile(
    r"(?:留言|信件|来信|咨询|受理|办理|答复|回复|办件)\S{0,6}(?:统计|情况通报|情况汇总)"
    r"|办结率|回复率|答复率|受理情况|满意率"
)
_CLOSED = re.compile(r"暂停使用|暂停受理|停止受理|已关闭|系统升级|维护中")


def is_excluded(name: str) -> bool:
    """网上信访 and 纪检举报 channels do not count as consultation channels."""
    return bool(_EXCLUDED.search(name))


def is_board(page: ParsedPage | None, column_name: str) -> bool:
    """Whether a column is a message board: an interaction column named like one
    (留言, 信箱, 咨询, 书记/县长信箱, …; excluded channels included so their
    messages can be skipped), or any page laid out as messages (留言时间 labels)."""
    name = squash(column_name)
    if name and not _NOT_BOARD.search(name):
        if _BOARD_NAME.search(name) and (
            classify(name) is ColumnClass.INTERACTION or _EXCLUDED.search(name) or "信箱" in name
        ):
            return True
        if _EXCLUDED.search(name):
            return True
    if page is None:
        return False
    return _list_table(page) is not None or _is_detail(label_values(page))


def _as_date(as_of: date | datetime) -> date:
    return as_of.date() if isinstance(as_of, datetime) else as_of


def parse_status(text: str) -> MessageStatus:
    """A status cell's text as a status (unanswered words first: 未答复 holds 答复)."""
    if _UNANSWERED.search(text):
        return MessageStatus.UNANSWERED
    if _IN_PROGRESS.search(text):
        return MessageStatus.IN_PROGRESS
    if _ANSWERED_WORDS.search(text):
        return MessageStatus.ANSWERED
    return MessageStatus.UNKNOWN


def _kind(label: str) -> str | None:
    for kind, names in (
        ("asked", _ASKED),
        ("answered", _ANSWERED),
        ("unit", _UNIT),
        ("reply", _REPLY),
        ("status", _STATUS),
        ("title", _TITLE),
    ):
        if label in names:
            return kind
    return None


def _facts(pairs: Iterable[LabelValue]) -> dict[str, LabelValue]:
    """The first value of each kind of label (first layout wins: tables, dl, …)."""
    out: dict[str, LabelValue] = {}
    for lv in pairs:
        kind = _kind(lv.label)
        if kind is not None and kind not in out:
            out[kind] = lv
    return out


def _is_detail(pairs: Sequence[LabelValue]) -> bool:
    facts = _facts(pairs)
    return bool({"asked", "reply", "answered"} & facts.keys())


def answer_links(page: ParsedPage) -> tuple[str, ...]:
    """Absolute URLs of the answer when a detail page puts it on another page
    (答复内容：<a>查看答复</a>): the crawler fetches them and merges."""
    out: list[str] = []
    facts = _facts(label_values(page))
    lv = facts.get("reply")
    nodes: list[LexborNode] = []
    if lv is not None and lv.node is not None:
        nodes = lv.node.css("a[href]")
    if not nodes and page.tree.body is not None:
        nodes = [a for a in page.tree.body.css("a[href]") if _ANSWER_LINK.search(squash(a.text()))]
    for a in nodes:
        href = (a.attributes.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "#", "mailto:")):
            out.append(page.resolve(href))
    return tuple(dict.fromkeys(out))


def _missing(
    asked: date | None,
    answered: date | None,
    status: MessageStatus,
    unit: str | None,
    replied: bool | None,
) -> tuple[str, ...]:
    """The required fields not published.  The answer's fields are only due once
    the message is answered, and are not judged while the answer is on a page not
    read yet (``replied`` None)."""
    out = []
    if asked is None:
        out.append(FIELD_ASKED)
    if status is MessageStatus.ANSWERED and replied is not None:
        if answered is None:
            out.append(FIELD_ANSWERED)
        if unit is None:
            out.append(FIELD_UNIT)
        if not replied:
            out.append(FIELD_REPLY)
    return tuple(out)


def _detail(page: ParsedPage, pairs: Sequence[LabelValue], *, as_of: date, board: str) -> MessageDetection:
    facts = _facts(pairs)
    asked = parse_date(facts["asked"].value, as_of=as_of) if "asked" in facts else None
    answered = parse_date(facts["answered"].value, as_of=as_of) if "answered" in facts else None
    unit_lv = facts.get("unit")
    unit = unit_lv.value if unit_lv is not None and not _EMPTY.match(unit_lv.value) else None
    reply_lv = facts.get("reply")
    deferred = bool(answer_links(page)) if reply_lv is not None else False
    replied: bool | None
    if deferred:
        replied = None
    elif reply_lv is not None:
        replied = not _EMPTY.match(reply_lv.value) and parse_status(reply_lv.value) not in (
            MessageStatus.UNANSWERED,
            MessageStatus.IN_PROGRESS,
        )
    else:
        replied = False
    status = parse_status(facts["status"].value) if "status" in facts else MessageStatus.UNKNOWN
    if status is MessageStatus.UNKNOWN:
        if answered is not None or replied or deferred:
            status = MessageStatus.ANSWERED
        elif reply_lv is not None and (_EMPTY.match(reply_lv.value) or not replied):
            # the page shows an answer slot and it is empty: explicitly unanswered
            status = MessageStatus.UNANSWERED
    title = facts["title"].value if "title" in facts else ""
    if not title:
        h = page.tree.css_first("h1, h2, .title")
        title = squash(h.text()) if h is not None else page.title.split("_")[0]
    return MessageDetection(
        url=page.url,
        board=board,
        title=title,
        asked=asked,
        answered=answered if status is MessageStatus.ANSWERED or answered else None,
        status=status,
        reply_unit=unit,
        missing_fields=_missing(asked, answered, status, unit, replied),
        replied=replied,
    )


# ---------------------------------------------------------------- list pages


def _cells(row: LexborNode) -> list[LexborNode]:
    return [c for c in row.iter() if c.tag in ("th", "td")]


def _list_table(page: ParsedPage) -> tuple[LexborNode, dict[str, int]] | None:
    """A table whose header row names ≥ 2 message columns (标题, 留言时间, 状态, …)."""
    for table in page.tree.css("table"):
        rows = table.css("tr")
        for k, row in enumerate(rows[:3]):
            cols: dict[str, int] = {}
            for i, cell in enumerate(_cells(row)):
                kind = _kind(clean_label(squash(cell.text())))
                if kind is not None and kind not in cols:
                    cols[kind] = i
            if len(cols) >= 2 and any(r.css_first("a[href]") for r in rows[k + 1 :]):
                return table, cols
    return None


def _item_title(a: LexborNode) -> str:
    return squash(a.attributes.get("title") or "") or squash(a.text())


def _cell(cells: Sequence[LexborNode], i: int | None) -> str | None:
    return squash(cells[i].text()) if i is not None and i < len(cells) else None


def _select(item: LexborNode, css: str | None) -> str | None:
    node = item.css_first(css) if css else None
    return squash(node.text()) if node is not None else None


def _from_table(
    page: ParsedPage, table: LexborNode, cols: Mapping[str, int], *, as_of: date, board: str
) -> list[MessageDetection]:
    out = []
    for row in table.css("tr"):
        cells = _cells(row)
        a = row.css_first("a[href]")
        if a is None or not cells:
            continue

        asked_t, answered_t, status_t, unit_t = (
            _cell(cells, cols.get(kind)) for kind in ("asked", "answered", "status", "unit")
        )
        status = parse_status(status_t) if status_t is not None else MessageStatus.UNKNOWN
        out.append(_list_message(page, a, board=board, as_of=as_of, status=status, asked_t=asked_t,
                                 answered_t=answered_t, unit_t=unit_t))
    return out


def _from_selectors(page: ParsedPage, sel: MessageSelectors, *, as_of: date, board: str) -> list[MessageDetection]:
    assert sel.list_item is not None
    out = []
    for item in page.tree.css(sel.list_item):
        a = item.css_first("a[href]")
        if a is None:
            continue

        asked_t, answered_t, unit_t, reply_t = (
            _select(item, css) for css in (sel.asked, sel.answered, sel.reply_unit, sel.reply)
        )
        status = parse_status(item.text()) if sel.reply is None else MessageStatus.UNKNOWN
        if reply_t is not None:
            status = MessageStatus.ANSWERED if not _EMPTY.match(reply_t) else status
        out.append(_list_message(page, a, board=board, as_of=as_of, status=status, asked_t=asked_t,
                                 answered_t=answered_t, unit_t=unit_t))
    return out


def _list_message(page: ParsedPage, a: LexborNode, *, board: str, as_of: date, status: MessageStatus,
                  asked_t: str | None, answered_t: str | None, unit_t: str | None) -> MessageDetection:
    """A message as one row of a board's list gives it (a table row, or an item
    read with the site's selectors): a reply date makes it answered."""
    answered = parse_date(answered_t, as_of=as_of) if answered_t else None
    if status is MessageStatus.UNKNOWN and answered is not None:
        status = MessageStatus.ANSWERED
    return MessageDetection(
        url=page.resolve(a.attributes.get("href") or ""),
        board=board,
        title=_item_title(a),
        asked=parse_date(asked_t, as_of=as_of) if asked_t else None,
        answered=answered,
        status=status,
        reply_unit=unit_t if unit_t and not _EMPTY.match(unit_t) else None,
    )


def _from_items(page: ParsedPage, *, as_of: date, board: str) -> list[MessageDetection]:
    """Plain lists (``li`` with a link and a date): the date is the message's.
    A status word in the item (已回复, 办理中) is read; otherwise status unknown."""
    out = []
    seen: set[str] = set()
    for li in page.tree.css("li, tr, dd"):
        if has_inner(li, "li, tr"):
            continue
        a = li.css_first("a[href]")
        if a is None:
            continue
        text = squash(li.text(separator=" "))
        asked = parse_date(text, as_of=as_of)
        if asked is None:
            continue
        url = page.resolve(a.attributes.get("href") or "")
        if url in seen:
            continue
        seen.add(url)
        out.append(
            MessageDetection(
                url=url,
                board=board,
                title=_item_title(a),
                asked=asked,
                status=parse_status(text.replace(_item_title(a), "")),
            )
        )
    return out


def board_messages(
    page: ParsedPage,
    *,
    as_of: date | datetime,
    board: str = "",
    selectors: MessageSelectors | None = None,
    as_detail: bool = False,
) -> list[MessageDetection]:
    """The messages a board page shows.

    With ``as_detail`` (a page reached from a list item, or an answer page) the
    page is read as one message only: ``[]`` when it has no message labels, so
    a 相关文章 list on it is never taken for messages.

    A detail page (labelled 留言时间/答复内容/…) gives one message with its facts
    and ``missing_fields``; a list page gives one per item (site selectors first,
    then a table with a header row, then plain dated list items), whose
    ``missing_fields`` stay empty (a list does not show the answer).  An answer
    page (答复单位/答复时间/答复内容 only) reads like a detail page: merge it into its
    message with ``merge_messages(..., aliases={answer_url: message_url})``.
    """
    today = _as_date(as_of)
    if as_detail:
        pairs = label_values(page)
        return [_detail(page, pairs, as_of=today, board=board)] if _is_detail(pairs) else []
    if selectors is not None and selectors.list_item:
        found = _from_selectors(page, selectors, as_of=today, board=board)
        if found:
            return found
    table = _list_table(page)
    if table is not None:
        return _from_table(page, *table, as_of=today, board=board)
    pairs = label_values(page)
    if _is_detail(pairs):
        return [_detail(page, pairs, as_of=today, board=board)]
    return _from_items(page, as_of=today, board=board)


# ---------------------------------------------------------------- merging


def _merge_two(a: MessageDetection, b: MessageDetection) -> MessageDetection:
    """``b``'s facts fill what ``a`` lacks; a known status beats an unknown one and
    an answered one beats the list's guess."""
    status = a.status
    if status is MessageStatus.UNKNOWN or (
        b.status is MessageStatus.ANSWERED and a.status is not MessageStatus.ANSWERED
    ):
        status = b.status if b.status is not MessageStatus.UNKNOWN else status
    replied_values = [r for r in (a.replied, b.replied) if r is not None]
    replied = any(replied_values) if replied_values else None
    return replace(
        a,
        board=a.board or b.board,
        title=a.title or b.title,
        asked=a.asked or b.asked,
        answered=a.answered or b.answered,
        status=status,
        reply_unit=a.reply_unit or b.reply_unit,
        replied=replied,
        unit=a.unit or b.unit,
    )


def merge_messages(
    *groups: Iterable[MessageDetection], aliases: Mapping[str, str] | None = None
) -> list[MessageDetection]:
    """One detection per message URL from list items, detail pages and answer pages.

    ``aliases`` maps an answer page's URL to its message's (from
    :func:`answer_links`).  Earlier groups win for plain facts (pass detail pages
    first, then answer pages, then list items); ``missing_fields`` is recomputed
    from the merged facts when a detail page was seen, and left empty otherwise.
    """
    alias = dict(aliases or {})
    merged: dict[str, MessageDetection] = {}
    judged: set[str] = set()
    for group in groups:
        for m in group:
            url = alias.get(m.url, m.url)
            if url != m.url:
                m = replace(m, url=url)
            if m.replied is not None or m.missing_fields:
                judged.add(url)
            merged[url] = _merge_two(merged[url], m) if url in merged else m
    out = []
    for url, m in merged.items():
        if url in judged or m.replied is not None:
            fields = _missing(m.asked, m.answered, m.status, m.reply_unit, m.replied)
        else:
            fields = m.missing_fields
        out.append(replace(m, missing_fields=fields))
    return out


# ---------------------------------------------------------------- boards


def board_detection(
    page: ParsedPage,
    *,
    name: str,
    as_of: date | datetime,
    messages: Sequence[MessageDetection] | None = None,
    other_pages: Sequence[ParsedPage] = (),
    selectors: MessageSelectors | None = None,
) -> BoardDetection:
    """A board's summary from its first list page (plus any other pages of it, e.g.
    a statistics page): messages published, the newest message's date, whether
    handling statistics (统计, 受理情况, 办结率) are published.  ``messages``
    defaults to what ``board_messages`` reads on ``page``.  ``working`` is False
    only when the page says the channel is closed; an unreachable board is the
    crawler's to mark (``working=False``)."""
    today = _as_date(as_of)
    if messages is None:
        messages = board_messages(page, as_of=today, board=name, selectors=selectors)
    dates = [m.asked for m in messages if m.asked is not None]
    texts = [page.body_text, *(p.body_text for p in other_pages)]
    statistics = any(_STATISTICS.search(t) for t in texts)
    closed = bool(_CLOSED.search(page.body_text)) and not messages
    return BoardDetection(
        url=page.url,
        name=name,
        working=not closed,
        messages_published=bool(messages),
        messages=len(messages),
        newest=max(dates) if dates else None,
        statistics=statistics,
        excluded=is_excluded(name),
    )
