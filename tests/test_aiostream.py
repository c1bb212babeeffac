"""The asyncio network backend of the link checker: the httpcore contract (the
exceptions the anyio backend raises, keep-alive, stale-connection detection)."""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpcore
import pytest
from pytest_httpserver import HTTPServer

from probes.aiostream import AsyncioBackend


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_pool_keeps_one_connection_for_sequential_requests() -> None:
    """Responses read to their end leave the connection in the pool for the next
    request (a minimal keep-alive HTTP/1.1 server counts its connections)."""
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            path = head.split(b" ", 2)[1]
            body, status = (b"alpha", b"200 OK") if path == b"/a" else (b"beta", b"404 Not Found")
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
        writer.close()

    async def main() -> list[tuple[int, bytes]]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, httpcore.AsyncConnectionPool(network_backend=AsyncioBackend()) as pool:
            out = []
            for path in ("/a", "/b", "/a"):
                response = await pool.request("GET", f"http://127.0.0.1:{port}{path}")
                out.append((response.status, response.content))
            return out

    assert run(main()) == [(200, b"alpha"), (404, b"beta"), (200, b"alpha")]
    assert connections == 1


def _server() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


class _BareReader:
    """A StreamReader without ``_buffer``, as a later Python might have."""

    def at_eof(self) -> bool:
        raise AssertionError("not asked without a buffer")


@pytest.mark.parametrize("bare", [False, True], ids=["reader", "socket-poll-fallback"])
def test_idle_connection_reads_as_readable_once_the_server_closes_it(bare: bool) -> None:
    """httpcore drops an idle connection whose socket is readable (the server
    closed it) instead of sending the next request into it.  The answer comes
    from asyncio's StreamReader buffer; without one (``bare``), from a poll of
    the socket, as httpcore's own backends do."""
    server = _server()

    async def main() -> tuple[bool, bool]:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.getsockname()[1], timeout=5)
        peer, _ = await asyncio.to_thread(server.accept)
        reader = stream._reader  # type: ignore[attr-defined]
        if bare:
            stream._reader = _BareReader()  # type: ignore[attr-defined]
        open_idle = stream.get_extra_info("is_readable")
        peer.close()
        await asyncio.sleep(0.05)
        closed = stream.get_extra_info("is_readable")
        stream._reader = reader  # type: ignore[attr-defined]
        assert await stream.read(100, timeout=5) == b""  # end of stream, as anyio's backend
        await stream.aclose()
        return open_idle, closed

    try:
        assert run(main()) == (False, True)
    finally:
        server.close()


def test_read_timeout_and_refused_connection_raise_httpcore_errors() -> None:
    server = _server()
    port = server.getsockname()[1]

    async def main() -> None:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(100, timeout=0.05)  # the server never answers
        await stream.aclose()
        server.close()
        with pytest.raises(httpcore.ConnectError) as refused:
            await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        assert isinstance(refused.value.__cause__, ConnectionRefusedError)

    try:
        run(main())
    finally:
        server.close()


def test_write_to_a_reset_connection_raises_write_or_read_error() -> None:
    server = _server()

    async def main() -> None:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.getsockname()[1], timeout=5)
        peer, _ = await asyncio.to_thread(server.accept)
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        peer.close()  # RST
        await asyncio.sleep(0.05)
        with pytest.raises((httpcore.WriteError, httpcore.ReadError)):
            for _ in range(50):
                await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 100, timeout=5)
                await stream.read(100, timeout=5)
        await stream.aclose()

    try:
        run(main())
    finally:
        server.close()


def test_tls_handshake_failure_is_a_connect_error_caused_by_the_ssl_error(httpserver: HTTPServer) -> None:
    """A TLS hello to a plain HTTP server fails the handshake: ConnectError, with
    the ssl error as its cause (the link checker classifies TLS from it)."""

    async def main() -> None:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", httpserver.port, timeout=5)
        with pytest.raises(httpcore.ConnectError) as failed:
            await stream.start_tls(ssl.create_default_context(), server_hostname="localhost", timeout=5)
        assert isinstance(failed.value.__cause__, ssl.SSLError | ConnectionError)

    run(main())



def test_connect_first_takes_the_first_address_that_accepts_else_the_last_error() -> None:
    """The address policy's and the IPv6 probe's backends try each address in turn."""
    from probes.aiostream import connect_first

    tried: list[str] = []

    class Fake(httpcore.AsyncNetworkBackend):
        async def connect_tcp(self, host, port, timeout=None, local_address=None,  # type: ignore[no-untyped-def]
                              socket_options=None):
            tried.append(host)
            if host == "good":
                return "stream"
            raise httpcore.ConnectError(f"{host} refused")

    assert run(connect_first(Fake(), ["bad1", "good", "never"], 80)) == "stream"
    assert tried == ["bad1", "good"]
    with pytest.raises(httpcore.ConnectError, match="bad2 refused"):
        run(connect_first(Fake(), ["bad1", "bad2"], 80))
