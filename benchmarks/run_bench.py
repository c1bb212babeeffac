"""Common entry of the benchmarks: serve the ``big`` portal with nginx, measure nginx
with wrk, run the chosen tools one after another, print the table, write the JSON."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness as h


def main(name: str, default_tools: str, doc: str) -> None:
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--pages", type=int, default=5000, help="portal size (default 5000)")
    parser.add_argument("--tools", default=default_tools,
                        help=f"comma-separated, from {','.join(h.TOOLS)} (default {default_tools})")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="connections per host for every tool (default 8)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per tool before it is killed")
    parser.add_argument("--idle", type=float, default=2.0,
                        help="nginx keepalive_timeout in seconds (default 2, like many gov servers)")
    args = parser.parse_args()
    h.require_tools()
    print(f"building and writing the big portal ({args.pages} pages)…", flush=True)
    site = h.serve_big(args.pages, idle=args.idle)
    results: list[h.Result] = []
    try:
        rps = h.wrk(site.base + "/index.html", seconds=5, connections=args.concurrency)
        print(f"portal {site.base}: {site.pages} pages, {len(site.dead)} dead links; "
              f"nginx serves {rps:,.0f} pages/s (wrk, {args.concurrency} connections)", flush=True)
        results.append(h.Result(tool="nginx (wrk, homepage)", concurrency=f"{args.concurrency} connections",
                                wall_s=5.0, pages=None, pages_per_s=rps, peak_rss_mb=0))
        for tool in args.tools.split(","):
            print(f"running {tool}…", flush=True)
            result = h.TOOLS[tool](site, concurrency=args.concurrency, timeout=args.timeout)
            # the machine may be shared: the 1-minute load after the run says how much
            result.extra["loadavg_1m_after"] = os.getloadavg()[0]
            results.append(result)
            print(h.table([result]).splitlines()[-1], flush=True)
    finally:
        site.stop()
    print()
    print(h.machine())
    print(h.table(results))
    path = h.write_json(name, site, results, {"concurrency": args.concurrency, "idle_s": args.idle})
    print(f"written {path}")
