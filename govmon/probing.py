"""Probe rounds of the daemon: probe every site once per round, store, alert.

A round lasts ``86400 / per_day`` seconds.  Sites are spread over the round by
``probes.schedule.probe_offsets`` (jitter, so thousands of sites never fire
together) and probed in one-minute batches: a batch in which every site fails,
or whose failures coincide with the reference URLs failing, is the monitor's
own network at fault and is stored as unknown (``probes.availability``).
Each result, re-probes included, is stored; two consecutive confirmed failures
raise a red alert (stored and logged; notification hooks plug in here later).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from govmon.store.repo import Store
from probes.availability import ProbeResult, probe_batch
from probes.schedule import probe_offsets
from probes.window import red_alerts

log = logging.getLogger(__name__)

def result_row(result: ProbeResult) -> dict[str, Any]:
    """A probe result as a ``probe_results`` row (the site id replaces the URL)."""
    row = result.to_row()
    del row["url"]
    return row


def row_result(row: dict[str, Any], url: str) -> ProbeResult:
    """A stored row back as the probe record, for the window maths."""
    return ProbeResult.from_row({**row, "url": url})


def round_plan(sites: Sequence[tuple[int, str]], *, per_day: int, seed: str | int = "govmon"
               ) -> dict[int, list[tuple[int, str]]]:
    """Sites grouped by the minute of the round in which they are probed."""
    interval = 86400 / per_day
    offsets = probe_offsets([sid for sid, _ in sites], per_day=per_day, seed=seed)
    plan: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for sid, url in sites:
        minute = int((offsets[sid][0] % interval) // 60)
        plan[minute].append((sid, url))
    return dict(sorted(plan.items()))


async def probe_round(store: Store, sites: Sequence[tuple[int, str]], *, per_day: int, timeout: float = 15.0,
                      reference_urls: Sequence[str] = (), concurrency: int = 200, spread: bool = True,
                      sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                      stop: Callable[[], bool] = lambda: False) -> list[ProbeResult]:
    """Probe every site once, spread over the round unless ``spread`` is off."""
    plan = round_plan(sites, per_day=per_day) if spread else {0: list(sites)}
    out: list[ProbeResult] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, follow_redirects=True, verify=True) as client:
        elapsed = 0.0
        for minute, batch in plan.items():
            if stop():
                break
            wait = minute * 60 - elapsed
            if spread and wait > 0:
                await sleep(wait)
                elapsed += wait
            results = await probe_batch([url for _, url in batch], client=client, concurrency=concurrency,
                                        reference_urls=reference_urls, timeout=timeout)
            by_url = {url: sid for sid, url in batch}
            rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for res in results:
                rows[by_url[res.url]].append(result_row(res))
            for sid, site_rows in rows.items():
                store.save_probe_results(sid, site_rows)
                _alert_if_down(store, sid, next(u for s, u in batch if s == sid))
            out.extend(results)
    return out


def _alert_if_down(store: Store, site_id: int, url: str) -> None:
    """Raise a red alert when this round made it two confirmed failures in a row."""
    recent = [row_result(row, url) for row in store.recent_probe_results(site_id, 6)]
    alerts = red_alerts(recent)
    if alerts and alerts[-1].at == recent[-1].at:
        alert = alerts[-1]
        log.error("RED ALERT %s: %s", url, alert.reason)
        store.add_alert(site_id, "red", f"{url}: {alert.reason}", at=alert.at,
                        payload={"since": alert.since.isoformat(), "errors": list(alert.errors)})
