"""Run one site's crawl and link check, in this process or in a child process.

Scrapy's reactor cannot be restarted within a process, so every crawl that is
not the only thing a process does (tests, the daemon, ``govmon run``) goes
through :class:`CrawlChild`: ``python -m crawler.runner JOB.json
RESULT.json``, which starts crawling once it reads ``go`` on stdin.  A crash
or a hung crawl then stays contained and is killed at its time limit.  The
child reports progress on stderr as ``progress <json>`` lines, which the parent
turns into a progress display.

Links are checked in the same child, in the crawl's own event loop, as the
crawl finds them (the site's own once the crawl has ended); only detections
(not the 300,000 link occurrences of a big site) cross the process boundary.
Pages are analysed in worker processes (:mod:`crawler.workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.job import CrawlJob, CrawlTarget
from govmon import records as r
from govmon.errors import CrawlError

if TYPE_CHECKING:
    import httpx

    from crawler.collect import CrawlOutcome, SiteCollector
    from crawler.workers import AnalysisPool
    from probes.netguard import AddressPolicy

__all__ = ["CrawlChild", "CrawlInterrupted", "CrawlJob", "CrawlRun", "CrawlTarget", "SiteResult", "crawl",
           "crawl_in_subprocess", "run_job"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SiteResult:
    """What a crawl job produced: detections, statistics and page rows."""

    detections: list[r.Detection]
    stats: r.CrawlStats
    pages: list[dict[str, Any]] = field(default_factory=list)
    link_checks: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "detections": [r.to_dict(d) for d in self.detections],
                "stats": r.to_dict(self.stats),
                "pages": self.pages,
                "link_checks": self.link_checks,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> SiteResult:
        data = json.loads(text)
        return cls(
            detections=[r.detection_from_dict(d) for d in data["detections"]],
            stats=r.CrawlStats(**data["stats"]),
            pages=data["pages"],
            link_checks=data["link_checks"],
        )


ProgressFn = Callable[[dict[str, Any]], None]
#: The parent's word that a held crawl child may start (see CrawlChild).
_GO = "go\n"


def _site_is_private(url: str) -> bool:
    import ipaddress
    import socket

    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        try:
            ip = ipaddress.ip_address(info[4][0])
        except ValueError:
            continue
        if ip.is_private or ip.is_loopback or ip.is_link_local:
            return True
    return False


@dataclass(slots=True)
class CrawlRun:
    """A crawl and what ran beside and after it in the crawl's event loop."""

    outcome: CrawlOutcome
    links: list[r.Detection] = field(default_factory=list)
    link_rows: list[dict[str, Any]] = field(default_factory=list)
    probes: list[r.Detection] = field(default_factory=list)


def start_pool(job: CrawlJob) -> AnalysisPool | None:
    """The job's page analysis workers, started now: each imports the analysers
    (half a second) while this process imports Scrapy, so the first page does
    not wait for them.  None when pages are analysed in this process."""
    from crawler.workers import AnalysisPool, analysis_workers

    workers = job.analysis_workers if job.analysis_workers is not None else analysis_workers()
    return AnalysisPool(workers) if workers > 0 else None


def crawl(job: CrawlJob, *, progress: ProgressFn | None = None, pool: AnalysisPool | None = None) -> CrawlRun:
    """Crawl in this process (once per process: Scrapy's reactor cannot restart).

    Links are checked as the crawl finds them, in the crawl's own event loop
    (Scrapy runs on asyncio; the site's own once the crawl has ended), and the
    search, cloaking and IPv6 probes run while the last link checks finish:
    nothing waits for a phase to end that it does not need.  ``pool``: workers
    already started by :func:`start_pool` (this function closes them); without
    it they are started here."""
    if pool is None:
        pool = start_pool(job)
    try:
        return _crawl(job, progress, pool)
    finally:
        if pool is not None:
            pool.close()


def _crawl(job: CrawlJob, progress: ProgressFn | None, pool: AnalysisPool | None) -> CrawlRun:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.collect import SiteCollector
    from crawler.settings import scrapy_settings
    from crawler.spiders.site import SiteSpider

    collector = SiteCollector(job.target)
    settings = scrapy_settings(
        max_bytes=job.max_bytes,
        concurrency_per_host=job.concurrency_per_host,
        delay=job.delay,
        timeout=job.timeout,
        retries=job.retries,
        time_limit=job.time_limit,
        render=job.render,
    )
    last = [0.0]
    links = _LinkSession(job, collector.hosts) if job.check_links else None

    def tick(c: SiteCollector) -> None:
        now = time.monotonic()
        if progress is not None and now - last[0] >= 0.5:
            last[0] = now
            progress({"phase": "crawl", "pages": len(c.facts), "requests": c.requests,
                      "queued": len(c.scheduled), "checked": links.checker.done if links is not None else 0})

    if links is not None:
        collector.on_check = links.submit
    ended: list[CrawlRun] = []
    failures: list[BaseException] = []

    async def closing(reason: str) -> None:
        # Scrapy awaits this before it stops the reactor; an exception here
        # would only be logged by Scrapy, so it is kept and raised below.
        try:
            if pool is not None:
                await pool.aclose()  # no page is analysed any more: free the worker now
            outcome = collector.finish()
            run = CrawlRun(outcome=outcome)
            ended.append(run)
            if reason == "shutdown":  # stopped from outside: the result is partial anyway
                if links is not None:
                    links.cancel()
                return
            await _after_crawl(job, run, links, progress)
        except BaseException as exc:
            failures.append(exc)

    process = CrawlerProcess(settings)
    # Scrapy resets logging: keep its per-request debug lines out of the
    # child's stderr, which the parent reads line by line.
    for name in ("scrapy", "twisted", "scrapy_playwright"):
        logging.getLogger(name).setLevel(logging.WARNING)
    crawler = process.create_crawler(SiteSpider)
    crawler.signals.connect(closing, signal=signals.spider_closed)
    process.crawl(crawler, collector=collector, progress=tick, pool=pool, render=job.render)
    process.start()
    if failures:
        raise failures[0]
    if not ended:
        raise CrawlError(f"crawl of {job.target.url} ended without closing its spider")
    return ended[0]


async def _after_crawl(job: CrawlJob, run: CrawlRun, links: _LinkSession | None,
                       progress: ProgressFn | None) -> None:
    """The rest of a job: the links not yet checked, and the site search,
    cloaking and IPv6 probes (each probe's failure loses only itself).

    The search and cloaking probes (one request at a time each) run while the
    last link checks finish, inside the site's budget: the checker then gets
    ``concurrency_per_host`` minus theirs.  A budget too small to share runs
    them one after another; the IPv6 check (a request per column) runs last."""
    from govmon.ipv6check import ipv6_detection

    outcome = run.outcome

    async def probe(name: str, coro: Coroutine[Any, Any, list[r.Detection]]) -> list[r.Detection]:
        try:
            return await coro
        except Exception:  # a probe's failure must not lose the crawl
            log.exception("%s probe of %s failed", name, job.target.url)
            return []

    side: list[Coroutine[Any, Any, list[r.Detection]]] = []
    if job.check_search:
        side.append(probe("site search", check_site_search(job, outcome)))
    if job.check_cloaking:
        side.append(probe("cloaking", _cloaking(job, outcome)))
    budget = min(job.link_per_host, job.concurrency_per_host)
    overlap = budget - len(side) >= 1
    found: list[list[r.Detection]] = []
    if links is not None:
        beside = side if overlap else []
        limit = budget - len(beside)
        (run.links, run.link_rows), *found = await asyncio.gather(
            links.finish(outcome, progress, site_limit=limit), *beside)
        side = side[len(beside):]
    for coro in side:  # what could not share the budget, one after another
        found.append(await coro)
    if job.check_ipv6:
        # columns are known now; link detections are not needed by the IPv6 check
        found.append([await ipv6_detection(job.target.url, outcome.detections, timeout=job.timeout,
                                                 concurrency=job.concurrency_per_host)])
    run.probes = [d for group in found for d in group]


def _policy(job: CrawlJob) -> AddressPolicy:
    from probes.netguard import AddressPolicy

    return AddressPolicy(allow_private=_site_is_private(job.target.url), allow_hosts=frozenset(job.allow_hosts))


def _denied(host: str, deny: frozenset[str]) -> bool:
    """Whether a host (or a domain it is under) is on the deny list."""
    parts = host.lower().split(".")
    return any(".".join(parts[i:]) in deny for i in range(len(parts)))


def _on_site(url: str, hosts: frozenset[str]) -> bool:
    """A URL on the site: one of its hosts (with port), or a subdomain of its
    main host (search.example.gov.cn for www.example.gov.cn) on the same port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    port = parts.port
    netloc = host if port is None or port == {"http": 80, "https": 443}[parts.scheme] else f"{host}:{port}"
    if netloc in hosts:
        return True
    for site in hosts:
        name, _, site_port = site.partition(":")
        base = name.removeprefix("www.")
        if "." in base and not base.replace(".", "").isdigit() and host.endswith("." + base) and \
                netloc.partition(":")[2] == site_port:
            return True
    return False


async def check_site_search(job: CrawlJob, outcome: CrawlOutcome) -> list[r.Detection]:
    """NAT-D-SEARCH: search 4 article titles on the homepage's search, one at a
    time, never leaving the site (every request, redirects included, must go to
    the site's hosts, off the deny list, through the address policy)."""
    import httpx

    from probes.links import LinkCheckConfig, _guarded_transport
    from probes.search import check_search

    form = outcome.search_form
    if form is None or not outcome.titles:
        return []
    deny = frozenset(h.lower() for h in job.deny_hosts)
    if form.action is not None and (not _on_site(form.action, outcome.hosts)
                                    or _denied(urlsplit(form.action).hostname or "", deny)):
        log.info("site search %s is not on the site: not probed", form.action)
        return []

    async def guard(request: httpx.Request) -> None:
        url = str(request.url)
        if not _on_site(url, outcome.hosts) or _denied(request.url.host, deny):
            raise httpx.RequestError(f"{request.url.host}: not the site, not searched", request=request)

    config = LinkCheckConfig(policy=_policy(job), concurrency=1, per_host=1, timeout=job.timeout,
                             deny_hosts=deny)
    async with httpx.AsyncClient(transport=_guarded_transport(config, verify=True), follow_redirects=True,
                                 max_redirects=5, timeout=job.timeout, event_hooks={"request": [guard]},
                                 headers={"User-Agent": config.user_agent}) as client:
        found = await check_search(form, outcome.titles, client=client, delay=job.search_delay,
                                   seed=job.target.sample_seed, site_url=job.target.url)
    return list(found)


def dead_urls(rows: list[dict[str, Any]]) -> set[str]:
    """URLs the link checker found dead (failed, not blocked nor unchecked)."""
    return {row["url"] for row in rows
            if not row["ok"] and row["error"] is not None and row["error"] != r.LinkError.BLOCKED.value}


def _mark_dead_attachments(detections: list[r.Detection], dead: set[str]) -> list[r.Detection]:
    from crawler.analysis.guides import with_dead_attachments
    from crawler.analysis.links import canonical_url

    if not dead:
        return detections
    out: list[r.Detection] = []
    for d in detections:
        if isinstance(d, r.GuideDetection) and d.attachments:
            gone = {a for a in d.attachments if a in dead or canonical_url(a) in dead}
            d = with_dead_attachments(d, gone)
        out.append(d)
    return out


class _LinkSession:
    """The link checker of one crawl, in the crawl's event loop.

    The collector hands it each URL as soon as the crawl knows the URL is the
    checker's (an external link, a resource, a page that answered 404), so
    checks overlap the crawl.  The site's own hosts wait here while the crawl
    runs, and :meth:`finish` gives them the site's budget once the crawl no
    longer uses it.  The crawl has the whole budget meanwhile: a share held for
    the checker idles whenever it has nothing for the site, most of the time
    on a real site (with 6 of 8 requests, a crawl paced by a slow server's
    answers takes 8/6 of the time), and where the CPU is the limit, as on the
    5,000-page benchmark, every check during the crawl delays it (by 1 s there;
    the second looks then run in the delay after the last failures found)."""

    def __init__(self, job: CrawlJob, site_hosts: frozenset[str]) -> None:
        from probes.links import LinkCheckConfig, LinkChecker

        self.job = job
        self.site_hosts = site_hosts
        self.checker = LinkChecker(LinkCheckConfig(
            policy=_policy(job),
            concurrency=job.link_concurrency,
            per_host=job.link_per_host,
            timeout=job.timeout,
            recheck_delay=job.recheck_delay,
            deny_hosts=frozenset(job.deny_hosts),
        ))
        for host in site_hosts:
            self.checker.limit_host(host, 0)

    def submit(self, url: str, failed: bool) -> None:
        self.checker.submit(url, failed_at=time.monotonic() if failed else None)

    def cancel(self) -> None:
        self.checker.cancel()

    async def finish(self, outcome: CrawlOutcome, progress: ProgressFn | None, *, site_limit: int) -> tuple[
            list[r.Detection], list[dict[str, Any]]]:
        """Check what is left, the site's hosts now ``site_limit`` requests at a
        time; wait for every check; failed links as detections."""
        from probes.links import link_detections

        job = self.job
        try:
            # Failed crawl answers are re-checked too: nothing is reported dead on one try.
            now = time.monotonic()
            for url in outcome.to_check:
                self.checker.submit(url, failed_at=now if url in outcome.failed else None)
            for host in self.site_hosts:
                self.checker.limit_host(host, site_limit)
            done = [0]
            total = self.checker.submitted

            def on_result(_status: object) -> None:
                done[0] += 1
                if progress is not None and done[0] % 50 == 0:
                    progress({"phase": "links", "checked": done[0], "total": total})

            every = await self.checker.settle(on_result)
        finally:
            await self.checker.aclose()
        # What the crawl settled after the checker got it (a page first seen as
        # an image, say) is the crawl's: only ``to_check`` is reported.
        statuses = {url: every[url] for url in outcome.to_check}
        links, unknowns = link_detections(outcome.occurrences, statuses, home_url=job.target.url)
        rows = [
            {"url": s.url, "ok": s.ok, "status": s.status, "error": s.error.value if s.error else None,
             "final_url": s.final_url, "seconds": s.seconds}
            for s in statuses.values()
        ]
        return [*links, *unknowns], rows


def run_job(job: CrawlJob, *, progress: ProgressFn | None = None, pool: AnalysisPool | None = None) -> SiteResult:
    """Crawl; check the links the crawl could not settle itself; probe."""
    started = time.monotonic()
    run = crawl(job, progress=progress, pool=pool)
    outcome = run.outcome
    detections = [*outcome.detections, *run.links]
    if job.check_links:
        detections = _mark_dead_attachments(detections, dead_urls(run.link_rows))
    detections.extend(run.probes)
    checked = len(run.link_rows)
    searched = sum(1 for d in run.probes if isinstance(d, r.SearchDetection))
    unknown = sum(1 for d in detections if d.KIND is r.DetectionKind.UNKNOWN)
    stats = r.CrawlStats(pages=outcome.stats.pages, requests=outcome.stats.requests + checked + searched,
                         seconds=round(time.monotonic() - started, 3), unknown=unknown,
                         links_checked=checked + len(outcome.statuses), bytes=outcome.stats.bytes)
    return SiteResult(detections=detections, stats=stats, pages=outcome.pages, link_checks=run.link_rows)


async def _cloaking(job: CrawlJob, outcome: CrawlOutcome) -> list[r.Detection]:
    """Cloaked injection: links or spam text served only to a search engine's crawler."""
    import httpx

    from probes.cloaking import detect_cloaking

    async with httpx.AsyncClient(timeout=job.timeout, follow_redirects=True, trust_env=False) as client:
        return list(await detect_cloaking(job.target.url, client=client,
                                          site_hosts={h.split(":")[0] for h in outcome.hosts}
                                          or {urlsplit(job.target.url).hostname or ""},
                                          partner_domains=job.target.partner_domains))


class CrawlInterrupted(CrawlError):
    """The crawl was stopped from outside (daemon shutdown) before it finished."""


class CrawlChild:
    """A crawl running in a child process (``python -m crawler.runner JOB
    RESULT``), started by the constructor and read by :meth:`result`.  Killed
    past ``time_limit`` or when ``stop`` is set (then :class:`CrawlInterrupted`).

    With ``hold`` the child imports Scrapy and starts its analysis workers, then
    waits for :meth:`release` before its first request: ``govmon audit``
    validates its profile meanwhile (0.3 s of imports), and a bad profile is
    reported without a request to the site."""

    def __init__(self, job: CrawlJob, *, time_limit: float | None = None,
                 stop: threading.Event | None = None, hold: bool = False) -> None:
        self.job = job
        self.stop = stop
        limit = time_limit if time_limit is not None else job.time_limit + 600
        self.limit = limit
        self._tmp = tempfile.TemporaryDirectory(prefix="govmon-crawl-")
        try:
            job_path = Path(self._tmp.name) / "job.json"
            self.result_path = Path(self._tmp.name) / "result.json"
            job_path.write_text(job.to_json(), encoding="utf-8")
            env = dict(os.environ)
            root = str(Path(__file__).resolve().parent.parent)
            env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
            self.deadline = time.monotonic() + limit
            self.proc = subprocess.Popen(
                # -P: the working directory is not on the child's path, so a
                # ``crawler`` package of the user's own (govmon run from a project
                # folder) cannot stand in for this one
                [sys.executable, "-P", "-m", "crawler.runner", str(job_path), str(self.result_path)],
                stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
            )
        except BaseException:
            self._tmp.cleanup()
            raise
        if not hold:
            self.release()
        if stop is not None:
            def watch() -> None:
                while self.proc.poll() is None:
                    if stop.wait(0.2):
                        self.proc.terminate()
                        return

            threading.Thread(target=watch, name="crawl-stop-watch", daemon=True).start()

    def release(self) -> None:
        """Let the child crawl (see ``hold``)."""
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):  # it ended already: result() says why
            self.proc.stdin.write(_GO)
            self.proc.stdin.close()

    def kill(self) -> None:
        """End the child at once, its result unread (the caller failed meanwhile)."""
        try:
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()  # a held child ends at once without a word
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stderr is not None:
                self.proc.stderr.close()
        finally:
            self._tmp.cleanup()

    def result(self, progress: ProgressFn | None = None) -> SiteResult:
        """Pass the child's progress on until it ends; its result."""
        try:
            return self._result(progress)
        finally:
            self.kill()

    def _result(self, progress: ProgressFn | None) -> SiteResult:
        job, proc, limit = self.job, self.proc, self.limit
        tail: list[str] = []
        assert proc.stderr is not None
        try:
            for line in proc.stderr:
                if line.startswith("progress "):
                    if progress is not None:
                        progress(json.loads(line[9:]))
                else:
                    tail = [*tail, line.rstrip()][-20:]
                if time.monotonic() > self.deadline:
                    proc.kill()
                    raise CrawlError(f"crawl of {job.target.url} exceeded its time limit of {limit:.0f} s")
            code = proc.wait(timeout=max(1.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            raise CrawlError(f"crawl of {job.target.url} exceeded its time limit of {limit:.0f} s") from None
        if self.stop is not None and self.stop.is_set():
            # Scrapy stops gracefully on SIGTERM and may still write a result:
            # it is partial, so the run is interrupted, not finished.
            raise CrawlInterrupted(f"crawl of {job.target.url} interrupted by shutdown")
        if code != 0 or not self.result_path.exists():
            detail = " | ".join(tail[-3:]) or f"exit code {code}"
            raise CrawlError(f"crawl of {job.target.url} failed: {detail}")
        return SiteResult.from_json(self.result_path.read_text(encoding="utf-8"))


def crawl_in_subprocess(job: CrawlJob, *, progress: ProgressFn | None = None,
                        time_limit: float | None = None, stop: threading.Event | None = None) -> SiteResult:
    """Run :func:`run_job` in a child process (see :class:`CrawlChild`)."""
    return CrawlChild(job, time_limit=time_limit, stop=stop).result(progress)


def _child_main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m crawler.runner JOB.json RESULT.json  (crawls once it reads \"go\" on stdin)",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    job = CrawlJob.from_json(Path(argv[0]).read_text(encoding="utf-8"))
    pool = start_pool(job)  # first: the workers import while this process does
    # what crawl() needs, imported while the parent may still hold the crawl
    import scrapy.crawler  # noqa: F401

    import crawler.collect
    import crawler.spiders.site  # noqa: F401
    if sys.stdin.readline() != _GO:  # the parent ended or gave up: not a request sent
        if pool is not None:
            pool.close()
        return 3

    def progress(info: dict[str, Any]) -> None:
        print("progress " + json.dumps(info), file=sys.stderr, flush=True)

    result = run_job(job, progress=progress, pool=pool)
    tmp = Path(argv[1]).with_suffix(".part")
    tmp.write_text(result.to_json(), encoding="utf-8")
    tmp.replace(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
