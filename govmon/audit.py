"""``govmon audit``: crawl one site now, check its links, score it, report.

Needs no configuration file and no running service: the crawl runs in a child
process (``crawler.runner``), the scorer is a pure function, and nothing is
stored.  Without a URL the bundled sample portal is served on 127.0.0.1 and
audited, so a newcomer sees a real report offline.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.job import CrawlTarget
from crawler.runner import CrawlChild, CrawlJob, SiteResult
from govmon import records as r
from govmon.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditOptions:
    profile: str = "national-2019"
    as_of: datetime
    max_pages: int = 2000
    all_pages: bool = False
    site_code: str | None = None
    site_name: str | None = None
    check_links: bool = True
    progress: bool = False
    concurrency_per_host: int = 8
    timeout: float = 15.0
    recheck_delay: float = 5.0
    deny_hosts: tuple[str, ...] = ()
    #: probe the site search (NAT-D-SEARCH), one query every ``search_delay`` seconds
    check_search: bool = True
    search_delay: float = 1.0
    #: site-specific message-board selectors (field -> CSS), as in the site configuration
    message_selectors: tuple[tuple[str, str], ...] = ()
    #: render pages in chromium (scrapy-playwright, the browser extra)
    render: bool = False


@dataclass(slots=True, kw_only=True)
class Report:
    """The ``govmon.report/1`` document."""

    site: dict[str, Any]
    as_of: datetime
    profile: str
    crawl: r.CrawlStats
    detections: list[r.Detection]
    events: list[r.Event]
    score: r.Score
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": r.REPORT_SCHEMA,
            "site": self.site,
            "as_of": self.as_of.isoformat(),
            "profile": self.profile,
            "crawl": {
                "pages": self.crawl.pages,
                "requests": self.crawl.requests,
                "seconds": self.crawl.seconds,
                "unknown": self.crawl.unknown,
                "links_checked": self.crawl.links_checked,
            },
            "detections": [r.to_dict(d) for d in self.detections],
            "events": [_event_dict(e) for e in self.events],
            "score": {
                "total": self.score.total,
                "vetoed": self.score.vetoed,
                "vetoes": list(self.score.vetoes),
                "grade": self.score.grade,
                "deductions": self.score.deductions,
                "bonus": self.score.bonus,
                "units": [r.to_dict(u) for u in self.score.units],
            },
            "notes": self.notes,
        }


def _event_dict(event: r.Event) -> dict[str, Any]:
    data = r.to_dict(event)
    return data


def _check_url(url: str) -> str:
    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url}: not an http(s) URL; give one such as https://www.example.gov.cn/")
    return parts.geturl() if parts.path else parts.geturl() + "/"


@contextlib.contextmanager
def _demo_site(as_of: datetime) -> Iterator[tuple[str, str, str | None, tuple[str, ...]]]:
    """Serve the bundled sample portal (and its "external" sites) on 127.0.0.1."""
    from govmon.sitegen.build import build_portal
    from govmon.sitegen.scenarios import demo
    from govmon.sitegen.server import serve

    with serve(None) as external:
        portal = build_portal(demo(as_of.date(), external_base=external))
        with serve(portal) as base:
            truth = portal.truth
            yield base + "/", truth.site_name, truth.site_code, tuple(truth.unfetchable_hosts)


def _progress_printer(enabled: bool) -> tuple[Callable[[dict[str, Any]], None] | None, Callable[[], None]]:
    if not enabled or not sys.stderr.isatty():
        if not enabled:
            return None, lambda: None

        def plain(info: dict[str, Any]) -> None:
            if info.get("phase") == "crawl" and info.get("pages", 0) % 500 == 0:
                log.info("crawled %s pages", info.get("pages"))

        return plain, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    progress.start()
    crawl_task = progress.add_task("crawling", total=None, detail="")
    link_task: list[Any] = []

    def update(info: dict[str, Any]) -> None:
        if info.get("phase") == "crawl":
            checked = f", {info['checked']} links checked" if info.get("checked") else ""
            progress.update(crawl_task, detail=f"{info['pages']} pages, {info['queued']} found{checked}")
        elif info.get("phase") == "links":
            if not link_task:
                link_task.append(progress.add_task("checking links", total=info["total"], detail=""))
            progress.update(link_task[0], completed=info["checked"], detail=f"{info['checked']}/{info['total']}")

    return update, progress.stop


def audit_site(url: str, options: AuditOptions, *, name: str | None = None, site_code: str | None = None,
               deny_hosts: tuple[str, ...] = ()) -> Report:
    target = CrawlTarget(url=url, name=name, site_code=site_code, as_of=options.as_of.date(),
                         max_pages=options.max_pages, all_pages=options.all_pages,
                         message_selectors=options.message_selectors)
    job = CrawlJob(target=target, concurrency_per_host=options.concurrency_per_host, timeout=options.timeout,
                   check_links=options.check_links, recheck_delay=options.recheck_delay,
                   deny_hosts=deny_hosts + options.deny_hosts, check_search=options.check_search,
                   search_delay=options.search_delay, render=options.render)
    # The crawl child starts first and is held before its first request: the
    # scorer's import and the profile's validation (0.3 s) run while it
    # imports Scrapy, and a bad profile fails with nothing crawled.
    child = CrawlChild(job, hold=True)
    try:
        from scoring.engine import evaluate, score
        from scoring.profiles import load_profile

        profile = load_profile(options.profile)
        update, stop = _progress_printer(options.progress)
    except BaseException:
        child.kill()
        raise
    child.release()
    try:
        result: SiteResult = child.result(progress=update)
    finally:
        stop()
    events = evaluate(result.detections, profile, options.as_of)
    total = score(events, profile)
    site = next((d for d in result.detections if isinstance(d, r.SiteDetection)), None)
    return Report(
        site={"url": url, "name": name or (site.name if site else ""),
              "site_code": site_code or (site.site_code if site else None)},
        as_of=options.as_of,
        profile=profile.name,
        crawl=result.stats,
        detections=result.detections,
        events=list(events),
        score=total,
    )


def run_audit(url: str | None, options: AuditOptions) -> Report:
    """Audit ``url``, or the bundled sample portal when it is None."""
    if url is not None:
        return audit_site(_check_url(url), options, name=options.site_name, site_code=options.site_code)
    with _demo_site(options.as_of) as (base, name, code, unfetchable):
        report = audit_site(base, options, name=options.site_name or name, site_code=options.site_code or code,
                            deny_hosts=unfetchable)
    report.notes.append("sample portal generated by govmon.sitegen and served on 127.0.0.1")
    return report
