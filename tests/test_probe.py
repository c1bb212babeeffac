"""Availability probes against a loopback server failing in known patterns."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest

from probes.availability import (
    ProbeError,
    ProbeResult,
    classify_exception,
    network_ok,
    probe,
    probe_batch,
    probe_with_reprobe,
)
from probes.window import tally
from tests.probe_server import ProbeServer

T = TypeVar("T")
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
TIMEOUT = 1.0  # never the inspection's 15 s in tests


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


def fixed_clock() -> Callable[[], datetime]:
    ticks = iter(range(10_000))
    return lambda: T0 + timedelta(minutes=next(ticks))


async def no_dns(host: str) -> list[str]:
    raise AssertionError("loopback probes never resolve")


async def _probe(server: ProbeServer, path: str, **kw: Any) -> ProbeResult:
    async with httpx.AsyncClient() as client:
        return await probe(server.url(path), client=client, timeout=TIMEOUT,
                           clock=fixed_clock(), **kw)


def probe_path(routes: dict[str, Any], path: str = "/", **kw: Any) -> ProbeResult:
    async def main() -> ProbeResult:
        async with ProbeServer(routes, trickle_delay=0.1) as server:
            return await _probe(server, path, **kw)

    return run(main())


def test_ok_homepage_is_open_with_timings() -> None:
    r = probe_path({"/": "ok"})
    assert r.ok and not r.failed and r.status == 200 and r.error is None
    assert r.at == T0
    assert r.bytes > 100
    assert r.connect_seconds is not None and r.first_byte_seconds is not None
    assert r.tls_seconds is None  # plain http
    assert r.dns_seconds is None  # an IP literal is not resolved
    assert r.final_url and r.final_url.endswith("/")


@pytest.mark.parametrize(
    ("behaviour", "error", "status"),
    [
        ("slow", ProbeError.TIMEOUT, 200),  # trickles: headers in time, body never
        ("hang", ProbeError.TIMEOUT, None),
        ("reset", ProbeError.RESET, None),
        ("drop", ProbeError.RESET, 200),
        ("500", ProbeError.HTTP, 500),
        ("503", ProbeError.HTTP, 503),
        ("404", ProbeError.HTTP, 404),
        ("loop", ProbeError.REDIRECT, None),
    ],
    ids=lambda v: str(v),
)
def test_failure_patterns(behaviour: str, error: ProbeError, status: int | None) -> None:
    r = probe_path({"/": behaviour})
    assert r.failed and not r.ok and not r.blocked and not r.unknown
    assert r.error is error, r.detail
    assert r.status == status


def test_trickle_is_failed_by_the_wall_clock_not_by_read_gaps() -> None:
    # each byte arrives well within the timeout of a single read, yet the
    # whole page does not: the probe must fail at the timeout.
    r = probe_path({"/": "slow"})
    assert r.error is ProbeError.TIMEOUT
    assert TIMEOUT <= r.seconds < TIMEOUT + 2
    assert 0 < r.bytes < 400


@pytest.mark.parametrize("behaviour", ["waf412", "ratelimit"])
def test_waf_answer_is_blocked_not_failed(behaviour: str) -> None:
    r = probe_path({"/": behaviour})
    assert r.blocked and not r.failed and not r.ok
    assert r.error is ProbeError.BLOCKED
    assert r.detail.startswith("http-4")


def test_connection_refused_is_connect() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now

    async def main() -> ProbeResult:
        async with httpx.AsyncClient() as client:
            return await probe(f"http://127.0.0.1:{port}/", client=client, timeout=TIMEOUT)

    r = run(main())
    assert r.error is ProbeError.CONNECT and r.failed


def test_dns_failure_from_the_resolver_step() -> None:
    async def failing(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def main() -> ProbeResult:
        async with httpx.AsyncClient() as client:
            return await probe("http://www.example.invalid/", client=client,
                               timeout=TIMEOUT, resolver=failing)

    r = run(main())
    assert r.error is ProbeError.DNS and r.failed


def test_dns_seconds_measured_by_the_resolver() -> None:
    async def to_loopback(host: str) -> list[str]:
        return ["127.0.0.1"]

    async def main() -> ProbeResult:
        async with ProbeServer({"/": "ok"}) as server:
            transport = httpx.AsyncHTTPTransport()

            async def handler(request: httpx.Request) -> httpx.Response:
                # the name is resolved by the injected resolver only; route the
                # connection itself to the loopback server
                request.url = request.url.copy_with(host="127.0.0.1", port=server.port)
                return await transport.handle_async_request(request)

            async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
                return await probe("http://portal.test/", client=client, timeout=TIMEOUT,
                                   resolver=to_loopback)

    r = run(main())
    assert r.ok and r.dns_seconds is not None and r.dns_seconds >= 0


def test_probe_finishing_at_the_limit_fails() -> None:
    # inclusive limit: a complete answer that took >= timeout is still a failure,
    # even when the answer never yielded to the event loop's timer
    async def body() -> Any:
        yield b"<html>ok</html>"

    async def slow_handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body())

    async def main() -> ProbeResult:
        async with httpx.AsyncClient(transport=httpx.MockTransport(slow_handler)) as client:
            return await probe("http://127.0.0.1/", client=client, timeout=0.0, resolver=None)

    r = run(main())
    assert r.error is ProbeError.TIMEOUT and r.failed


def test_classify_exception_table() -> None:
    import ssl

    def chained(outer: BaseException, inner: BaseException) -> BaseException:
        outer.__cause__ = inner
        return outer

    assert classify_exception(chained(httpx.ConnectError("x"), ssl.SSLError("bad cert"))) \
        is ProbeError.TLS
    assert classify_exception(chained(httpx.ConnectError("x"), socket.gaierror(-2, "x"))) \
        is ProbeError.DNS
    assert classify_exception(httpx.ConnectError("[Errno -2] Name or service not known")) \
        is ProbeError.DNS
    assert classify_exception(chained(httpx.ReadError("x"), ConnectionResetError())) \
        is ProbeError.RESET
    assert classify_exception(httpx.ReadTimeout("x")) is ProbeError.TIMEOUT
    assert classify_exception(TimeoutError()) is ProbeError.TIMEOUT
    assert classify_exception(ValueError("x")) is ProbeError.ERROR


def test_reprobe_is_stored_and_does_not_change_the_ratio() -> None:
    # pattern per request: fail, re-probe ok, ok, ok  -> 1 of 3 scheduled fail
    async def main() -> list[ProbeResult]:
        out: list[ProbeResult] = []
        async with ProbeServer({"/": ["500", "ok", "ok", "ok"]}) as server, \
                httpx.AsyncClient() as client:
            for _ in range(3):
                first, second = await probe_with_reprobe(
                    server.url("/"), client=client, timeout=TIMEOUT, clock=fixed_clock())
                out.append(first)
                if second is not None:
                    out.append(second)
            assert server.hits["/"] == 4
        return out

    results = run(main())
    assert [r.reprobe for r in results] == [False, True, False, False]
    assert results[0].failed and results[1].ok
    t = tally(results)
    assert (t.probes, t.failures, t.reprobes) == (3, 1, 1)
    assert t.ratio == pytest.approx(1 / 3)


def test_blocked_probe_is_not_reprobed() -> None:
    async def main() -> tuple[ProbeResult, ProbeResult | None]:
        async with ProbeServer({"/": "waf412"}) as server, httpx.AsyncClient() as client:
            return await probe_with_reprobe(server.url("/"), client=client, timeout=TIMEOUT)

    first, second = run(main())
    assert first.blocked and second is None


def test_batch_exact_failure_counts() -> None:
    routes = {"/ok": "ok", "/ok2": "ok", "/slow": "slow", "/hang": "hang", "/reset": "reset",
              "/500": "500", "/waf": "waf412", "/flaky": ["500", "ok"]}

    async def main() -> list[ProbeResult]:
        async with ProbeServer(routes, trickle_delay=0.1) as server, \
                httpx.AsyncClient() as client:
            return await probe_batch([server.url(p) for p in routes], client=client,
                                     concurrency=3, timeout=TIMEOUT, clock=fixed_clock())

    results = run(main())
    firsts = [r for r in results if not r.reprobe]
    assert [r.url.rsplit("/", 1)[1] for r in firsts] == [p[1:] for p in routes]
    by = {r.url.rsplit("/", 1)[1]: r for r in firsts}
    assert {k for k, r in by.items() if r.failed} == {"slow", "hang", "reset", "500", "flaky"}
    assert by["waf"].blocked
    reprobes = [r for r in results if r.reprobe]
    assert len(reprobes) == 5  # every failure re-probed at once
    assert [r.ok for r in reprobes if r.url.endswith("/flaky")] == [True]
    t = tally(results)
    assert (t.probes, t.failures, t.blocked, t.unknown) == (7, 5, 1, 0)
    assert t.ratio == pytest.approx(5 / 7)


def test_own_network_down_yields_unknowns_not_failures() -> None:
    # the site fails and the reference URL fails at the same moment
    async def main() -> list[ProbeResult]:
        async with ProbeServer({"/site": "reset", "/other": "ok", "/ref": "hang"}) as server, \
                httpx.AsyncClient() as client:
            assert not await network_ok([server.url("/ref")], client, timeout=TIMEOUT)
            return await probe_batch([server.url("/site"), server.url("/other")], client=client,
                                     reference_urls=[server.url("/ref")], timeout=TIMEOUT)

    results = run(main())
    site = [r for r in results if r.url.endswith("/site")]
    assert len(site) == 2 and all(r.unknown and not r.failed for r in site)
    assert "reference" in site[0].detail
    t = tally(results)
    assert (t.probes, t.failures, t.unknown) == (1, 0, 1)


def test_reference_up_keeps_failures() -> None:
    async def main() -> list[ProbeResult]:
        async with ProbeServer({"/site": "500", "/ref": "ok"}) as server, \
                httpx.AsyncClient() as client:
            return await probe_batch([server.url("/site")], client=client,
                                     reference_urls=[server.url("/ref")], timeout=TIMEOUT)

    results = run(main())
    assert results[0].failed and not results[0].unknown


def test_every_site_of_a_batch_failing_is_unknown() -> None:
    async def main() -> list[ProbeResult]:
        async with ProbeServer({"/a": "reset", "/b": "reset", "/c": "reset"}) as server, \
                httpx.AsyncClient() as client:
            return await probe_batch([server.url(p) for p in ("/a", "/b", "/c")], client=client,
                                     timeout=TIMEOUT, reprobe=False)

    results = run(main())
    assert len(results) == 3 and all(r.unknown and r.error is ProbeError.RESET for r in results)


def test_result_row_round_trip() -> None:
    r = probe_path({"/": "500"})
    row = r.to_row()
    assert row["error"] == "http" and row["at"] == T0
    assert ProbeResult.from_row(row) == r
    js = r.to_json()
    assert list(js)[:5] == ["at", "ok", "status", "seconds", "error"]
    assert js["at"] == T0.isoformat()


def test_waiting_for_our_own_pool_is_unknown() -> None:
    # one connection in the pool, held by a hanging site: the second probe
    # never reached its site, so it proves nothing about it
    async def main() -> list[ProbeResult]:
        async with ProbeServer({"/hang": "hang", "/ok": "ok"}) as server, \
                httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as client:
            first = asyncio.create_task(probe(server.url("/hang"), client=client,
                                              timeout=TIMEOUT))
            while server.hits["/hang"] == 0:  # the hanging probe holds the connection
                await asyncio.sleep(0.01)
            second = await probe(server.url("/ok"), client=client, timeout=TIMEOUT)
            return [await first, second]

    hang, waited = run(main())
    assert hang.failed and hang.error is ProbeError.TIMEOUT
    assert waited.unknown and not waited.failed and "PoolTimeout" in waited.detail


def test_batch_without_client_makes_its_own() -> None:
    async def main() -> list[ProbeResult]:
        async with ProbeServer({"/": "ok"}) as server:
            return await probe_batch([server.url("/")] * 5, concurrency=2, timeout=TIMEOUT)

    results = run(main())
    assert len(results) == 5 and all(r.ok for r in results)
    # no keep-alive: every probe opened its own connection
    assert all(r.connect_seconds is not None for r in results)


def _self_signed(tmp_path: Any) -> tuple[ssl.SSLContext, str]:
    """A server context with a self-signed certificate for 127.0.0.1, and its PEM path."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(T0 - timedelta(days=3650)).not_valid_after(T0 + timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = tmp_path / "cert.pem"
    key_pem = tmp_path / "key.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_pem, key_pem)
    return ctx, str(cert_pem)


def test_tls_timings_and_untrusted_certificate(tmp_path: Any) -> None:
    server_ctx, cert_pem = _self_signed(tmp_path)
    trusting = ssl.create_default_context(cafile=cert_pem)

    async def main() -> tuple[ProbeResult, ProbeResult]:
        async with ProbeServer({"/": "ok"}, tls=server_ctx) as server:
            async with httpx.AsyncClient(verify=trusting) as client:
                good = await probe(server.url("/"), client=client, timeout=2.0)
            async with httpx.AsyncClient() as client:  # system CAs: not trusted
                bad = await probe(server.url("/"), client=client, timeout=2.0)
            return good, bad

    good, bad = run(main())
    assert good.ok and good.tls_seconds is not None and good.connect_seconds is not None
    assert good.first_byte_seconds is not None
    assert good.first_byte_seconds >= good.tls_seconds
    assert bad.failed and bad.error is ProbeError.TLS, bad.detail
