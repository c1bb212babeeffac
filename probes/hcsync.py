"""httpcore's locks, events and cancellation shields on asyncio's own primitives.

httpcore builds its async locks, events and shields on anyio whatever the event
loop, and anyio's asyncio versions cost more than the request they guard: a
link check takes three lock round trips, two shielded scopes and an event, and
each anyio lock asks which async library runs (httpcore's own ask first
tries to import sniffio, which govmon does not install, and fails each
time).  On the benchmark's nginx a check cost 0.65–0.74 ms of CPU with anyio's
primitives and 0.41–0.46 ms with these.  The same swap is httpcore's open pull
request encode/httpcore#922 (measured there too, in encode/httpx#3215); until
httpcore makes it, :func:`install` puts these classes where httpcore's
connection pool and HTTP/1.1 connection look their primitives up.

govmon runs httpx only under asyncio, so these know only asyncio.  The shield
is a no-op, which is what anyio's shield already is against asyncio's own
cancellations: an ``asyncio.timeout`` or a ``Task.cancel`` interrupts the
awaits inside ``anyio.CancelScope(shield=True)`` (checked with anyio 4.16;
it shields only from anyio's cancel scopes, which govmon does not use).
Should a later httpcore move or rename these names, :func:`install` leaves it
alone and anyio's primitives stay.
"""

from __future__ import annotations

import asyncio
import logging
import types
from typing import Final

import httpcore
from httpcore._async import connection as _connection
from httpcore._async import connection_pool as _pool
from httpcore._async import http11 as _http11

log = logging.getLogger(__name__)


class AsyncLock:
    """httpcore's ``AsyncLock``: an ``async with`` lock."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncLock:
        await self._lock.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: types.TracebackType | None = None,
    ) -> None:
        self._lock.release()


class AsyncEvent:
    """httpcore's ``AsyncEvent``: a pool request waits on it for a connection;
    a wait past ``timeout`` is httpcore's :class:`httpcore.PoolTimeout`."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float | None = None) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError as exc:
            raise httpcore.PoolTimeout(f"no connection free within {timeout} s") from exc


class AsyncShieldCancellation:
    """httpcore's ``AsyncShieldCancellation``, as a no-op (see the module's note)."""

    __slots__ = ()

    def __enter__(self) -> AsyncShieldCancellation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: types.TracebackType | None = None,
    ) -> None:
        return None


_REPLACEMENTS: Final = {
    "AsyncLock": AsyncLock,
    "AsyncEvent": AsyncEvent,
    "AsyncShieldCancellation": AsyncShieldCancellation,
}
_MODULES: Final = (_pool, _connection, _http11)
_state: dict[str, bool] = {}


def install() -> bool:
    """Swap the primitives in once per process; whether they are in.

    Only names a module already has are replaced, and only when every one of
    them is httpcore's own class (a layout this was written against)."""
    if "installed" in _state:
        return _state["installed"]
    from httpcore import _synchronization as original

    found = [(module, name) for module in _MODULES for name in _REPLACEMENTS if hasattr(module, name)]
    usable = bool(found) and all(getattr(module, name) is getattr(original, name, None) for module, name in found)
    if usable:
        for module, name in found:
            setattr(module, name, _REPLACEMENTS[name])
    else:
        log.info("httpcore %s: its synchronisation names moved; keeping anyio's primitives",
                 httpcore.__version__)
    _state["installed"] = usable
    return usable
