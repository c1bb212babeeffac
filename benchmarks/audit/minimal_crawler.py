"""The yardstick of issue 3: a minimal asyncio + httpx + selectolax crawler and link
checker, with no analysis at all. Prints JSON (pages, dead links, timings) on stdout.

``python benchmarks/audit/minimal_crawler.py http://127.0.0.1:PORT/ [--concurrency 8] [--deny h1,h2]``

It crawls every same-origin HTML page, collects a/img/script/link/iframe URLs, then
checks each distinct URL that was not crawled (HEAD, GET when HEAD is refused). A
URL answering >= 400 or failing to connect counts as dead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from selectolax.lexbor import LexborHTMLParser

SELECTORS = (("a", "href"), ("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"))


def links(url: str, html: str) -> set[str]:
    tree = LexborHTMLParser(html)
    found = set()
    for tag, attr in SELECTORS:
        for node in tree.css(f"{tag}[{attr}]"):
            value = (node.attributes.get(attr) or "").strip()
            if value and not value.startswith(("javascript:", "mailto:", "tel:", "#")):
                found.add(urldefrag(urljoin(url, value))[0])
    return found


async def run(start: str, concurrency: int, deny: set[str]) -> dict[str, object]:
    origin = urlsplit(start).netloc
    seen = {start}
    all_links: set[str] = set()
    queue: asyncio.Queue[str] = asyncio.Queue()
    queue.put_nowait(start)
    pages = 0
    crawled: set[str] = set()
    dead: set[str] = set()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=15, limits=limits, trust_env=False) as client:

        async def crawler() -> None:
            nonlocal pages
            while True:
                url = await queue.get()
                try:
                    resp = await client.get(url)
                    crawled.add(url)
                    if resp.status_code >= 400:
                        dead.add(url)
                    if resp.status_code == 200 and "html" in resp.headers.get("content-type", ""):
                        pages += 1
                        for link in links(url, resp.text):
                            all_links.add(link)
                            parts = urlsplit(link)
                            if (parts.netloc == origin and link not in seen
                                    and (parts.path.endswith((".html", "/")))):
                                seen.add(link)
                                queue.put_nowait(link)
                except httpx.HTTPError:
                    pass
                finally:
                    queue.task_done()

        t0 = time.perf_counter()
        workers = [asyncio.create_task(crawler()) for _ in range(concurrency)]
        await queue.join()
        for w in workers:
            w.cancel()
        crawl_seconds = time.perf_counter() - t0

        to_check = [u for u in all_links
                    if u.startswith("http") and urlsplit(u).hostname not in deny]
        failed_crawl = {u for u in seen if u not in crawled}
        sem = asyncio.Semaphore(concurrency)

        async def check(url: str) -> None:
            async with sem:
                try:
                    resp = await client.head(url)
                    if resp.status_code in (405, 501):
                        resp = await client.get(url)
                    if resp.status_code >= 400:
                        dead.add(url)
                except httpx.HTTPError:
                    dead.add(url)

        await asyncio.gather(*(check(u) for u in to_check if u not in crawled or u in failed_crawl))
        check_seconds = time.perf_counter() - t0 - crawl_seconds
    return {"pages": pages, "links": len(all_links), "dead": sorted(dead),
            "crawl_seconds": crawl_seconds, "check_seconds": check_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("start")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--deny", default="")
    args = parser.parse_args()
    deny = {h for h in args.deny.split(",") if h}
    print(json.dumps(asyncio.run(run(args.start, args.concurrency, deny))))


if __name__ == "__main__":
    main()
