"""A stored history of three weekly periods (2026 W46–W48) for the notice tests.

Four sites of four units; problems that appear, persist and get rectified;
availability probes; and hostile page text (XSS and spreadsheet formulas) in
titles, URLs and messages, as crawled pages can carry.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from govmon import records as r
from govmon.store.repo import Store

CHINA = ZoneInfo("Asia/Shanghai")
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
FORMULAS = ('=HYPERLINK("http://127.0.0.1/x","y")', "+1+1", "@SUM(A1)", "-2+3")

PORTAL = "http://www.qx.example.gov.cn/"
EDU = "http://jyj.qx.example.gov.cn/"
HEALTH = "http://wjj.qx.example.gov.cn/"
TOWN = "http://cgz.qx.example.gov.cn/"

DEAD_A = PORTAL + "xxgk/a.pdf"
DEAD_B = PORTAL + "img/banner.jpg"

# Nightly runs on the Friday of each week (01:30 China time).
RUN_AT = {
    46: datetime(2026, 11, 13, 1, 30, tzinfo=CHINA),
    47: datetime(2026, 11, 20, 1, 30, tzinfo=CHINA),
    48: datetime(2026, 11, 27, 1, 30, tzinfo=CHINA),
}
#: the Monday mornings the daemon writes each week's notice
NOTICE_AT = {week: at + timedelta(days=3, hours=6, minutes=30) for week, at in RUN_AT.items()}

UNITS = {"0101": "区政府办", "0201": "区教育局", "0202": "区卫生健康局", "0301": "城关镇"}


def _link(url: str) -> r.LinkDetection:
    return r.LinkDetection(url=url, status=404, on_homepage=True, on_pages=(PORTAL,))


def _event(rule: str, kind: r.EventType, points: float, message: str, evidence: tuple[str, ...],
           detections: tuple[r.Detection, ...] = (), unit: str | None = None, unknown: bool = False) -> r.Event:
    return r.Event(rule=rule, type=kind, points=points, count=max(1, len(evidence)), message=message,
                   evidence=evidence, detections=tuple(d.fingerprint() for d in detections), unit=unit,
                   unknown=unknown)


def _score(total: float, events: list[r.Event], grade: str) -> r.Score:
    vetoes = tuple(e.rule for e in events if e.type is r.EventType.VETO and not e.unknown)
    return r.Score(total=total, vetoed=bool(vetoes), vetoes=vetoes, grade=grade,
                   deductions=-sum(e.points for e in events if e.points < 0))


def week_plan(week: int, *, hostile: bool) -> dict[str, tuple[list[r.Detection], list[r.Event], float, str]]:
    """Per site URL: the detections seen, the events and the score of that week."""
    link_a, link_b = _link(DEAD_A), _link(DEAD_B)
    blank = r.ColumnDetection(url=EDU + "zwgk/ghjh/", name="规划计划", blank=True, unit="0201")
    footer = r.PageDetection(url=HEALTH, page_type=r.PageType.HOME, footer_missing=(r.FooterMarker.POLICE,))
    tags = r.PageDetection(url=PORTAL + "xwdt/", page_type=r.PageType.COLUMN, tags_missing=("ColumnName",))
    title = f"教育动态{XSS_SCRIPT}" if hostile else "教育动态"
    stale = r.ColumnDetection(url=EDU + "jydt/" + (XSS_IMG if hostile else ""), name=title,
                              column_class=r.ColumnClass.NEWS, entries=12, unit="0201")
    plan: dict[str, tuple[list[r.Detection], list[r.Event], float, str]] = {}
    if week == 46:
        plan[PORTAL] = ([link_a, link_b], [
            _event("NAT-D-LINKS", r.EventType.DEDUCTION, -0.4, "首页链接无法打开（HTTP 404），共2处",
                   (DEAD_A, DEAD_B), (link_a, link_b))], 99.6, "二等次")
        plan[EDU] = ([blank], [
            _event("NAT-V-COLS-C", r.EventType.VETO, 0.0, "空白栏目5个：规划计划等", (blank.url,), (blank,))],
            0.0, "不合格")
        plan[HEALTH] = ([footer], [
            _event("NAT-D-FOOTER", r.EventType.DEDUCTION, -0.2, "首页页脚缺少公安机关备案标识", (HEALTH,), (footer,))],
            99.8, "一等次")
        plan[TOWN] = ([], [], 100.0, "一等次")
    elif week == 47:
        plan[PORTAL] = ([link_a, tags], [
            _event("NAT-D-LINKS", r.EventType.DEDUCTION, -0.2, "首页链接无法打开（HTTP 404），共1处",
                   (DEAD_A,), (link_a,)),
            _event("NAT-D-TAGS", r.EventType.DEDUCTION, -0.1, "栏目页缺少栏目元数据 ColumnName", (tags.url,), (tags,))],
            99.7, "二等次")
        plan[EDU] = ([blank], [
            _event("NAT-V-COLS-C", r.EventType.VETO, 0.0, "空白栏目5个：规划计划等", (blank.url,), (blank,))],
            0.0, "不合格")
        plan[HEALTH] = ([], [], 100.0, "一等次")
        plan[TOWN] = ([], [
            _event("NAT-V-HOME", r.EventType.WARNING, 0.0, "首页已10天未更新（否决线为2周）", (TOWN,))],
            100.0, "一等次")
    else:
        message = f"栏目“{title}”超过2周未更新"
        health_column = r.ColumnDetection(url=PORTAL + "zwgk/ylws/", name="医疗卫生", blank=True, unit="0202")
        plan[PORTAL] = ([link_a, health_column], [
            _event("NAT-D-LINKS", r.EventType.DEDUCTION, -0.2, "首页链接无法打开（HTTP 404），共1处",
                   (DEAD_A,), (link_a,)),
            # A portal column the health bureau maintains (a unit rule): its problem goes to 0202.
            _event("NAT-D-OTHER-COLS", r.EventType.DEDUCTION, -1.0, "栏目“医疗卫生”为空白栏目",
                   (health_column.url,), (health_column,), unit="0202")], 98.8, "一等次")
        edu_events = [
            _event("NAT-D-OTHER-COLS", r.EventType.DEDUCTION, -0.1, message, (stale.url,), (stale,), unit="0201")]
        if hostile:
            edu_events.append(_event("NAT-D-TYPO", r.EventType.DEDUCTION, -0.4, FORMULAS[0], FORMULAS[1:], ()))
        plan[EDU] = ([stale], edu_events, 99.9 if not hostile else 99.5, "一等次")
        plan[HEALTH] = ([footer], [
            _event("NAT-D-FOOTER", r.EventType.DEDUCTION, -0.2, "首页页脚缺少公安机关备案标识", (HEALTH,), (footer,)),
            _event("NAT-D-SEARCH", r.EventType.DEDUCTION, -1.0, "站内搜索无法使用", (), (), unknown=True)],
            99.8, "一等次")
        plan[TOWN] = ([], [
            _event("NAT-V-AVAIL", r.EventType.VETO, 0.0, "首页可用率94.6%，低于95%", (TOWN,))], 0.0, "不合格")
    return plan


def build_sample(url: str, *, hostile: bool = True) -> Store:
    """A store holding weeks 46–48; the caller closes it."""
    store = Store.open(url)
    store.sync_units(UNITS.items())
    ids = {
        PORTAL: store.upsert_site(url=PORTAL, name="青溪区人民政府", site_code="5101230001", unit_code="0101",
                                  level="portal", profile="national-2019"),
        EDU: store.upsert_site(url=EDU, name="青溪区教育局", unit_code="0201", level="department"),
        HEALTH: store.upsert_site(url=HEALTH, name="青溪区卫生健康局", unit_code="0202", level="department"),
        TOWN: store.upsert_site(url=TOWN, name="青溪区城关镇人民政府", unit_code="0301", level="township"),
    }
    for week in (46, 47, 48):
        at = RUN_AT[week]
        for site_url, (detections, events, total, grade) in week_plan(week, hostile=hostile).items():
            run = store.start_run(ids[site_url], at=at)
            # Freshness facts: the town's homepage stops being updated in week 48.
            stale = site_url == TOWN and week == 48
            fresh = [
                r.HomepageDetection(url=site_url, newest=date(2026, 11, 10) if stale else (at - timedelta(days=1)).date()),
                r.ColumnDetection(url=site_url + "gzdt/", name="工作动态", column_class=r.ColumnClass.NEWS, entries=20,
                                  newest=(at - timedelta(days=2)).date()),
                r.ColumnDetection(url=site_url + "tzgg/", name="通知公告", column_class=r.ColumnClass.NOTICE, entries=15,
                                  newest=date(2026, 9, 1)),
            ]
            store.save_detections(run, [*detections, *fresh], seen_at=at)
            store.finish_run(run, at=at + timedelta(minutes=20), stats=r.CrawlStats(pages=120, requests=150))
            store.save_scoring(site_id=ids[site_url], run_id=run, profile="national-2019", as_of=at,
                               events=events, score=_score(total, events, grade))
    # Week 48 availability: 24 probes a day; the town site fails 9 of 168, the portal 1.
    start = datetime(2026, 11, 23, tzinfo=CHINA)
    for site_url, failing in ((PORTAL, {30}), (TOWN, {5, 6, 7, 50, 51, 52, 53, 100, 101}), (EDU, set())):
        rows = []
        for i in range(168):
            ok = i not in failing
            rows.append({"at": (start + timedelta(hours=i, minutes=7)).astimezone(UTC), "ok": ok,
                         "status": 200 if ok else None, "seconds": 0.4 if ok else 15.0,
                         "error": None if ok else "timeout"})
        # A blocked probe and a re-probe: neither counts.
        rows.append({"at": (start + timedelta(hours=3)).astimezone(UTC), "ok": False, "blocked": True,
                     "status": 412, "error": "blocked"})
        rows.append({"at": (start + timedelta(hours=5, minutes=8)).astimezone(UTC), "ok": False, "reprobe": True,
                     "error": "timeout"})
        store.save_probe_results(ids[site_url], rows)
    return store


def test_sample_store_holds_three_weeks(tmp_path: Path) -> None:
    with build_sample(f"sqlite:///{tmp_path}/s.db") as store:
        assert len(store.sites()) == 4
        assert len(store.scorings()) == 12
        assert len(store.runs(status="finished")) == 12
