"""Check link targets over HTTP (httpx): status, redirects, soft 404s and anti-bot
answers, so that every dead link is found and no live link is accused.

How a link is checked, and why:

- each URL once, HEAD first for static resources (images, scripts, attachments) and
  GET first for pages, because a page's soft 404 (HTTP 200 "页面不存在") can only be
  seen in its body; a failed or refused HEAD (405, 501, 403, 404, errors) and a HEAD
  answering HTML for a static URL are always confirmed with a GET, as many servers
  answer HEAD wrongly: at once when HEAD was refused, blocked or answered HTML, else
  by the delayed second look, which is a GET (one request fewer per dead image);
- GET bodies are streamed and read only as far as ``body_limit`` (64 KB), only when
  textual, and only for the soft-404 and WAF checks; the response is then closed
  (HEAD answers and redirects are read to their end, a few bytes, so that the
  kept-alive connection serves the next check: httpcore drops it otherwise);
- redirects are followed by hand (recorded, at most ``max_redirects``, a URL visited a
  third time is a loop: one revisit is allowed for cookie-setting bounces), and the
  host deny-list and the address policy (:mod:`probes.netguard`) apply to every hop;
- a request that fails because the server closed a kept-alive connection as we
  reused it is retried at once on a new connection and never reported;
- a failed link is checked again after ``recheck_delay`` before it is reported;
- anti-bot answers (:func:`crawler.analysis.waf.challenge_reason`) are ``blocked``:
  ``ok=False`` but to be treated as unknown, never as dead.

Exceptions become :class:`~govmon.records.LinkError` through one table,
:data:`EXCEPTION_ERRORS`.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import logging
import re
import socket
import ssl
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import httpcore
import httpx
from selectolax.lexbor import LexborHTMLParser

from crawler.analysis.links import InvalidURL, canonical_url, resolve_url
from crawler.analysis.page import squash, visible_body_text
from crawler.analysis.waf import challenge_reason
from govmon.records import (
    Element,
    LinkDetection,
    LinkError,
    UnknownDetection,
    UnknownReason,
)
from probes.netguard import (
    AddressPolicy,
    AddressRefused,
    GuardedBackend,
    NameResolutionError,
    Resolver,
)

log = logging.getLogger(__name__)

#: The page the link being checked was found on (set per check task).
_REFERER: contextvars.ContextVar[str | None] = contextvars.ContextVar("referer", default=None)

try:  # httpcore imports sniffio at every lock set-up; when it is absent, each failed
    import sniffio  # noqa: F401  (import rescans sys.path: ~15% of a link check's CPU)
except ImportError:
    sys.modules["sniffio"] = None  # type: ignore[assignment]  # fail fast from now on

DEFAULT_USER_AGENT: Final = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 govmon/0.1 (government website monitor)"
)

#: Exception classes (found anywhere in an exception's cause chain) to the error
#: they mean, most specific first.  ``None``: refused by our policy, not checked.
EXCEPTION_ERRORS: Final[tuple[tuple[type[BaseException], LinkError | None], ...]] = (
    (AddressRefused, None),
    (NameResolutionError, LinkError.DNS),
    (socket.gaierror, LinkError.DNS),
    (ssl.SSLError, LinkError.TLS),
    (ssl.CertificateError, LinkError.TLS),
    (TimeoutError, LinkError.TIMEOUT),
    (httpx.TimeoutException, LinkError.TIMEOUT),
    (httpcore.TimeoutException, LinkError.TIMEOUT),
    (httpx.ConnectError, LinkError.CONNECT),
    (httpx.NetworkError, LinkError.CONNECT),
    (httpx.ProtocolError, LinkError.CONNECT),
    (OSError, LinkError.CONNECT),
)

#: What a server does when it closed an idle kept-alive connection just as we
#: reused it; retried once at once on a fresh connection.
_STALE_CONNECTION: Final = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
#: A response is read to its end, when that end is this close, even when its body
#: is not needed (HEAD, a redirect): httpcore keeps a connection only when the
#: response was read to its end, and closes it otherwise.  Without this, every
#: HEAD and every redirect cost a new connection (measured on the 5,000-page
#: benchmark: 1,184 connections for 7,227 requests, 572 used once).
_DRAIN_LIMIT: Final = 16 * 1024
#: HEAD answers of servers that do not implement HEAD: use GET for the host.
_HEAD_UNSUPPORTED: Final = frozenset({405, 501})
#: HEAD answers that a GET must judge at once: HEAD refused (405, 501, 403).
_HEAD_REFUSED: Final = _HEAD_UNSUPPORTED | {403}
#: Static resources: checked with HEAD first (a page is fetched with GET at once).
_STATIC_EXTENSIONS: Final = frozenset(
    (  # noqa: SIM905 - a word list is easier to edit than 48 quoted items
        "jpg jpeg png gif bmp webp svg ico tif tiff css js mjs woff woff2 ttf eot otf "
        "mp4 mp3 flv avi wmv wav swf mov m4a webm pdf doc docx xls xlsx ppt pptx wps et "
        "dps ofd zip rar 7z gz tar txt csv ceb caj"
    ).split()
)
_TEXTUAL = re.compile(r"text/|html|xml|json|javascript", re.IGNORECASE)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)

#: Soft-404 wording.  Matched in the title, and in the text of short pages only:
#: an article that merely mentions "页面不存在" or has "第404号" is a normal page.
_SOFT_404_PHRASES = re.compile(
    r"页面不存在|网页不存在|页面未找到|页面找不到|找不到页面|找不到该页面|找不到您要|"
    r"页面已删除|页面已被删除|文章不存在|文件不存在|信息不存在或已|内容不存在或已|"
    r"page\s+not\s+found|not\s+found|不存在或已被删除",
    re.IGNORECASE,
)
_404 = re.compile(r"(?<![\d.])404(?![\d.])")
#: "404", "404 - 某某市人民政府", "HTTP 404": not "第404期" nor "2404".
_TITLE_IS_404 = re.compile(r"\s*(?:http\s*)?404\s*(?:$|[-_|｜:：,，])", re.IGNORECASE)
_ERROR_WORDS = re.compile(r"错误|error|not\s*found|找不到|不存在|未找到", re.IGNORECASE)
_JS_TO_ERROR_PAGE = re.compile(
    r"""(?:location(?:\.href)?\s*=|location\.replace\(|url\s*=)\s*['"]?[^'"\s>)]*"""
    r"""(?:404|notfound|not_found|error)[^'"\s>)]*""",
    re.IGNORECASE,
)
_SHORT_TEXT: Final = 600
#: Prefixes of ``LinkStatus.detail`` when a URL was not fetched, by cause.
NOT_CHECKED_DENIED: Final = "not checked (deny-list): "
NOT_CHECKED_POLICY: Final = "not checked (address policy): "
NOT_CHECKED_INVALID: Final = "not checked (not an http(s) URL): "
NOT_CHECKED_ERROR: Final = "not checked (unexpected error): "
_TITLE_LIMIT: Final = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkStatus:
    """What checking one URL found.

    ``ok`` is True only for a verified working link.  ``error`` says why it failed;
    ``BLOCKED`` is an anti-bot answer (unknown, not dead).  ``checked`` is False when
    the URL was not fetched at all (deny-list, address policy, not http(s)): then
    ``ok`` is False and ``error`` None, and it is not a finding.  ``redirects`` are
    the absolute URLs the link redirected through, in order, ending at
    ``final_url``.
    """

    url: str
    ok: bool
    status: int | None = None
    error: LinkError | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    seconds: float = 0.0
    detail: str = ""
    checked: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkCheckConfig:
    """Limits and policies of a :class:`LinkChecker` (defaults suit fragile
    government servers: 4 requests at a time per host)."""

    user_agent: str = DEFAULT_USER_AGENT
    #: wall-clock limit of one request, headers and bounded body included
    timeout: float = 15.0
    connect_timeout: float = 10.0
    max_redirects: int = 10
    per_host: int = 4
    concurrency: int = 64
    #: seconds before a failed link is checked again; None: no second check
    recheck_delay: float | None = 5.0
    body_limit: int = 64 * 1024
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    #: hosts never contacted (a name also covers its subdomains): "not checked"
    deny_hosts: frozenset[str] = frozenset()
    resolver: Resolver | None = None
    #: verify certificates (True: certifi's roots; a path: that CA bundle)
    verify_tls: bool | str = True
    #: a certificate whose issuer is unknown here (code 2/20/21: usually a missing
    #: intermediate, which browsers fetch themselves) does not make a link dead:
    #: the link is fetched again unverified, and its answer decides
    lenient_chain: bool = True
    keepalive_expiry: float = 4.0


@dataclass(slots=True, kw_only=True)
class _Item:
    """A submitted URL waiting in the queue (a task exists only while it runs)."""

    url: str
    target: str
    host: str
    referer: str | None
    #: the next look is the delayed second one (a GET)
    recheck: bool
    #: what the first look found, when it failed here
    first: LinkStatus | None = None


class _HostQueue:
    """The ready URLs of one host: first looks before second looks.

    A first look that fails still needs its second one ``recheck_delay``
    later, while a second look ends its URL: starting the first looks first
    ends the whole check sooner.  That matters when a crawl hands over a
    site's URLs at once (its images, never fetched by the crawl, behind
    thousands of second looks of its 404 pages, were the last to end)."""

    __slots__ = ("first", "second")

    def __init__(self) -> None:
        self.first: deque[_Item] = deque()
        self.second: deque[_Item] = deque()

    def __bool__(self) -> bool:
        return bool(self.first or self.second)

    def append(self, item: _Item) -> None:
        (self.second if item.recheck else self.first).append(item)

    def popleft(self) -> _Item:
        return self.first.popleft() if self.first else self.second.popleft()


def _second_look(item: _Item, second: LinkStatus) -> LinkStatus:
    """A failed link's final status from its two looks."""
    first = item.first
    if first is None:  # it failed elsewhere (the crawl): this look decides
        return second
    if second.ok:
        log.info("link %s failed (%s) then worked on the second check", item.url, first.error)
        return second
    if first.error is LinkError.BLOCKED and second.error is not LinkError.BLOCKED:
        return first  # one anti-bot answer makes the failure uncertain
    return second


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    textual: bool


class LinkChecker:
    """Checks many URLs concurrently with one shared httpx client.

    Use ``async with LinkChecker(config) as checker: await checker.check(urls)`` to
    keep connections across calls, or call :meth:`check` alone (it then opens and
    closes its own client).  ``transport`` replaces the network for tests.
    """

    def __init__(
        self,
        config: LinkCheckConfig | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config or LinkCheckConfig()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._unverified: httpx.AsyncClient | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        #: per-host limits other than ``config.per_host`` (host[:port] -> requests)
        self._host_limits: dict[str, int] = {}
        self._global: asyncio.Semaphore | None = None
        self._no_head: set[str] = set()
        self._deny = frozenset(_ascii_host(h) for h in self.config.deny_hosts)
        # --- the queue of submitted URLs (see :meth:`submit`)
        self._seen: set[str] = set()
        self._results: dict[str, LinkStatus] = {}
        #: URLs whose check ended, in the order they ended
        self._ended: list[str] = []
        self._wake: asyncio.Event | None = None
        #: host -> URLs ready to be checked there
        self._queues: dict[str, _HostQueue] = {}
        #: hosts with ready URLs and a free request (round robin)
        self._runnable: deque[str] = deque()
        self._active: Counter[str] = Counter()
        self._running: set[asyncio.Task[None]] = set()
        #: (due instant, order, item): re-checks waiting for their delay
        self._delayed: list[tuple[float, int, _Item]] = []
        self._order = 0
        self._timer: asyncio.TimerHandle | None = None
        self._error: BaseException | None = None

    async def __aenter__(self) -> LinkChecker:
        self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._unverified is not None:
            await self._unverified.aclose()
            self._unverified = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is not None:
            return self._client
        self._client = self._new_client(verify=True)
        self._global = asyncio.Semaphore(self.config.concurrency)
        self._hosts = {}
        return self._client

    def _open_unverified(self) -> httpx.AsyncClient:
        if self._unverified is None:
            self._unverified = self._new_client(verify=False)
        return self._unverified

    def _new_client(self, *, verify: bool) -> httpx.AsyncClient:
        cfg = self.config
        transport = self._transport or _guarded_transport(cfg, verify=verify)
        client = httpx.AsyncClient(
            transport=transport,
            headers={
                "User-Agent": cfg.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            },
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout, read=cfg.timeout, write=cfg.timeout, pool=None
            ),
            follow_redirects=False,
            trust_env=False,
        )
        # httpx 0.28 takes no Cookies subclass (its setter copies the jar): the
        # client's jar is replaced by an equal, empty one that skips answers
        # setting no cookie
        client._cookies = _AnsweredCookies()
        return client

    def limit_host(self, netloc: str, limit: int) -> None:
        """Set how many requests ``netloc`` (host[:port]) may have at once.

        A crawl and this checker share a site's politeness budget: while the
        crawl runs, the site's hosts get a small share here (0: none); when it
        ends, :meth:`limit_host` raises it.  Lowering a limit in use is not
        supported (a semaphore cannot take back permits it handed out)."""
        old = self._host_limit(netloc)
        self._host_limits[netloc] = limit
        sem = self._hosts.get(netloc)
        if sem is not None:
            if limit < old:
                raise ValueError(f"{netloc}: cannot lower a host limit in use ({old} -> {limit})")
            for _ in range(limit - old):
                sem.release()
        self._mark_runnable(netloc)
        self._pump()

    def _host_limit(self, netloc: str) -> int:
        return self._host_limits.get(netloc, self.config.per_host)

    def submit(self, url: str, *, failed_at: float | None = None, referer: str | None = None) -> bool:
        """Queue ``url`` for checking, in the running event loop (once per URL:
        False when it was submitted before).  Checks start at once within the
        limits, host by host in turn; :meth:`settle` waits for them.

        ``failed_at`` is the :func:`time.monotonic` instant the URL already
        failed elsewhere (a crawl's 404): only the second, delayed check runs,
        ``recheck_delay`` after that instant, so a dead internal page costs one
        request here and its delay has often passed by the time it is due.

        However many URLs wait, only ``concurrency`` checks run as tasks: the
        rest are small queue entries (a big site has 100,000 links)."""
        if url in self._seen:
            return False
        self._seen.add(url)
        self._open()
        try:
            target = canonical_url(url)
        except InvalidURL as exc:
            self._finish(url, LinkStatus(url=url, ok=False, checked=False, detail=NOT_CHECKED_INVALID + str(exc)))
            return True
        item = _Item(url=url, target=target, host=_netloc(target), referer=referer, recheck=failed_at is not None)
        if failed_at is not None:
            self._defer(item, failed_at + (self.config.recheck_delay or 0.0))
        else:
            self._ready(item)
        return True

    @property
    def submitted(self) -> int:
        return len(self._seen)

    @property
    def done(self) -> int:
        """URLs whose check has ended."""
        return len(self._ended)

    async def settle(
        self, on_result: Callable[[LinkStatus], None] | None = None
    ) -> dict[str, LinkStatus]:
        """Wait for every submitted check (including any submitted meanwhile);
        the statuses by URL.  ``on_result`` is called once per URL as it ends."""
        reported = 0
        while True:
            if self._error is not None:
                raise self._error
            if on_result is not None:
                for url in self._ended[reported:]:
                    on_result(self._results[url])
            reported = len(self._ended)
            if reported >= len(self._seen):
                break
            self._wake = asyncio.Event()
            await self._wake.wait()
        self._wake = None
        return dict(self._results)

    def cancel(self) -> None:
        """Stop every check (a shutdown: nothing is reported)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._queues.clear()
        self._runnable.clear()
        self._delayed.clear()
        for task in list(self._running):
            task.cancel()

    # --- the queue: ready URLs per host, delayed re-checks, running checks

    def _ready(self, item: _Item) -> None:
        self._queues.setdefault(item.host, _HostQueue()).append(item)
        self._mark_runnable(item.host)
        self._pump()

    def _mark_runnable(self, host: str) -> None:
        if self._queues.get(host) and self._active[host] < self._host_limit(host) and host not in self._runnable:
            self._runnable.append(host)

    def _defer(self, item: _Item, due: float) -> None:
        self._order += 1
        heapq.heappush(self._delayed, (due, self._order, item))
        if self._delayed[0][2] is item:
            self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._delayed:
            wait = max(0.0, self._delayed[0][0] - time.monotonic())
            self._timer = asyncio.get_running_loop().call_later(wait, self._due)

    def _due(self) -> None:
        self._timer = None
        now = time.monotonic()
        while self._delayed and self._delayed[0][0] <= now:
            item = heapq.heappop(self._delayed)[2]
            self._queues.setdefault(item.host, _HostQueue()).append(item)
            self._mark_runnable(item.host)
        self._arm()
        self._pump()

    def _pump(self) -> None:
        """Start checks while the global limit allows, one host after another."""
        while self._runnable and len(self._running) < self.config.concurrency:
            host = self._runnable.popleft()
            queue = self._queues.get(host)
            if not queue or self._active[host] >= self._host_limit(host):
                continue
            item = queue.popleft()
            if not queue:
                del self._queues[host]
            self._active[host] += 1
            context = contextvars.copy_context()
            if item.referer:
                context.run(_REFERER.set, item.referer)
            task = asyncio.get_running_loop().create_task(self._run(item), context=context)
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            self._mark_runnable(host)

    async def _run(self, item: _Item) -> None:
        try:
            status = await self._check_once(item.url, item.target, head=not item.recheck,
                                            confirm=self.config.recheck_delay is None)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a bug, not a dead link: settle() raises it
            self._error = exc
            if self._wake is not None:
                self._wake.set()
            return
        finally:
            self._active[item.host] -= 1
            self._mark_runnable(item.host)
            # this check's slot is free now, not when the task object is done:
            # pumping while still counted would leave the slot idle (and the
            # whole queue stalled at concurrency 1)
            task = asyncio.current_task()
            if task is not None:
                self._running.discard(task)
            self._pump()
        delay = self.config.recheck_delay
        if item.recheck:
            self._finish(item.url, _second_look(item, status))
        elif status.ok or not status.checked or delay is None:
            self._finish(item.url, status)
        else:
            # HEAD already failed or was confirmed by GET: the second look is a GET.
            item.first, item.recheck = status, True
            self._defer(item, time.monotonic() + delay)

    def _finish(self, url: str, status: LinkStatus) -> None:
        self._results[url] = status
        self._ended.append(url)
        if self._wake is not None:
            self._wake.set()

    async def check(
        self,
        urls: Iterable[str],
        *,
        on_result: Callable[[LinkStatus], None] | None = None,
        referers: Mapping[str, str] | None = None,
        failed_before: Collection[str] = (),
    ) -> dict[str, LinkStatus]:
        """Check each distinct URL once; the result maps every given URL to its
        status.  ``on_result`` is called as each final status is known.

        ``failed_before`` are URLs that already failed once elsewhere (a crawl's
        404): only the delayed second check runs for them (see :meth:`submit`).

        ``referers`` maps a URL to a page that links to it, sent as ``Referer`` as a
        browser following the link would: servers with hot-link protection answer
        403 to an image or PDF requested without one."""
        unique = list(dict.fromkeys(urls))
        failed = frozenset(failed_before)
        owned = self._client is None
        now = time.monotonic()
        try:
            for url in unique:
                self.submit(url, failed_at=now if url in failed else None,
                            referer=referers.get(url) if referers else None)
            results = await self.settle(on_result)
        except BaseException:
            self.cancel()
            raise
        finally:
            if owned:
                await self.aclose()
        return {url: results[url] for url in unique}

    # ------------------------------------------------------------------

    async def _check_once(self, url: str, target: str, *, head: bool = True, confirm: bool = True) -> LinkStatus:
        """One look at ``target``.  ``confirm=False`` when a failure gets a second
        look anyway (a GET, after the delay): a HEAD that failed outright is then
        not confirmed by a GET now, which would only repeat that second look."""
        if head and _prefers_head(target) and _netloc(target) not in self._no_head:
            status, needs_get = await self._chain(url, target, "HEAD")
            if not needs_get:
                return status
            if status.status in _HEAD_UNSUPPORTED:
                self._no_head.add(_netloc(target))  # save this host a wasted HEAD each time
            elif not (confirm or status.ok or status.error is LinkError.BLOCKED
                      or status.status in _HEAD_REFUSED):
                return status
        status, _ = await self._chain(url, target, "GET")
        return status

    async def _chain(self, url: str, target: str, method: str) -> tuple[LinkStatus, bool]:
        """Follow one URL's redirects with ``method``; the bool says whether a
        GET should confirm a HEAD result."""
        cfg = self.config
        start = time.monotonic()
        redirects: list[str] = []
        visits: Counter[str] = Counter()
        current = target
        unverified = False
        tls_note = ""

        def done(**kwargs: object) -> LinkStatus:
            return LinkStatus(
                url=url,
                final_url=current,
                redirects=tuple(redirects),
                seconds=round(time.monotonic() - start, 3),
                **kwargs,  # type: ignore[arg-type]
            )

        for _hop in range(cfg.max_redirects + 1):
            denied = self._denied(current)
            if denied:
                return done(ok=False, checked=False, detail=NOT_CHECKED_DENIED + denied), False
            visits[current] += 1
            if visits[current] > 2:
                return done(
                    ok=False, error=LinkError.REDIRECT_LOOP, detail=f"loops back to {current}"
                ), False
            failure: Exception | None = None
            try:
                answer = await self._request(method, current, unverified)
            except Exception as exc:  # classified by the one table EXCEPTION_ERRORS
                failure = exc
                if not unverified and cfg.lenient_chain and unknown_issuer(exc):
                    unverified = True
                    tls_note = f"certificate chain not verifiable here ({_describe(exc, exc)})"
                    log.info("%s: %s; fetching it unverified", current, tls_note)
                    try:
                        answer = await self._request(method, current, unverified)
                        failure = None
                    except Exception as again:
                        failure = again
            if failure is not None:
                try:
                    error, detail = classify_exception(failure)
                except Exception:
                    log.exception("unexpected error checking %s", current)
                    detail = NOT_CHECKED_ERROR + repr(failure)[:200]
                    return done(ok=False, checked=False, detail=detail), False
                if error is None:
                    return done(ok=False, checked=False, detail=NOT_CHECKED_POLICY + detail), False
                return done(ok=False, error=error, detail=detail), (
                    method == "HEAD" and error is not LinkError.DNS
                )
            location = raw_location(answer.headers)
            if answer.status in _REDIRECTS and location:
                try:
                    nxt = resolve_url(location, current)
                except InvalidURL as bad:
                    return done(
                        ok=False,
                        status=answer.status,
                        error=LinkError.HTTP,
                        detail=f"redirect to an invalid URL: {bad}",
                    ), method == "HEAD"
                if nxt is None:  # to mailto:, ftp: …: not ours to check
                    return done(
                        ok=True, status=answer.status, detail=f"redirect to {location}"
                    ), False
                redirects.append(nxt)
                current = nxt
                continue
            status = classify_answer(answer.status, answer.headers, _decode(answer), method)
            if tls_note and status.ok:
                status = LinkStatus(url="", ok=True, status=status.status, detail=tls_note)
            if method == "HEAD":
                html = "html" in answer.headers.get("content-type", "").lower()
                needs_get = not status.ok or (html and _is_success(answer.status))
                return done(**_fields(status)), needs_get
            return done(**_fields(status)), False
        return done(
            ok=False,
            error=LinkError.REDIRECT_LOOP,
            detail=f"more than {cfg.max_redirects} redirects",
        ), False

    async def _request(self, method: str, url: str, unverified: bool = False) -> _Answer:
        client = self._open_unverified() if unverified else self._open()
        assert self._global is not None
        host = _netloc(url)
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self._host_limits.get(host, self.config.per_host))
        async with sem, self._global:  # host first: a busy host must not hold global slots
            try:
                return await self._send(client, method, url)
            except _STALE_CONNECTION as exc:
                log.debug("retrying %s %s at once after %r (stale connection)", method, url, exc)
                return await self._send(client, method, url)

    async def _send(self, client: httpx.AsyncClient, method: str, url: str) -> _Answer:
        async with asyncio.timeout(self.config.timeout):
            referer = _REFERER.get()
            request = client.build_request(
                method, url, headers={"Referer": referer} if referer else None
            )
            response = await client.send(request, stream=True)
            try:
                content_type = response.headers.get("content-type", "")
                textual = not content_type or bool(_TEXTUAL.search(content_type))
                body = b""
                if method == "GET" and textual and response.status_code not in _REDIRECTS:
                    body = await _read_limited(response, self.config.body_limit)
                elif method == "HEAD" or response.status_code in _REDIRECTS or _short(response):
                    await _read_limited(response, _DRAIN_LIMIT)
                return _Answer(response.status_code, response.headers, body, textual)
            finally:
                await response.aclose()

    def _denied(self, url: str) -> str | None:
        deny = self._deny
        if not deny:
            return None
        host = _hostname(url)
        parts = host.split(".")
        for i in range(len(parts)):
            if ".".join(parts[i:]) in deny:
                return f"host {host} is on the deny-list"
        return None


class _AnsweredCookies(httpx.Cookies):
    """A cookie jar that reads only answers that set a cookie.  httpx hands every
    answer to urllib's jar, which wraps request and answer first: 14 % of the
    link checks' samples in a py-spy profile of the benchmark's crawl, where
    no answer set one.  Cookies still matter: a site that sets its session
    cookie by redirecting to itself."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


def _guarded_transport(cfg: LinkCheckConfig, *, verify: bool) -> httpx.AsyncHTTPTransport:
    """An HTTP/1.1 keep-alive transport whose connections go through the address
    policy.  httpx 0.28 has no parameter for an httpcore network backend, so the
    pool it builds is replaced by an equal one with :class:`GuardedBackend`."""
    limits = httpx.Limits(
        max_connections=cfg.concurrency,
        max_keepalive_connections=cfg.concurrency,
        keepalive_expiry=cfg.keepalive_expiry,
    )
    context = _ssl_context(cfg.verify_tls if verify else False)
    transport = httpx.AsyncHTTPTransport(verify=context, limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=GuardedBackend(cfg.policy, cfg.resolver),
    )
    return transport


def _ssl_context(verify: bool | str) -> ssl.SSLContext:
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return httpx.create_ssl_context(verify=True, trust_env=False)


#: OpenSSL verify codes meaning "issuer not known here", not "certificate bad".
_UNKNOWN_ISSUER_CODES: Final = frozenset({2, 20, 21})


def unknown_issuer(exc: BaseException) -> bool:
    """True when a TLS failure is only an issuer we cannot find (a missing
    intermediate certificate), not an expired, self-signed or misnamed one."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_code in _UNKNOWN_ISSUER_CODES
        seen = seen.__cause__ or seen.__context__
    return False


async def _read_limited(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except httpx.DecodingError:  # a broken gzip body: judge by what was read
        pass
    return b"".join(chunks)[:limit]


def _short(response: httpx.Response) -> bool:
    """Whether the server says the body is within :data:`_DRAIN_LIMIT`."""
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) <= _DRAIN_LIMIT


def raw_location(headers: httpx.Headers) -> str | None:
    """The Location header with its non-ASCII bytes percent-encoded as they are,
    as browsers and curl do: Chinese servers send raw UTF-8 or GBK paths there,
    and decoding GBK bytes as text would send us to a URL that does not exist."""
    for key, value in headers.raw:
        if key.lower() == b"location":
            value = value.strip()
            if value.isascii():
                return value.decode("ascii")
            return "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in value)
    return None


def _netloc(url: str) -> str:
    return url.partition("://")[2].split("/", 1)[0].split("?", 1)[0]


def _ascii_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host if host.isascii() else host.encode("idna").decode("ascii")


def _hostname(url: str) -> str:
    """The host of a canonical URL as written there (IDNA, lower case)."""
    host = _netloc(url).rpartition("@")[2]
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.partition(":")[0].rstrip(".")


def _prefers_head(url: str) -> bool:
    path = url.partition("?")[0]
    slash = path.rfind("/")
    dot = path.rfind(".")
    return dot > slash and path[dot + 1 :].lower() in _STATIC_EXTENSIONS


def _is_success(status: int) -> bool:
    return 200 <= status < 300


def _fields(status: LinkStatus) -> dict[str, object]:
    return {
        "ok": status.ok,
        "status": status.status,
        "error": status.error,
        "detail": status.detail,
    }


def _decode(answer: _Answer) -> str:
    body = answer.body
    if not body:
        return ""
    charset = None
    m = _CHARSET.search(answer.headers.get("content-type", "").encode("latin-1", "replace"))
    if m is None:
        m = _CHARSET.search(body[:4096])
    if m is not None:
        charset = m.group(1).decode("ascii").lower()
        if charset in ("gb2312", "gbk", "x-gbk", "gb_2312-80"):
            charset = "gb18030"
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return body.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("gb18030", errors="replace")


# --------------------------------------------------------------------------
# Pure classification
# --------------------------------------------------------------------------


def classify_exception(exc: BaseException) -> tuple[LinkError | None, str]:
    """The error an exception means (None: refused by policy, not checked) and a
    short detail.  Looks through the cause chain: httpx wraps httpcore, which
    wraps the socket or ssl error that tells DNS from TLS from refused."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for cls, error in EXCEPTION_ERRORS:
        for item in chain:
            if isinstance(item, cls):
                return error, _describe(item, exc)
    raise exc


def _describe(item: BaseException, outer: BaseException) -> str:
    text = str(item) or str(outer) or type(item).__name__
    return f"{type(item).__name__}: {text}"[:300]


def classify_answer(
    status: int, headers: Mapping[str, str], body: str, method: str = "GET"
) -> LinkStatus:
    """Judge a final (non-redirect) answer: blocked, http error, soft 404 or ok.

    ``url`` fields of the result are left empty for the caller to fill."""
    reason = challenge_reason(status, headers, body[:8192])
    if reason is not None:
        return LinkStatus(url="", ok=False, status=status, error=LinkError.BLOCKED, detail=reason)
    if status == 401:
        # the resource exists behind a login (an intranet OA linked from a portal):
        # a visitor gets a login prompt, the link is not dead
        return LinkStatus(url="", ok=True, status=status, detail="HTTP 401: login required")
    if status >= 400 or status < 200:
        return LinkStatus(
            url="", ok=False, status=status, error=LinkError.HTTP, detail=f"HTTP {status}"
        )
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if method == "GET" and body and (not content_type or "html" in content_type.lower()):
        soft = soft_404_reason(body)
        if soft is not None:
            return LinkStatus(
                url="", ok=False, status=status, error=LinkError.SOFT_404, detail=soft
            )
    return LinkStatus(url="", ok=True, status=status)


def soft_404_reason(html: str) -> str | None:
    """Why an HTTP 200 page is really a "not found" page, or None.

    Only the title and short pages count: a real page whose article mentions
    "404" (a document number) or "页面不存在" is long, and its title is its own.
    """
    tree = LexborHTMLParser(html)
    node = tree.css_first("title")
    title = squash(node.text()) if node is not None else ""
    if title and len(title) <= _TITLE_LIMIT:
        if _SOFT_404_PHRASES.search(title):
            return f"title says not found: {title}"
        if _TITLE_IS_404.match(title) or (_404.search(title) and _ERROR_WORDS.search(title)):
            return f"title says 404: {title}"
    text = squash(visible_body_text(tree, keep_tree=False))
    if len(text) <= _SHORT_TEXT:
        if _SOFT_404_PHRASES.search(text):
            return f"short page says not found: {text[:80]}"
        if _404.search(text) and _ERROR_WORDS.search(text) and len(text) <= 200:
            return f"short page says 404: {text[:80]}"
        if len(html) <= 4096 and _JS_TO_ERROR_PAGE.search(html):
            return "short page redirects to an error page by script or refresh"
    return None


# --------------------------------------------------------------------------
# Detections
# --------------------------------------------------------------------------


def link_detections(
    occurrences: Mapping[str, Sequence[tuple[str, Element]]],
    statuses: Mapping[str, LinkStatus],
    *,
    home_url: str,
) -> tuple[list[LinkDetection], list[UnknownDetection]]:
    """Failed links as detections, blocked ones as unknowns.

    ``occurrences`` maps a link URL to the (page URL, element) pairs carrying it.
    A link refused by the address policy becomes an ``UnknownDetection(reason=limit)``
    so that a person can look at it (a public page linking to an intranet address
    does not open for the public, but the tool must not prove it), an unexpected
    error one with ``reason=error``; a link on the host deny-list, or not http(s),
    gives nothing: the operator chose not to check it.  Results are sorted by URL.
    """
    home = _canonical_or_same(home_url)
    home_host = _host(home)
    failed: list[LinkDetection] = []
    unknown: list[UnknownDetection] = []
    for url in sorted(statuses):
        st = statuses[url]
        if st.ok:
            continue
        pairs = occurrences.get(url, ())
        if not st.checked:
            if st.detail.startswith((NOT_CHECKED_DENIED, NOT_CHECKED_INVALID)):
                continue
            reason = (
                UnknownReason.ERROR
                if st.detail.startswith(NOT_CHECKED_ERROR)
                else UnknownReason.LIMIT
            )
            unknown.append(UnknownDetection(url=url, reason=reason, detail=st.detail))
            continue
        if st.error is LinkError.BLOCKED:
            unknown.append(
                UnknownDetection(
                    url=url, reason=UnknownReason.BLOCKED, detail=st.detail, status=st.status
                )
            )
            continue
        pages = tuple(sorted({_canonical_or_same(page) for page, _ in pairs}))
        failed.append(
            LinkDetection(
                url=url,
                status=st.status,
                error=st.error or LinkError.HTTP,
                on_homepage=home in pages,
                on_pages=pages,
                element=pairs[0][1] if pairs else Element.A,
                internal=_host(_canonical_or_same(url)) == home_host,
                redirects=st.redirects,
                detail=st.detail,
            )
        )
    return failed, unknown


def _canonical_or_same(url: str) -> str:
    try:
        return canonical_url(url)
    except InvalidURL:
        return url


def _host(url: str) -> str:
    rest = url.partition("://")[2]
    authority = rest.split("/", 1)[0].rpartition("@")[2]
    return authority.removeprefix("www.")


__all__ = [
    "DEFAULT_USER_AGENT",
    "EXCEPTION_ERRORS",
    "NOT_CHECKED_DENIED",
    "NOT_CHECKED_ERROR",
    "NOT_CHECKED_INVALID",
    "NOT_CHECKED_POLICY",
    "LinkCheckConfig",
    "LinkChecker",
    "LinkStatus",
    "classify_answer",
    "classify_exception",
    "link_detections",
    "raw_location",
    "soft_404_reason",
    "unknown_issuer",
]
