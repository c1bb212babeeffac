"""The crawl child process: stopped from outside (the daemon shutting down) it
ends promptly and says so, on the crawl's event loop (uvloop's where it is
installed); and it opens nothing beside the crawl."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from crawler.collect import CrawlTarget
from crawler.runner import CrawlChild, CrawlInterrupted, CrawlJob, crawl_in_subprocess


@pytest.fixture
def endless_site() -> Iterator[HTTPServer]:
    """Every page answers after 0.2 s with ten links to pages not seen yet."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    counter = iter(range(10**9))

    def page(_request: Request) -> Response:
        time.sleep(0.2)
        links = "".join(f'<a href="/p{next(counter)}.html">x</a>' for _ in range(10))
        return Response(f"<html><head><title>p</title></head><body>{links}</body></html>",
                        content_type="text/html; charset=utf-8")

    server.expect_request("").respond_with_handler(page)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def test_a_stopped_crawl_ends_within_seconds_as_interrupted(endless_site: HTTPServer) -> None:
    job = CrawlJob(target=CrawlTarget(url=endless_site.url_for("/"), as_of=date(2026, 11, 25), max_pages=100_000),
                   check_search=False, check_cloaking=False, check_ipv6=False)
    stop = threading.Event()
    threading.Timer(2.0, stop.set).start()
    # A child deaf to SIGTERM would run on to the time limit and end in a
    # CrawlError("exceeded its time limit"), not in CrawlInterrupted.
    with pytest.raises(CrawlInterrupted, match="interrupted by shutdown"):
        crawl_in_subprocess(job, stop=stop, time_limit=60)


def test_a_crawl_starts_no_remote_control_server(httpserver: HTTPServer, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrapy 2.19's RemoteControl extension would listen on localhost for Python
    code to run and write its token under the user's state directory."""
    httpserver.expect_request("/").respond_with_data("<html><head><title>t</title></head><body>x</body></html>",
                                                     content_type="text/html")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    job = CrawlJob(target=CrawlTarget(url=httpserver.url_for("/"), as_of=date(2026, 11, 25)),
                   check_search=False, check_cloaking=False, check_ipv6=False)
    result = crawl_in_subprocess(job, time_limit=60)
    assert result.stats.pages == 1
    assert not (tmp_path / "scrapy").exists()


def test_a_held_child_sends_nothing_until_released(httpserver: HTTPServer) -> None:
    """``govmon audit`` holds its child while it validates the profile: the child
    imports and starts its workers, but asks nothing of the site before its
    release, and ends without a request when it is killed instead."""
    httpserver.expect_request("/").respond_with_data("<html><head><title>t</title></head><body>x</body></html>",
                                                     content_type="text/html")
    job = CrawlJob(target=CrawlTarget(url=httpserver.url_for("/"), as_of=date(2026, 11, 25)),
                   check_search=False, check_cloaking=False, check_ipv6=False)
    held = CrawlChild(job, time_limit=60, hold=True)
    time.sleep(3)  # far longer than the child needs to be ready
    assert held.proc.poll() is None
    held.kill()
    assert httpserver.log == []
    released = CrawlChild(job, time_limit=60, hold=True)
    released.release()
    assert released.result().stats.pages == 1
    assert len(httpserver.log) == 1


def test_a_bad_profile_fails_the_audit_before_any_request(httpserver: HTTPServer) -> None:
    from datetime import UTC, datetime

    from govmon.audit import AuditOptions, audit_site
    from govmon.errors import ProfileError

    httpserver.expect_request("/").respond_with_data("<html><body>x</body></html>", content_type="text/html")
    options = AuditOptions(profile="nationl-2019", as_of=datetime(2026, 11, 25, tzinfo=UTC))
    with pytest.raises(ProfileError, match="unknown profile 'nationl-2019'"):
        audit_site(httpserver.url_for("/"), options)
    time.sleep(1)
    assert httpserver.log == []
