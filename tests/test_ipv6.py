"""IPv6 checks on [::1] with an injected resolver mapping the test name to ::1."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from govmon.records import Ipv6Detection, detection_from_dict, to_dict
from probes.ipv6 import check_ipv6, ipv6_client, second_level_links
from tests.probe_server import ProbeServer

NAME = "portal.test"


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_v6 = pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no ::1 loopback")


async def to_loopback(host: str) -> list[str]:
    return ["::1"] if host == NAME else []


async def no_aaaa(host: str) -> list[str]:
    return []


def check(
    routes: dict[str, Any], *, host: str = "::1", **kw: Any
) -> tuple[Ipv6Detection, ProbeServer]:
    async def main() -> tuple[Ipv6Detection, ProbeServer]:
        async with ProbeServer(routes, host=host) as server:
            det = await check_ipv6(server.url("/", host=NAME), timeout=2.0,
                                   **{"resolve_aaaa": to_loopback, **kw})
            return det, server

    return asyncio.run(main())


@needs_v6
def test_support_share_over_ipv6_keeps_the_host_header() -> None:
    det, server = check({"/": "ok", "/col/a.html": "ok", "/col/b.html": "500"})
    assert det.aaaa and det.reachable
    assert (det.links_checked, det.links_ok) == (2, 1)
    assert det.support == 0.5
    assert det.failed_links == (f"http://{NAME}:{server.port}/col/b.html",)
    assert set(server.seen_hosts) == {f"{NAME}:{server.port}"}
    assert server.hits["/col/a.html"] == 1  # the external link was not followed


@needs_v6
def test_full_support() -> None:
    det, _ = check({"/": "ok", "/col/a.html": "ok", "/col/b.html": "waf412"})
    assert det.support == 1.0 and det.links_ok == 2  # a WAF answer came over IPv6


def test_no_aaaa_record() -> None:
    async def main() -> Ipv6Detection:
        return await check_ipv6(f"http://{NAME}/", resolve_aaaa=no_aaaa, timeout=1.0)

    det = asyncio.run(main())
    assert not det.aaaa and not det.reachable and det.support == 0.0
    assert det.detail == "no AAAA record"


def test_server_only_on_ipv4_is_not_reachable_over_ipv6() -> None:
    # AAAA says ::1 but the site listens on 127.0.0.1 only
    det, server = check({"/": "ok"}, host="127.0.0.1")
    assert det.aaaa and not det.reachable and det.support == 0.0
    assert server.hits["/"] == 0


@needs_v6
def test_homepage_error_over_ipv6() -> None:
    det, _ = check({"/": "500"})
    assert det.aaaa and not det.reachable and det.detail == "HTTP 500"


def test_ipv4_literal_is_refused_by_the_ipv6_client() -> None:
    async def main() -> str:
        async with ProbeServer({"/": "ok"}) as server, ipv6_client(no_aaaa) as client:
            try:
                await client.get(server.url("/"))
            except Exception as exc:
                return str(exc)
            return "opened"

    assert "IPv4" in asyncio.run(main())


def test_second_level_links() -> None:
    html = """<html><head><base href="/sub/"></head><body>
    <a href="a.html">A</a><a href="a.html#top">A again</a><a href="/">home</a>
    <a href="javascript:void(0)">js</a><a href="http://other.test/x">ext</a>
    <a href="https://www.gov.test/b.html">B</a></body></html>"""
    got = second_level_links("https://www.gov.test/", html)
    assert got == ["https://www.gov.test/sub/a.html", "https://www.gov.test/b.html"]
    assert second_level_links("https://www.gov.test/", html, limit=1) == got[:1]


def test_detection_round_trip() -> None:
    det = Ipv6Detection(url="http://x.test/", aaaa=True, reachable=True, links_checked=2,
                        links_ok=1, support=0.5, failed_links=("http://x.test/b",))
    assert detection_from_dict(to_dict(det)) == det


def test_subdomains_are_internal() -> None:
    html = """<a href="http://zwgk.example.gov.cn/a.html">A</a>
    <a href="http://www.example.gov.cn/b.html">B</a>
    <a href="http://www.other.gov.cn/c.html">C</a>
    <a href="http://evil-example.gov.cn/d.html">D</a>"""
    url = "http://www.example.gov.cn/"
    assert second_level_links(url, html) == [
        "http://zwgk.example.gov.cn/a.html", "http://www.example.gov.cn/b.html"]
    assert second_level_links(url, html, subdomains=False) == [
        "http://www.example.gov.cn/b.html"]


def test_resolver_failure_is_not_no_aaaa() -> None:
    async def broken(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(socket.gaierror):
        asyncio.run(check_ipv6(f"http://{NAME}/", resolve_aaaa=broken, timeout=1.0))
