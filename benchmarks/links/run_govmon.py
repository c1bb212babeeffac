"""Crawl the benchmark site and check its links with govmon's extractor and checker;
write the dead and unknown links and the timings as JSON for ``score.py``.

``python -m benchmarks.links.run_govmon out/manifest.json out/govmon.json``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import defaultdict
from pathlib import Path

import httpx

from crawler.analysis.links import extract_links
from crawler.analysis.page import ParsedPage
from govmon.records import Element
from probes.links import LinkCheckConfig, LinkChecker, link_detections
from probes.netguard import AddressPolicy


async def crawl(start: str, concurrency: int) -> tuple[dict[str, list[tuple[str, Element]]], int]:
    """Breadth-first over the site's own HTML pages; returns link occurrences."""
    origin = start.split("/", 3)[:3]
    prefix = "/".join(origin) + "/"
    occurrences: dict[str, list[tuple[str, Element]]] = defaultdict(list)
    seen = {start}
    queue: asyncio.Queue[str] = asyncio.Queue()
    queue.put_nowait(start)
    pages = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal pages
        while True:
            url = await queue.get()
            try:
                response = await client.get(url)
                if response.status_code == 200 and "html" in response.headers.get(
                    "content-type", ""
                ):
                    pages += 1
                    for link in extract_links(ParsedPage.parse(url, response.text)):
                        occurrences[link.url].append((url, link.element))
                        if (
                            link.url.startswith(prefix + "p/")
                            and link.url.endswith(".html")
                            and link.url not in seen
                        ):
                            seen.add(link.url)
                            queue.put_nowait(link.url)
            except httpx.HTTPError:
                pass
            finally:
                queue.task_done()

    async with httpx.AsyncClient(timeout=15, trust_env=False) as client:
        workers = [asyncio.create_task(worker(client)) for _ in range(concurrency)]
        await queue.join()
        for w in workers:
            w.cancel()
    return occurrences, pages


async def main_async(manifest: Path, out: Path, recheck_delay: float) -> None:
    start = json.loads(manifest.read_text())["start"]
    t0 = time.perf_counter()
    occurrences, pages = await crawl(start, concurrency=8)
    t1 = time.perf_counter()
    config = LinkCheckConfig(policy=AddressPolicy.for_site(start), recheck_delay=recheck_delay)
    referers = {url: seen_on[0][0] for url, seen_on in occurrences.items()}
    statuses = await LinkChecker(config).check(occurrences, referers=referers)
    t2 = time.perf_counter()
    failed, unknown = link_detections(occurrences, statuses, home_url=start)
    out.write_text(
        json.dumps(
            {
                "tool": "govmon",
                "pages": pages,
                "links": len(occurrences),
                "crawl_seconds": round(t1 - t0, 2),
                "check_seconds": round(t2 - t1, 2),
                "seconds": round(t2 - t0, 2),
                "dead": sorted(d.url for d in failed),
                "unknown": sorted(u.url for u in unknown),
                "errors": {d.url: f"{d.error}:{d.status}" for d in failed},
            },
            ensure_ascii=False,
            indent=1,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--recheck-delay", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(main_async(args.manifest, args.out, args.recheck_delay))


if __name__ == "__main__":
    main()
