"""Issue 10 wired end to end: ``audit_site`` on generated portals with a message
board, service guides, a site search and policy/interpretation pairs reports
what their ground truth says (spider in a child process, page facts, collector,
link checker, search probe, scorer).

The standard portal's board holds a message unanswered for four months (the
NAT-V-INTERACT-B veto, with the message as evidence); the "complete" portal's
board history is younger than three months, so no interaction or service veto.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http.server
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import ClassVar

import pytest

from crawler.analysis.searchbox import SearchForm, SearchKind
from crawler.collect import CrawlOutcome, CrawlTarget
from crawler.runner import CrawlJob, _on_site, check_site_search
from govmon.records import (
    BoardDetection,
    CrawlStats,
    EventType,
    GuideDetection,
    InterpLinkDetection,
    MessageDetection,
    SearchDetection,
)
from govmon.sitegen.model import PortalSpec
from govmon.sitegen.scenarios import standard, standard_columns
from tests.audit_helpers import AS_OF, AS_OF_INSTANT, Audited, audit_generated

#: the truth names a missing field by its record field, the analyser as the seeds do
FIELD_NAMES = {"reply_unit": "答复单位", "answered": "答复时间", "asked": "留言时间", "reply": "答复内容"}


def complete(as_of: date, *, seed: int = 0, external_base: str | None = None) -> PortalSpec:
    """The standard portal with a board whose oldest message is 9 weeks old:
    every message answered in time or still within three months."""
    cols = [dataclasses.replace(c, count=8) if c.slug == "xzxx" else c for c in standard_columns()]
    return dataclasses.replace(standard(as_of, seed=seed, external_base=external_base), name="complete",
                               columns=tuple(cols))


def _audit(make: Callable[..., PortalSpec]) -> Audited:
    return audit_generated(make, search_delay=0)


@pytest.fixture(scope="module")
def audits() -> Iterator[dict[str, Future[Audited]]]:
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="audit") as pool:
        yield {"standard": pool.submit(_audit, standard), "complete": pool.submit(_audit, complete)}


@pytest.fixture(scope="module")
def std(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["standard"].result()


@pytest.fixture(scope="module")
def full(audits: dict[str, Future[Audited]]) -> Audited:
    return audits["complete"].result()


# ------------------------------------------------------------------ messages


def test_every_board_message_is_read_with_its_dates_status_and_missing_fields(std: Audited) -> None:
    found = {m.url: m for m in std.of(MessageDetection)}
    assert std.truth.messages
    for t in std.truth.messages:
        m = found[std.url(t.url)]
        assert (m.board, m.title, m.asked, m.answered, m.status, m.reply_unit) == (
            t.board, t.title, t.asked, t.answered, t.status, t.reply_unit), t.url
        assert m.missing_fields == tuple(FIELD_NAMES[f] for f in t.missing_fields), t.url


def test_the_answer_on_a_second_page_is_merged_into_its_message(std: Audited) -> None:
    (t,) = [t for t in std.truth.messages if t.reply_url]
    m = next(m for m in std.of(MessageDetection) if m.url == std.url(t.url))
    assert m.replied is True and m.answered == t.answered and m.reply_unit == t.reply_unit
    assert m.missing_fields == ()
    assert t.reply_url is not None
    assert not any(d.url == std.url(t.reply_url) for d in std.of(MessageDetection))


def test_articles_of_a_column_named_like_a_board_are_not_messages(std: Audited) -> None:
    boards = {m.board for m in std.of(MessageDetection)}
    assert boards == {t.board for t in std.truth.messages}


def test_one_board_per_board_column(std: Audited) -> None:
    boards = {b.name: b for b in std.of(BoardDetection)}
    t = std.truth.column("县长信箱")
    board = boards["县长信箱"]
    assert board.url == std.url(t.url) and board.working and not board.excluded
    assert board.messages == len(std.truth.messages)
    assert board.newest == max(m.asked for m in std.truth.messages)


def test_a_message_unanswered_for_four_months_is_the_interaction_veto(std: Audited) -> None:
    (late,) = [t for t in std.truth.messages if t.status.value == "unanswered"]
    assert (AS_OF - late.asked).days > 120
    vetoes = std.vetoes("NAT-V-INTERACT-B")
    assert len(vetoes) == 1
    assert vetoes[0].evidence == (std.url(late.url),)
    assert "NAT-V-INTERACT-B" in std.report.score.vetoes


# ------------------------------------------------------------------ guides


def test_guides_categories_and_the_dead_form(std: Audited) -> None:
    found = {g.url: g for g in std.of(GuideDetection)}
    assert len(found) == len(std.truth.guides)
    for t in std.truth.guides:
        g = found[std.url(t.url)]
        assert g.name == t.name
        assert g.elements_present == t.present and g.elements_missing == t.missing, t.url
        assert g.attachments == tuple(std.url(a) for a in t.attachments)
        assert g.dead_attachments == tuple(std.url(a) for a in t.dead_attachments)


# ------------------------------------------------------------------ search


def test_the_site_search_finds_the_sampled_titles_grouped(std: Audited) -> None:
    searches = std.of(SearchDetection)
    assert std.truth.search is not None
    assert len(searches) == 4 and len({s.query for s in searches}) == 4
    for s in searches:
        assert s.search_url is not None and s.search_url.startswith(std.url(std.truth.search.url))
        assert s.found is True
        assert s.grouped is std.truth.search.grouped
    assert not [e for e in std.report.events if e.rule.startswith("NAT-D-SEARCH") and e.points < 0]


# ------------------------------------------------------------------ interpretation


def test_sampled_policy_interpretation_pairs_match_the_truth(std: Audited) -> None:
    dets = std.of(InterpLinkDetection)
    assert [d.role for d in dets].count("policy") == 3
    assert [d.role for d in dets].count("interpretation") == 3
    by_policy = {std.url(p.policy): p for p in std.truth.interp_pairs if p.interpretation}
    by_interp = {std.url(p.interpretation): p for p in std.truth.interp_pairs if p.interpretation}
    checked = 0
    for d in dets:
        if d.role == "policy" and d.url in by_policy:
            p = by_policy[d.url]
            assert p.interpretation is not None
            assert d.counterpart == std.url(p.interpretation) and d.linked
            assert d.linked_back is p.policy_links_interpretation
            checked += 1
        elif d.role == "interpretation" and d.url in by_interp:
            p = by_interp[d.url]
            assert d.counterpart == std.url(p.policy)
            assert d.linked is p.interpretation_links_policy
            assert d.linked_back is p.policy_links_interpretation
            checked += 1
    assert checked >= 2


# ------------------------------------------------------------------ done-when


def test_a_complete_board_and_guides_give_no_interaction_or_service_veto(full: Audited) -> None:
    assert full.of(BoardDetection) and full.of(GuideDetection)
    assert all(m.status.value != "unanswered" for m in full.of(MessageDetection))
    assert full.vetoes("NAT-V-INTERACT") == []
    assert full.vetoes("NAT-V-SERVICE") == []


# ------------------------------------------------------------------ search policy


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = "<html><body>共找到 0 条</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _outcome(action: str, hosts: frozenset[str]) -> CrawlOutcome:
    return CrawlOutcome(detections=[], occurrences={}, statuses={}, to_check=[],
                        stats=CrawlStats(pages=1, requests=1, seconds=0.0),
                        search_form=SearchForm(kind=SearchKind.FORM, action=action, query_field="q"),
                        titles=["县政府召开常务会议"], hosts=hosts)


def _job(url: str, deny: tuple[str, ...] = ()) -> CrawlJob:
    return CrawlJob(target=CrawlTarget(url=url, as_of=AS_OF), search_delay=0, timeout=5, deny_hosts=deny)


def test_the_search_probe_stays_on_the_site() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Counter.hits = []
    try:
        # a search on another port of the host is another site: not fetched
        off = asyncio.run(check_site_search(_job("http://127.0.0.1:9/"),
                                            _outcome(f"http://127.0.0.1:{port}/search", frozenset({"127.0.0.1:9"}))))
        assert off == [] and _Counter.hits == []
        # the site's own search is probed, one query
        on = asyncio.run(check_site_search(_job(f"http://127.0.0.1:{port}/"),
                                           _outcome(f"http://127.0.0.1:{port}/search",
                                                    frozenset({f"127.0.0.1:{port}"}))))
        assert [s.found for s in on if isinstance(s, SearchDetection)] == [False] and len(_Counter.hits) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_on_site_accepts_the_site_hosts_and_their_subdomains() -> None:
    hosts = frozenset({"www.example.gov.cn"})
    assert _on_site("http://www.example.gov.cn/search", hosts)
    assert _on_site("https://search.example.gov.cn/s?q=1", hosts)
    assert not _on_site("http://example.com.evil.cn/", hosts)
    assert not _on_site("http://search.example.gov.cn:8080/", hosts)
    assert not _on_site("ftp://www.example.gov.cn/", hosts)


# ------------------------------------------------------------------ collector alone

_HEAD = '<html><head><meta charset="utf-8"><title>{t}_某某县</title>{meta}</head><body>'
_CRUMB = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xf/">网上信访</a></div>'


def _page(title: str, body: str, column: str | None = None) -> str:
    meta = f'<meta name="ColumnName" content="{column}">' if column else ""
    return _HEAD.format(t=title, meta=meta) + body + "</body></html>"


def _petition_site(base: str) -> dict[str, str]:
    """A homepage whose only channel is 网上信访, with a message unanswered since May."""
    rows = "".join(
        f'<li><a href="/xf/2026{m:02d}/t{m}.html">反映问题{m}</a><span>2026-{m:02d}-10</span></li>'
        for m in (5, 6, 7, 8, 9, 10)
    )
    pages = {
        "/": _page("首页", '<a href="/xf/">网上信访</a>'),
        "/xf/": _page("网上信访", _CRUMB + f'<ul class="list">{rows}</ul>'
                      '<div class="page">共1页 <a href="/xf/index_1.html">下一页</a></div>', "网上信访"),
    }
    for m in (5, 6, 7, 8, 9, 10):
        answered = m != 5
        table = (f"<tr><th>留言时间</th><td>2026-{m:02d}-10</td></tr>"
                 f"<tr><th>办理状态</th><td>{'已办结' if answered else '待处理'}</td></tr>")
        if answered:
            table += (f"<tr><th>答复单位</th><td>县信访局</td></tr><tr><th>答复时间</th><td>2026-{m:02d}-12</td></tr>"
                      "<tr><th>答复内容</th><td>已转有关部门办理。</td></tr>")
        pages[f"/xf/2026{m:02d}/t{m}.html"] = _page(f"反映问题{m}", _CRUMB + f"<h1>反映问题{m}</h1><table>{table}</table>",
                                                    "网上信访")
    return {base + k: v for k, v in pages.items()}


def test_petition_messages_are_an_excluded_board_not_a_late_reply() -> None:
    from crawler.collect import SiteCollector
    from scoring.engine import evaluate
    from scoring.profiles import load_profile

    base = "http://127.0.0.1:8000"
    site = _petition_site(base)
    collector = SiteCollector(CrawlTarget(url=base + "/", as_of=AS_OF))
    queue = [(base + "/", 0)]
    seen = set()
    while queue:
        url, depth = queue.pop(0)
        if url in seen or url not in site:
            continue
        seen.add(url)
        for follow in collector.page(url, status=200, html=site[url], depth=depth):
            queue.append((follow.url, depth + 1))
    outcome = collector.finish()
    boards = [d for d in outcome.detections if isinstance(d, BoardDetection)]
    assert [(b.name, b.excluded, b.messages) for b in boards] == [("网上信访", True, 6)]
    messages = {m.url: m for m in outcome.detections if isinstance(m, MessageDetection)}
    assert len(messages) == 6 and messages[base + "/xf/202605/t5.html"].status.value == "unanswered"
    events = evaluate(outcome.detections, load_profile("national-2019"), AS_OF_INSTANT)
    vetoes = {e.rule for e in events if e.type is EventType.VETO}
    assert "NAT-V-INTERACT-B" not in vetoes  # 信访 messages do not count
    assert "NAT-V-INTERACT-A" in vetoes  # and 信访 is no consultation channel


def test_a_job_carries_its_search_settings_and_message_selectors() -> None:
    job = CrawlJob(target=CrawlTarget(url="http://127.0.0.1:8000/", as_of=AS_OF,
                                      message_selectors=(("list_item", "div.msg"), ("asked", ".time"))),
                   search_delay=0.0, check_search=False)
    again = CrawlJob.from_json(job.to_json())
    assert again == job
