"""Issue 4: dead links found against the ground truth, wall time and peak memory of the
full ``govmon audit``, LinkChecker and linkinator on the sitegen ``big`` portal.

``python benchmarks/links/bench_links.py [--tools govmon,linkchecker,linkinator]``
(``bash benchmarks/links/run.sh`` installs the peers first). Results in
benchmarks/out/links.json. Target: exactly the truth's dead links, >= 5x faster.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from benchmarks.run_bench import main

if __name__ == "__main__":
    main("links", "govmon,linkchecker,linkinator", __doc__.splitlines()[0])
