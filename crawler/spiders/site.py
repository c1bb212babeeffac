"""The spider of one site: fetch, hand the answer to the collector, follow.

All judgement (scope, traps, analysis) lives in ``crawler.collect``; this class
only adapts Scrapy's responses and failures to it, through one mapping table
from download exceptions to what they mean for a monitor.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import exceptions
from scrapy.http import Request, Response, TextResponse
from twisted.internet import defer, error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from crawler.analysis.encoding import decode_html, text_needs_redecode
from crawler.collect import ATTACHMENT, PAGE, SCRIPT, FollowUp, SiteCollector
from crawler.pagefacts import PageFacts, analyse_page
from govmon import records as r

if TYPE_CHECKING:
    from crawler.workers import AnalysisPool

log = logging.getLogger(__name__)

#: Download exceptions -> what they mean.  A timeout or a cancelled (too large)
#: download is *unknown*: no problem is claimed for the page.  A link error is
#: the link checker's to confirm.  Scrapy 2.19's download handlers raise their
#: own exceptions (``wrap_twisted_exceptions``); Twisted's are kept for what
#: reaches the errback unwrapped (a retry middleware's last failure, say).
FAILURES: tuple[tuple[type[BaseException], r.UnknownReason | r.LinkError], ...] = (
    (exceptions.DownloadTimeoutError, r.UnknownReason.TIMEOUT),
    (exceptions.DownloadCancelledError, r.UnknownReason.LIMIT),
    (exceptions.CannotResolveHostError, r.LinkError.DNS),
    (exceptions.DownloadConnectionRefusedError, r.LinkError.CONNECT),
    (exceptions.DownloadFailedError, r.LinkError.CONNECT),
    (exceptions.ResponseDataLossError, r.LinkError.CONNECT),
    (error.DNSLookupError, r.LinkError.DNS),
    (error.TimeoutError, r.UnknownReason.TIMEOUT),
    (error.TCPTimedOutError, r.UnknownReason.TIMEOUT),
    (defer.TimeoutError, r.UnknownReason.TIMEOUT),
    (defer.CancelledError, r.UnknownReason.LIMIT),
    (error.ConnectionRefusedError, r.LinkError.CONNECT),
    (error.ConnectError, r.LinkError.CONNECT),
    (error.ConnectionLost, r.LinkError.CONNECT),
    (ResponseNeverReceived, r.LinkError.CONNECT),
)


def classify_failure(exc: BaseException) -> r.UnknownReason | r.LinkError:
    for cls, meaning in FAILURES:
        if isinstance(exc, cls):
            return meaning
    name = type(exc).__name__.lower()
    if "ssl" in name or "tls" in name:
        return r.LinkError.TLS
    return r.UnknownReason.ERROR


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}


class SiteSpider(scrapy.Spider):
    name = "govmon-site"

    def __init__(self, collector: SiteCollector, progress: Any = None, pool: AnalysisPool | None = None,
                 render: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.collector = collector
        self.progress = progress
        self.pool = pool
        self.render = render  # pages through a real browser (scrapy-playwright)

    async def _analyse(self, url: str, html: str, depth: int) -> PageFacts:
        """Per-page analysis, in a worker process when a pool is configured so that
        it runs beside the reactor instead of stalling it."""
        is_home = self.collector.is_home(url, depth)
        settings = self.collector.settings
        if self.pool is None:
            return analyse_page(url, html, is_home=is_home, settings=settings)
        return await self.pool.analyse(url, html, is_home=is_home, settings=settings)

    async def start(self) -> AsyncIterator[Request]:
        yield self._request(FollowUp(self.collector.home), depth=0)

    def _request(self, follow: FollowUp, *, depth: int) -> Request:
        callback = {PAGE: self.parse, ATTACHMENT: self.parse_attachment, SCRIPT: self.parse_script}[follow.kind]
        meta: dict[str, Any] = {"depth": depth, "referrer": follow.referrer}
        if self.render and follow.kind == PAGE:
            meta["playwright"] = True
        # breadth first: the scheduler serves higher priorities first
        return Request(follow.url, callback=callback, errback=self.failed, dont_filter=True, meta=meta,
                       priority=-depth)

    def parse_attachment(self, response: Response) -> None:
        headers = _headers(response)
        self.collector.attachment(response.url, status=response.status, body=response.body,
                                  content_type=headers.get("Content-Type"),
                                  referrer=str(response.meta.get("referrer", "")))

    def parse_script(self, response: Response) -> None:
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        self.collector.script(response.url, status=response.status, text=text,
                              referrer=str(response.meta.get("referrer", "")))

    async def parse(self, response: Response) -> AsyncIterator[Request]:
        depth = int(response.meta.get("depth", 0))
        redirects = [str(u) for u in response.meta.get("redirect_urls", [])]
        headers = _headers(response)
        url = response.url
        content_type = headers.get("Content-Type", headers.get("content-type", "")).lower()
        is_html = isinstance(response, TextResponse) and (
            "html" in content_type or (not content_type and b"<html" in response.body[:2048].lower())
        )
        if not is_html or not self.collector.in_scope(url):
            body_start = response.text[:4096] if isinstance(response, TextResponse) else ""
            self.collector.resource(url, status=response.status, headers=headers, body_start=body_start,
                                    redirects=redirects)
            for hop in redirects:
                self.collector.resource(hop, status=response.status, redirects=())
            return
        text = response.text
        if text_needs_redecode(text):
            text, _ = decode_html(response.body, None)
        if not self.collector.accept(url, status=response.status, html=text, depth=depth, headers=headers,
                                     redirects=redirects):
            return
        facts = await self._analyse(url, text, depth)
        follow = self.collector.absorb(facts, html=text, depth=depth, status=response.status)
        if self.progress is not None:
            self.progress(self.collector)
        for item in follow:
            yield self._request(item, depth=depth + 1)

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.collector.home
        meaning = classify_failure(failure.value) if failure.value is not None else r.UnknownReason.ERROR
        self.collector.failure(url, reason=meaning, detail=type(failure.value).__name__)
