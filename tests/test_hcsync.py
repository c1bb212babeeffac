"""httpcore's primitives on asyncio (probes.hcsync): what httpcore relies on them
for, through a real pool on the link checker's backend: many requests sharing
few connections, a pool wait that times out, a request cancelled mid-answer."""

from __future__ import annotations

import asyncio
import types

import httpcore
import pytest
from httpcore._async import connection as hc_connection
from httpcore._async import connection_pool as hc_pool
from httpcore._async import http11 as hc_http11

from probes import hcsync
from probes.aiostream import AsyncioBackend


async def _serve(delay: float = 0.0) -> tuple[asyncio.Server, int, list[int]]:
    """A keep-alive HTTP/1.1 server answering every request after ``delay``;
    the list counts its connections."""
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(delay)
                path = head.split(b" ", 2)[1]
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(path) + path)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], connections


def test_a_pool_on_the_asyncio_backend_uses_the_asyncio_primitives() -> None:
    AsyncioBackend()
    assert hc_pool.AsyncEvent is hcsync.AsyncEvent
    assert hc_pool.AsyncShieldCancellation is hcsync.AsyncShieldCancellation
    assert hc_connection.AsyncLock is hcsync.AsyncLock
    assert hc_http11.AsyncLock is hcsync.AsyncLock
    assert hc_http11.AsyncShieldCancellation is hcsync.AsyncShieldCancellation


def test_many_requests_share_few_connections() -> None:
    """200 requests at once through a pool of 4: each gets its own answer, and
    the server never sees more than 4 connections (the pool's event and locks
    hand connections over correctly)."""

    async def main() -> tuple[list[bytes], int]:
        server, port, connections = await _serve(delay=0.001)
        async with server, httpcore.AsyncConnectionPool(network_backend=AsyncioBackend(),
                                                        max_connections=4) as pool:
            answers = await asyncio.gather(*(pool.request("GET", f"http://127.0.0.1:{port}/{i}")
                                             for i in range(200)))
            return [a.content for a in answers], len(connections)

    contents, connections = asyncio.run(main())
    assert contents == [f"/{i}".encode() for i in range(200)]
    assert connections <= 4


def test_a_request_waiting_past_the_pool_timeout_raises_pool_timeout() -> None:
    async def main() -> type[BaseException] | None:
        server, port, _ = await _serve(delay=1.0)
        async with server, httpcore.AsyncConnectionPool(network_backend=AsyncioBackend(),
                                                        max_connections=1) as pool:
            url = f"http://127.0.0.1:{port}/"
            slow = asyncio.create_task(pool.request("GET", url))
            await asyncio.sleep(0.05)  # the one connection is taken
            try:
                await pool.request("GET", url, extensions={"timeout": {"pool": 0.1}})
            except BaseException as exc:  # the test reports what was raised
                return type(exc)
            finally:
                slow.cancel()
            return None

    assert asyncio.run(main()) is httpcore.PoolTimeout


def test_a_request_cancelled_while_waiting_for_its_answer_leaves_the_pool_usable() -> None:
    """What the link checker's own timeout does (asyncio.timeout around a
    request): the cancelled request's connection is dropped, the next request
    gets an answer."""

    async def main() -> tuple[int, bytes, int]:
        server, port, _ = await _serve(delay=0.3)
        async with server, httpcore.AsyncConnectionPool(network_backend=AsyncioBackend(),
                                                        max_connections=1) as pool:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.05):
                    await pool.request("GET", f"http://127.0.0.1:{port}/slow")
            answer = await pool.request("GET", f"http://127.0.0.1:{port}/next")
            return answer.status, answer.content, len(pool.connections)

    assert asyncio.run(main()) == (200, b"/next", 1)


def test_install_leaves_httpcore_alone_when_its_names_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    class Foreign:
        pass

    module = types.SimpleNamespace(AsyncLock=Foreign)
    monkeypatch.setattr(hcsync, "_MODULES", (module,))
    monkeypatch.setattr(hcsync, "_state", {})
    assert hcsync.install() is False
    assert module.AsyncLock is Foreign
