"""The portal generator: deterministic, self-consistent, and true to its ground truth.

Pages are fetched from the real loopback server and parsed with selectolax
(not with the generator's own link regex), so that the truth is checked against
what a crawler would actually see.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.analysis.waf import challenge_reason
from govmon.records import ColumnClass, LinkError, MessageStatus
from govmon.sitegen.build import Portal, build_portal
from govmon.sitegen.model import Benign, BlankForm, DateFormat, Fault, GroundTruth, absolute
from govmon.sitegen.scenarios import SCENARIOS, big, gbk, navigation_only, standard
from govmon.sitegen.server import serve, serve_scenario, write_portal

AS_OF = date(2026, 11, 25)
SELECTORS = {"a": "href", "img": "src", "script": "src", "link": "href", "iframe": "src"}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None
    body: bytes
    headers: dict[str, str]
    error: str | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    pass


def fetch(url: str, *, timeout: float = 5.0, method: str = "GET") -> Answer:
    """GET (following redirects) with the outcome as data, never an exception."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Answer(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        body = exc.read() if exc.fp else b""
        return Answer(exc.code, body, dict(exc.headers or {}), error="http")
    except TimeoutError:
        return Answer(None, b"", {}, error="timeout")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Answer(None, b"", {}, error="timeout")
        return Answer(None, b"", {}, error=f"connect:{reason}")
    except (ConnectionError, http.client.HTTPException) as exc:
        return Answer(None, b"", {}, error=f"connect:{exc}")


def links_of(html: str) -> list[tuple[str, str]]:
    tree = LexborHTMLParser(html)
    out = []
    for tag, attr in SELECTORS.items():
        for node in tree.css(f"{tag}[{attr}]"):
            out.append((tag, node.attributes.get(attr) or ""))
    return out


def charset_of(answer: Answer) -> str:
    ctype = answer.headers.get("Content-Type", "")
    return ctype.split("charset=")[1] if "charset=" in ctype else "utf-8"


@pytest.fixture(scope="module")
def external() -> Iterator[str]:
    """A second loopback server standing for "external" sites (special routes only)."""
    with serve(None) as base:
        yield base


@contextmanager
def served(scenario: str, external_base: str) -> Iterator[tuple[Portal, str]]:
    portal = build_portal(SCENARIOS[scenario](AS_OF, external_base=external_base))
    with serve(portal) as base:
        yield portal, base


_YEARLESS = {DateFormat.MONTH_DAY, DateFormat.DAY_MONTH}
_DATE_RES = {
    DateFormat.ISO: r"(\d{4})-(\d{2})-(\d{2})",
    DateFormat.ISO_TIME: r"(\d{4})-(\d{2})-(\d{2}) \d{2}:\d{2}",
    DateFormat.ISO_BRACKET: r"\[(\d{4})-(\d{2})-(\d{2})\]",
    DateFormat.SLASH: r"(\d{4})/(\d{2})/(\d{2})",
    DateFormat.DOT: r"(\d{4})\.(\d{2})\.(\d{2})",
    DateFormat.CHINESE: r"(\d{4})年(\d{2})月(\d{2})日",
    DateFormat.CHINESE_BRACKET: r"（(\d{4})年(\d{1,2})月(\d{1,2})日）",
    DateFormat.MONTH_DAY: r"\[(\d{2})-(\d{2})\]",
    DateFormat.DAY_MONTH: r"(\d{2})/(\d{2})",
}


def parse_date(text: str, fmt: DateFormat, as_of: date = AS_OF) -> date:
    m = re.fullmatch(_DATE_RES[fmt], text.strip())
    assert m, f"{text!r} is not in format {fmt}"
    if fmt in _YEARLESS:
        month, day = (int(m.group(1)), int(m.group(2)))
        if fmt is DateFormat.DAY_MONTH:
            month, day = day, month
        d = date(as_of.year, month, day)
        return d if d <= as_of else date(as_of.year - 1, month, day)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def list_dates(html: str, fmt: DateFormat, as_of: date = AS_OF) -> tuple[int, list[date]]:
    """(entries, dates) of a list page, whatever its list style."""
    tree = LexborHTMLParser(html)
    rows = (
        tree.css("ul.list > li")
        or tree.css("table.list-table td.title")
        or tree.css("div.news-item")
    )
    dates: list[date] = []
    for node in tree.css("ul.list > li > span.date, table.list-table td.date, div.news-item > em"):
        if node.text().strip():
            dates.append(parse_date(node.text(), fmt, as_of))
    return len(rows), dates


# --------------------------------------------------------------------------
# determinism and serialisation
# --------------------------------------------------------------------------


def test_generator_is_deterministic() -> None:
    one = build_portal(standard(AS_OF, seed=3, external_base="http://127.0.0.1:1234"))
    two = build_portal(standard(AS_OF, seed=3, external_base="http://127.0.0.1:1234"))
    assert one.truth.to_json() == two.truth.to_json()
    assert list(one.resources) == list(two.resources)
    for path in one.resources:
        assert one.resources[path] == two.resources[path], path
    other = build_portal(standard(AS_OF, seed=4, external_base="http://127.0.0.1:1234"))
    assert other.resources["/"].body != one.resources["/"].body


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - {"big"}))
def test_every_scenario_builds_with_json_truth(name: str) -> None:
    portal = build_portal(SCENARIOS[name](AS_OF))
    data = json.loads(portal.truth.to_json())
    assert data["scenario"] == name and data["as_of"] == "2026-11-25"
    assert {c["column_class"] for c in data["columns"]} >= {"news", "notice", "policy"}
    absolute_data = portal.truth.to_dict("http://127.0.0.1:8000")
    assert absolute_data["homepage"]["url"] == "http://127.0.0.1:8000/"
    assert all(p["url"].startswith("http://127.0.0.1:8000/") for p in absolute_data["pages"])


def test_standard_has_every_class_and_blank_form() -> None:
    truth = build_portal(standard(AS_OF)).truth
    classes = {c.column_class for c in truth.columns}
    assert classes == set(ColumnClass)
    assert {c.blank_form for c in truth.columns if c.blank} == set(BlankForm)
    assert {c.date_format for c in truth.columns if not c.hub} == set(DateFormat)
    assert {d.fault for d in truth.dead_links} == set(Fault)
    assert {d.element.value for d in truth.dead_links} == set(SELECTORS)
    assert {b.kind for b in truth.benign_links} == set(Benign)
    assert any(d.on_homepage for d in truth.dead_links)
    assert truth.column("部门动态").newest == AS_OF - timedelta(days=13)
    assert truth.column("乡镇动态").newest == AS_OF - timedelta(days=20)
    assert truth.column("统计数据").level == 2 and truth.column("通知公告").level == 1
    assert set(truth.external_unfetchable) and all(
        urlsplit(u).hostname in truth.unfetchable_hosts for u in truth.external_unfetchable
    )
    # script-written footers are recorded as not observable
    assert any(not p.footer_observable for p in truth.pages)


def _stale_a(truth: GroundTruth) -> int:
    n = 0
    for c in truth.columns:
        age = (truth.as_of - c.newest).days if c.newest else None
        if c.column_class is ColumnClass.NEWS and age is not None and age > 14:
            n += 1
        if (
            c.column_class in (ColumnClass.NOTICE, ColumnClass.POLICY)
            and c.level == 1
            and age is not None
            and age > 183
        ):
            n += 1
    return n


def test_veto_and_near_veto_lines() -> None:
    veto = build_portal(SCENARIOS["veto_columns"](AS_OF)).truth
    assert _stale_a(veto) >= 5
    assert sum(c.blank for c in veto.columns) >= 5
    assert veto.homepage.newest is not None and (AS_OF - veto.homepage.newest).days > 14
    near = build_portal(SCENARIOS["near_veto"](AS_OF)).truth
    assert _stale_a(near) == 4
    assert sum(c.blank for c in near.columns) == 4
    assert near.homepage.newest == AS_OF - timedelta(days=12)
    std = build_portal(standard(AS_OF)).truth
    assert _stale_a(std) < 5 and sum(c.blank for c in std.columns) < 5


# --------------------------------------------------------------------------
# the served site against its truth
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["standard", "gbk", "waf", "navigation_only", "traps"])
def test_every_link_resolves_or_is_in_the_truth(scenario: str, external: str) -> None:
    with served(scenario, external) as (portal, base):
        truth = portal.truth
        dead = {absolute(base, d.url): d for d in truth.dead_links}
        benign = {absolute(base, b.url): b for b in truth.benign_links}
        raw_benign = {b.url for b in truth.benign_links}
        unfetchable = set(truth.external_unfetchable)
        seen_on: dict[str, set[str]] = {}
        checked: dict[str, Answer] = {}
        for page in truth.pages:
            url = absolute(base, page.url)
            answer = fetch(url)
            assert answer.status == 200, url
            html = answer.body.decode("gb18030" if truth.encoding != "utf-8" else "utf-8")
            found = links_of(html)
            assert len(found) == page.links, url
            for tag, href in found:
                if href.startswith(("mailto:", "tel:", "javascript:", "#")):
                    assert href in raw_benign, (url, href)
                    continue
                target = urljoin(url, href)
                seen_on.setdefault(target, set()).add(page.url)
                if urlsplit(target).hostname in truth.unfetchable_hosts:
                    assert href in unfetchable, href
                elif target in dead:
                    assert dead[target].element.value == tag, target
                elif target in benign:
                    pass
                else:
                    if target not in checked:
                        checked[target] = fetch(target)
                    assert checked[target].status == 200, (url, target, checked[target])
        for d_url, d in dead.items():
            assert seen_on.get(d_url) == set(d.on_pages), d_url
        for b_url, b in benign.items():
            if not b_url.startswith(("mailto:", "tel:", "javascript:", "#")):
                assert seen_on.get(b_url) == set(b.on_pages), b_url


def test_dead_and_benign_links_behave_as_the_truth_says(external: str) -> None:
    with served("standard", external) as (portal, base):
        for d in portal.truth.dead_links:
            url = absolute(base, d.url)
            answer = fetch(url, timeout=1.0)
            if d.error is LinkError.HTTP:
                assert answer.status == d.status, url
            elif d.error is LinkError.TIMEOUT:
                assert answer.error == "timeout", url
            elif d.error is LinkError.CONNECT:
                assert answer.error and answer.error.startswith("connect"), url
            elif d.error is LinkError.REDIRECT_LOOP:
                assert answer.status in (301, 302) and "Location" in answer.headers, url
            elif d.error is LinkError.SOFT_404:
                assert answer.status == 200 and "页面不存在" in answer.body.decode()
        for b in portal.truth.benign_links:
            url = absolute(base, b.url)
            if b.kind is Benign.BLOCKED:
                answer = fetch(url)
                assert answer.status == 412
                reason = challenge_reason(412, answer.headers, answer.body.decode())
                assert reason is not None
            elif b.kind is Benign.HEAD_405:
                assert fetch(url, method="HEAD").status == 405
                assert fetch(url).status == 200
            elif b.kind is Benign.REDIRECT:
                assert fetch(url).status == 200
            elif b.kind is Benign.TRANSIENT:
                assert fetch(url).status == 503
                assert fetch(url).status == 200


@pytest.mark.parametrize("as_of", [AS_OF, date(2027, 1, 5)], ids=["2026-11-25", "2027-01-05"])
def test_dates_in_the_truth_match_the_html(external: str, as_of: date) -> None:
    portal = build_portal(standard(as_of, external_base=external))
    with serve(portal) as base:
        truth = portal.truth
        for col in truth.columns:
            if col.hub:
                continue
            all_dates: list[date] = []
            for i, list_url in enumerate(col.list_pages):
                html = fetch(absolute(base, list_url)).body.decode()
                entries, dates = list_dates(html, col.date_format, as_of)
                if i == 0:
                    assert entries == col.entries, col.name
                    assert len(dates) == col.dated_entries, col.name
                    if col.blank_form is BlankForm.NO_INFO:
                        assert "暂无信息" in html
                all_dates += dates
            assert tuple(all_dates) == col.dates, col.name
            assert col.newest == (all_dates[0] if all_dates else None)
            assert col.blank == (not all_dates)
        for page in truth.pages:
            if page.pub_date is not None:
                html = fetch(absolute(base, page.url)).body.decode()
                assert f"发布时间：{page.pub_date.isoformat()}" in html
        home = fetch(base + "/").body.decode()
        home_dates = [
            parse_date(n.text(), DateFormat.ISO)
            for n in LexborHTMLParser(home).css("div.home-block span.date")
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", n.text())
        ]
        assert truth.homepage.newest is not None
        assert max(home_dates) <= truth.homepage.newest


def test_navigation_only_homepage_has_no_dates() -> None:
    portal = build_portal(navigation_only(AS_OF))
    home = portal.resources["/"].body.decode()
    body = LexborHTMLParser(home).css_first("div.main").text()
    assert not re.search(r"\d{4}[-/.年]\d{1,2}|\[\d{2}-\d{2}\]", body)
    hp = portal.truth.homepage
    assert hp.navigation_only and hp.newest is None and hp.dated_items == 0
    assert hp.second_level_newest == AS_OF
    assert "/xwzx/" in hp.second_level_pages


def test_gbk_site_really_is_gbk(external: str) -> None:
    with served("gbk", external) as (portal, base):
        truth = portal.truth
        home = fetch(base + "/")
        assert charset_of(home) == "gbk"
        with pytest.raises(UnicodeDecodeError):
            home.body.decode("utf-8")
        assert truth.site_name in home.body.decode("gbk")
        kinds = {(c.header_charset, c.meta_charset) for c in truth.charsets}
        assert kinds == {("utf-8", "gbk"), ("gb2312", "gb2312")}
        for c in truth.charsets:
            answer = fetch(absolute(base, c.url))
            assert charset_of(answer) == c.header_charset
            assert c.must_contain in answer.body.decode("gb18030")
            if c.header_charset == "utf-8":  # the lying header
                assert "\ufffd" in answer.body.decode("utf-8", "replace")
            else:  # declared gb2312, but holds GBK-only characters
                assert "堃" in c.must_contain and "镕" in c.must_contain
                with pytest.raises(UnicodeDecodeError):
                    answer.body.decode("gb2312")


def test_waf_pages_are_challenges_and_only_unknowns(external: str) -> None:
    with served("waf", external) as (portal, base):
        truth = portal.truth
        assert {u.status for u in truth.unknown} == {412, 521}
        for u in truth.unknown:
            answer = fetch(absolute(base, u.url))
            assert answer.status == u.status
            assert challenge_reason(answer.status or 0, answer.headers, answer.body.decode())
        hidden = [c for c in truth.columns if not c.observable]
        assert {c.name for c in hidden} == {"政策文件", "公示公告"}
        assert not any(c.blank for c in hidden)
        assert not truth.dead_links
        unknown_urls = {u.url for u in truth.unknown}
        assert not unknown_urls & {p.url for p in truth.pages}


def test_traps_are_endless_and_match_their_patterns(external: str) -> None:
    with served("traps", external) as (portal, base):
        for trap in portal.truth.traps:
            url, seen = absolute(base, trap.entry), set()
            for _ in range(15):
                answer = fetch(url)
                assert answer.status == 200, url
                path = url[len(base) :]
                assert re.match(trap.pattern, path), (trap.kind, path)
                seen.add(path)
                hrefs = [
                    h
                    for t, h in links_of(answer.body.decode())
                    if t == "a" and re.match(trap.pattern, urljoin(path, h))
                ]
                nxt = [urljoin(url, h) for h in hrefs if urljoin(url, h)[len(base) :] not in seen]
                assert nxt, f"{trap.kind} ended at {path}"
                url = nxt[-1]
            assert len(seen) == 15


# --------------------------------------------------------------------------
# the benchmark portal
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_big_portal_size_links_and_dead_share() -> None:
    portal = build_portal(big(AS_OF, n_pages=5000))
    pages = portal.truth.pages
    assert len(pages) >= 5000
    assert all(20_000 <= p.bytes <= 40_000 for p in pages)
    total = sum(p.links for p in pages)
    assert 58 <= total / len(pages) <= 62
    dead = sum(len(d.on_pages) for d in portal.truth.dead_links)
    assert 0.015 <= dead / total <= 0.025
    for page in pages[:: len(pages) // 40]:
        body = portal.resources[page.url].body
        assert len(body) == page.bytes, page.url
        assert len(links_of(body.decode())) == page.links, page.url


# --------------------------------------------------------------------------
# special routes, keep-alive, HEAD, nginx files
# --------------------------------------------------------------------------


def _conn(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)


def test_special_routes(external: str) -> None:
    assert fetch(external + "/_status/503").status == 503
    assert fetch(external + "/_status/404/any/thing.html").status == 404
    assert fetch(external + "/_delay/0.1").status == 200
    assert fetch(external + "/_delay/3", timeout=0.5).error == "timeout"
    trickle = fetch(external + "/_trickle/2")
    assert trickle.status == 200 and trickle.body == b".."
    conn = _conn(external)
    conn.request("GET", "/_redirect/3")
    resp = conn.getresponse()
    assert resp.status == 302 and resp.getheader("Location") == "/_redirect/2"
    resp.read()
    assert fetch(external + "/_redirect/3").status == 200
    conn.request("GET", "/_loop/a")
    resp = conn.getresponse()
    assert resp.getheader("Location") == "/_loop/b"
    resp.read()
    conn.close()
    loop = fetch(external + "/_loop/a")
    assert loop.status == 302 and loop.error == "http"
    assert fetch(external + "/_reset").error is not None
    assert fetch(external + "/_head405", method="HEAD").status == 405
    assert fetch(external + "/_head405").status == 200
    soft = fetch(external + "/_soft404")
    assert soft.status == 200 and "页面不存在" in soft.body.decode()
    waf = fetch(external + "/_waf412")
    assert waf.status == 412 and "$_ts" in waf.body.decode()
    assert challenge_reason(412, waf.headers, waf.body.decode()) == "http-412-challenge"
    jsl = fetch(external + "/_waf521")
    assert jsl.status == 521
    assert challenge_reason(521, jsl.headers, jsl.body.decode()) == "http-521-challenge"


def test_keep_alive_head_and_content_length(external: str) -> None:
    with served("standard", external) as (portal, base):
        conn = _conn(base)
        conn.request("GET", "/")
        first = conn.getresponse()
        body = first.read()
        assert first.status == 200 and int(first.getheader("Content-Length")) == len(body)
        sock = conn.sock
        conn.request("HEAD", "/")
        head = conn.getresponse()
        assert head.read() == b"" and int(head.getheader("Content-Length")) == len(body)
        conn.request("GET", "/no/such/page.html")
        missing = conn.getresponse()
        missing.read()
        assert missing.status == 404
        assert conn.sock is sock  # one connection for all three
        conn.close()
        assert portal.resources["/"].body == body


def test_flaky_route_and_ipv6_loopback() -> None:
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with serve(None, host="::1") as base:
        assert base.startswith("http://[::1]:")
        assert fetch(base + "/_flaky/2/x").status == 503
        assert fetch(base + "/_flaky/2/x").status == 503
        assert fetch(base + "/_flaky/2/x").status == 200
        assert fetch(base + "/_flaky/2/y").status == 503


def test_serve_refuses_non_loopback() -> None:
    with pytest.raises(ValueError), serve(None, host="0.0.0.0"):
        pass


def test_write_portal_for_nginx(tmp_path: Path) -> None:
    portal = build_portal(SCENARIOS["waf"](AS_OF))
    root = write_portal(portal, tmp_path / "site")
    assert (root / "index.html").read_bytes() == portal.resources["/"].body
    page = portal.truth.pages[-1].url
    assert (root / (page.lstrip("/") + ("index.html" if page.endswith("/") else ""))).exists()
    special = json.loads((root / "_special.json").read_text("utf-8"))
    assert {s["status"] for s in special if "status" in s} >= {412, 521}
    assert "return 412" in (root / "_nginx.conf").read_text("utf-8")


def test_gbk_scenario_spec_differs_from_standard_only_in_encoding_traps() -> None:
    g, s = gbk(AS_OF), standard(AS_OF)
    assert g.columns == s.columns and g.encoding == "gbk"


# --------------------------------------------------------------------------
# feature pages: search, interpretation pairs, content safety, board, guides
# --------------------------------------------------------------------------


def test_search_answers_titles_grouped(external: str) -> None:
    for scenario in ("standard", "gbk"):
        with served(scenario, external) as (portal, base):
            search = portal.truth.search
            assert search is not None and len(search.samples) == 4
            enc = "gb18030" if portal.truth.encoding != "utf-8" else "utf-8"
            for title in search.samples:
                for q_enc in {"utf-8", portal.truth.encoding}:
                    q = urllib.parse.quote(title, encoding=q_enc)
                    html = fetch(f"{base}{search.url}?{search.param}={q}").body.decode(enc)
                    tree = LexborHTMLParser(html)
                    titles = [a.text() for a in tree.css("div.search-group a")]
                    assert title in titles, (scenario, title)
                    assert tree.css("div.search-group h3")
            q = urllib.parse.quote(search.absent)
            html = fetch(f"{base}{search.url}?q={q}").body.decode(enc)
            assert "未找到相关结果" in html


def test_policy_interpretation_pairs_link_as_the_truth_says() -> None:
    portal = build_portal(standard(AS_OF))
    pairs = portal.truth.interp_pairs
    assert len(pairs) == 4 and pairs[-1].interpretation is None
    assert {(p.policy_links_interpretation, p.interpretation_links_policy) for p in pairs} == {
        (True, True),
        (False, True),
        (False, False),
    }

    def hrefs(url: str) -> set[str]:
        return {h for t, h in links_of(portal.resources[url].body.decode()) if t == "a"}

    for pair in pairs:
        if pair.interpretation is None:
            continue
        assert (pair.interpretation in hrefs(pair.policy)) == pair.policy_links_interpretation
        assert (pair.policy in hrefs(pair.interpretation)) == pair.interpretation_links_policy


def _check_digit_ok(number: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17]


def test_content_safety_pages() -> None:
    import openpyxl  # a runtime dependency of govmon

    portal = build_portal(standard(AS_OF))
    truth = portal.truth
    leaks = [p for p in truth.privacy if p.leak]
    masked = [p for p in truth.privacy if not p.leak]
    assert leaks and masked
    for p in truth.privacy:
        html = portal.resources[p.url].body.decode()
        if p.attachment is None:
            assert p.number in html
        else:
            assert p.attachment in html
            book = openpyxl.load_workbook(io.BytesIO(portal.resources[p.attachment].body))
            values = {c.value for row in book.active.iter_rows() for c in row}
            assert p.number in values and "身份证号码" in values
        if p.leak:
            assert _check_digit_ok(p.number) and "*" in p.excerpt and p.number not in p.excerpt
        else:
            assert "*" in p.number
    assert any(
        "低保" in truth.page(p.url).title or "最低生活保障" in truth.page(p.url).title
        for p in leaks
    )
    (hidden,) = truth.hidden_links
    tree = LexborHTMLParser(portal.resources[hidden.url].body.decode())
    node = next(a for a in tree.css("a") if a.attributes.get("href") == hidden.target)
    assert "display:none" in (node.parent.attributes.get("style") or "")
    assert node.text() == hidden.text


def test_message_board_truth_matches_pages() -> None:
    portal = build_portal(standard(AS_OF))
    messages = portal.truth.messages
    statuses = {m.status for m in messages}
    assert statuses == {MessageStatus.ANSWERED, MessageStatus.IN_PROGRESS, MessageStatus.UNANSWERED}
    unanswered = [m for m in messages if m.status is MessageStatus.UNANSWERED]
    assert unanswered and all((AS_OF - m.asked).days > 120 for m in unanswered)
    late = [m for m in messages if m.answered and (m.answered - m.asked).days > 7]
    assert late
    assert any(m.missing_fields == ("reply_unit",) for m in messages)
    assert any(m.reply_url for m in messages)
    for m in messages:
        html = portal.resources[m.url].body.decode()
        assert f"留言时间</th><td>{m.asked.isoformat()}" in html
        answer_html = portal.resources[m.reply_url].body.decode() if m.reply_url else html
        assert ("答复时间" in answer_html) == (m.answered is not None)
        if m.answered:
            assert f"答复时间</th><td>{m.answered.isoformat()}" in answer_html
        assert ("答复单位" in answer_html) == (m.reply_unit is not None)


def test_service_guides_truth_matches_pages(external: str) -> None:
    with served("standard", external) as (portal, base):
        guides = portal.truth.guides
        assert any(len(g.missing) >= 4 for g in guides)
        assert any(not g.missing for g in guides)
        dead_urls = {d.url for d in portal.truth.dead_links}
        for g in guides:
            tree = LexborHTMLParser(fetch(absolute(base, g.url)).body.decode())
            heads = tuple(th.text() for th in tree.css("table.bszn th"))
            assert heads == g.present
            for a in g.attachments:
                status = fetch(absolute(base, a)).status
                assert (status == 404) == (a in g.dead_attachments)
                assert (a in dead_urls) == (a in g.dead_attachments)


def test_serve_scenario_serves_portal_and_external_server() -> None:
    with serve_scenario("standard", AS_OF) as site:
        assert site.truth.external_base == site.external
        home = fetch(site.url("/"))
        assert home.status == 200 and site.truth.site_name in home.body.decode()
        friends = [h for t, h in links_of(home.body.decode()) if "/_status/200/gov" in h]
        assert friends and all(fetch(h).status == 200 for h in friends)
        assert fetch(site.url(site.truth.column("通知公告").url)).status == 200


def test_expected_detections_are_records_that_round_trip() -> None:
    from govmon.records import ColumnDetection, detection_from_dict, to_dict
    from govmon.sitegen.model import expected_detections

    truth = build_portal(SCENARIOS["waf"](AS_OF)).truth
    found = expected_detections(truth, "http://127.0.0.1:8000")
    kinds = {d.kind.value for d in found}
    assert kinds == {"homepage", "column", "unknown"}
    columns = [d for d in found if isinstance(d, ColumnDetection)]
    assert "政策文件" not in {c.name for c in columns}  # behind the WAF: unknown, not a column
    for d in found:
        assert d.url.startswith("http://127.0.0.1:8000/")
        assert detection_from_dict(to_dict(d)) == d


def test_command_line_writes_site_and_truth(tmp_path: Path) -> None:
    from govmon.sitegen.__main__ import main

    truth_file = tmp_path / "truth.json"
    assert (
        main(
            [
                "write",
                "navigation_only",
                str(tmp_path / "s"),
                "--as-of",
                "2026-11-25",
                "--truth",
                str(truth_file),
            ]
        )
        == 0
    )
    data = json.loads(truth_file.read_text("utf-8"))
    assert data["homepage"]["navigation_only"] is True
    assert (tmp_path / "s" / "index.html").exists() and (tmp_path / "s" / "robots.txt").exists()


def test_footer_variants_are_in_the_html_and_the_truth() -> None:
    from govmon.records import FooterMarker

    g = build_portal(gbk(AS_OF))
    home = g.resources["/"].body.decode("gbk")
    assert "网站识别码：5107030001" in home and 'id="_ideConac"' in home
    assert "exposure/jiucuo.html?site_code=5107030001" in home
    assert any("jiucuo.html" in u for u in g.truth.external_unfetchable)
    veto = build_portal(SCENARIOS["veto_columns"](AS_OF))
    hp = veto.truth.page("/")
    assert FooterMarker.POLICE not in hp.footer_markers
    assert FooterMarker.CONTACT not in hp.footer_markers
    html = veto.resources["/"].body.decode()
    assert "公网安备" not in html and "联系电话" not in html
    std = build_portal(standard(AS_OF))
    rsxx = std.truth.page(std.truth.column("人事信息").url)
    assert set(rsxx.footer_markers) == set(FooterMarker) - {FooterMarker.ICP, FooterMarker.POLICE}
    assert "ICP备" not in std.resources[rsxx.url].body.decode()
