"""Keep probes from fetching private, loopback and link-local addresses named by
untrusted crawled links (SSRF), unless the audited site itself lives there.

Crawled pages are untrusted: a link to ``http://169.254.169.254/`` or to an intranet
host must not make the monitor fetch it.  The check is made on the addresses a name
resolves to, and :class:`GuardedBackend` makes it again at every TCP connection of
the shared httpx client, with the resolved address it then connects to, so every
redirect hop is covered and DNS cannot answer differently between check and connect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore

from probes.aiostream import AsyncioBackend, connect_first

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``async resolver(host, port) -> [address, ...]``; raises OSError when the name
#: does not resolve.  Injectable so tests never ask real DNS.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressPolicy:
    """Which non-public addresses may be fetched.

    ``allow_private`` opens private, loopback, link-local and other non-global
    addresses (a site audited on an intranet or on 127.0.0.1);
    ``allow_hosts`` are host names always allowed whatever they resolve to (the
    audited site's own host); ``allow_networks`` are allowed address ranges.
    """

    allow_private: bool = False
    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    allow_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def for_site(
        cls,
        site_url: str,
        *,
        allow_hosts: Iterable[str] = (),
        allow_networks: Iterable[str | IPNetwork] = (),
    ) -> AddressPolicy:
        """The policy for auditing ``site_url``: its own host is always allowed,
        and private addresses are allowed when the site is addressed by one (an IP
        literal or ``localhost``).  For a name that resolves to a private address
        (split-horizon intranet DNS) use :func:`site_policy`."""
        host = normalise_host(urlsplit(site_url).hostname or "")
        private = host == "localhost" or host.endswith(".localhost")
        ip = _ip_or_none(host)
        if ip is not None:
            private = _non_public_kind(ip) is not None
        return cls(
            allow_private=private,
            allow_hosts=frozenset({host, *(normalise_host(h) for h in allow_hosts)} - {""}),
            allow_networks=tuple(ipaddress.ip_network(n, strict=False) for n in allow_networks),
        )


async def site_policy(
    site_url: str,
    *,
    resolver: Resolver | None = None,
    allow_hosts: Iterable[str] = (),
    allow_networks: Iterable[str | IPNetwork] = (),
) -> AddressPolicy:
    """Like :meth:`AddressPolicy.for_site`, and also allows private addresses when
    the site's host name resolves to one (the site lives on that network)."""
    policy = AddressPolicy.for_site(
        site_url, allow_hosts=allow_hosts, allow_networks=allow_networks
    )
    host = normalise_host(urlsplit(site_url).hostname or "")
    if policy.allow_private or not host or _ip_or_none(host) is not None:
        return policy
    try:
        addresses = await (resolver or system_resolver)(host, urlsplit(site_url).port or 80)
    except OSError:
        return policy
    if any(_non_public_kind(ipaddress.ip_address(a)) for a in addresses):
        return AddressPolicy(
            allow_private=True,
            allow_hosts=policy.allow_hosts,
            allow_networks=policy.allow_networks,
        )
    return policy


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), addresses in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for info in infos:
        seen.setdefault(str(info[4][0]), None)
    return list(seen)


def normalise_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def address_reason(address: str, policy: AddressPolicy) -> str | None:
    """Why fetching ``address`` is forbidden under ``policy``, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    kind = _non_public_kind(ip)
    if kind is None:
        return None
    if any(ip in net for net in policy.allow_networks):
        return None
    if policy.allow_private and kind != "multicast":
        return None
    return f"{kind} address {ip}"


async def allowed_addresses(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver | None = None
) -> list[str]:
    """The addresses to connect to for ``host``; raises :class:`ForbiddenAddress`
    when any of them is forbidden (a connection could go to any), and OSError when
    the name does not resolve."""
    name = normalise_host(host)
    if _ip_or_none(name) is not None:
        addresses: Sequence[str] = [name]
    else:
        addresses = await (resolver or system_resolver)(name, port)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{name} has no address")
    if name not in policy.allow_hosts:
        for address in addresses:
            reason = address_reason(address, policy)
            if reason is not None:
                raise ForbiddenAddress(f"{name} resolves to a {reason}")
    return list(addresses)


async def check_host(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver | None = None
) -> str | None:
    """Why ``host`` must not be fetched (e.g. ``"intranet.example resolves to a
    private address 10.0.0.5"``), or None when it may.  Raises OSError when the
    name does not resolve: that is the link's DNS failure, not a policy matter."""
    try:
        await allowed_addresses(host, port, policy, resolver)
    except ForbiddenAddress as exc:
        return str(exc)
    return None


class ForbiddenAddress(Exception):
    """A host resolves to an address the policy forbids."""


class AddressRefused(httpcore.ConnectError):
    """Raised inside the httpx client when the policy refuses a connection."""


class NameResolutionError(httpcore.ConnectError):
    """Raised inside the httpx client when a host name does not resolve."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves with ``resolver``, applies the
    policy, and connects to the checked address (TLS still verifies the name)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = AsyncioBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await allowed_addresses(host, port, self._policy, self._resolver)
        except ForbiddenAddress as exc:
            raise AddressRefused(str(exc)) from exc
        except OSError as exc:
            raise NameResolutionError(f"{host}: {exc}") from exc
        return await connect_first(self._inner, addresses, port, timeout=timeout,
                                   local_address=local_address, socket_options=socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _ip_or_none(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _non_public_kind(ip: IPAddress) -> str | None:
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "non-public"
    return None
