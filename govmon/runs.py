"""Crawl, store and score configured sites (``govmon run``, the daemon's nightly
job) and re-score stored runs (``govmon score``).

Plain functions that tests and the scheduler call directly; each crawl runs in
its own child process so a crash stays contained and Scrapy's reactor is fresh.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.job import CrawlTarget
from crawler.runner import CrawlInterrupted, CrawlJob, SiteResult, crawl_in_subprocess
from govmon import records as r
from govmon.config import MonitorConfig, SiteConfig, unit_for
from govmon.errors import CrawlError
from govmon.sites import import_config
from govmon.store.repo import SiteInfo, Store

log = logging.getLogger(__name__)

AVAILABILITY_WINDOW = timedelta(days=7)


def job_for(config: MonitorConfig, site: SiteConfig, as_of: datetime) -> CrawlJob:
    limits = config.crawl_limits(site)
    target = CrawlTarget(
        url=site.url, name=site.name, site_code=site.site_code, extra_hosts=site.extra_hosts,
        as_of=as_of.date(), max_pages=limits.max_pages, max_depth=limits.max_depth,
        max_query_params=limits.max_query_params, max_url_length=limits.max_url_length,
        max_pages_per_pattern=limits.max_pages_per_pattern, domain_exceptions=config.domain_exceptions,
        message_selectors=tuple((k, v) for k, v in site.message_selectors.model_dump(exclude_none=True).items())
        if site.message_selectors else (),
    )
    return CrawlJob(target=target, concurrency_per_host=limits.concurrency_per_host, delay=limits.delay,
                    timeout=limits.timeout, retries=limits.retries, max_bytes=limits.max_bytes,
                    time_limit=limits.time_limit, allow_hosts=config.allow_hosts, render=site.render)


def attribute_units(site: SiteConfig, detections: Sequence[r.Detection]) -> list[r.Detection]:
    """Give every detection its responsible unit from the site's unit rules."""
    out: list[r.Detection] = []
    for d in detections:
        if d.unit is not None:
            out.append(d)
            continue
        column = d.name if isinstance(d, r.ColumnDetection) else None
        unit = unit_for(site, d.url or site.url, column)
        out.append(dataclasses.replace(d, unit=unit) if unit else d)
    return out


def availability_detection(store: Store, site: SiteInfo, as_of: datetime) -> r.AvailabilityDetection | None:
    """Availability over the week before ``as_of`` from stored probes, if any."""
    start = as_of - AVAILABILITY_WINDOW
    rows = store.probe_results(site.id, start, as_of)
    if not rows:
        return None
    from govmon.probing import row_result
    from probes.window import summarise

    return summarise([row_result(row, site.url) for row in rows], url=site.url, start=start, end=as_of)


def score_site(store: Store, site: SiteInfo, *, run_id: int | None, detections: Sequence[r.Detection],
               profile_name: str, as_of: datetime, has_services: bool = True) -> tuple[list[r.Event], r.Score]:
    """Score stored or fresh detections, adding availability and manual findings."""
    from scoring.engine import evaluate, score
    from scoring.profiles import load_profile

    profile = load_profile(profile_name)
    inputs = list(detections)
    avail = availability_detection(store, site, as_of)
    if avail is not None:
        inputs.append(avail)
    inputs += store.manual_findings(site.id, (as_of - timedelta(days=366)).date(), as_of.date())
    events = evaluate(inputs, profile, as_of, reviews=store.reviews(site.id))
    total = score(events, profile, has_services=has_services)
    store.save_scoring(site_id=site.id, run_id=run_id, profile=profile.name, as_of=as_of, events=events,
                       score=total)
    return list(events), total


def crawl_and_store(store: Store, config: MonitorConfig, site: SiteConfig, *, as_of: datetime,
                    progress: Callable[[dict[str, Any]], None] | None = None,
                    stop: threading.Event | None = None) -> tuple[int, SiteResult | None]:
    """Crawl one site in a child process and store what it saw; (run id, result)."""
    info = store.site(site.url)
    assert info is not None, "import the configuration first"
    run_id = store.start_run(info.id)
    try:
        result = crawl_in_subprocess(job_for(config, site, as_of), progress=progress, stop=stop)
    except CrawlInterrupted as exc:
        store.finish_run(run_id, status="interrupted", error=str(exc))
        log.warning("%s", exc)
        return run_id, None
    except CrawlError as exc:
        store.finish_run(run_id, status="failed", error=str(exc))
        log.error("%s", exc)
        return run_id, None
    except BaseException:
        store.finish_run(run_id, status="interrupted", error="interrupted")
        raise
    detections = attribute_units(site, result.detections)
    seen_at = datetime.now(UTC)
    limited = any(isinstance(d, r.UnknownDetection) and d.reason is r.UnknownReason.LIMIT for d in detections)
    store.save_detections(run_id, detections, seen_at=seen_at, resolve_missing=not limited)
    store.save_pages(run_id, result.pages)
    store.save_columns(run_id, [d for d in detections if isinstance(d, r.ColumnDetection)])
    store.save_link_checks(run_id, result.link_checks)
    store.finish_run(run_id, stats=result.stats)
    return run_id, dataclasses.replace(result, detections=detections)


def run_all(config: MonitorConfig, *, only: Sequence[str] = (), as_of: datetime,
            progress: bool = False, store: Store | None = None) -> list[str]:
    """``govmon run``: crawl, store and score every enabled site (or ``only``)."""
    own = store is None
    store = store or Store.open()
    lines: list[str] = []
    try:
        import_config(config, store)
        sites = [s for s in config.sites if s.enabled and (not only or s.url in only or s.name in only)]
        if only and not sites:
            lines.append(f"no configured site matches {', '.join(only)}")
        for site in sites:
            run_id, result = crawl_and_store(store, config, site, as_of=as_of)
            if result is None:
                lines.append(f"{site.name}  {site.url}  crawl failed (run {run_id})")
                continue
            info = store.site(site.url)
            assert info is not None
            _, total = score_site(store, info, run_id=run_id, detections=result.detections,
                                  profile_name=config.profile_for(site), as_of=as_of,
                                  has_services=site.has_services)
            veto = ("  否决: " + ", ".join(total.vetoes)) if total.vetoed else ""
            lines.append(f"{site.name}  {site.url}  {result.stats.pages} pages  "
                         f"{total.total:.2f} {total.grade}{veto}")
        return lines
    finally:
        if own:
            store.close()


def rescore(*, profile: str, as_of: datetime, only: Sequence[str] = (),
            store: Store | None = None) -> list[dict[str, Any]]:
    """``govmon score``: re-score each site's newest run at or before ``as_of``."""
    own = store is None
    store = store or Store.open()
    try:
        out: list[dict[str, Any]] = []
        for site in store.sites():
            if only and site.url not in only and site.name not in only:
                continue
            run = store.latest_run(site.id, before=as_of)
            if run is None:
                continue
            events, total = score_site(store, site, run_id=run.id, detections=store.run_detections(run.id),
                                       profile_name=profile, as_of=as_of)
            out.append({"site": site.name, "url": site.url, "run": run.id, "profile": profile,
                        "as_of": as_of.isoformat(), "total": total.total, "grade": total.grade,
                        "vetoed": total.vetoed, "vetoes": list(total.vetoes), "events": len(events)})
        return out
    finally:
        if own:
            store.close()
