"""The ``govmon probe`` command: N availability probes of one homepage, now.

Contract (DESIGN.md)::

    govmon probe URL [--count N] [--interval SECONDS] [--timeout 15] [--format json]

prints each result and the summary ``{"schema": "govmon.probe/1", "url", "probes",
"failures", "ratio", "results": [{"at", "ok", "status", "seconds", "error"}, ...]}``.
Extra fields are added, never the contract's changed: ``requested`` (--count),
``blocked``, ``unknown`` and ``reprobes`` counts, ``timeout``, and per result the
timings, ``blocked``, ``unknown`` and ``reprobe``.  ``probes`` counts the probes
that enter the ratio (blocked WAF answers and probes made while the reference
URLs were down are left out, as in the weekly window), so it equals ``--count``
unless some were blocked or unknown.

Failing probes are a result, not an error: the exit code is 0 and the JSON says
it.  A bad URL is a usage error: one line on stderr, exit code 2.  Progress goes
to stderr so that stdout stays clean JSON.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import click
import httpx

from govmon.records import PROBE_SCHEMA
from probes.availability import (
    DEFAULT_TIMEOUT,
    ProbeResult,
    make_client,
    mark_unknown,
    network_ok,
    probe,
)
from probes.window import tally


def _check_url(url: str) -> str | None:
    """Why ``url`` cannot be probed, or None."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"invalid URL {url!r}: {exc}"
    if parsed.scheme not in ("http", "https"):
        return f"invalid URL {url!r}: the scheme must be http or https"
    if not parsed.host:
        return f"invalid URL {url!r}: no host"
    return None


def _line(r: ProbeResult) -> str:
    state = "ok" if r.ok else "BLOCKED" if r.blocked else "UNKNOWN" if r.unknown else "FAIL"
    parts = [r.at.isoformat(timespec="seconds"), f"{state:<7}",
             str(r.status) if r.status is not None else "-", f"{r.seconds:.3f}s"]
    if r.error is not None and not r.ok:
        parts.append(r.error.value)
    if r.reprobe:
        parts.append("(re-probe)")
    if r.detail and not r.ok:
        parts.append(r.detail)
    return "  ".join(parts)


def summary(url: str, results: list[ProbeResult], *, requested: int,
            timeout: float) -> dict[str, Any]:
    """The ``govmon.probe/1`` document of a list of results."""
    t = tally(results)
    return {
        "schema": PROBE_SCHEMA,
        "url": url,
        "probes": t.probes,
        "failures": t.failures,
        "ratio": t.ratio,
        "results": [r.to_json() for r in results],
        "requested": requested,
        "blocked": t.blocked,
        "unknown": t.unknown,
        "reprobes": t.reprobes,
        "timeout": timeout,
    }


async def _run(url: str, *, count: int, interval: float, timeout: float, reprobe: bool,
               references: tuple[str, ...], echo_line: bool) -> list[ProbeResult]:
    results: list[ProbeResult] = []
    async with make_client(concurrency=1) as client:
        for i in range(count):
            began = time.monotonic()
            batch = [await probe(url, client=client, timeout=timeout)]
            if batch[0].failed and reprobe:
                batch.append(await probe(url, client=client, timeout=timeout, reprobe=True))
            if batch[0].failed and references and not await network_ok(
                references, client, timeout=timeout
            ):
                batch = [mark_unknown(r, "reference URLs failed at the same moment")
                         if r.failed else r for r in batch]
            for r in batch:
                results.append(r)
                click.echo(f"probe {i + 1}/{count}: {_line(r)}", err=True)
                if echo_line:
                    click.echo(_line(r))
            if i + 1 < count and interval > 0:
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - began)))
    return results


@click.command("probe")
@click.argument("url")
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of scheduled probes.")
@click.option("--interval", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds from the start of one probe to the start of the next.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to receive the whole homepage (inclusive: at the limit fails).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--reprobe/--no-reprobe", default=False, show_default=True,
              help="Re-probe a failed probe at once (listed, not counted in the ratio).")
@click.option("--reference", "references", multiple=True, metavar="URL",
              help="Reference URL; when all fail with the site, the probe is unknown.")
@click.pass_context
def probe_command(ctx: click.Context, url: str, count: int, interval: float, timeout: float,
                  fmt: str, reprobe: bool, references: tuple[str, ...]) -> None:
    """Probe the availability of a homepage COUNT times (NAT-V-AVAIL)."""
    for candidate in (url, *references):
        problem = _check_url(candidate)
        if problem is not None:
            click.echo(f"Error: {problem}", err=True)
            ctx.exit(2)
    results = asyncio.run(_run(url, count=count, interval=interval, timeout=timeout,
                               reprobe=reprobe, references=references,
                               echo_line=fmt == "text"))
    doc = summary(url, results, requested=count, timeout=timeout)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{url}: {doc['failures']} of {doc['probes']} probes failed "
        f"({doc['ratio']:.2%}); {doc['blocked']} blocked, {doc['unknown']} unknown, "
        f"{doc['reprobes']} re-probes"
    )
