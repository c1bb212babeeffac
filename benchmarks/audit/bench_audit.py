"""Issue 3: the whole ``govmon audit`` (crawl, analysis, link checks) on the 5,003-page
sitegen ``big`` portal served by nginx: pages/s and peak memory, beside nginx (wrk),
the minimal asyncio+httpx+selectolax crawler and the link checkers.

``python benchmarks/audit/bench_audit.py [--tools govmon,minimal] [--pages 5000]``
Target: >= 150 pages/s, peak memory < 300 MB. Results in benchmarks/out/audit.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from benchmarks.run_bench import main

if __name__ == "__main__":
    main("audit", "govmon,minimal,linkchecker,linkinator,blc", __doc__.splitlines()[0])
