"""What the collector hands to the link checker, and when: every URL the crawl
cannot settle itself goes once, as soon as it is known, and nothing the crawl
settles is reported from the checker's answer."""

from __future__ import annotations

from datetime import date

from crawler.collect import CrawlTarget, SiteCollector
from govmon import records as r

BASE = "http://127.0.0.1:8000"
HOME = """<html><head><title>首页</title></head><body>
<a href="/a.html">甲</a><a href="/a.html">甲again</a>
<a href="http://other.example.cn/x.html">外链</a><img src="/logo.png">
<a href="/index.html">首页</a><a href="/old.html">旧</a></body></html>"""


def _collector() -> tuple[SiteCollector, list[tuple[str, bool]]]:
    collector = SiteCollector(CrawlTarget(url=BASE + "/", as_of=date(2026, 11, 25)))
    handed: list[tuple[str, bool]] = []
    collector.on_check = lambda url, failed: handed.append((url, failed))
    return collector, handed


def test_links_the_crawl_will_not_settle_are_handed_over_once_at_once() -> None:
    collector, handed = _collector()
    follow = collector.page(BASE + "/", status=200, html=HOME, depth=0)
    assert sorted(f.url for f in follow) == [f"{BASE}/a.html", f"{BASE}/old.html"]
    # the external link and the image, once each; the pages are the crawl's;
    # /index.html is the homepage under its other URL: crawled once, link-checked
    assert sorted(handed) == [(f"{BASE}/index.html", False), (f"{BASE}/logo.png", False),
                              ("http://other.example.cn/x.html", False)]


def test_failures_are_handed_over_with_the_links_that_redirected_to_them() -> None:
    collector, handed = _collector()
    collector.page(BASE + "/", status=200, html=HOME, depth=0)
    handed.clear()
    # /old.html redirects to /gone.html, which answers 404
    collector.page(BASE + "/gone.html", status=404, html="<title>404</title>", depth=1,
                   redirects=[BASE + "/old.html"])
    assert sorted(handed) == [(f"{BASE}/gone.html", True), (f"{BASE}/old.html", True)]
    outcome = collector.finish()
    assert f"{BASE}/old.html" in outcome.to_check and f"{BASE}/old.html" in outcome.failed


def test_a_link_error_is_the_checkers_and_a_timeout_is_unknown() -> None:
    collector, handed = _collector()
    collector.page(BASE + "/", status=200, html=HOME, depth=0)
    handed.clear()
    collector.failure(BASE + "/a.html", reason=r.LinkError.CONNECT, detail="ConnectionLost")
    collector.failure(BASE + "/old.html", reason=r.UnknownReason.TIMEOUT, detail="TimeoutError")
    assert handed == [(f"{BASE}/a.html", True)]
    outcome = collector.finish()
    assert f"{BASE}/a.html" in outcome.to_check
    assert f"{BASE}/old.html" not in outcome.to_check
    unknown = [d for d in outcome.detections if isinstance(d, r.UnknownDetection)]
    assert [(d.url, d.reason) for d in unknown] == [(f"{BASE}/old.html", r.UnknownReason.TIMEOUT)]


def test_what_the_crawl_settles_later_is_not_left_to_the_checker() -> None:
    """A URL first seen as an image and later crawled as a page: handed over
    once, but the crawl's answer is the one kept."""
    collector, handed = _collector()
    html = HOME.replace('<img src="/logo.png">', '<img src="/show?id=1">')
    collector.page(BASE + "/", status=200, html=html, depth=0)
    assert (f"{BASE}/show?id=1", False) in handed
    collector.page(BASE + "/a.html", status=200, html='<a href="/show?id=1">图</a>', depth=1)
    collector.page(BASE + "/show?id=1", status=200, html="<title>图</title>", depth=2)
    assert f"{BASE}/show?id=1" not in collector.finish().to_check


def test_scrapys_download_exceptions_mean_what_they_say() -> None:
    """Scrapy 2.19 wraps Twisted's errors in its own: a timeout and an
    over-limit download are unknowns, refused/DNS/lost connections link errors."""
    from scrapy import exceptions as x
    from twisted.internet import error

    from crawler.spiders.site import classify_failure

    assert classify_failure(x.DownloadTimeoutError("slow")) is r.UnknownReason.TIMEOUT
    assert classify_failure(x.DownloadCancelledError("big")) is r.UnknownReason.LIMIT
    assert classify_failure(x.CannotResolveHostError("nx")) is r.LinkError.DNS
    assert classify_failure(x.DownloadConnectionRefusedError("no")) is r.LinkError.CONNECT
    assert classify_failure(x.DownloadFailedError("lost")) is r.LinkError.CONNECT
    assert classify_failure(error.TimeoutError()) is r.UnknownReason.TIMEOUT
    assert classify_failure(ValueError("?")) is r.UnknownReason.ERROR
