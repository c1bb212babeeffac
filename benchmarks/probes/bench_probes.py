"""Benchmark: availability probes of 2,000 simulated sites on loopback, a day compressed.

One command, bounded duration, loopback only::

    /work/venv/bin/python benchmarks/probes/bench_probes.py [--sites 2000] [--per-day 24]
        [--day-seconds 480] [--rounds 2] [--concurrency 200]

A child process serves ``--sites`` homepages (one asyncio listener per site on
127.0.0.1, so every site is its own origin; a ~20 KB page each, ``Connection:
close``).  This process plans the probes with ``probes.schedule.probe_offsets``,
squeezes the 24 h day into ``--day-seconds``, fires the first ``--rounds``
rounds of it on time with ``probes.availability.probe`` (a fresh connection per
probe, as in production), and prints:

* CPU seconds of the prober (the server's CPU is not counted) per 1,000 probes,
  and extrapolated per 1,000 sites over a real day (``per_day`` probes each);
* peak memory (max RSS) of the prober, and its growth over the baseline before
  probing, per 1,000 sites;
* how late probes started against their plan (p50/p99): whether one machine
  keeps up with that rate; and probe durations (p50/p99), failures (should be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from probes.availability import ProbeResult, make_client, probe  # noqa: E402
from probes.schedule import DAY, probe_offsets  # noqa: E402

PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>某某区人民政府</title>"
        "</head><body>" + "<p>政务公开 工作动态 通知公告</p>" * 400 + "</body></html>").encode()


# ----------------------------------------------------------------- server ---

async def _serve(sites: int) -> None:
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(PAGE)}\r\nConnection: close\r\n\r\n").encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(head + PAGE)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
               for _ in range(sites)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


# ----------------------------------------------------------------- prober ---

def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _probe_all(ports: list[int], args: argparse.Namespace) -> dict[str, float]:
    plan = probe_offsets(range(len(ports)), per_day=args.per_day, seed="bench")
    interval = DAY / args.per_day
    horizon = args.rounds * interval
    scale = args.day_seconds / DAY
    events = sorted((off * scale, site) for site, offs in plan.items() for off in offs
                    if off < horizon)
    gate = asyncio.Semaphore(args.concurrency)
    results: list[ProbeResult] = []
    lags: list[float] = []

    async with make_client(concurrency=args.concurrency) as client:
        async def fire(planned: float, site: int, t0: float) -> None:
            async with gate:
                lags.append(time.monotonic() - t0 - planned)
                results.append(await probe(f"http://127.0.0.1:{ports[site]}/", client=client,
                                           timeout=args.timeout, resolver=None))

        baseline_rss = _rss_mb()
        cpu0 = time.process_time()
        t0 = time.monotonic()
        tasks = []
        for planned, site in events:
            delay = planned - (time.monotonic() - t0)
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(fire(planned, site, t0)))
        await asyncio.gather(*tasks)
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0

    n = len(results)
    per_probe = cpu / n if n else 0.0
    return {
        "sites": len(ports),
        "probes": n,
        "failures": sum(r.failed for r in results),
        "wall_seconds": round(wall, 2),
        "probes_per_second": round(n / wall, 1) if wall else 0.0,
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_1000_probes": round(per_probe * 1000, 3),
        "cpu_seconds_per_1000_sites_per_real_day": round(per_probe * args.per_day * 1000, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_growth_mb_per_1000_sites": round((_rss_mb() - baseline_rss) * 1000 / len(ports), 1),
        "lag_p50_ms": round(_pct(lags, 0.5) * 1000, 1),
        "lag_p99_ms": round(_pct(lags, 0.99) * 1000, 1),
        "probe_p50_ms": round(statistics.median(r.seconds for r in results) * 1000, 1),
        "probe_p99_ms": round(_pct([r.seconds for r in results], 0.99) * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--per-day", type=int, default=24)
    parser.add_argument("--day-seconds", type=float, default=480.0,
                        help="length of the compressed day (24 h -> this many seconds)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="probe rounds of the compressed day to run (bounds the duration)")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=15.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.serve:
        asyncio.run(_serve(args.sites))
        return 0
    if args.sites + 2 * args.concurrency + 100 > hard:
        parser.error(f"{args.sites} sites need more open files than the limit {hard}")
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--sites", str(args.sites)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert server.stdout is not None
        ports = json.loads(server.stdout.readline())
        report = asyncio.run(_probe_all(ports, args))
    finally:
        server.terminate()
        server.wait(10)
    report.update(per_day=args.per_day, day_seconds=args.day_seconds, rounds=args.rounds,
                  concurrency=args.concurrency)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
