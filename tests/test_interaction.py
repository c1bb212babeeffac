"""Message boards against the generator's truth (list page, detail pages, an
answer on a second page, a message unanswered for 4 months), common layouts and
site selectors; then the interaction rules through the scorer, at, below and
above each threshold, across the National Day and Spring Festival holidays."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from crawler.analysis.classify import classify
from crawler.analysis.interaction import (
    answer_links,
    board_detection,
    board_messages,
    is_board,
    is_excluded,
    merge_messages,
    parse_status,
)
from crawler.analysis.page import ParsedPage
from govmon.config import MessageSelectors
from govmon.records import (
    BoardDetection,
    ColumnClass,
    ColumnDetection,
    Detection,
    Event,
    EventType,
    MessageDetection,
    MessageStatus,
)
from scoring.calendar import WorkCalendar
from scoring.engine import evaluate
from scoring.measures import BEIJING
from scoring.profiles import load_profile
from tests.standard_portal import AS_OF, BASE, page, portal

#: The generator names missing fields by attribute; the records use the seeds' words.
TRUTH_FIELDS = {"reply_unit": "答复单位", "answered": "答复时间", "asked": "留言时间", "reply": "答复内容"}



def crawl_board() -> list[MessageDetection]:
    """What the crawler does: the list page, each detail page, each answer page."""
    listed = board_messages(page("/hdjl/xzxx/"), as_of=AS_OF, board="县长信箱")
    details, answers, aliases = [], [], {}
    for item in listed:
        path = item.url.removeprefix(BASE)
        details += board_messages(page(path), as_of=AS_OF, board="县长信箱", as_detail=True)
        for link in answer_links(page(path)):
            aliases[link] = item.url
            answers += board_messages(page(link.removeprefix(BASE)), as_of=AS_OF, as_detail=True)
    return merge_messages(details, answers, listed, aliases=aliases)


# ---------------------------------------------------------------- recognition


@pytest.mark.parametrize(
    ("name", "board", "excluded"),
    [
        ("县长信箱", True, False),
        ("书记信箱", True, False),
        ("网民留言", True, False),
        ("在线咨询", True, False),
        ("网上信访", True, True),
        ("纪检举报", True, True),
        ("在线访谈", False, False),
        ("征集调查", False, False),
        ("通知公告", False, False),
    ],
)
def test_board_names(name: str, board: bool, excluded: bool) -> None:
    assert is_board(None, name) is board
    assert is_excluded(name) is excluded


def test_board_recognised_by_layout_without_a_name() -> None:
    truth = portal().truth.messages[1]
    assert is_board(page(truth.url), "")
    assert not is_board(page("/"), "")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("已答复", MessageStatus.ANSWERED),
        ("已回复", MessageStatus.ANSWERED),
        ("已办结", MessageStatus.ANSWERED),
        ("办理中", MessageStatus.IN_PROGRESS),
        ("处理中", MessageStatus.IN_PROGRESS),
        ("未答复", MessageStatus.UNANSWERED),
        ("待回复", MessageStatus.UNANSWERED),
        ("待处理", MessageStatus.UNANSWERED),
        ("", MessageStatus.UNKNOWN),
        ("查看", MessageStatus.UNKNOWN),
    ],
)
def test_status_words(text: str, status: MessageStatus) -> None:
    assert parse_status(text) is status


# ---------------------------------------------------------------- generator truth


def test_list_page_lists_every_message_without_judging_fields() -> None:
    truth = portal().truth.messages
    listed = board_messages(page("/hdjl/xzxx/"), as_of=AS_OF, board="县长信箱")
    assert [m.url for m in listed] == [BASE + t.url for t in truth]
    assert [m.asked for m in listed] == [t.asked for t in truth]
    assert all(m.status is MessageStatus.UNKNOWN and not m.missing_fields for m in listed)


def test_every_message_matches_the_truth() -> None:
    truth = {BASE + t.url: t for t in portal().truth.messages}
    found = {m.url: m for m in crawl_board()}
    assert found.keys() == truth.keys()
    for url, t in truth.items():
        m = found[url]
        assert (m.title, m.asked, m.answered, m.status, m.reply_unit) == (
            t.title,
            t.asked,
            t.answered,
            t.status,
            t.reply_unit,
        ), url
        assert m.missing_fields == tuple(TRUTH_FIELDS[f] for f in t.missing_fields), url
        assert m.board == "县长信箱"


def test_truth_covers_the_cases() -> None:
    """The cases the analyser must handle are all in the generated board."""
    ts = portal().truth.messages
    assert any(t.reply_url for t in ts)
    assert any(t.status is MessageStatus.UNANSWERED and (AS_OF - t.asked).days > 120 for t in ts)
    assert any(t.answered and (t.answered - t.asked).days > 7 for t in ts)
    assert any(t.status is MessageStatus.IN_PROGRESS for t in ts)


def test_answer_on_second_page_is_unknown_until_merged() -> None:
    t = next(t for t in portal().truth.messages if t.reply_url)
    alone = board_messages(page(t.url), as_of=AS_OF)[0]
    assert alone.status is MessageStatus.ANSWERED
    assert alone.answered is None and alone.replied is None
    assert alone.missing_fields == ()  # not judged: the answer is elsewhere
    assert answer_links(page(t.url)) == (BASE + t.reply_url,)
    merged = next(m for m in crawl_board() if m.url == BASE + t.url)
    assert merged.answered == t.answered and merged.reply_unit == t.reply_unit
    assert merged.missing_fields == ()


def test_board_summary() -> None:
    b = board_detection(page("/hdjl/xzxx/"), name="县长信箱", as_of=AS_OF)
    assert b.messages_published and b.working and not b.excluded
    assert b.messages == len(portal().truth.messages)
    assert b.newest == max(t.asked for t in portal().truth.messages)
    assert not b.statistics


# ---------------------------------------------------------------- other layouts


def _html(body: str) -> ParsedPage:
    return ParsedPage.parse(
        "http://127.0.0.1/hd/1.html",
        f"<html><head><title>t</title></head><body><div class='header'>承办单位：县大数据中心</div>"
        f"<div class='main'>{body}</div>"
        "<div class='footer'>主办单位：县政府办 承办单位：县信息中心 联系电话：0816-1</div></body></html>",
    )


def test_dl_layout() -> None:
    m = board_messages(
        _html(
            "<h1>咨询社保</h1><dl><dt>提问时间：</dt><dd>2026年10月8日</dd>"
            "<dt>回复单位：</dt><dd>县人社局</dd><dt>回复时间：</dt><dd>2026-10-09</dd>"
            "<dt>回复内容：</dt><dd>您好，已答复。</dd></dl>"
        ),
        as_of=AS_OF,
    )[0]
    assert (m.asked, m.answered, m.status, m.reply_unit, m.missing_fields) == (
        date(2026, 10, 8),
        date(2026, 10, 9),
        MessageStatus.ANSWERED,
        "县人社局",
        (),
    )


def test_div_label_layout_and_missing_fields() -> None:
    m = board_messages(
        _html(
            "<div class='item'><span class='label'>来信时间</span><span>2026-09-01</span></div>"
            "<div class='item'><span class='label'>办理状态</span><span>已办结</span></div>"
            "<div class='item'><span class='label'>办理结果</span><span>已处理完毕。</span></div>"
        ),
        as_of=AS_OF,
    )[0]
    assert m.status is MessageStatus.ANSWERED and m.asked == date(2026, 9, 1)
    # the footer's 承办单位 is the site's, not the answer's
    assert m.reply_unit is None
    assert m.missing_fields == ("答复时间", "答复单位")


def test_inline_labels_and_explicit_unanswered() -> None:
    m = board_messages(_html("<p>留言时间：2026-07-01 10:00</p><p>答复内容：暂无答复</p>"), as_of=AS_OF)[0]
    assert m.status is MessageStatus.UNANSWERED and m.missing_fields == ()


def test_unreadable_status_is_unknown_not_unanswered() -> None:
    m = board_messages(_html("<p>留言时间：2026-07-01</p><p>留言内容：路灯不亮</p>"), as_of=AS_OF)[0]
    assert m.status is MessageStatus.UNKNOWN
    assert m.missing_fields == ()


def test_list_table_with_header_row() -> None:
    listed = board_messages(
        _html(
            "<table><tr><th>标题</th><th>留言时间</th><th>状态</th><th>回复时间</th></tr>"
            "<tr><td><a href='/hd/1.html'>路灯</a></td><td>2026-11-01</td><td>已回复</td>"
            "<td>2026-11-02</td></tr>"
            "<tr><td><a href='/hd/2.html'>噪音</a></td><td>2026-11-03</td><td>待回复</td>"
            "<td></td></tr></table>"
        ),
        as_of=AS_OF,
        board="网民留言",
    )
    assert [(m.title, m.asked, m.answered, m.status) for m in listed] == [
        ("路灯", date(2026, 11, 1), date(2026, 11, 2), MessageStatus.ANSWERED),
        ("噪音", date(2026, 11, 3), None, MessageStatus.UNANSWERED),
    ]


def test_site_selectors() -> None:
    sel = MessageSelectors(list_item="div.xx", asked=".t1", answered=".t2", reply_unit=".u")
    listed = board_messages(
        _html(
            "<div class='xx'><a href='/a.html'>甲</a><i class='t1'>2026-10-01</i>"
            "<i class='t2'>2026-10-03</i><i class='u'>县水务局</i></div>"
            "<div class='xx'><a href='/b.html'>乙</a><i class='t1'>2026-10-05</i></div>"
        ),
        as_of=AS_OF,
        selectors=sel,
    )
    assert [(m.asked, m.answered, m.status, m.reply_unit) for m in listed] == [
        (date(2026, 10, 1), date(2026, 10, 3), MessageStatus.ANSWERED, "县水务局"),
        (date(2026, 10, 5), None, MessageStatus.UNKNOWN, None),
    ]


def test_detail_page_without_labels_gives_nothing() -> None:
    html = _html("<h1>某某</h1><ul><li><a href='/n/1.html'>相关文章</a> 2026-11-01</li></ul>")
    assert board_messages(html, as_of=AS_OF, as_detail=True) == []
    assert len(board_messages(html, as_of=AS_OF)) == 1  # read as a list page


def test_statistics_and_closed_board() -> None:
    b = board_detection(
        _html("<a href='/tj.html'>留言办理情况统计</a><p>暂停使用</p>"),
        name="区长信箱",
        as_of=AS_OF,
    )
    assert b.statistics and not b.working and not b.messages_published


# ---------------------------------------------------------------- scorer


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=BEIJING)


def _msg(asked: date, answered: date | None, status: MessageStatus | None = None) -> MessageDetection:
    return MessageDetection(
        url=f"http://127.0.0.1/hd/{asked}-{answered}.html",
        board="县长信箱",
        title="留言",
        asked=asked,
        answered=answered,
        status=status or (MessageStatus.ANSWERED if answered else MessageStatus.UNANSWERED),
        reply_unit="县住建局",
        replied=answered is not None,
    )


BOARD = BoardDetection(url="http://127.0.0.1/hd/", name="县长信箱", messages=1, newest=AS_OF,
                       statistics=True)  # fmt: skip


CAL = WorkCalendar()


def _run(rule: str, dets: list[Detection], as_of: date) -> list[Event]:
    """Events of one profile rule (by its unique name) as of 10:00 Beijing time."""
    profile = {"NAT": "national-2019", "AJ-": "anju-2022", "JS-": "junshan-2017"}[rule[:3]]
    p = load_profile(profile)
    p = p.model_copy(update={"rules": [p.rule(rule)]})
    return evaluate(dets, p, _at(as_of), calendar=CAL)


def _scored(events: list[Event]) -> list[Event]:
    return [e for e in events if e.type is not EventType.WARNING]


@pytest.mark.parametrize(
    ("asked", "as_of", "span"),
    [
        # the day before National Day (10-01..10-07 off): 10-08, 10-09 and the
        # worked Saturday 10-10 are the 3 working days, 10 calendar days
        (date(2026, 9, 30), date(2026, 11, 25), 10),
        # the Friday before the Spring Festival holiday
        (date(2026, 2, 13), date(2026, 3, 31), None),
    ],
)
def test_nat_reply_three_working_days_across_holidays(asked: date, as_of: date, span: int | None) -> None:
    at = CAL.add_working_days(asked, 3)
    if span is not None:
        assert (at - asked).days == span
    assert (at - asked).days > 5  # the holiday is what makes the difference
    below, above = CAL.add_working_days(asked, 2), CAL.add_working_days(asked, 4)
    for answered, late in ((below, False), (at, False), (above, True)):
        events = _scored(_run("NAT-D-REPLY/late", [BOARD, _msg(asked, answered)], as_of))
        assert [(e.rule, e.points) for e in events] == ([("NAT-D-REPLY", -1.0)] if late else [])
    # still unanswered on as-of: late
    events = _scored(_run("NAT-D-REPLY/late", [_msg(asked, None)], as_of))
    assert len(events) == 1


def test_nat_reply_window_is_six_months() -> None:
    old = _msg(date(2026, 5, 1), date(2026, 5, 29))
    assert _scored(_run("NAT-D-REPLY/late", [old], AS_OF)) == []


def test_aj_five_working_days_across_spring_festival() -> None:
    asked, as_of = date(2026, 2, 12), date(2026, 6, 30)
    at = CAL.add_working_days(asked, 5)
    assert (at - asked).days > 10
    for answered, late in (
        (CAL.add_working_days(asked, 4), False),
        (at, False),
        (CAL.add_working_days(asked, 6), True),
    ):
        events = _scored(_run("AJ-INTERACT/late", [_msg(asked, answered)], as_of))
        assert [(e.rule, e.points) for e in events] == ([("AJ-INTERACT", -0.05)] if late else [])


def test_aj_five_working_days_across_national_day() -> None:
    asked = date(2026, 9, 29)
    at = CAL.add_working_days(asked, 5)
    assert at > date(2026, 10, 8)
    assert _scored(_run("AJ-INTERACT/late", [_msg(asked, at)], AS_OF)) == []
    late = CAL.add_working_days(asked, 6)
    assert len(_scored(_run("AJ-INTERACT/late", [_msg(asked, late)], AS_OF))) == 1


@pytest.mark.parametrize(
    ("days", "seven", "fifteen"),
    [(6, False, False), (7, False, False), (8, True, False), (15, True, False), (16, False, True)],
)
def test_js_consult_7_and_15_calendar_days(days: int, seven: bool, fifteen: bool) -> None:
    """Calendar days: the National Day holiday does not stretch them."""
    asked = date(2026, 9, 28)
    m = _msg(asked, asked + timedelta(days=days))
    assert bool(_scored(_run("JS-CONSULT/7-days", [m], AS_OF))) is seven
    assert bool(_scored(_run("JS-CONSULT/15-days", [m], AS_OF))) is fifteen


def test_js_consult_unanswered_is_late_too() -> None:
    m = _msg(AS_OF - timedelta(days=20), None)
    assert len(_scored(_run("JS-CONSULT/15-days", [m], AS_OF))) == 1
    assert _scored(_run("JS-CONSULT/7-days", [m], AS_OF)) == []


def test_veto_unanswered_for_more_than_three_months() -> None:
    at = date(2026, 8, 25)  # exactly 3 months before as-of: not more
    assert _scored(_run("NAT-V-INTERACT-B", [_msg(at, None)], AS_OF)) == []
    warn = _run("NAT-V-INTERACT-B", [_msg(at, None)], AS_OF)
    assert [e.type for e in warn] == [EventType.WARNING]  # near the line (2 months)
    events = _run("NAT-V-INTERACT-B", [_msg(at - timedelta(days=1), None)], AS_OF)
    assert [e.type for e in events] == [EventType.VETO]
    # below: 1 month unanswered, nothing
    assert _run("NAT-V-INTERACT-B", [_msg(AS_OF - timedelta(days=30), None)], AS_OF) == []
    # answered after 4 months, within the year: still a veto
    m = _msg(date(2026, 3, 1), date(2026, 7, 15))
    assert [e.type for e in _run("NAT-V-INTERACT-B", [m], AS_OF)] == [EventType.VETO]
    # older than a year: outside the window
    assert _run("NAT-V-INTERACT-B", [_msg(date(2025, 10, 1), None)], AS_OF) == []


def test_unknown_status_never_vetoes() -> None:
    m = _msg(date(2026, 3, 1), None, MessageStatus.UNKNOWN)
    events = _run("NAT-V-INTERACT-B", [m], AS_OF)
    assert [(e.type, e.unknown) for e in events] == [(EventType.WARNING, True)]


def test_excluded_board_messages_are_skipped() -> None:
    board = BoardDetection(url="http://127.0.0.1/xf/", name="网上信访", excluded=True)
    m = replace(_msg(date(2026, 3, 1), None), board="网上信访")
    assert _run("NAT-V-INTERACT-B", [board, m], AS_OF) == []


def test_generated_board_through_the_national_profile() -> None:
    msgs = crawl_board()
    board = board_detection(page("/hdjl/xzxx/"), name="县长信箱", as_of=AS_OF, messages=msgs)
    dets: list[Detection] = [board, *msgs]
    truth = portal().truth.messages
    unanswered = next(t for t in truth if t.status is MessageStatus.UNANSWERED)
    veto = _run("NAT-V-INTERACT-B", dets, AS_OF)
    assert [e.type for e in veto] == [EventType.VETO]
    assert veto[0].evidence == (BASE + unanswered.url,)
    late = {e.evidence[0] for e in _scored(_run("NAT-D-REPLY/late", dets, AS_OF))}
    expected = {
        BASE + t.url
        for t in truth
        if t.asked >= date(2026, 5, 25)
        and t.status is not MessageStatus.IN_PROGRESS
        and CAL.working_days_between(t.asked, t.answered or AS_OF) > 3
    }
    twelve_days = next(t for t in truth if t.answered and (t.answered - t.asked).days == 12)
    assert BASE + twelve_days.url in expected and BASE + unanswered.url in expected
    assert late == expected
    fields = _scored(_run("NAT-D-CONSULT/fields", dets, AS_OF))
    missing = [t for t in truth if t.missing_fields]
    assert [(e.evidence[0], e.points) for e in fields] == [(BASE + t.url, -0.2) for t in missing]
    assert "答复单位" in fields[0].message
    assert _scored(_run("NAT-D-CONSULT/stale", dets, AS_OF)) == []
    assert len(_scored(_run("NAT-D-CONSULT/statistics", dets, AS_OF))) == 1
    assert _scored(_run("NAT-D-CONSULT/unpublished", dets, AS_OF)) == []
    assert _run("NAT-V-INTERACT-A", dets, AS_OF) == []


def test_consult_fields_cap_at_five_messages() -> None:
    msgs = [
        replace(_msg(date(2026, 11, d), date(2026, 11, d + 1)), reply_unit=None,
                missing_fields=("答复单位",))
        for d in range(2, 10)
    ]  # fmt: skip
    events = _scored(_run("NAT-D-CONSULT/fields", msgs, AS_OF))
    assert len(events) == 5 and sum(e.points for e in events) == pytest.approx(-1.0)


def test_aj_fields_window_one_month() -> None:
    recent = replace(_msg(date(2026, 11, 10), date(2026, 11, 11)), missing_fields=("答复内容",))
    old = replace(_msg(date(2026, 9, 10), date(2026, 9, 11)), missing_fields=("答复内容",))
    assert len(_scored(_run("AJ-INTERACT/fields", [recent, old], AS_OF))) == 1


@pytest.mark.parametrize(("newest", "stale"), [(date(2026, 9, 25), False), (date(2026, 9, 24), True)])
def test_consult_stale_two_months(newest: date, stale: bool) -> None:
    board = replace(BOARD, newest=newest)
    assert bool(_scored(_run("NAT-D-CONSULT/stale", [board], AS_OF))) is stale


def test_consult_unpublished_and_no_channel() -> None:
    silent = replace(BOARD, messages_published=False, messages=0, newest=None)
    assert [e.points for e in _scored(_run("NAT-D-CONSULT/unpublished", [silent], AS_OF))] == [-2.0]
    closed = replace(BOARD, working=False)
    xf = BoardDetection(url="http://127.0.0.1/xf/", name="网上信访", excluded=True)
    assert [e.type for e in _run("NAT-V-INTERACT-A", [closed, xf], AS_OF)] == [EventType.VETO]
    assert [e.type for e in _run("NAT-V-INTERACT-A", [xf], AS_OF)] == [EventType.VETO]
    none = _run("NAT-V-INTERACT-A", [], AS_OF)
    assert [(e.type, e.unknown) for e in none] == [(EventType.WARNING, True)]


# ---------------------------------------------------------------- column-based interaction/service rules


def _col(name: str, newest: date | None, dates: tuple[date, ...] = ()) -> ColumnDetection:
    return ColumnDetection(
        url=f"http://127.0.0.1/{name.encode().hex()}/",
        name=name,
        column_class=classify(name),
        entries=max(1, len(dates)),
        newest=newest,
        dates=dates,
        total_entries=len(dates) or None,
    )


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("办事统计", ColumnClass.SERVICE_STATS),
        ("数据发布", ColumnClass.DATA_RELEASE),
        ("征集调查", ColumnClass.SURVEY),
        ("常见问题", ColumnClass.FAQ),
        ("县长信箱", ColumnClass.INTERACTION),
    ],
)
def test_column_classes_of_the_interaction_rules(name: str, cls: ColumnClass) -> None:
    assert classify(name) is cls


@pytest.mark.parametrize(
    ("days", "one_month", "three_months"), [(20, False, False), (45, True, False), (100, False, True)]
)
def test_service_statistics_freshness(days: int, one_month: bool, three_months: bool) -> None:
    col = _col("办事统计", AS_OF - timedelta(days=days))
    assert bool(_scored(_run("NAT-D-SVC-STATS/1-month", [col], AS_OF))) is one_month
    assert bool(_scored(_run("NAT-D-SVC-STATS/3-months", [col], AS_OF))) is three_months


def test_service_statistics_missing() -> None:
    other = _col("通知公告", AS_OF)
    assert [e.points for e in _scored(_run("NAT-D-SVC-STATS/missing", [other], AS_OF))] == [-1.0]


@pytest.mark.parametrize(("days", "fresh3", "fresh6"), [(60, True, False), (120, False, True), (200, False, False)])
def test_data_release_bonus(days: int, fresh3: bool, fresh6: bool) -> None:
    col = _col("数据发布", AS_OF - timedelta(days=days))
    assert [e.points for e in _run("NAT-B-DATA/3-months", [col], AS_OF)] == ([2.0] if fresh3 else [])
    assert [e.points for e in _run("NAT-B-DATA/6-months", [col], AS_OF)] == ([1.0] if fresh6 else [])


@pytest.mark.parametrize(("days", "stale"), [(80, False), (100, True)])
def test_zs_faq_quarterly(days: int, stale: bool) -> None:
    p = load_profile("zhongshan-2022")
    p = p.model_copy(update={"rules": [r for r in p.rules if r.id == "ZS-FAQ"]})
    events = evaluate([_col("常见问题", AS_OF - timedelta(days=days))], p, _at(AS_OF), calendar=CAL)
    assert bool([e for e in events if e.type is EventType.DEDUCTION]) is stale
