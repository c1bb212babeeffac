"""Manual findings: import from CSV/YAML, validation errors, and how the engine scores them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from govmon.errors import ConfigError
from govmon.records import EventType, ManualFinding
from scoring.calendar import WorkCalendar
from scoring.engine import evaluate, score
from scoring.manual import load_manual_findings
from scoring.profiles import load_profile

AS_OF = datetime(2026, 11, 25, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def national():  # type: ignore[no-untyped-def]
    return load_profile("national-2019")


def test_csv_with_bom_and_optional_columns(tmp_path: Path, national) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "findings.csv"
    f.write_text(
        "\ufeffrule,unit,date,note,url,count,points\n"
        "NAT-D-REPLY/quality,0101,2026-11-02,答复敷衍,http://x.gov.cn/m/9,,\n"
        "NAT-D-MOCK-ASK,,2026-11-10,模拟咨询5个工作日未答复,,2,\n"
        "NAT-D-REMEDIATION,,,整改完成率45%,,,2\n",
        encoding="utf-8",
    )
    rows = load_manual_findings(f, national)
    assert rows[0] == ManualFinding(
        url="http://x.gov.cn/m/9",
        unit="0101",
        rule="NAT-D-REPLY/quality",
        on=date(2026, 11, 2),
        note="答复敷衍",
    )
    assert rows[1].count == 2 and rows[1].unit is None
    assert rows[2].points == 2 and rows[2].on is None


def test_gbk_csv(tmp_path: Path, national) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "findings.csv"
    f.write_bytes("rule,note\nNAT-D-REPOST,未转载国务院通知\n".encode("gbk"))
    assert load_manual_findings(f, national)[0].note == "未转载国务院通知"


def test_yaml_list_and_mapping(tmp_path: Path, national) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "findings.yaml"
    f.write_text(
        "findings:\n  - {rule: NAT-D-SSO, date: 2026-11-01, note: 未统一登录}\n", encoding="utf-8"
    )
    assert load_manual_findings(f, national)[0].on == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        (
            "a.csv",
            "rule,date\nNAT-D-NOPE,2026-11-01\n",
            "row 2: field 'rule': 'NAT-D-NOPE' is not a rule of profile national-2019",
        ),
        ("b.csv", "rule,date\nNAT-D-SSO,2026-11-01\nNAT-D-SSO,2026-13-01\n", "row 3: field 'date'"),
        ("c.csv", "rule,count\nNAT-D-SSO,two\n", "row 2: field 'count'"),
        ("d.csv", "rule,points\nNAT-D-SSO,lots\n", "row 2: field 'points'"),
        ("e.csv", "rule,colour\nNAT-D-SSO,red\n", "unknown column"),
        ("f.yaml", "- {rule: NAT-D-SSO, date: 2026-02-30}\n", "row 1: field 'date'"),
        ("g.yaml", "- {rule: JS-BLANK}\n", "'JS-BLANK' is not a rule of profile national-2019"),
        ("h.yaml", "- {rule: NAT-D-SSO, when: today}\n", "row 1: unknown field"),
        ("i.txt", "", "must be .csv"),
    ],
    ids=[
        "unknown-rule",
        "bad-date",
        "bad-count",
        "bad-points",
        "bad-column",
        "yaml-date",
        "other-profile",
        "yaml-key",
        "suffix",
    ],
)
def test_errors_name_file_row_and_field(
    tmp_path: Path,
    national,
    name: str,
    text: str,  # type: ignore[no-untyped-def]
    fragment: str,
) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_manual_findings(f, national)
    assert str(f) in str(exc.value)
    assert fragment in str(exc.value)


def test_manual_findings_become_events(national) -> None:  # type: ignore[no-untyped-def]
    findings = [
        ManualFinding(
            url="http://x.gov.cn/m/9", rule="NAT-D-REPLY/quality", note="答复敷衍", unit="0101"
        ),
        ManualFinding(
            url="", rule="NAT-D-MOCK-ASK", note="未答复", count=2
        ),  # first MOCK-ASK rule: −2 each
        ManualFinding(url="", rule="NAT-D-REMEDIATION", note="整改完成率45%", points=2),
        ManualFinding(url="", rule="NAT-B-QA", note="1个工作日内答复", points=3),
    ]
    rules = {"NAT-D-REPLY", "NAT-D-MOCK-ASK", "NAT-D-REMEDIATION", "NAT-B-QA"}
    profile = national.model_copy(update={"rules": [r for r in national.rules if r.id in rules]})
    events = evaluate(findings, profile, AS_OF, calendar=WorkCalendar(False))
    got = {(e.rule, e.points, e.count) for e in events}
    assert got == {
        ("NAT-D-REPLY", -0.5, 1),
        ("NAT-D-MOCK-ASK", -4.0, 2),
        ("NAT-D-REMEDIATION", -2.0, 1),
        ("NAT-B-QA", 3.0, 1),
    }
    assert all(e.detections for e in events)
    assert next(e for e in events if e.rule == "NAT-D-REPLY").unit == "0101"
    s = score(events, profile)
    # 100 − 0.5 − 4 − 2 = 93.5 > 80: the bonus counts
    assert s.total == pytest.approx(96.5)
    assert s.units[0].unit == "0101"


def test_every_event_names_its_rule_and_evidence(national) -> None:  # type: ignore[no-untyped-def]
    from govmon.records import LinkDetection

    link = LinkDetection(
        url="http://x.gov.cn/dead.pdf", status=404, on_homepage=True, on_pages=("http://x.gov.cn/",)
    )
    events = [
        e
        for e in evaluate([link], national, AS_OF, calendar=WorkCalendar(False))
        if e.type is EventType.DEDUCTION
    ]
    assert len(events) == 1
    e = events[0]
    assert e.message.startswith("[NAT-D-LINKS] 链接可用性：首页链接无法打开")
    assert e.evidence == ("http://x.gov.cn/dead.pdf", "http://x.gov.cn/")
    assert e.detections == (link.fingerprint(),)


def test_as_of_must_be_aware(national) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="aware"):
        evaluate([], national, datetime(2026, 11, 25))


def test_as_of_is_read_in_beijing_time(national) -> None:  # type: ignore[no-untyped-def]

    from govmon.records import HomepageDetection

    home = HomepageDetection(url="http://x.gov.cn/", newest=date(2026, 11, 11))
    profile = national.model_copy(update={"rules": [national.rule("NAT-V-HOME")]})
    cal = WorkCalendar(False)
    # 2026-11-25 00:30 in Beijing is still 11-24 in UTC: the same day either way
    utc = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert [e.type for e in evaluate([home], profile, utc, calendar=cal)] == ["warning"]
    later = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # 11-26 in Beijing
    assert [e.type for e in evaluate([home], profile, later, calendar=cal)] == ["veto"]


def test_site_wide_unknowns_do_not_hide_the_homepage() -> None:
    """A page limit or an IPv6 check that could not run says nothing about the
    homepage: a stale homepage is still vetoed (NAT-V-HOME)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from govmon import records as r
    from scoring.engine import evaluate
    from scoring.profiles import load_profile

    home = "http://www.example.gov.cn/"
    dets = [
        r.HomepageDetection(url=home, newest=date(2026, 10, 1), dated_items=10),
        r.UnknownDetection(url=home + "#crawl-limit", reason=r.UnknownReason.LIMIT, detail="page limit"),
        r.UnknownDetection(url=home, reason=r.UnknownReason.UNSUPPORTED, detail="IPv6"),
    ]
    events = evaluate(dets, load_profile("national-2019"), datetime(2026, 11, 25, tzinfo=ZoneInfo("Asia/Shanghai")))
    home_events = [e for e in events if e.rule == "NAT-V-HOME"]
    assert home_events and home_events[0].type is r.EventType.VETO and not home_events[0].unknown
