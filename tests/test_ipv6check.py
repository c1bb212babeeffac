"""IPv6 support as a detection: unknown for IPv4 literals and resolver failures,
measured over [::1] with an injected resolver."""

from __future__ import annotations

import asyncio
import socket

import pytest

from govmon import records as r
from govmon.ipv6check import ipv6_detection


def test_ipv4_literal_is_unknown_not_missing() -> None:
    d = asyncio.run(ipv6_detection("http://127.0.0.1:8080/", []))
    assert isinstance(d, r.UnknownDetection) and d.reason is r.UnknownReason.UNSUPPORTED


def test_resolver_failure_is_unknown() -> None:
    async def broken(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "temporary failure")

    d = asyncio.run(ipv6_detection("http://www.example.gov.cn/", [], resolve_aaaa=broken))
    assert isinstance(d, r.UnknownDetection) and d.reason is r.UnknownReason.NETWORK


def test_no_aaaa_record_is_a_fact() -> None:
    async def none(host: str) -> list[str]:
        return []

    d = asyncio.run(ipv6_detection("http://www.example.gov.cn/", [], resolve_aaaa=none))
    assert isinstance(d, r.Ipv6Detection) and not d.aaaa and d.support == 0.0


def test_support_over_loopback_v6() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")

    class V6(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code = 404 if self.path.startswith("/gone") else 200
            body = b"<html><body>ok</body></html>"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    try:
        server = V6(("::1", 0), Handler)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        async def to_loopback(host: str) -> list[str]:
            return ["::1"]

        site = f"http://portal.example.gov.cn:{port}/"
        columns = [r.ColumnDetection(url=f"{site}zwgk/", name="政务公开", level=1),
                   r.ColumnDetection(url=f"{site}gone/", name="旧栏目", level=1)]
        d = asyncio.run(ipv6_detection(site, columns, resolve_aaaa=to_loopback, timeout=5))
    finally:
        server.shutdown()
        server.server_close()
    assert isinstance(d, r.Ipv6Detection)
    assert d.aaaa and d.reachable and d.links_checked == 2 and d.support == 0.5
