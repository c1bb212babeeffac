"""Pure parts of the notices: periods, the problem life cycle, sanitising, the template."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmon.notices.lifecycle import (
    ProblemKey,
    ProblemStatus,
    SiteEvents,
    format_percent,
    problems_of,
    rectification,
    track,
)
from govmon.notices.model import PeriodKind, availability_from_probes, period_for
from govmon.notices.sanitize import inert, safe_href, strip_controls
from govmon.notices.template import NoticeTemplate, load_template
from govmon.records import Event, EventType

CHINA = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


@pytest.mark.parametrize(
    ("kind", "as_of", "pid", "label", "span", "previous"),
    [
        ("week", "2026-11-26T10:00", "2026-W48", "2026年第48周", "2026年11月23日至11月26日", "2026-W47"),
        ("week", "2026-11-30T00:00", "2026-W48", "2026年第48周", "2026年11月23日至11月29日", "2026-W47"),
        ("week", "2026-11-30T08:00", "2026-W48", "2026年第48周", "2026年11月23日至11月29日", "2026-W47"),
        ("week", "2026-11-29T23:59", "2026-W48", "2026年第48周", "2026年11月23日至11月29日", "2026-W47"),
        ("fortnight", "2026-11-30T08:00", "2026-W47-W48", "2026年第47—48周", "2026年11月16日至11月29日",
         "2026-W45-W46"),
        ("week", "2027-01-04T08:00", "2026-W53", "2026年第53周", "2026年12月28日至2027年1月3日", "2026-W52"),
        ("fortnight", "2027-01-11T08:00", "2026-W53-2027-W01", "2026年第53周至2027年第1周",
         "2026年12月28日至2027年1月10日", "2026-W51-W52"),
    ],
    ids=["midweek", "monday-midnight", "monday-morning", "sunday-night", "fortnight", "iso-53", "across-years"],
)
def test_period_for(kind: str, as_of: str, pid: str, label: str, span: str, previous: str) -> None:
    period = period_for(kind, at(as_of), CHINA)
    assert (period.id, period.label, period.span, period.previous().id) == (pid, label, span, previous)
    assert period.cutoff <= period.end
    assert period.previous().end == period.start


def test_period_cutoff_excludes_later_data() -> None:
    period = period_for(PeriodKind.WEEK, at("2026-11-26T10:00"), CHINA)
    assert period.contains(at("2026-11-26T09:59"))
    assert not period.contains(at("2026-11-26T10:01"))
    assert not period.contains(at("2026-11-22T23:59"))


def test_period_needs_aware_as_of() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_for("week", datetime(2026, 11, 26), CHINA)


def _deduction(rule: str, *urls: str) -> Event:
    return Event(rule=rule, type=EventType.DEDUCTION, points=-0.1 * len(urls), evidence=urls, message=rule)


def test_problems_are_per_evidence_url_and_skip_warnings_and_unknowns() -> None:
    events = [
        _deduction("NAT-D-LINKS", "http://a/1", "http://a/2"),
        Event(rule="NAT-V-HOME", type=EventType.WARNING, evidence=("http://a/",)),
        Event(rule="NAT-D-SEARCH", type=EventType.DEDUCTION, points=-1, unknown=True),
        Event(rule="NAT-V-COLS-C", type=EventType.VETO),
        Event(rule="NAT-B-DATA", type=EventType.BONUS, points=2),
    ]
    keys = sorted(problems_of(7, events))
    assert keys == [ProblemKey(7, "NAT-D-LINKS", "http://a/1"), ProblemKey(7, "NAT-D-LINKS", "http://a/2"),
                    ProblemKey(7, "NAT-V-COLS-C", "")]


def test_life_cycle_over_three_periods() -> None:
    """W46: a, b, c.  W47: a persists, b fixed, d new.  W48: a persists, d fixed, b comes back."""
    t46, t47, t48 = at("2026-11-13T01:30"), at("2026-11-20T01:30"), at("2026-11-27T01:30")
    w46 = [_deduction("R", "a", "b", "c")]
    w47 = [_deduction("R", "a", "c"), _deduction("S", "d")]
    w48 = [_deduction("R", "a", "b", "c")]
    first = {ProblemKey(1, "R", "b"): t46}  # b's detection life began in W46

    p47 = track(current={1: SiteEvents(as_of=t47, events=tuple(w47))},
                previous={1: SiteEvents(as_of=t46, events=tuple(w46))}, first_seen={}, as_of=at("2026-11-23T00:00"))
    status47 = {p.key.url: (p.status, p.days) for p in p47}
    assert status47 == {"a": (ProblemStatus.PERSISTING, 9), "b": (ProblemStatus.RESOLVED, 7),
                        "c": (ProblemStatus.PERSISTING, 9), "d": (ProblemStatus.NEW, 2)}
    r47 = rectification(p47)
    assert (r47.previous, r47.resolved, r47.rate) == (3, 1, pytest.approx(1 / 3))
    assert r47.sentence() == "上期通报问题3个，已整改1个，整改完成率33.3%。"

    p48 = track(current={1: SiteEvents(as_of=t48, events=tuple(w48))},
                previous={1: SiteEvents(as_of=t47, events=tuple(w47))}, first_seen=first,
                as_of=at("2026-11-30T00:00"), period_start=at("2026-11-23T00:00"))
    by_url = {p.key.url: p for p in p48}
    assert by_url["a"].status is ProblemStatus.PERSISTING and by_url["a"].days == 9  # first seen in W47 scoring
    assert by_url["d"].status is ProblemStatus.RESOLVED
    assert by_url["b"].status is ProblemStatus.NEW and by_url["b"].recurred
    assert by_url["b"].status_label == "整改后再次出现"
    assert by_url["a"].status_label == "持续9天未整改"
    r48 = rectification(p48)
    assert (r48.previous, r48.resolved) == (3, 1)
    assert format_percent(r48.rate) == "33.3%"


def test_site_not_checked_this_period_is_not_rectified() -> None:
    t1 = at("2026-11-20T01:30")
    tracked = track(current={}, previous={1: SiteEvents(as_of=t1, events=(_deduction("R", "a"),))},
                    first_seen={}, as_of=at("2026-11-30T00:00"))
    assert [p.status for p in tracked] == [ProblemStatus.UNCHECKED]
    assert rectification(tracked).resolved == 0
    assert rectification([]).sentence() == "上期未通报问题。"


def test_availability_leaves_out_blocked_unknown_and_reprobes() -> None:
    base = at("2026-11-23T00:30")
    rows = [{"at": base, "ok": True}, {"at": base + timedelta(hours=1), "ok": False},
            {"at": base + timedelta(hours=2), "ok": False, "blocked": True},
            {"at": base + timedelta(hours=3), "ok": False, "unknown": True},
            {"at": base + timedelta(hours=4), "ok": False, "reprobe": True},
            {"at": base + timedelta(days=1), "ok": True}]
    days = availability_from_probes(rows, CHINA)
    assert [(d.day, d.probes, d.failures) for d in days] == [(date(2026, 11, 23), 2, 1), (date(2026, 11, 24), 1, 0)]
    assert days[0].ratio == 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://127.0.0.1/x","y")', '\'=HYPERLINK("http://127.0.0.1/x","y")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("-5", "-5"),
        ("-0.2", "-0.2"),
        ("首页\x00链接\x1b[31m", "首页链接[31m"),
        ("a\u202eb", "ab"),
        ("普通文本 =1", "普通文本 =1"),
    ],
)
def test_inert(text: str, expected: str) -> None:
    assert inert(text) == expected


def test_safe_href_and_controls() -> None:
    assert safe_href("javascript:alert(1)") is None
    assert safe_href(" HTTPS://a.gov.cn/ ") == "HTTPS://a.gov.cn/"
    assert strip_controls(None) == ""


def test_bundled_template_loads_and_covers_profiles() -> None:
    template = load_template()
    assert "国办秘函〔2019〕19号" in template.basis_for(["national-2019"])
    assert template.basis_for(["no-such-profile"]) == template.basis["default"]
    assert template.next_steps and template.problem_types
    assert template.level_label("township") == "乡镇（街道）网站"


def test_template_typo_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from govmon.errors import ConfigError

    bad = tmp_path / "notice.yaml"
    bad.write_text("titel: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="titel"):
        load_template(bad)
    assert NoticeTemplate().good_units == 3


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_inert_text_is_never_a_formula_and_always_storable(text: str) -> None:
    from openpyxl import Workbook

    out = inert(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) or re.match(r"^[+-]?\d+(\.\d+)?%?$", out)
    cell = Workbook().active.cell(row=1, column=1)  # type: ignore[union-attr]
    cell.value = out  # openpyxl raises IllegalCharacterError on control characters
    assert cell.data_type == "s" or out == ""


def test_pure_notice_from_plain_inputs_escapes_everything_in_html() -> None:
    """build_notice_data needs no store: plain records in, a rendered page out."""
    from selectolax.lexbor import LexborHTMLParser

    from govmon.notices.html import _link, render_html
    from govmon.notices.model import ScoringRef, SiteInput, SiteRef, build_notice_data

    hostile = '<svg onload=alert(1)>"&'
    period = period_for("week", at("2026-11-30T08:00"), CHINA)
    event = Event(rule="NAT-D-LINKS", type=EventType.DEDUCTION, points=-0.1, message=hostile,
                  evidence=("javascript:alert(1)",))
    site = SiteInput(site=SiteRef(id=1, url="javascript:alert(2)", name=hostile, unit="u<1>"),
                     current=ScoringRef(as_of=at("2026-11-27T01:30"), profile="national-2019", total=99.9,
                                        vetoed=False, grade="一等次", events=(event,)))
    data = build_notice_data(period=period, sites=[site], template=load_template(), office="办公室", region="全区",
                             addressees="各单位：", units={"u<1>": hostile})
    html = render_html(data)
    tree = LexborHTMLParser(html)
    assert [n.tag for n in tree.css("svg *") if n.tag not in ("title", "text", "rect", "line")] == []
    assert not [a for a in tree.css("a") if "javascript" in (a.attributes.get("href") or "")]
    assert "<svg onload" not in html
    assert hostile in tree.body.text()  # type: ignore[union-attr]
    assert str(_link("javascript:alert(1)")) == "javascript:alert(1)"
    assert str(_link('http://a.gov.cn/"x')) == ('<a href="http://a.gov.cn/&#34;x" rel="noopener noreferrer nofollow">'
                                                'http://a.gov.cn/&#34;x</a>')
