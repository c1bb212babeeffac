"""A loopback HTTP server that fails in known patterns, for the probe tests.

Each path has a list of behaviours cycled request by request (``ok``, ``slow``,
``hang``, ``reset``, ``drop``, ``500``, ``404``, ``waf412``, ``ratelimit``,
``loop``), so a test knows exactly how many probes must fail.  It runs in the
test's own event loop (``asyncio.start_server``), on 127.0.0.1 or ::1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>某某区人民政府</title></head>"
    "<body><h1>某某区人民政府</h1><a href='/col/a.html'>工作动态</a>"
    "<a href='/col/b.html'>通知公告</a><a href='http://other.invalid/x'>外链</a></body></html>"
).encode()
WAF_412 = (
    b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
    b"<script type='text/javascript'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=1;</script>"
    b"<script type='text/javascript' r='m'>var a=1;</script></head><body></body></html>"
)


class ProbeServer:
    """``routes`` maps a path to one behaviour or a cycle of behaviours."""

    def __init__(
        self,
        routes: Mapping[str, str | Sequence[str]],
        *,
        host: str = "127.0.0.1",
        trickle_delay: float = 0.2,
        hosts: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.tls = tls
        self.routes = {p: [b] if isinstance(b, str) else list(b) for p, b in routes.items()}
        self.hosts = {
            h: {p: [b] if isinstance(b, str) else list(b) for p, b in r.items()}
            for h, r in (hosts or {}).items()
        }
        self.host = host
        self.trickle_delay = trickle_delay
        self.hits: Counter[str] = Counter()
        self.seen_hosts: list[str] = []
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.port = 0

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        name = host or (f"[{self.host}]" if ":" in self.host else self.host)
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{name}:{self.port}{path}"

    async def __aenter__(self) -> ProbeServer:
        self._server = await asyncio.start_server(self._handle, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        for task in list(self._handlers):
            with contextlib.suppress(BaseException):
                await task
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        host = next((ln.split(":", 1)[1].strip() for ln in lines[1:]
                     if ln.lower().startswith("host:")), "")
        self.seen_hosts.append(host)
        name = host[: host.index("]") + 1] if host.startswith("[") else host.split(":")[0]
        routes = self.hosts.get(name, self.routes)
        cycle = routes.get(path)
        key = f"{host}{path}" if self.hosts else path
        n = self.hits[key]
        self.hits[key] += 1
        behaviour = cycle[n % len(cycle)] if cycle else "404"
        await self._behave(behaviour, path, writer)

    async def _behave(self, behaviour: str, path: str, writer: asyncio.StreamWriter) -> None:
        if behaviour == "ok":
            await _answer(writer, 200, PAGE)
        elif behaviour in ("500", "404", "503"):
            await _answer(writer, int(behaviour), b"<html><body>error</body></html>")
        elif behaviour == "waf412":
            await _answer(writer, 412, WAF_412)
        elif behaviour == "ratelimit":
            await _answer(writer, 429, b"too many requests")
        elif behaviour == "loop":
            writer.write(b"HTTP/1.1 302 Found\r\nLocation: " + path.encode() +
                         b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        elif behaviour == "slow":  # headers at once, then one byte per delay
            body = PAGE
            writer.write(_head(200, len(body)))
            await writer.drain()
            for i in range(len(body)):
                writer.write(body[i : i + 1])
                await writer.drain()
                await asyncio.sleep(self.trickle_delay)
        elif behaviour == "hang":  # read the request, never answer
            await asyncio.sleep(3600)
        elif behaviour == "drop":  # promise a body, send part of it, close
            writer.write(_head(200, 10_000) + PAGE[:20])
            await writer.drain()
        elif behaviour == "reset":  # RST instead of an answer
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            raise ValueError(f"unknown behaviour {behaviour!r}")


def _head(status: int, length: int) -> bytes:
    return (f"HTTP/1.1 {status} X\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()


async def _answer(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    writer.write(_head(status, len(body)) + body)
    await writer.drain()


@contextlib.contextmanager
def serve_in_thread(
    routes: Mapping[str, str | Sequence[str]], **kwargs: object
) -> Iterator[ProbeServer]:
    """The same server in a background thread, for code that runs its own
    event loop (the CLI under click's test runner)."""
    loop = asyncio.new_event_loop()
    server = ProbeServer(routes, **kwargs)  # type: ignore[arg-type]
    ready = threading.Event()
    stop: asyncio.Future[None] | None = None

    async def main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with server:
            ready.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield server
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()
