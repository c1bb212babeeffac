"""Run the full ``govmon audit`` (crawl, analysis, link checks, scoring) on one URL as
its own process, with the deny list the CLI lacks; write what the benchmarks score.

``python benchmarks/govmon_driver.py URL --out FILE [--deny h1,h2] [--max-pages N]``

The JSON holds the dead and unknown link URLs, the crawl stats, the audit's wall
time, the score and the largest resident size of this process and of its crawl
children (``ru_maxrss``; the harness samples the whole tree's sum).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from govmon import records as r
from govmon.audit import AuditOptions, audit_site

AS_OF = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--deny", default="")
    parser.add_argument("--max-pages", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--name")
    parser.add_argument("--site-code")
    args = parser.parse_args()
    deny = tuple(h for h in args.deny.split(",") if h)
    options = AuditOptions(as_of=AS_OF, max_pages=args.max_pages, concurrency_per_host=args.concurrency)
    t0 = time.perf_counter()
    report = audit_site(args.url, options, name=args.name, site_code=args.site_code, deny_hosts=deny)
    seconds = time.perf_counter() - t0
    links = [d for d in report.detections if isinstance(d, r.LinkDetection)]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    args.out.write_text(json.dumps({
        "tool": "govmon",
        "seconds": seconds,
        "crawl": asdict(report.crawl),
        "dead": sorted(d.url for d in links if d.error is not r.LinkError.BLOCKED),
        "unknown": sorted(d.url for d in links if d.error is r.LinkError.BLOCKED),
        "detections": len(report.detections),
        "events": len(report.events),
        "score": report.score.total,
        "maxrss_mb": {"self": round(own, 1), "largest_child": round(kids, 1)},
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
