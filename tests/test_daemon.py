"""The daemon: its jobs, a restart that loses and doubles nothing, SIGTERM mid-crawl.

The end-to-end case runs ``govmon daemon`` as a real child process against a
generated portal on 127.0.0.1, with the schedule's interval overrides so that
probes, a crawl and a notice all happen within seconds.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from govmon.config import parse_config
from govmon.scheduler import job_specs
from govmon.store.repo import Store

ROOT = Path(__file__).resolve().parent.parent


def _config(url: str, **schedule: object) -> dict[str, object]:
    return {
        "units": [{"code": "0101", "name": "县政府办"}],
        "defaults": {"crawl": {"max_pages": 40, "delay": 0.4, "concurrency_per_host": 1, "timeout": 5}},
        "sites": [{"url": url, "name": "示例县人民政府", "unit": "0101"}],
        "schedule": schedule,
    }


def test_job_specs_cover_probes_crawl_and_notices() -> None:
    config = parse_config(_config("http://127.0.0.1:9/"))
    specs = {s["id"]: s for s in job_specs(config, "/x/sites.yaml")}
    assert set(specs) == {"probe-24", "crawl", "notice-week", "notice-fortnight"}
    assert specs["probe-24"]["trigger"].interval.total_seconds() == 3600
    assert "hour='1'" in str(specs["crawl"]["trigger"]) and "minute='30'" in str(specs["crawl"]["trigger"])
    assert "day_of_week='mon'" in str(specs["notice-week"]["trigger"])
    assert "week='*/2'" in str(specs["notice-fortnight"]["trigger"])


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _start(config_path: Path, home: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOVMON_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("GOVMON_DATABASE_URL", None)
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "govmon", "-v", "daemon", "--config", str(config_path)],
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(home))


@pytest.mark.slow
def test_daemon_survives_sigterm_mid_crawl_and_restart(tmp_path: Path) -> None:
    from govmon.sitegen.build import build_portal
    from govmon.sitegen.scenarios import standard
    from govmon.sitegen.server import serve

    home = tmp_path / "home"
    home.mkdir()
    notices = tmp_path / "notices"
    log = tmp_path / "daemon.log"
    db_url = f"sqlite:///{home / 'govmon.db'}"
    with serve(None) as external:
        portal = build_portal(standard(date(2026, 11, 25), external_base=external))
        with serve(portal) as base:
            cfg = _config(base + "/", probe_every_seconds=1, crawl_every_minutes=0.05, notice_every_minutes=0.2,
                          notices_dir=str(notices))
            config_path = tmp_path / "sites.yaml"
            config_path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")

            daemon = _start(config_path, home, log)
            try:
                store = Store.open(db_url)
                _wait(lambda: any(r.status == "running" for r in store.runs()), 60, "a crawl to start")
                time.sleep(1.0)  # well inside the crawl: 40 pages at 0.4 s each
                daemon.send_signal(signal.SIGTERM)
                assert daemon.wait(timeout=60) == 0, log.read_text(errors="replace")
                runs = store.runs()
                assert runs and runs[0].status == "interrupted", runs
                assert not any(r.status == "running" for r in runs)

                engine = create_engine(db_url)
                with engine.connect() as conn:
                    jobs_before = sorted(conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
                assert jobs_before == ["crawl", "notice-week", "probe-24"]

                daemon = _start(config_path, home, log)
                _wait(lambda: any(r.status == "finished" for r in store.runs()), 120, "a crawl to finish")
                _wait(lambda: any(notices.rglob("*.html")), 60, "a notice to be written")
                probes_seen = len(store.probe_results(1, _epoch(), _later()))
                assert probes_seen >= 4
                daemon.send_signal(signal.SIGTERM)
                assert daemon.wait(timeout=60) == 0, log.read_text(errors="replace")
                with engine.connect() as conn:
                    jobs_after = sorted(conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
                engine.dispose()
                assert jobs_after == jobs_before  # nothing lost, nothing doubled
                runs = store.runs()
                # max_instances=1: no two crawls of the site ever overlapped
                spans = sorted((r.started_at, r.finished_at) for r in runs)
                for (_, end), (start, _) in itertools.pairwise(spans):
                    assert end is not None and end <= start
                assert not any(r.status == "running" for r in runs)
                store.close()
            finally:
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()


def test_second_daemon_is_refused(tmp_path: Path) -> None:
    from govmon.errors import GovmonError
    from govmon.scheduler import single_instance

    with single_instance("t"), pytest.raises(GovmonError, match="another govmon daemon"), single_instance("t"):
        pass


def _epoch():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC)


def _later():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=1)
