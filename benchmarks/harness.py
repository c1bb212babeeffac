"""Shared benchmark machinery: the sitegen ``big`` portal served by nginx, process-tree
memory sampling, the peers' command lines and report parsers, scoring against the truth.

Used by ``benchmarks/audit/bench_audit.py`` (issue 3) and
``benchmarks/links/bench_links.py`` (issue 4); see ``benchmarks/README.md``.
Everything runs on 127.0.0.1; the portal's real external hosts (conac, beian, …)
are denied to every tool.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
AS_OF = date(2026, 11, 25)
NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
INSTALL_HINT = "apt-get install -y nginx-light wrk"
PEERS = Path(os.environ.get("PEERS", "/tmp/govmon-peers"))


# --------------------------------------------------------------------------
# The portal and its servers
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_tools() -> None:
    """Fail early, saying how to install, when nginx or wrk is missing."""
    missing = [p for p in (NGINX, WRK) if not (Path(p).exists() or shutil.which(Path(p).name))]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: install with `{INSTALL_HINT}`")


@dataclass
class Site:
    """The written portal, its nginx and its ground truth (site-relative URLs made absolute)."""

    base: str
    external: str
    directory: Path
    truth: Any
    pages: int
    dead: set[str]
    deny_hosts: tuple[str, ...]
    _nginx_prefix: Path | None = None
    build_seconds: float = 0.0

    def stop(self) -> None:
        if self._nginx_prefix is None:
            return
        pid_file = self._nginx_prefix / "nginx.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGQUIT)
            for _ in range(50):
                if not pid_file.exists():
                    break
                time.sleep(0.1)
        shutil.rmtree(self._nginx_prefix.parent, ignore_errors=True)
        self._nginx_prefix = None


NGINX_CONF = """\
worker_processes 1;
daemon on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout {idle_ms}ms;
  client_body_temp_path {prefix}/tmp;
  proxy_temp_path {prefix}/tmp;
  fastcgi_temp_path {prefix}/tmp;
  uwsgi_temp_path {prefix}/tmp;
  scgi_temp_path {prefix}/tmp;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    # LinkChecker honours maxrequestspersecond > 10 only when the server opts in
    add_header LinkChecker on always;
    include {root}/_nginx.conf;
    # the search form's action: the Python server answers it, files cannot
    location = /search {{ default_type text/html; return 200 "<html><body>search</body></html>"; }}
  }}
  server {{
    listen 127.0.0.1:{ext_port};
    default_type text/html;
    location / {{ return 200 "<html><body>ok</body></html>"; }}
  }}
}}
"""


def serve_big(n_pages: int = 5000, *, idle: float = 2.0, workdir: Path | None = None) -> Site:
    """Build the sitegen ``big`` portal, write it and start nginx on two free ports.

    ``idle`` is nginx's keepalive_timeout: government servers close idle keep-alive
    connections after a few seconds, which is what trips linkinator (issue 4).
    """
    from govmon.sitegen.build import build_portal
    from govmon.sitegen.model import absolute
    from govmon.sitegen.scenarios import big
    from govmon.sitegen.server import write_portal

    require_tools()
    port, ext_port = free_port(), free_port()
    external = f"http://127.0.0.1:{ext_port}"
    t0 = time.perf_counter()
    portal = build_portal(big(AS_OF, n_pages=n_pages, external_base=external))
    work = Path(workdir or tempfile.mkdtemp(prefix="govmon-bench-"))
    work.chmod(0o755)  # nginx workers may run as nobody
    root = work / "portal"
    write_portal(portal, root)
    build_seconds = time.perf_counter() - t0
    prefix = work / "nginx"
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, ext_port=ext_port, root=root,
                                      idle_ms=int(idle * 1000)))
    try:
        subprocess.run([NGINX, "-p", str(prefix), "-c", str(conf)], check=True)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(work, ignore_errors=True)  # leave no 150 MB portal behind
        raise
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    truth = portal.truth
    return Site(
        base=base, external=external, directory=root, truth=truth, pages=len(truth.pages),
        dead={norm(absolute(base, d.url)) for d in truth.dead_links},
        deny_hosts=(*truth.unfetchable_hosts, truth.domain), _nginx_prefix=prefix,
        build_seconds=build_seconds,
    )


def wrk(url: str, seconds: int = 5, connections: int = 8) -> float:
    """Requests per second nginx serves for one page (the ceiling of any crawler here)."""
    out = subprocess.run([WRK, "-t1", f"-c{connections}", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return float(match.group(1)) if match else 0.0


# --------------------------------------------------------------------------
# Running a tool: wall time and peak memory of its whole process tree
# --------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (sum of VmRSS)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _rss_kb(p)
        stack += _children(p)
    return total


@dataclass
class Run:
    wall: float
    peak_tree_mb: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def run_measured(cmd: list[str], *, timeout: float, env: dict[str, str] | None = None,
                 cwd: Path | None = None, name: str | None = None) -> Run:
    """Run ``cmd``; sample the RSS of its process tree every 50 ms; kill its group past ``timeout``."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        peak = 0
        timed_out = False
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        run = Run(wall=wall, peak_tree_mb=peak / 1024, returncode=proc.returncode,
                  stdout=out.read().decode("utf-8", "replace"),
                  stderr=err.read().decode("utf-8", "replace"), timed_out=timed_out)
    if name is not None:  # the raw output, to look into a tool's verdicts
        raw = OUT / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        (raw / f"{name}.stdout").write_text(run.stdout)
        (raw / f"{name}.stderr").write_text(run.stderr)
    return run


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def norm(url: str) -> str:
    from crawler.analysis.links import InvalidURL, canonical_url

    try:
        return canonical_url(url)
    except InvalidURL:
        return url


@dataclass
class Result:
    tool: str
    concurrency: str
    wall_s: float
    pages: int | None
    pages_per_s: float | None
    peak_rss_mb: float
    dead_found: int | None = None
    dead_expected: int | None = None
    false_dead: int | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def score(site: Site, reported_dead: set[str]) -> tuple[int, int, list[str]]:
    """(dead found, live links reported dead, a few examples of the latter)."""
    reported = {norm(u) for u in reported_dead}
    false = sorted(reported - site.dead)
    return len(reported & site.dead), len(false), false[:5]


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------


def run_govmon(site: Site, *, concurrency: int, timeout: float, max_pages: int = 20000) -> Result:
    """The full ``govmon audit`` (crawl, analysis, link checks, scoring) via its driver."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / "govmon-report.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, str(ROOT / "benchmarks" / "govmon_driver.py"), site.base,
           "--out", str(report), "--max-pages", str(max_pages), "--concurrency", str(concurrency),
           "--deny", ",".join(site.deny_hosts), "--name", site.truth.site_name,
           "--site-code", site.truth.site_code]
    run = run_measured(cmd, timeout=timeout, env=env, cwd=ROOT, name="govmon")
    if run.returncode != 0 or not report.exists():
        return Result(tool="govmon audit", concurrency=f"{concurrency}/host", wall_s=run.wall,
                      pages=None, pages_per_s=None, peak_rss_mb=run.peak_tree_mb,
                      note=f"failed rc={run.returncode}: {run.stderr[-500:]}")
    data = json.loads(report.read_text())
    found, false, examples = score(site, set(data["dead"]))
    pages = data["crawl"]["pages"]
    return Result(
        tool="govmon audit", concurrency=f"{concurrency}/host crawl and links",
        wall_s=run.wall, pages=pages, pages_per_s=pages / run.wall, peak_rss_mb=run.peak_tree_mb,
        dead_found=found, dead_expected=len(site.dead), false_dead=false,
        note=f"unknown {len(data['unknown'])}" + (f"; false e.g. {examples}" if examples else ""),
        extra={"crawl": data["crawl"], "audit_seconds": data["seconds"],
               "largest_process_mb": data["maxrss_mb"], "events": data["events"]},
    )


def run_baseline(site: Site, *, concurrency: int, timeout: float) -> Result:
    """The minimal asyncio + httpx + selectolax crawler and link checker (issue 3's yardstick)."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / "audit" / "minimal_crawler.py"), site.base + "/",
           "--concurrency", str(concurrency), "--deny", ",".join(site.deny_hosts)]
    run = run_measured(cmd, timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT,
                       name="minimal")
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        return Result(tool="minimal asyncio+httpx+selectolax", concurrency=str(concurrency),
                      wall_s=run.wall, pages=None, pages_per_s=None, peak_rss_mb=run.peak_tree_mb,
                      note=f"failed rc={run.returncode}: {run.stderr[-300:]}")
    found, false, examples = score(site, set(data["dead"]))
    return Result(
        tool="minimal asyncio+httpx+selectolax", concurrency=f"{concurrency} connections",
        wall_s=run.wall, pages=data["pages"], pages_per_s=data["pages"] / run.wall,
        peak_rss_mb=run.peak_tree_mb, dead_found=found, dead_expected=len(site.dead),
        false_dead=false, note=f"crawl only {data['crawl_seconds']:.1f} s"
        + (f"; false e.g. {examples}" if examples else ""),
    )


def _peer_missing(tool: str, path: Path) -> Result | None:
    if path.exists():
        return None
    return Result(tool=tool, concurrency="-", wall_s=0, pages=None, pages_per_s=None, peak_rss_mb=0,
                  note=f"not installed: bash benchmarks/install_peers.sh (expects {path})")


def _pages_from_urls(site: Site, urls: set[str]) -> int:
    """Crawled pages among the checked URLs: the truth's pages (HTML under the site)."""
    pages = {norm(site.base + p.url) for p in site.truth.pages}
    return len(pages & {norm(u) for u in urls})


def run_linkchecker(site: Site, *, concurrency: int, timeout: float) -> Result:
    exe = PEERS / "venv" / "bin" / "linkchecker"
    if (missing := _peer_missing("LinkChecker", exe)) is not None:
        return missing
    work = Path(tempfile.mkdtemp(prefix="govmon-lc-"))
    work.chmod(0o755)
    rc = work / "linkcheckerrc"
    rc.write_text(f"[checking]\nthreads={concurrency}\ntimeout=15\nmaxrequestspersecond=100000\n"
                  "[output]\nstatus=0\n")
    rc.chmod(0o644)
    cmd = [str(exe), "--config", str(rc), "--no-status", "--check-extern", "--verbose", "-o", "csv",
           "--recursion-level=-1"]
    for host in site.deny_hosts:
        cmd += ["--ignore-url", re.escape(host)]
    cmd.append(site.base + "/")
    run = run_measured(cmd, timeout=timeout, name="linkchecker")
    rows = list(csv.DictReader(io.StringIO("\n".join(
        line for line in run.stdout.splitlines() if not line.startswith("#"))), delimiter=";"))
    dead = {r["url"] or r["urlname"] for r in rows if r.get("valid") == "False"}
    checked = {r["url"] for r in rows if r.get("url")}
    found, false, examples = score(site, dead)
    pages = _pages_from_urls(site, checked)
    note = "timed out" if run.timed_out else ""
    if examples:
        note += f" false e.g. {examples}"
    return Result(tool="LinkChecker", concurrency=f"threads={concurrency}, rate limit lifted",
                  wall_s=run.wall, pages=pages, pages_per_s=pages / run.wall,
                  peak_rss_mb=run.peak_tree_mb, dead_found=found, dead_expected=len(site.dead),
                  false_dead=false, note=note.strip(), extra={"rows": len(rows)})


def run_linkinator(site: Site, *, concurrency: int, timeout: float) -> Result:
    exe = PEERS / "node_modules" / ".bin" / "linkinator"
    if (missing := _peer_missing("linkinator", exe)) is not None:
        return missing
    skip = "|".join(re.escape(h) for h in site.deny_hosts)
    cmd = [str(exe), site.base + "/", "--recurse", "--concurrency", str(concurrency),
           "--timeout", "15000", "--format", "json", "--skip", skip]
    run = run_measured(cmd, timeout=timeout, name="linkinator")
    try:
        links = json.loads(run.stdout)["links"]
    except (json.JSONDecodeError, KeyError):
        return Result(tool="linkinator", concurrency=str(concurrency), wall_s=run.wall, pages=None,
                      pages_per_s=None, peak_rss_mb=run.peak_tree_mb,
                      note=f"failed rc={run.returncode}: {run.stderr[-300:]}")
    dead = {x["url"] for x in links if x.get("state") == "BROKEN"}
    found, false, examples = score(site, dead)
    # why live links were called dead: linkinator's status (0 = connection error)
    why: dict[str, int] = {}
    for x in links:
        if x.get("state") == "BROKEN" and norm(x["url"]) not in site.dead:
            why[str(x.get("status"))] = why.get(str(x.get("status")), 0) + 1
    pages = _pages_from_urls(site, {x["url"] for x in links if x.get("state") == "OK"})
    return Result(tool="linkinator", concurrency=f"--concurrency {concurrency}", wall_s=run.wall,
                  pages=pages, pages_per_s=pages / run.wall, peak_rss_mb=run.peak_tree_mb,
                  dead_found=found, dead_expected=len(site.dead), false_dead=false,
                  note=("timed out " if run.timed_out else "")
                  + (f"false by status {why}; e.g. {examples[:2]}" if examples else ""),
                  extra={"false_by_status": why})


_BLC_LINE = re.compile(r"(OK|BROKEN)\W+(\S+)")


def run_blc(site: Site, *, concurrency: int, timeout: float) -> Result:
    exe = PEERS / "node_modules" / ".bin" / "blc"
    if (missing := _peer_missing("broken-link-checker", exe)) is not None:
        return missing
    cmd = [str(exe), site.base + "/", "--recursive", "--ordered", "--verbose",
           "--host-requests", str(concurrency), "--requests", str(concurrency)]
    for host in site.deny_hosts:
        cmd += ["--exclude", host]
    run = run_measured(cmd, timeout=timeout, name="blc")
    dead: set[str] = set()
    pages = len(re.findall(r"^Getting links from: ", run.stdout, re.M))
    for m in _BLC_LINE.finditer(run.stdout):
        if m.group(1) == "BROKEN":
            dead.add(m.group(2))
    found, false, examples = score(site, dead)
    return Result(tool="broken-link-checker", concurrency=f"--host-requests {concurrency}",
                  wall_s=run.wall, pages=pages, pages_per_s=pages / run.wall,
                  peak_rss_mb=run.peak_tree_mb, dead_found=found, dead_expected=len(site.dead),
                  false_dead=false, note=("timed out " if run.timed_out else "")
                  + (f"false e.g. {examples}" if examples else ""))


TOOLS = {
    "govmon": run_govmon,
    "minimal": run_baseline,
    "linkchecker": run_linkchecker,
    "linkinator": run_linkinator,
    "blc": run_blc,
}


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPU {cpu}, {mem:.0f} GiB, {platform.system()} {platform.release()}"


def _fmt(v: Any, spec: str = "") -> str:
    return "-" if v is None else format(v, spec)


def table(results: list[Result]) -> str:
    head = ("| tool | concurrency | wall s | pages | pages/s | peak RSS MB | dead found / expected "
            "| false dead | note |\n|---|---|---|---|---|---|---|---|---|")
    rows = [
        f"| {r.tool} | {r.concurrency} | {r.wall_s:.1f} | {_fmt(r.pages)} | {_fmt(r.pages_per_s, '.1f')} "
        f"| {r.peak_rss_mb:.0f} | {_fmt(r.dead_found)} / {_fmt(r.dead_expected)} | {_fmt(r.false_dead)} "
        f"| {r.note[:160]} |"
        for r in results
    ]
    return "\n".join([head, *rows])


def write_json(name: str, site: Site, results: list[Result], extra: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "site": {"pages": site.pages, "dead_links": len(site.dead), "deny_hosts": site.deny_hosts,
                 "build_seconds": round(site.build_seconds, 1)},
        **extra,
        "results": [asdict(r) for r in results],
    }, ensure_ascii=False, indent=2, default=str))
    return path
