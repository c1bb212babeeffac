"""The daemon's jobs as plain functions: the scheduler only schedules them.

Each job re-reads the configuration file (so an edited sites.yaml takes effect
at the next run without a restart) and opens the store itself, which keeps the
jobs picklable for APScheduler's SQLAlchemy job store and callable from tests.
A module-level stop event lets SIGTERM end a job between steps: a running
crawl's child process is killed and its run marked interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govmon.config import MonitorConfig, load_config
from govmon.sites import import_config
from govmon.store.repo import Store

log = logging.getLogger(__name__)

#: Set by the daemon on SIGTERM; long jobs check it between steps.
STOP = threading.Event()


def _now(config: MonitorConfig) -> datetime:
    return datetime.now(ZoneInfo(config.schedule.timezone))


def probe_sites(config_path: str, per_day: int, spread: bool = True) -> int:
    """One probe round over every enabled site probed ``per_day`` times a day."""
    from govmon.probing import probe_round

    config = load_config(config_path)
    with Store.open() as store:
        import_config(config, store)
        sites = []
        for site in config.sites:
            settings = site.probes or config.defaults.probes
            if site.enabled and settings.per_day == per_day:
                info = store.site(site.url)
                if info is not None:
                    sites.append((info.id, site.url))
        if not sites:
            return 0
        timeout = config.defaults.probes.timeout
        results = asyncio.run(probe_round(store, sites, per_day=per_day, timeout=timeout,
                                          reference_urls=config.schedule.reference_urls, spread=spread,
                                          stop=STOP.is_set))
    log.info("probe round (%d/day): %d sites, %d results", per_day, len(sites), len(results))
    return len(results)


def crawl_all(config_path: str) -> list[str]:
    """The nightly crawl: every enabled site, a few at once, each in its own process."""
    from govmon.runs import crawl_and_store, score_site

    config = load_config(config_path)
    as_of = _now(config)
    lines: list[str] = []
    with Store.open() as store:
        import_config(config, store)

        def one(site_index: int) -> str:
            site = config.sites[site_index]
            if STOP.is_set():
                return f"{site.url}: skipped (shutting down)"
            run_id, result = crawl_and_store(store, config, site, as_of=as_of, stop=STOP)
            if result is None:
                return f"{site.url}: run {run_id} did not finish"
            info = store.site(site.url)
            assert info is not None
            _, total = score_site(store, info, run_id=run_id, detections=result.detections,
                                  profile_name=config.profile_for(site), as_of=as_of,
                                  has_services=site.has_services)
            return f"{site.url}: run {run_id}, {result.stats.pages} pages, {total.total:.2f} {total.grade}"

        indices = [i for i, s in enumerate(config.sites) if s.enabled]
        with ThreadPoolExecutor(max_workers=config.schedule.crawl_concurrency,
                                thread_name_prefix="crawl") as pool:
            for line in pool.map(one, indices):
                log.info("crawl %s", line)
                lines.append(line)
    return lines


def write_period_notices(config_path: str, period: str) -> list[str]:
    """Write the period's notices into the configured folder (history kept)."""
    from govmon.notices.build import notices_dir, write_notices

    config = load_config(config_path)
    out = notices_dir(config)
    out.mkdir(parents=True, exist_ok=True)
    with Store.open() as store:
        paths = write_notices(config, period=period, as_of=_now(config), profile=None,
                              formats=["html", "docx", "xlsx", "json"], out_dir=out, units=(), store=store)
    log.info("notices (%s): %s", period, ", ".join(str(p) for p in paths))
    return [str(p) for p in paths]


def config_path_str(path: Path | str) -> str:
    return str(Path(path).resolve())
