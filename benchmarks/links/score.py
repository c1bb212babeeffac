"""Score link checkers' reports against the benchmark site's ground truth.

``python -m benchmarks.links.score out/manifest.json out/govmon.json [out/linkinator.json ...]``

Each report is read into a set of URLs the tool calls dead (and, for tools that
have the notion, unknown); URLs are compared percent-encoded, fragment-free.
A live link called dead is a *false accusation* (the bug that matters most); a
dead link missed is a *miss*; an anti-bot answer called dead is counted apart.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from crawler.analysis.links import InvalidURL, canonical_url


def _norm(url: str) -> str:
    try:
        return canonical_url(url)
    except InvalidURL:
        return url


def read_report(path: Path) -> tuple[str, set[str], set[str], float | None]:
    """(tool, dead, unknown, seconds) from a govmon, linkinator, lychee or LinkChecker report."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".csv":  # LinkChecker -F csv: ';'-separated, '#' comment lines
        rows = csv.DictReader(
            (line for line in text.splitlines() if not line.startswith("#")), delimiter=";"
        )
        dead = {_norm(r["url"] or r["urlname"]) for r in rows if r.get("valid") == "False"}
        return "linkchecker", dead, set(), None
    data = json.loads(text)
    if data.get("tool") == "govmon":
        return (
            "govmon",
            {_norm(u) for u in data["dead"]},
            {_norm(u) for u in data["unknown"]},
            data["seconds"],
        )
    if "links" in data and isinstance(data["links"], list):  # linkinator --format json
        dead = {_norm(x["url"]) for x in data["links"] if x.get("state") == "BROKEN"}
        return "linkinator", dead, set(), None
    if "fail_map" in data or "error_map" in data:  # lychee --format json
        dead = set()
        for entries in (data.get("fail_map") or data.get("error_map") or {}).values():
            dead |= {_norm(e["url"]) for e in entries}
        return "lychee", dead, set(), None
    raise ValueError(f"{path}: unknown report format")


def score(truth: dict[str, str], dead: set[str], unknown: set[str]) -> dict[str, int]:
    want_dead = {u for u, v in truth.items() if v == "dead"}
    want_unknown = {u for u, v in truth.items() if v == "unknown"}
    want_ok = {u for u, v in truth.items() if v == "ok"}
    return {
        "dead_found": len(dead & want_dead),
        "dead_missed": len(want_dead - dead),
        "false_accusations": len(dead & want_ok),
        "anti_bot_called_dead": len(dead & want_unknown),
        "anti_bot_called_unknown": len(unknown & want_unknown),
        "reported_outside_truth": len(dead - set(truth)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("reports", type=Path, nargs="+")
    args = parser.parse_args()
    truth = {_norm(u): v for u, v in json.loads(args.manifest.read_text())["truth"].items()}
    for path in args.reports:
        tool, dead, unknown, seconds = read_report(path)
        result = score(truth, dead, unknown)
        print(json.dumps({"tool": tool, "report": str(path), "seconds": seconds, **result}))


if __name__ == "__main__":
    main()
