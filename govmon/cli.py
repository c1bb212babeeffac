"""The ``govmon`` command line: a thin shell over the library.

Every command only parses options, calls one library function and prints its
result.  User errors are one line on stderr without a traceback: exit 2 for
usage and configuration errors, 1 for failures, 3 for a command this release
does not have yet (it says so and never pretends to work).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click

from govmon import __version__
from govmon.errors import GovmonError, NotImplementedYet

F = TypeVar("F", bound=Callable[..., Any])
CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_CONFIG = "sites.yaml"


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"govmon: error: {message}", err=True)
    sys.exit(code)


def parse_as_of(value: str | None) -> datetime:
    """``--as-of``: a date (midnight, China time) or an ISO datetime; default now."""
    if not value:
        return datetime.now(CHINA)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-25 or 2026-11-25T08:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)


class GovmonGroup(click.Group):
    """Turns GovmonError into one line and an exit code; no tracebacks for users."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GovmonError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)


def config_option(f: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_CONFIG,
        show_default=True,
        envvar="GOVMON_CONFIG",
        help="The sites.yaml to use (env GOVMON_CONFIG).",
    )(f)


def _load_config(path: Path) -> Any:
    from govmon.config import load_config

    return load_config(path)


def not_yet(command: str, issue: str) -> NoReturn:
    raise NotImplementedYet(f"'govmon {command}' is not available in this release yet ({issue})")


@click.group(cls=GovmonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govmon")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
def main(verbose: int) -> None:
    """govmon — monitor Chinese government websites against the inspection indicators.

    \b
    A webmaster before a deadline:   govmon audit https://www.example.gov.cn/
    An office, every night:          govmon sites import sites.yaml && govmon daemon
    Without arguments, `govmon audit` serves a bundled sample portal on
    127.0.0.1 and audits it, so you can see a real report offline.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if verbose < 2:
        for noisy in ("scrapy", "twisted", "httpx", "httpcore", "alembic", "apscheduler", "filelock"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


# ---------------------------------------------------------------- audit
@main.command()
@click.argument("url", required=False)
@click.option("--profile", default="national-2019", show_default=True,
              help="Indicator profile: a built-in name or a YAML file.")
@click.option("--as-of", "as_of", metavar="DATE", help="监测时间点 (default: now, China time).")
@click.option("--max-pages", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Pages crawled at most; the rest is reported as unknown.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")
@click.option("--all-pages", is_flag=True, help="Check compliance on every crawled page, not a sample of 5+5.")
@click.option("--site-code", help="The site's 网站标识码, to check the footer and meta tags against.")
@click.option("--name", "site_name", help="The site's name, to check titles and headers against.")
@click.option("--no-links", is_flag=True, help="Skip checking links that point outside the crawl.")
@click.option("--render", is_flag=True,
              help="Render pages in Debian's chromium (pip install 'govmon[browser]'): footers and lists "
                   "written by scripts become observable. Slow.")
def audit(url: str | None, profile: str, as_of: str | None, max_pages: int, fmt: str,
          output: Path | None, all_pages: bool, site_code: str | None, site_name: str | None,
          no_links: bool, render: bool) -> None:
    """Crawl one site now, check its links, score it and print the report.

    Needs no configuration file and no running service.  Without URL it serves
    the bundled sample portal on 127.0.0.1 and audits that.
    """
    from govmon.audit import AuditOptions, run_audit
    from govmon.report import render as render_report

    options = AuditOptions(
        profile=profile,
        as_of=parse_as_of(as_of),
        max_pages=max_pages,
        all_pages=all_pages,
        site_code=site_code,
        site_name=site_name,
        check_links=not no_links,
        render=render,
        progress=fmt == "text" or output is not None,
    )
    report = run_audit(url, options)
    text = render_report(report, fmt)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"report written to {output}", err=True)
    else:
        click.echo(text)


# ---------------------------------------------------------------- probe
def _register_probe() -> None:
    try:
        from govmon.commands.probe import probe_command
    except ImportError:

        @main.command("probe")
        @click.argument("url")
        @click.option("--count", type=int, default=1)
        @click.option("--interval", type=float, default=0.0)
        @click.option("--timeout", type=float, default=15.0)
        @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
        def probe(url: str, count: int, interval: float, timeout: float, fmt: str) -> None:
            """Probe a homepage's availability N times (NAT-V-AVAIL)."""
            not_yet("probe", "availability probes")

        return
    main.add_command(probe_command, "probe")


_register_probe()


# ---------------------------------------------------------------- sites
@main.group()
def sites() -> None:
    """Manage the configured sites (sites.yaml and the database)."""


@sites.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG)
def sites_validate(path: Path) -> None:
    """Check a sites.yaml; a bad field is named with its file and path (exit 2)."""
    config = _load_config(path)
    click.echo(f"{path}: ok — {len(config.sites)} site(s), {len(config.units)} unit(s)")


@sites.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG)
def sites_import(path: Path) -> None:
    """Validate a sites.yaml and store its units and sites (nothing is stored if it is invalid)."""
    from govmon.sites import import_config

    config = _load_config(path)
    added, updated = import_config(config)
    click.echo(f"{path}: {added} site(s) added, {updated} updated, {len(config.units)} unit(s)")


@sites.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def sites_list(fmt: str) -> None:
    """List the sites in the database."""
    import json

    from govmon.sites import list_sites

    rows = list_sites()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no sites yet: govmon sites add URL --name NAME, or govmon sites import sites.yaml")
    for row in rows:
        flag = "" if row["enabled"] else "  (disabled)"
        click.echo(f"{row['id']:>4}  {row['url']}  {row['name']}  {row['site_code'] or '-'}  "
                   f"{row['unit_code'] or '-'}{flag}")


@sites.command("add")
@click.argument("url")
@click.option("--name", required=True, help="Site name as shown in its page headers.")
@click.option("--site-code", help="网站标识码 (10 digits or bm + 8 digits).")
@click.option("--unit", help="Agency code of the responsible unit, e.g. 0101.")
@click.option("--profile", help="Indicator profile for this site.")
def sites_add(url: str, name: str, site_code: str | None, unit: str | None, profile: str | None) -> None:
    """Add (or update) one site in the database."""
    from govmon.sites import add_site

    site_id = add_site(url=url, name=name, site_code=site_code, unit=unit, profile=profile)
    click.echo(f"site {site_id}: {url} {name}")


# ---------------------------------------------------------------- run / daemon / score
@main.command()
@config_option
@click.option("--site", "only", multiple=True, help="Only this site (URL or name); repeatable.")
@click.option("--as-of", "as_of", metavar="DATE", help="监测时间点 for scoring (default: now).")
def run(config_path: Path, only: tuple[str, ...], as_of: str | None) -> None:
    """Crawl and score every configured site now, storing the runs."""
    from govmon.runs import run_all

    config = _load_config(config_path)
    results = run_all(config, only=only, as_of=parse_as_of(as_of), progress=True)
    for line in results:
        click.echo(line)


@main.command()
@config_option
@click.option("--once", is_flag=True, help="Run every due job once and exit (for cron and tests).")
def daemon(config_path: Path, once: bool) -> None:
    """Run unattended: probes ≥20/day with jitter, the nightly crawl, and the notices on schedule."""
    try:
        from govmon.scheduler import run_daemon
    except ImportError:
        not_yet("daemon", "the unattended scheduler")
    config = _load_config(config_path)
    run_daemon(config, config_path=config_path, once=once)


@main.command()
@click.option("--profile", default="national-2019", show_default=True)
@click.option("--as-of", "as_of", metavar="DATE", help="监测时间点 (default: now).")
@click.option("--site", "only", multiple=True, help="Only this site (URL or name); repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def score(profile: str, as_of: str | None, only: tuple[str, ...], fmt: str) -> None:
    """Re-score stored runs under a profile and an as-of instant, without crawling."""
    import json

    from govmon.runs import rescore

    results = rescore(profile=profile, as_of=parse_as_of(as_of), only=only)
    if fmt == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    if not results:
        click.echo("no stored runs to score: run `govmon run` first")
    for row in results:
        veto = "  否决: " + ", ".join(row["vetoes"]) if row["vetoed"] else ""
        click.echo(f"{row['site']}  {row['total']:.2f}  {row['grade']}{veto}")


# ---------------------------------------------------------------- notice
@main.command()
@config_option
@click.option("--period", type=click.Choice(["week", "fortnight"]), default="week", show_default=True)
@click.option("--as-of", "as_of", metavar="DATE", help="End of the period (default: now).")
@click.option("--profile", help="Indicator profile (default: each site's).")
@click.option("--format", "fmt", default="html,json", show_default=True,
              help="Comma-separated: html, docx, xlsx, json.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write the notices into.")
@click.option("--unit", "units", multiple=True, help="Also write the notice of this unit alone; repeatable.")
def notice(config_path: Path, period: str, as_of: str | None, profile: str | None, fmt: str, out_dir: Path,
           units: tuple[str, ...]) -> None:
    """Write the weekly or bi-weekly monitoring notice (监测通报) from stored runs."""
    try:
        from govmon.notices.build import write_notices
    except ImportError:
        not_yet("notice", "monitoring notices")
    config = _load_config(config_path) if config_path.exists() else None
    for path in write_notices(config, period=period, as_of=parse_as_of(as_of), profile=profile,
                              formats=[f.strip() for f in fmt.split(",") if f.strip()], out_dir=out_dir,
                              units=units):
        click.echo(str(path))


# ---------------------------------------------------------------- review / findings
@main.group()
def review() -> None:
    """Confirm or dismiss a detection (dismissed ones are left out of scoring)."""


def _review(fingerprint: str, decision: str, note: str | None) -> None:
    from govmon.sites import review_detection

    site_id, full = review_detection(fingerprint, decision, note)
    click.echo(f"{decision}: {full} (site {site_id})")


@review.command("confirm")
@click.argument("fingerprint")
@click.option("--note", help="Why.")
def review_confirm(fingerprint: str, note: str | None) -> None:
    """Mark a detection (by fingerprint or a unique prefix of it) as confirmed."""
    _review(fingerprint, "confirmed", note)


@review.command("dismiss")
@click.argument("fingerprint")
@click.option("--note", help="Why it is a false positive.")
def review_dismiss(fingerprint: str, note: str | None) -> None:
    """Mark a detection as a false positive: it no longer counts in any score."""
    _review(fingerprint, "dismissed", note)


@main.group()
def findings() -> None:
    """Manual findings: what no crawler can see (circulars, answer quality, tasks)."""


@findings.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", default="national-2019", show_default=True,
              help="Profile whose rule IDs the findings use.")
@click.option("--site", help="Site (URL or name) the findings belong to; default: none (unit-level).")
def findings_import(path: Path, profile: str, site: str | None) -> None:
    """Import manual findings from CSV or YAML (rule, unit, date, note, url, count, points)."""
    from govmon.sites import import_findings

    n = import_findings(path, profile=profile, site=site)
    click.echo(f"{path}: {n} finding(s) imported")


if __name__ == "__main__":  # pragma: no cover
    main()
