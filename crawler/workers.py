"""Page analysis in worker processes, fed and read by the crawl's event loop.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: it hands every page to
the worker through two threads of the crawling process (its manager and its
queue feeder), each of which must win the GIL from the busy event loop, and
through a 64 KB pipe that holds one or two pages.  On the 5,000-page benchmark
168 pages waited for analysis while the worker sat idle a fifth of the time.
Here the event loop writes each page into the worker's stdin itself (asyncio
buffers what the pipe cannot take yet), the pipes are enlarged to hold dozens
of pages, and results come back through the loop's own reader: no thread, no
GIL hand-off.

Frames on both pipes: a 4-byte big-endian length, then a pickle.  A job is
``(job id, url, html, is_home, settings)``; an answer ``(job id, ok, facts or
exception)``.  A worker ends at the end of its stdin.  A worker that dies fails
the pages it held (their analysis is lost, the crawl goes on); the next page
starts a new worker, at most :data:`MAX_RESTARTS` times per pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import logging
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from govmon.errors import ConfigError, CrawlError

if TYPE_CHECKING:  # the analysers are the worker's to import, not the pool's
    from crawler.pagefacts import AnalysisSettings, PageFacts

log = logging.getLogger(__name__)

_HEADER: Final = struct.Struct(">I")
#: Pipe capacity asked of Linux (``F_SETPIPE_SZ``): ~30 pages of 30 KB queued
#: in the kernel, so a worker never waits for the busy loop to write the next.
PIPE_SIZE: Final = 1 << 20
_F_SETPIPE_SZ: Final = 1031
MAX_RESTARTS: Final = 3


def analysis_workers() -> int:
    """Worker processes for page analysis: ``GOVMON_ANALYSIS_WORKERS``, or one
    fewer than the CPUs (Scrapy keeps one), 0 meaning in-process."""
    env = os.environ.get("GOVMON_ANALYSIS_WORKERS")
    if env is not None:
        try:
            return max(0, int(env))
        except ValueError:
            raise ConfigError(f"GOVMON_ANALYSIS_WORKERS: not a whole number: {env!r}") from None
    return max(0, (os.cpu_count() or 1) - 1)


class WorkerLost(CrawlError):
    """The analysis worker ended while it held a page."""


class _Worker(asyncio.Protocol):
    """One worker process and the answers read from its stdout."""

    def __init__(self, proc: subprocess.Popen[bytes], ended: asyncio.Future[None]) -> None:
        self.proc = proc
        self.ended = ended
        self.pending: dict[int, asyncio.Future[PageFacts]] = {}
        self.writer: asyncio.WriteTransport | None = None
        self._buffer = bytearray()

    @property
    def alive(self) -> bool:
        return not self.ended.done()

    def data_received(self, data: bytes) -> None:
        buf = self._buffer
        buf += data
        size = _HEADER.size
        while len(buf) >= size:
            (length,) = _HEADER.unpack_from(buf)
            if len(buf) < size + length:
                break
            job, ok, value = pickle.loads(memoryview(buf)[size:size + length])
            del buf[:size + length]
            future = self.pending.pop(job, None)
            if future is None or future.done():  # its page was cancelled
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ended.done():
            self.ended.set_result(None)
        lost, self.pending = self.pending, {}
        for future in lost.values():
            if not future.done():
                future.set_exception(WorkerLost(
                    f"the page analysis worker (pid {self.proc.pid}) ended while analysing this page"
                ))


class AnalysisPool:
    """``workers`` analysis processes; :meth:`analyse` from the event loop.

    The processes start at once (they import the analysers while the crawl
    starts); their pipes join the event loop at the first page."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("an analysis pool needs at least one worker")
        self.size = workers
        self._procs = [_spawn() for _ in range(workers)]
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self._restarts = 0
        self._closed = False
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> AnalysisPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _connect(self, proc: subprocess.Popen[bytes]) -> _Worker:
        loop = asyncio.get_running_loop()
        worker = _Worker(proc, loop.create_future())
        assert proc.stdin is not None and proc.stdout is not None
        await loop.connect_read_pipe(lambda: worker, proc.stdout)
        worker.writer, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, proc.stdin)
        return worker

    async def _pick(self) -> _Worker:
        alive = [w for w in self._workers if w.alive]
        if len(alive) < self.size:
            async with self._lock:  # one connection per pipe, one replacement per loss
                if not self._workers:
                    self._workers = [await self._connect(p) for p in self._procs]
                alive = [w for w in self._workers if w.alive]
                if len(alive) < self.size and self._restarts < MAX_RESTARTS:
                    self._restarts += 1
                    log.warning("starting a new page analysis worker (%d of at most %d)",
                                self._restarts, MAX_RESTARTS)
                    proc = _spawn()
                    self._procs.append(proc)
                    alive.append(await self._connect(proc))
                    self._workers = [*self._workers, alive[-1]]
        if not alive:
            raise WorkerLost("every page analysis worker has ended")
        return min(alive, key=lambda w: len(w.pending))

    async def analyse(self, url: str, html: str, *, is_home: bool, settings: AnalysisSettings) -> PageFacts:
        if self._closed:
            raise CrawlError("the page analysis pool is closed")
        worker = await self._pick()
        job = next(self._ids)
        payload = pickle.dumps((job, url, html, is_home, settings), protocol=pickle.HIGHEST_PROTOCOL)
        future: asyncio.Future[PageFacts] = asyncio.get_running_loop().create_future()
        worker.pending[job] = future
        assert worker.writer is not None
        worker.writer.write(_HEADER.pack(len(payload)) + payload)
        return await future

    async def aclose(self, timeout: float = 5.0) -> None:
        """End the workers from the event loop: their stdin closes and they exit
        (one still running ``timeout`` s and one more later is killed)."""
        self._closed = True
        for worker in self._workers:
            if worker.writer is not None:
                worker.writer.close()
        if self._workers:
            await asyncio.wait([w.ended for w in self._workers], timeout=timeout)
        self.close(wait=1.0)  # a worker that closed its stdout is exiting

    def close(self, wait: float = 2.0) -> None:
        """End the workers without the event loop (after it stopped, or when it
        never ran): close their stdin, wait up to ``wait`` s, kill what remains."""
        self._closed = True
        for proc in self._procs:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        for proc in self._procs:
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                with contextlib.suppress(OSError):
                    proc.stdout.close()


def _spawn() -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.Popen(
        # -P, as the crawl child: a ``crawler`` package in the working directory
        # cannot stand in for this one
        [sys.executable, "-P", "-m", "crawler.workers"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    for pipe in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):  # not Linux, or above pipe-max-size: the default size
            fcntl.fcntl(pipe.fileno(), _F_SETPIPE_SZ, PIPE_SIZE)
    return proc


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)  # a buffered reader: all ``size`` bytes, or fewer at the end
    return data if len(data) == size else None  # end of input: the crawl is over


def worker_main() -> int:
    """The worker: read jobs from stdin until it ends, answer each on stdout."""
    from crawler.pagefacts import analyse_page

    stdin = sys.stdin.buffer
    # the answers own fd 1; anything printed goes to stderr, not into a frame
    stdout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    while True:
        header = _read_exactly(stdin, _HEADER.size)
        if header is None:
            return 0
        (length,) = _HEADER.unpack(header)
        frame = _read_exactly(stdin, length)
        if frame is None:
            return 0
        job, url, html, is_home, settings = pickle.loads(frame)
        try:
            answer: tuple[int, bool, Any] = (job, True, analyse_page(url, html, is_home=is_home, settings=settings))
        except Exception as exc:  # the crawl process re-raises it for this page
            answer = (job, False, exc)
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that does not pickle
            payload = pickle.dumps((job, False, RuntimeError(f"{url}: {exc!r}")))
        stdout.write(_HEADER.pack(len(payload)) + payload)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(worker_main())
