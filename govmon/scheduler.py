"""``govmon daemon``: APScheduler 3.x running the jobs of ``govmon.jobs`` unattended.

Jobs live in the same database as everything else (SQLAlchemy job store), under
stable ids, so a restart neither loses nor duplicates them: they are re-added
with ``replace_existing=True`` and missed runs are coalesced into one within
each job's misfire grace time.  One daemon per database: an exclusive lock file
in the data directory (and a PostgreSQL advisory lock when the store is
PostgreSQL) refuses a second instance.  SIGTERM/SIGINT stop the scheduler
cleanly: running crawls are terminated and their runs marked interrupted.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from govmon import jobs
from govmon.config import MonitorConfig
from govmon.errors import GovmonError
from govmon.paths import data_dir
from govmon.store.db import database_url, open_engine
from govmon.store.repo import Store

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"


class AlreadyRunning(GovmonError):
    pass


@contextlib.contextmanager
def single_instance(name: str = "daemon") -> Iterator[None]:
    """Hold an exclusive lock for the daemon's lifetime; refuse a second one."""
    path = data_dir() / f"govmon-{name}.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(f"another govmon daemon holds {path}; stop it first") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _hhmm(text: str) -> tuple[int, int]:
    hh, mm = text.split(":")
    return int(hh), int(mm)


def job_specs(config: MonitorConfig, config_path: str) -> list[dict[str, Any]]:
    """The daemon's jobs (id, function, trigger, grace) for a configuration."""
    sched = config.schedule
    tz = sched.timezone
    specs: list[dict[str, Any]] = []
    per_days = sorted({(s.probes or config.defaults.probes).per_day for s in config.sites if s.enabled})
    for per_day in per_days:
        seconds = sched.probe_every_seconds or 86400 / per_day
        specs.append({
            "id": f"probe-{per_day}", "func": jobs.probe_sites, "args": [config_path, per_day],
            "kwargs": {"spread": sched.probe_every_seconds is None},
            "trigger": IntervalTrigger(seconds=seconds, timezone=tz), "grace": max(1, int(seconds / 2)),
            "name": f"availability probes, {per_day}/day",
        })
    if sched.crawl_every_minutes:
        crawl_trigger: Any = IntervalTrigger(minutes=sched.crawl_every_minutes, timezone=tz)
    else:
        hh, mm = _hhmm(sched.crawl_at)
        crawl_trigger = CronTrigger(hour=hh, minute=mm, timezone=tz)
    specs.append({"id": "crawl", "func": jobs.crawl_all, "args": [config_path], "kwargs": {},
                  "trigger": crawl_trigger, "grace": 3 * 3600, "name": "nightly crawl of every site"})
    if sched.notice_every_minutes:
        weekly: Any = IntervalTrigger(minutes=sched.notice_every_minutes, timezone=tz)
        fortnightly: Any = None
    else:
        day, at = sched.weekly_notice.split()
        hh, mm = _hhmm(at)
        weekly = CronTrigger(day_of_week=day, hour=hh, minute=mm, timezone=tz)
        day2, at2 = sched.fortnightly_notice.split()
        hh2, mm2 = _hhmm(at2)
        fortnightly = CronTrigger(week="*/2", day_of_week=day2, hour=hh2, minute=mm2, timezone=tz)
    specs.append({"id": "notice-week", "func": jobs.write_period_notices, "args": [config_path, "week"],
                  "kwargs": {}, "trigger": weekly, "grace": 86400, "name": "weekly notice"})
    if fortnightly is not None:
        specs.append({"id": "notice-fortnight", "func": jobs.write_period_notices,
                      "args": [config_path, "fortnight"], "kwargs": {}, "trigger": fortnightly,
                      "grace": 86400, "name": "bi-weekly notice"})
    return specs


def build_scheduler(config: MonitorConfig, config_path: str, *, url: str | None = None) -> BackgroundScheduler:
    """A scheduler whose jobs are stored in govmon's database, re-registered idempotently."""
    db = database_url(url)
    open_engine(db).dispose()  # migrations first: the job table sits beside ours
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=db.replace("postgresql://", "postgresql+psycopg://", 1),
                                                 tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=config.schedule.timezone,
    )
    scheduler.add_listener(_log_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    scheduler.start(paused=True)
    wanted = job_specs(config, config_path)
    wanted_ids = {s["id"] for s in wanted}
    for job in scheduler.get_jobs():
        if job.id not in wanted_ids:
            log.info("removing job %s no longer in the configuration", job.id)
            job.remove()
    for spec in wanted:
        existing = scheduler.get_job(spec["id"])
        if existing is not None and str(existing.trigger) == str(spec["trigger"]):
            continue  # keep its next run time: a restart must not reset or double it
        scheduler.add_job(spec["func"], spec["trigger"], args=spec["args"], kwargs=spec["kwargs"], id=spec["id"],
                          name=spec["name"], misfire_grace_time=spec["grace"], coalesce=True, max_instances=1,
                          replace_existing=True)
    return scheduler


def _log_event(event: Any) -> None:
    if isinstance(event, JobSubmissionEvent):
        log.info("job %s started", event.job_id)
    elif isinstance(event, JobExecutionEvent):
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
        elif event.exception is not None:
            log.error("job %s failed: %s", event.job_id, event.exception)
        else:
            log.info("job %s finished: %s", event.job_id, _short(event.retval))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) < 200 else text[:197] + "..."


def run_daemon(config: MonitorConfig, *, config_path: Path | str, once: bool = False) -> None:
    """Run until SIGTERM/SIGINT (or, with ``once``, run each job once now and exit)."""
    path = jobs.config_path_str(config_path)
    with single_instance():
        with Store.open() as store:
            stale = store.mark_interrupted()
            if stale:
                log.warning("%d run(s) left running by a stopped daemon marked interrupted", stale)
        if once:
            for spec in job_specs(config, path):
                log.info("running %s once", spec["id"])
                spec["func"](*spec["args"], **{**spec["kwargs"], "spread": False}
                             if spec["func"] is jobs.probe_sites else spec["kwargs"])
            return
        stopping = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            log.warning("signal %d: stopping (running crawls are interrupted)", signum)
            jobs.STOP.set()
            stopping.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        scheduler = build_scheduler(config, path)
        scheduler.resume()
        log.info("daemon started with jobs: %s", ", ".join(j.id for j in scheduler.get_jobs()))
        try:
            stopping.wait()
        finally:
            scheduler.shutdown(wait=True)
            with Store.open() as store:
                store.mark_interrupted()
            log.info("daemon stopped")
