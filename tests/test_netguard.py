"""The address policy that keeps crawled links from reaching private networks."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence

import httpcore
import pytest

from probes.netguard import (
    AddressPolicy,
    AddressRefused,
    GuardedBackend,
    NameResolutionError,
    address_reason,
    check_host,
    site_policy,
)

PUBLIC = AddressPolicy()


def fake_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


DNS = fake_resolver(
    {
        "www.example.gov.cn": ["203.0.113.10"],  # documentation range: not global
        "public.example": ["8.8.8.8"],
        "intranet.example": ["10.1.2.3"],
        "mixed.example": ["8.8.4.4", "192.168.0.9"],
        "metadata.example": ["169.254.169.254"],
        "v6loop.example": ["::1"],
        "mapped.example": ["::ffff:127.0.0.1"],
    }
)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
        ("127.0.0.1", "loopback address 127.0.0.1"),
        ("::1", "loopback address ::1"),
        ("10.0.0.1", "private address 10.0.0.1"),
        ("172.16.5.4", "private address 172.16.5.4"),
        ("192.168.1.1", "private address 192.168.1.1"),
        ("169.254.169.254", "link-local address 169.254.169.254"),
        ("fe80::1%eth0", "link-local address fe80::1"),
        ("fc00::5", "private address fc00::5"),
        ("::ffff:10.0.0.1", "private address 10.0.0.1"),
        ("100.64.0.1", "non-public address 100.64.0.1"),
        ("224.0.0.1", "multicast address 224.0.0.1"),
        ("0.0.0.0", "private address 0.0.0.0"),
    ],
)
def test_address_reason(address: str, reason: str | None) -> None:
    assert address_reason(address, PUBLIC) == reason


def test_allow_private_and_networks() -> None:
    lan = AddressPolicy(allow_private=True)
    assert address_reason("10.0.0.1", lan) is None
    assert address_reason("127.0.0.1", lan) is None
    assert address_reason("224.0.0.1", lan) == "multicast address 224.0.0.1"
    nets = AddressPolicy(allow_networks=(ipaddress.ip_network("10.8.0.0/16"),))
    assert address_reason("10.8.3.4", nets) is None
    assert address_reason("10.9.3.4", nets) == "private address 10.9.3.4"


def test_check_host() -> None:
    assert run(check_host("public.example", 80, PUBLIC, DNS)) is None
    assert run(check_host("intranet.example", 80, PUBLIC, DNS)) == (
        "intranet.example resolves to a private address 10.1.2.3"
    )
    # any forbidden address forbids the host: the connection could go there
    assert "192.168.0.9" in (run(check_host("mixed.example", 80, PUBLIC, DNS)) or "")
    assert "link-local" in (run(check_host("metadata.example", 80, PUBLIC, DNS)) or "")
    assert "loopback" in (run(check_host("v6loop.example", 80, PUBLIC, DNS)) or "")
    assert "loopback address 127.0.0.1" in (
        run(check_host("mapped.example", 80, PUBLIC, DNS)) or ""
    )
    assert (
        run(check_host("127.0.0.1", 80, PUBLIC, DNS))
        == "127.0.0.1 resolves to a loopback address 127.0.0.1"
    )
    assert run(check_host("[::1]", 80, PUBLIC, DNS)) is not None
    # allow-listed host names pass whatever they resolve to
    allowed = AddressPolicy(allow_hosts=frozenset({"intranet.example"}))
    assert run(check_host("INTRANET.example.", 80, allowed, DNS)) is None


def test_unresolvable_name_raises() -> None:
    with pytest.raises(OSError):
        run(check_host("nonexistent.invalid", 80, PUBLIC, DNS))


def test_policy_for_site() -> None:
    local = AddressPolicy.for_site("http://127.0.0.1:8080/")
    assert local.allow_private and "127.0.0.1" in local.allow_hosts
    assert AddressPolicy.for_site("http://localhost/").allow_private
    public = AddressPolicy.for_site(
        "https://WWW.Example.gov.cn/", allow_hosts=["cdn.example.gov.cn"]
    )
    assert not public.allow_private
    assert public.allow_hosts == frozenset({"www.example.gov.cn", "cdn.example.gov.cn"})
    nets = AddressPolicy.for_site("http://www.example.gov.cn/", allow_networks=["10.8.0.0/16"])
    assert nets.allow_networks == (ipaddress.ip_network("10.8.0.0/16"),)


def test_site_policy_resolves_the_site() -> None:
    assert run(site_policy("http://intranet.example/", resolver=DNS)).allow_private
    assert not run(site_policy("http://public.example/", resolver=DNS)).allow_private
    assert not run(site_policy("http://nonexistent.invalid/", resolver=DNS)).allow_private


def test_guarded_backend_refuses_and_maps_dns() -> None:
    backend = GuardedBackend(PUBLIC, DNS)
    with pytest.raises(AddressRefused):
        run(backend.connect_tcp("intranet.example", 80))
    with pytest.raises(NameResolutionError):
        run(backend.connect_tcp("nonexistent.invalid", 80))
    with pytest.raises(AddressRefused):
        run(backend.connect_unix_socket("/tmp/x.sock"))
    assert issubclass(AddressRefused, httpcore.ConnectError)


def test_guarded_backend_connects_to_the_checked_address() -> None:
    async def main() -> bytes:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"hello")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        backend = GuardedBackend(
            AddressPolicy(allow_hosts=frozenset({"site.test"})),
            fake_resolver({"site.test": ["127.0.0.1"]}),
        )
        async with server:
            stream = await backend.connect_tcp("site.test", port, timeout=5)
            data = await stream.read(5, timeout=5)
            await stream.aclose()
        return data

    assert run(main()) == b"hello"
