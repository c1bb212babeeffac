"""A whole crawl job against a server that counts how many requests it serves
at once: the crawl, the link checks that run beside it and the probes after
it share one per-host budget (``concurrency_per_host``): the crawl has all of
it while it runs, the checks and probes after.  Every dead link is still found,
including a link that redirects to a missing page."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.collect import CrawlTarget
from crawler.runner import CrawlJob, crawl_in_subprocess
from govmon import records as r

PAGES = 24


def _page(i: int) -> str:
    links = [f'<a href="/p/{j}.html">第{j}页</a>' for j in (i + 1, i + 2) if j < PAGES]
    links += [f'<a href="/gone/{i}.html">已删除</a>', f'<img src="/img/{i % 5}.png" alt="">',
              '<a href="/moved.html">旧链接</a>']
    return f"<html><head><title>第{i}页</title></head><body>{''.join(links)}</body></html>"


class _Counting(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.served = 0
        #: the crawl's own requests (Scrapy's user agent) at once, and when
        #: each request started, by who sent it ("crawl" or "other")
        self.crawl_active = 0
        self.crawl_peak = 0
        self.started: list[tuple[float, str]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Counting
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        srv = self.server
        who = "crawl" if "(compatible; govmon/" in self.headers.get("User-Agent", "") else "other"
        with srv.lock:
            srv.active += 1
            srv.served += 1
            srv.peak = max(srv.peak, srv.active)
            srv.started.append((time.monotonic(), who))
            if who == "crawl":
                srv.crawl_active += 1
                srv.crawl_peak = max(srv.crawl_peak, srv.crawl_active)
        try:
            time.sleep(0.02)  # long enough for requests to overlap
            path = self.path
            if path == "/":
                self._send(200, "<html><body>" + "".join(
                    f'<a href="/p/{j}.html">栏目{j}</a>' for j in range(PAGES)) + "</body></html>", head)
            elif path == "/moved.html":
                self.send_response(302)
                self.send_header("Location", "/nowhere.html")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path.startswith("/p/"):
                self._send(200, _page(int(path[3:].split(".")[0])), head)
            elif path.startswith("/img/"):
                self._send(200, "", head, content_type="image/png")
            else:
                self._send(404, "<html><title>404</title><body>Not Found</body></html>", head)
        finally:
            with srv.lock:
                srv.active -= 1
                if who == "crawl":
                    srv.crawl_active -= 1

    def _send(self, status: int, body: str, head: bool, content_type: str = "text/html; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[_Counting]:
    srv = _Counting()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("per_host", [4, 2])
def test_crawl_and_link_checks_share_the_hosts_budget(server: _Counting, per_host: int) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    target = CrawlTarget(url=base + "/", as_of=date(2026, 11, 25))
    job = CrawlJob(target=target, concurrency_per_host=per_host, timeout=10, recheck_delay=0.3,
                   check_search=False, check_cloaking=True, check_ipv6=False, analysis_workers=0)
    result = crawl_in_subprocess(job, time_limit=180)
    assert 2 <= server.peak <= per_host, f"{server.peak} requests at once, budget {per_host}"
    # the crawl has the whole budget while it runs; the checks and probes come after it
    assert server.crawl_peak == per_host
    last_crawl = max(t for t, who in server.started if who == "crawl")
    assert all(t > last_crawl for t, who in server.started if who == "other")
    assert result.stats.pages == PAGES + 1
    dead = {d.url for d in result.detections if isinstance(d, r.LinkDetection)}
    expected = {f"{base}/gone/{i}.html" for i in range(PAGES)} | {f"{base}/moved.html"}
    assert dead == expected
    moved = next(d for d in result.detections if isinstance(d, r.LinkDetection) and d.url.endswith("/moved.html"))
    assert moved.status == 404 and moved.redirects == (f"{base}/nowhere.html",)


def test_the_crawl_child_runs_this_crawler_whatever_the_working_directory(
        server: _Counting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m`` puts the working directory first on the path: a user's own
    ``crawler`` package there must not be what the child runs."""
    fake = tmp_path / "crawler"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "runner.py").write_text("raise SystemExit('the wrong crawler ran')\n")
    monkeypatch.chdir(tmp_path)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    job = CrawlJob(target=CrawlTarget(url=base + "/", as_of=date(2026, 11, 25), max_pages=3), check_links=False,
                   check_search=False, check_cloaking=False, check_ipv6=False, analysis_workers=0)
    result = crawl_in_subprocess(job, time_limit=120)
    assert result.stats.pages >= 1
