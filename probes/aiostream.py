"""An httpcore network backend on asyncio's own transports, for the link checker.

httpcore reaches asyncio only through anyio, and anyio's per-call machinery (a
cancel scope around every read and write, a fresh dict of socket attributes
each time the pool asks whether an idle connection is still open) cost about a
fifth of a link check's CPU (0.87 against 0.70 ms a check on the benchmark's
nginx), in the crawl process's one busy thread.  This backend does the same work with asyncio's
streams: a read, a write and a TLS upgrade, each under its timeout, with
failures raised as the httpcore exceptions the anyio backend raises (the
original error as their cause, which :func:`probes.links.unknown_issuer`
reads).  It runs only under asyncio, which is all govmon uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
from httpcore._utils import is_socket_readable

from probes import hcsync

#: Errors of a broken connection (reset, closed, refused): httpcore's
#: ReadError/WriteError/ConnectError say which step failed.
_BROKEN = (OSError, EOFError)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as httpcore wants it."""

    __slots__ = ("_reader", "_socket", "_writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._socket = writer.get_extra_info("socket")

    def _readable(self) -> bool:
        """Whether a read would return at once: data or the end of the stream.

        The pool asks this of every idle connection at every request.  The
        event loop reads a socket as soon as anything arrives, so what a
        server sent (its close included) is already in the reader, and asking
        it costs no system call: httpcore's own answer polls the socket, a
        ninth of a link check's CPU with the benchmark's eight connections."""
        reader = self._reader
        # a StreamReader says whether it holds bytes only through ``_buffer``;
        # a Python without it gets httpcore's poll of the socket
        buffer = getattr(reader, "_buffer", None)
        if buffer is None:
            return is_socket_readable(self._socket)
        return bool(buffer) or reader.at_eof() or reader.exception() is not None or self._writer.is_closing()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "read timed out") from exc
        except _BROKEN as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "write timed out") from exc
        except _BROKEN as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):  # a broken connection: nothing left to do
            await self._writer.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc) or "TLS handshake timed out") from exc
        except (*_BROKEN, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return AsyncioStream(self._reader, self._writer)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._readable()
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._socket
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connects with :func:`asyncio.open_connection` (TCP_NODELAY is asyncio's default).

    A pool on this backend runs under asyncio: creating one also moves httpcore's
    locks and events onto asyncio's own (:mod:`probes.hcsync`)."""

    def __init__(self) -> None:
        hcsync.install()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except _BROKEN as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock: socket.socket | None = writer.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not supported by this backend")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def connect_first(
    backend: httpcore.AsyncNetworkBackend,
    addresses: Iterable[str],
    port: int,
    *,
    timeout: float | None = None,
    local_address: str | None = None,
    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
) -> httpcore.AsyncNetworkStream:
    """A connection to the first of ``addresses`` that accepts one; the last
    connect error when none does (the backends that pick addresses themselves:
    the address policy's, the IPv6 probe's).  ``addresses`` must not be empty."""
    last: Exception | None = None
    for address in addresses:
        try:
            return await backend.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                             socket_options=socket_options)
        except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
            last = exc
    if last is None:
        raise ValueError("no address to connect to")
    raise last
