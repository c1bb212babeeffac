"""Availability probes of a homepage (NAT-V-AVAIL): one probe, its re-probe, a batch.

The inspection vetoes a site when, over a week of at least 20 probes a day, 5 %
or more of them cannot open the homepage within 15 seconds (inclusive).  A probe
here is what the inspection does: fetch the homepage, following redirects, and
count it open only when the headers *and the whole body* arrived within the
timeout on the wall clock, however slowly the server trickles bytes.

What fails a probe (``ProbeResult.failed``):

* no complete answer within the timeout (``timeout``), a DNS, connection, TLS or
  reset failure, a redirect loop, a protocol error;
* a 5xx answer (``http``) and any 4xx that is not an anti-bot answer: a homepage
  answering 404/410/403 "cannot be opened" for the inspector either.  (A bare
  403 without any WAF marker or header is counted as a failure too: it is what
  a visitor sees.  The probe sends a browser-like User-Agent so that a site
  filtering unknown clients answers it as it answers browsers.)

What does *not* fail a probe:

* a WAF challenge or rate limit (``crawler.analysis.waf.challenge_reason``):
  ``blocked=True``, the site said nothing about itself;
* a probe made while the monitor's own network was down (reference URLs failing
  at the same moment, or every site of a batch failing at once), or that timed
  out waiting for a connection of the monitor's own pool: ``unknown=True``.

Both are kept, so a person can see them, and left out of the ratio
(:mod:`probes.window`).  A failed probe is re-probed at once; the re-probe is
stored (``reprobe=True``) and decides alerts, never the ratio: every scheduled
probe counts, so the tool is never kinder than the inspection.

Timings come from httpcore's ``trace`` extension (connect, TLS, first byte).
DNS is timed by a separate pre-resolution step (``resolver``) because httpcore
resolves inside ``connect_tcp`` where it cannot be told apart; the connection
then resolves again (usually from the OS cache).  Pass ``resolver=None`` to skip
it: ``dns_seconds`` is then None and DNS failures are still classified from the
connection error's cause.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from crawler.analysis.waf import challenge_reason

logger = logging.getLogger(__name__)

#: Timeout of the inspection, seconds (inclusive: still not done at 15 s fails).
DEFAULT_TIMEOUT = 15.0
#: Bytes of a homepage read at most; beyond that the page counts as received.
MAX_BYTES = 32 * 1024 * 1024
#: A batch where every site fails at once points at our network (from this size).
ALL_FAIL_MIN_BATCH = 3

#: Sent with every probe: a browser-like identity that still names the tool,
#: so that a site blocking unknown clients answers as it answers browsers.
DEFAULT_HEADERS = {
    "User-Agent": "Mozilla/5.0 (compatible; govmon-probe/1)",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}

Clock = Callable[[], datetime]
Resolver = Callable[[str], Awaitable[Any]]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ProbeError(enum.StrEnum):
    """Why a probe did not open the homepage; ``BLOCKED`` is not a failure."""

    TIMEOUT = "timeout"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    RESET = "reset"
    HTTP = "http"
    REDIRECT = "redirect_loop"
    PROTOCOL = "protocol"
    BLOCKED = "blocked"
    ERROR = "error"


#: The one mapping from exceptions to error classes.  Every exception in the
#: cause chain is tested against each row in order, so the specific OS-level
#: cause (an SSL error under httpx.ConnectError) wins over the generic wrapper.
EXCEPTION_CLASSES: tuple[tuple[type[BaseException], ProbeError], ...] = (
    (TimeoutError, ProbeError.TIMEOUT),
    (httpx.TimeoutException, ProbeError.TIMEOUT),
    (socket.gaierror, ProbeError.DNS),
    (ssl.SSLError, ProbeError.TLS),
    (ssl.CertificateError, ProbeError.TLS),
    (ConnectionResetError, ProbeError.RESET),
    (BrokenPipeError, ProbeError.RESET),
    (ConnectionRefusedError, ProbeError.CONNECT),
    (httpx.TooManyRedirects, ProbeError.REDIRECT),
    (httpx.ConnectError, ProbeError.CONNECT),
    (httpx.ReadError, ProbeError.RESET),
    (httpx.WriteError, ProbeError.RESET),
    (httpx.RemoteProtocolError, ProbeError.RESET),
    (httpx.ProtocolError, ProbeError.PROTOCOL),
    (OSError, ProbeError.CONNECT),
)
#: Words of resolver failures that reach us only as text (anyio, httpcore).
_DNS_WORDS = ("name or service not known", "nodename nor servname", "getaddrinfo",
              "name resolution", "no address associated")


def _in_chain(exc: BaseException, exc_type: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    hops = 0
    while seen is not None and hops < 20:
        if isinstance(seen, exc_type):
            return True
        seen = seen.__cause__ or seen.__context__
        hops += 1
    return False


def classify_exception(exc: BaseException) -> ProbeError:
    """The error class of an exception raised while probing (mapping table above)."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for exc_type, error in EXCEPTION_CLASSES:
        if any(isinstance(e, exc_type) for e in chain):
            if error is ProbeError.CONNECT and any(
                w in str(e).lower() for e in chain for w in _DNS_WORDS
            ):
                return ProbeError.DNS
            return error
    return ProbeError.ERROR


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeResult:
    """One availability probe; maps 1:1 to a ``probe_results`` row.

    ``seconds`` is the wall-clock time of the whole probe (DNS, connection,
    headers and body).  The ``*_seconds`` timings are None when not observed
    (a reused connection has no connect/TLS time; a failure before headers has
    no first byte).  ``first_byte_seconds`` is from the start of the probe to
    the first response's headers.
    """

    url: str
    at: datetime
    ok: bool
    status: int | None = None
    seconds: float = 0.0
    dns_seconds: float | None = None
    connect_seconds: float | None = None
    tls_seconds: float | None = None
    first_byte_seconds: float | None = None
    bytes: int = 0
    error: ProbeError | None = None
    detail: str = ""
    final_url: str | None = None
    blocked: bool = False
    unknown: bool = False
    reprobe: bool = False

    @property
    def failed(self) -> bool:
        """A failure of the site: not open, not blocked, not our network's fault."""
        return not self.ok and not self.blocked and not self.unknown

    def to_row(self) -> dict[str, Any]:
        """Column name -> value for storage (enums as their string values)."""
        return {
            "url": self.url,
            "at": self.at,
            "ok": self.ok,
            "status": self.status,
            "seconds": self.seconds,
            "dns_seconds": self.dns_seconds,
            "connect_seconds": self.connect_seconds,
            "tls_seconds": self.tls_seconds,
            "first_byte_seconds": self.first_byte_seconds,
            "bytes": self.bytes,
            "error": self.error.value if self.error else None,
            "detail": self.detail,
            "final_url": self.final_url,
            "blocked": self.blocked,
            "unknown": self.unknown,
            "reprobe": self.reprobe,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProbeResult:
        """Inverse of :meth:`to_row`."""
        data = dict(row)
        if data.get("error") is not None:
            data["error"] = ProbeError(data["error"])
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The result as in the ``govmon.probe/1`` contract, plus extra fields."""
        row = self.to_row()
        row["at"] = self.at.isoformat()
        row["seconds"] = round(self.seconds, 3)
        for key in ("dns_seconds", "connect_seconds", "tls_seconds", "first_byte_seconds"):
            if row[key] is not None:
                row[key] = round(row[key], 3)
        return {"at": row.pop("at"), "ok": row.pop("ok"), "status": row.pop("status"),
                "seconds": row.pop("seconds"), "error": row.pop("error"), **row}


class _Timings:
    """Collects httpcore trace events (monotonic instants relative to the start)."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.marks: dict[str, float] = {}

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        # "connection.connect_tcp.started", "http11.receive_response_headers.complete"...
        name = event.split(".", 1)[-1]
        self.marks.setdefault(name, time.perf_counter() - self.start)

    def span(self, step: str) -> float | None:
        began = self.marks.get(f"{step}.started")
        ended = self.marks.get(f"{step}.complete")
        if began is None or ended is None:
            return None
        return ended - began

    @property
    def first_byte(self) -> float | None:
        return self.marks.get("receive_response_headers.complete")


async def system_resolve(host: str) -> list[str]:
    """Addresses of a host from the system resolver (raises ``socket.gaierror``)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def make_client(*, concurrency: int = 100, verify: bool = True) -> httpx.AsyncClient:
    """A client fit for probing: a fresh connection per probe (no keep-alive, so
    every probe measures connect and TLS as a first visit does) and a pool larger
    than the number of probes in flight (a probe waiting for a pooled connection
    would be timing the monitor, not the site)."""
    return httpx.AsyncClient(
        headers=DEFAULT_HEADERS,
        verify=verify,
        limits=httpx.Limits(max_connections=concurrency * 2 + 8, max_keepalive_connections=0),
    )


def _is_ip(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True


async def probe(
    url: str,
    *,
    client: httpx.AsyncClient,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Clock = utc_now,
    resolver: Resolver | None = system_resolve,
    reprobe: bool = False,
    max_bytes: int = MAX_BYTES,
) -> ProbeResult:
    """Fetch ``url`` once and say whether it opened within ``timeout`` seconds.

    The whole exchange (resolution, connection, headers, body) runs under one
    ``asyncio.timeout``, so a server trickling one byte a second fails; a probe
    that finishes at or after ``timeout`` fails too (inclusive limit).
    """
    at = clock()
    start = time.perf_counter()
    timings = _Timings(start)
    dns: float | None = None
    status: int | None = None
    received = 0
    final_url: str | None = None
    head = bytearray()
    headers: dict[str, str] = {}
    encoding = "utf-8"
    try:
        async with asyncio.timeout(timeout):
            host = httpx.URL(url).host
            if resolver is not None and host and not _is_ip(host):
                await resolver(host)
                dns = time.perf_counter() - start
            async with client.stream(
                "GET",
                url,
                follow_redirects=True,
                # a wait for our own pool longer than half the time is the
                # monitor's overload: PoolTimeout -> unknown, not a failure
                timeout=httpx.Timeout(timeout, pool=timeout / 2),
                extensions={"trace": timings},
            ) as response:
                status = response.status_code
                final_url = str(response.url)
                headers = dict(response.headers)
                encoding = response.encoding or "utf-8"
                async for chunk in response.aiter_raw():
                    received += len(chunk)
                    if len(head) < 8192:
                        head.extend(chunk[: 8192 - len(head)])
                    if received >= max_bytes:
                        logger.info("%s: stopped reading at %d bytes", url, received)
                        break
    except Exception as exc:  # every failure becomes a result, via one table
        seconds = time.perf_counter() - start
        error = classify_exception(exc)
        # waiting for a connection of our own pool is the monitor's fault
        ours = _in_chain(exc, httpx.PoolTimeout)
        return ProbeResult(
            unknown=ours,
            url=url, at=at, ok=False, status=status, seconds=seconds, dns_seconds=dns,
            connect_seconds=timings.span("connect_tcp"), tls_seconds=timings.span("start_tls"),
            first_byte_seconds=timings.first_byte, bytes=received, error=error,
            detail=f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__,
            final_url=final_url, reprobe=reprobe,
        )
    seconds = time.perf_counter() - start
    common: dict[str, Any] = dict(
        url=url, at=at, status=status, seconds=seconds, dns_seconds=dns,
        connect_seconds=timings.span("connect_tcp"), tls_seconds=timings.span("start_tls"),
        first_byte_seconds=timings.first_byte, bytes=received, final_url=final_url,
        reprobe=reprobe,
    )
    if seconds >= timeout:
        return ProbeResult(ok=False, error=ProbeError.TIMEOUT,
                           detail=f"complete only after {seconds:.3f} s", **common)
    assert status is not None
    body_start = _decode_head(bytes(head), headers, encoding)
    reason = challenge_reason(status, headers, body_start)
    if reason is not None:
        return ProbeResult(ok=False, blocked=True, error=ProbeError.BLOCKED, detail=reason,
                           **common)
    if status >= 400:
        return ProbeResult(ok=False, error=ProbeError.HTTP, detail=f"HTTP {status}", **common)
    return ProbeResult(ok=True, **common)


def _decode_head(raw: bytes, headers: dict[str, str], encoding: str) -> str:
    """The start of the body as text for the WAF check (compressed bodies are
    decompressed here, best effort: a truncated stream yields what it can)."""
    coding = headers.get("content-encoding", "").lower()
    if coding in ("gzip", "deflate"):
        import zlib

        try:
            raw = zlib.decompressobj(47 if coding == "gzip" else 15).decompress(raw)
        except zlib.error:
            raw = b""
    try:
        return raw.decode(encoding, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


async def probe_with_reprobe(
    url: str,
    *,
    client: httpx.AsyncClient,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Clock = utc_now,
    resolver: Resolver | None = system_resolve,
    reprobe_delay: float = 0.0,
) -> tuple[ProbeResult, ProbeResult | None]:
    """A scheduled probe and, when it failed, its immediate re-probe.

    Both are stored.  The first counts in the ratio; the re-probe only decides
    whether an alert is raised (:func:`probes.window.red_alerts`).
    """
    first = await probe(url, client=client, timeout=timeout, clock=clock, resolver=resolver)
    if not first.failed:
        return first, None
    if reprobe_delay > 0:
        await asyncio.sleep(reprobe_delay)
    second = await probe(url, client=client, timeout=timeout, clock=clock, resolver=resolver,
                         reprobe=True)
    return first, second


async def network_ok(
    reference_urls: Sequence[str],
    client: httpx.AsyncClient,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    resolver: Resolver | None = system_resolve,
) -> bool:
    """False when every reference URL fails now: our own network is at fault.

    A blocked answer counts as reachable (something answered).  With no
    reference URLs configured the network is assumed fine.
    """
    if not reference_urls:
        return True
    results = await asyncio.gather(
        *(probe(u, client=client, timeout=timeout, resolver=resolver) for u in reference_urls)
    )
    return any(not r.failed for r in results)


def mark_unknown(result: ProbeResult, why: str) -> ProbeResult:
    """The same observation, recorded as our network's fault (out of the ratio)."""
    detail = f"{result.detail}; {why}" if result.detail else why
    return replace(result, unknown=True, detail=detail)


async def probe_batch(
    urls: Sequence[str],
    *,
    client: httpx.AsyncClient | None = None,
    concurrency: int = 100,
    reference_urls: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    clock: Clock = utc_now,
    resolver: Resolver | None = system_resolve,
    reprobe: bool = True,
    all_fail_min: int = ALL_FAIL_MIN_BATCH,
) -> list[ProbeResult]:
    """Probe many homepages at one moment with at most ``concurrency`` in flight.

    Returns, per URL in input order, the scheduled probe followed by its
    re-probe when there was one.  Without ``client`` one is made by
    :func:`make_client`; a given client needs a pool larger than
    ``concurrency`` (see there).  When failures occurred and every reference
    URL fails too, or every site of a batch of at least ``all_fail_min`` sites
    failed, the failed results (and their re-probes) are marked ``unknown``.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if client is None:
        async with make_client(concurrency=concurrency) as own:
            return await probe_batch(
                urls, client=own, concurrency=concurrency, reference_urls=reference_urls,
                timeout=timeout, clock=clock, resolver=resolver, reprobe=reprobe,
                all_fail_min=all_fail_min)
    gate = asyncio.Semaphore(concurrency)

    async def one(u: str) -> tuple[ProbeResult, ProbeResult | None]:
        async with gate:
            if reprobe:
                return await probe_with_reprobe(u, client=client, timeout=timeout, clock=clock,
                                                resolver=resolver)
            return await probe(u, client=client, timeout=timeout, clock=clock,
                               resolver=resolver), None

    pairs = await asyncio.gather(*(one(u) for u in urls))
    failed = [first for first, _ in pairs if first.failed]
    why: str | None = None
    if failed:
        if len(urls) >= all_fail_min and len(failed) == len(urls):
            why = f"every one of {len(urls)} sites failed at once"
        elif not await network_ok(reference_urls, client, timeout=timeout, resolver=resolver):
            why = "reference URLs failed at the same moment"
    if why is not None:
        logger.warning("monitor network at fault: %s; %d failures recorded as unknown",
                       why, len(failed))
    out: list[ProbeResult] = []
    for first, second in pairs:
        if why is not None and first.failed:
            first = mark_unknown(first, why)
            if second is not None and second.failed:
                second = mark_unknown(second, why)
        out.append(first)
        if second is not None:
            out.append(second)
    return out
