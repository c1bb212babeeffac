"""IPv6 support of a site (NAT-D-IPV6): AAAA record, homepage and second-level pages over IPv6.

The support figure of the inspection is the share of second-level pages that
open over IPv6.  Here it is measured by connecting to the AAAA addresses only:
the HTTP client's network backend replaces every name by its AAAA address (a
name without one cannot be connected at all, an IPv4 literal is refused), while
the URL, the ``Host`` header and the TLS SNI keep the site's name.  So a page is
counted reachable exactly when it opens over IPv6, redirects included.

The resolver is injectable (``async resolve_aaaa(host) -> list[str]``): tests
map a test name to ``::1``; production uses the system resolver.

A WAF challenge answered over IPv6 counts as reachable: the connection over
IPv6 worked, which is what is measured.  When the homepage itself does not open
over IPv6 and no link list is given, no link can be found, so support is 0.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urldefrag

import httpcore
import httpx

from crawler.analysis.page import ParsedPage
from crawler.analysis.waf import challenge_reason
from govmon.records import Ipv6Detection
from probes.aiostream import connect_first

logger = logging.getLogger(__name__)

AaaaResolver = Callable[[str], Awaitable[list[str]]]
#: Resolver answers meaning "this name has no AAAA record" (others: unknown).
_NO_RECORD = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


async def system_resolve_aaaa(host: str) -> list[str]:
    """The AAAA addresses of ``host`` from the system resolver ([] when none)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, family=socket.AF_INET6,
                                       type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in _NO_RECORD:
            return []
        raise  # a resolver that could not answer says nothing about the site
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _ip_family(host: str) -> int | None:
    for family in (socket.AF_INET6, socket.AF_INET):
        try:
            socket.inet_pton(family, host.strip("[]"))
        except OSError:
            continue
        return family
    return None


class Ipv6Backend(httpcore.AsyncNetworkBackend):
    """Connects to AAAA addresses only; the name stays in the request."""

    def __init__(self, resolve_aaaa: AaaaResolver) -> None:
        self._resolve = resolve_aaaa
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        family = _ip_family(host)
        if family == socket.AF_INET:
            raise httpcore.ConnectError(f"{host} is an IPv4 address")
        addresses = [host.strip("[]")] if family == socket.AF_INET6 else await self._resolve(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no AAAA record")
        return await connect_first(self._backend, addresses, port, timeout=timeout,
                                   local_address=local_address, socket_options=socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not IPv6")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class Ipv6Transport(httpx.AsyncHTTPTransport):
    """An httpx transport whose connections go over IPv6 only."""

    def __init__(self, resolve_aaaa: AaaaResolver, *, verify: bool = True,
                 max_connections: int = 20) -> None:
        super().__init__(verify=verify)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=max_connections,
            network_backend=Ipv6Backend(resolve_aaaa),
        )


def ipv6_client(
    resolve_aaaa: AaaaResolver = system_resolve_aaaa, **kwargs: Any
) -> httpx.AsyncClient:
    """An AsyncClient that reaches sites over IPv6 only."""
    return httpx.AsyncClient(transport=Ipv6Transport(resolve_aaaa), **kwargs)


def _internal(host: str, site_host: str, subdomains: bool) -> bool:
    if host == site_host:
        return True
    base = site_host.removeprefix("www.")
    return subdomains and base.count(".") >= 1 and host.endswith("." + base)


def second_level_links(url: str, html: str, *, limit: int = 50,
                       subdomains: bool = True) -> list[str]:
    """Internal links of a homepage, in page order, deduplicated.

    Internal: the same host, or with ``subdomains`` a host under the site's
    domain (``zwgk.example.gov.cn`` for ``www.example.gov.cn``), since sections
    of a government portal often live on their own subdomain."""
    page = ParsedPage.parse(url, html)
    host = httpx.URL(url).host
    seen: dict[str, None] = {}
    home = urldefrag(url)[0]
    for node in page.tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        target = urldefrag(page.resolve(href))[0]
        try:
            parsed = httpx.URL(target)
        except httpx.InvalidURL:
            continue
        if (parsed.scheme not in ("http", "https") or target == home
                or not _internal(parsed.host, host, subdomains)):
            continue
        seen.setdefault(target, None)
        if len(seen) >= limit:
            break
    return list(seen)


async def _opens(client: httpx.AsyncClient, url: str, timeout: float,
                 read_body: bool) -> tuple[bool, str, str]:
    """(opened over this client, text of the page if read, why not)."""
    try:
        async with asyncio.timeout(timeout), client.stream(
            "GET", url, follow_redirects=True, timeout=httpx.Timeout(timeout)
        ) as response:
            if read_body:
                await response.aread()
                text = response.text
            else:
                text = ""
                async for chunk in response.aiter_raw():
                    text = chunk[:8192].decode("utf-8", errors="replace")
                    break
            status = response.status_code
            if challenge_reason(status, dict(response.headers), text) is not None:
                return True, "", ""
            if status >= 400:
                return False, "", f"HTTP {status}"
            return True, text if read_body else "", ""
    except Exception as exc:  # any failure means: not reachable over IPv6
        return False, "", f"{type(exc).__name__}: {exc}"[:200]


async def check_ipv6(
    url: str,
    *,
    resolve_aaaa: AaaaResolver = system_resolve_aaaa,
    client: httpx.AsyncClient | None = None,
    links: Sequence[str] | None = None,
    max_links: int = 50,
    timeout: float = 15.0,
    concurrency: int = 8,
) -> Ipv6Detection:
    """AAAA present, homepage over IPv6, and the share of second-level pages
    reachable over IPv6.  A resolver that cannot answer (not "no record")
    raises: the caller records an unknown, never "IPv6 not done".

    ``client`` must be an IPv6-only client (default: :func:`ipv6_client` over
    ``resolve_aaaa``); ``links`` defaults to the internal links of the homepage
    as fetched over IPv6."""
    host = httpx.URL(url).host
    family = _ip_family(host)
    addresses = [host] if family == socket.AF_INET6 else (
        [] if family == socket.AF_INET else await resolve_aaaa(host))
    if not addresses:
        return Ipv6Detection(url=url, aaaa=False, reachable=False, support=0.0,
                             detail="no AAAA record")
    owned = client is None
    client = client or ipv6_client(resolve_aaaa)
    try:
        reachable, html, why = await _opens(client, url, timeout, read_body=True)
        if links is None:
            links = second_level_links(url, html, limit=max_links) if html else []
        links = list(links)[:max_links]
        gate = asyncio.Semaphore(concurrency)

        async def check(link: str) -> tuple[str, bool, str]:
            async with gate:
                ok, _, reason = await _opens(client, link, timeout, read_body=False)
                return link, ok, reason

        checked = await asyncio.gather(*(check(link) for link in links))
    finally:
        if owned:
            await client.aclose()
    failed = tuple(link for link, ok, _ in checked if not ok)
    links_ok = len(checked) - len(failed)
    if checked:
        support: float | None = links_ok / len(checked)
    else:
        support = None if reachable else 0.0
    for link, ok, reason in checked:
        if not ok:
            logger.debug("%s not reachable over IPv6: %s", link, reason)
    return Ipv6Detection(url=url, aaaa=True, reachable=reachable, links_checked=len(checked),
                         links_ok=links_ok, support=support, failed_links=failed,
                         detail=why)
