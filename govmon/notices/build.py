"""Gather a period's data from the store and write the notice files (the thin shell).

``write_notices`` is what ``govmon notice`` and the daemon call.  Files go to
``<out_dir>/<period-id>/<period-id>-<kind>[-unit-<code>].<ext>``; a file that
already exists is never overwritten — a second run of the same period writes
``…-r2.<ext>`` — so every notice sent stays on disk as it was sent.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govmon import records as r
from govmon.config import MonitorConfig, Office
from govmon.errors import ConfigError
from govmon.notices.model import (
    DayAvailability,
    Life,
    NoticeData,
    Period,
    PeriodKind,
    ScoringRef,
    SiteInput,
    SiteRef,
    availability_from_probes,
    build_notice_data,
    period_for,
    updates_from_detections,
)
from govmon.notices.template import NoticeTemplate, load_template
from govmon.store.repo import SiteInfo, Store

log = logging.getLogger(__name__)

FORMATS = ("html", "docx", "xlsx", "json")


def _renderer(fmt: str) -> Callable[[NoticeData], bytes]:
    if fmt == "html":
        from govmon.notices.html import render_html

        return lambda d: render_html(d).encode("utf-8")
    if fmt == "json":
        from govmon.notices.jsonout import render_json

        return lambda d: render_json(d).encode("utf-8")
    if fmt == "docx":
        from govmon.notices.docx import render_docx

        return render_docx
    if fmt == "xlsx":
        from govmon.notices.xlsx import render_xlsx

        return render_xlsx
    raise ConfigError(f"unknown notice format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _scoring_in(store: Store, site: SiteInfo, period: Period, profile: str | None,
                fallback: str) -> tuple[ScoringRef, int | None] | None:
    """The site's latest scoring inside the period, under the profile asked (or the
    site's own; any profile if the site was only scored under another)."""
    wanted = profile or site.profile or fallback
    rows = [row for row in store.scorings(site.id) if period.contains(row["as_of"])]
    chosen = [row for row in rows if row["profile"] == wanted]
    if not chosen and profile is None and rows:
        log.info("site %s has no %s scoring in %s; using its %s scoring", site.url, wanted, period.id,
                 rows[-1]["profile"])
        chosen = rows
    if not chosen:
        return None
    row = chosen[-1]
    score: dict[str, Any] = row.get("score") or {}
    unit_scores = tuple(
        r.UnitScore(unit=u.get("unit"), total=float(u.get("total", 0.0)), vetoed=bool(u.get("vetoed", False)),
                    vetoes=tuple(u.get("vetoes", ())), grade=u.get("grade", ""))
        for u in score.get("units", ()) or ()
    )
    ref = ScoringRef(as_of=row["as_of"], profile=row["profile"], total=float(row["total"]),
                     vetoed=bool(row["vetoed"]), grade=row.get("grade") or "",
                     events=tuple(store.scoring_events(row["id"])), unit_scores=unit_scores)
    return ref, row.get("run_id")


def gather(store: Store, period: Period, *, profile: str | None, default_profile: str,
           enabled_only: bool = True) -> list[SiteInput]:
    """Everything the pure model needs, read from the store."""
    tz = period.start.tzinfo
    assert tz is not None
    previous = period.previous()
    out: list[SiteInput] = []
    for site in store.sites(enabled_only=enabled_only):
        found = _scoring_in(store, site, period, profile, default_profile)
        current, run_id = found if found else (None, None)
        found_before = _scoring_in(store, site, previous, profile, default_profile)
        before = found_before[0] if found_before else None
        updates = (updates_from_detections(store.run_detections(run_id), period.start.date())
                   if run_id is not None else None)
        lives = tuple(Life(fingerprint=life.fingerprint, first_seen=life.first_seen, resolved_at=life.resolved_at)
                      for life in store.detection_lives(site.id))
        probes = store.probe_results(site.id, period.start, period.cutoff)
        days: tuple[DayAvailability, ...] = availability_from_probes(probes, tz)
        out.append(SiteInput(
            site=SiteRef(id=site.id, url=site.url, name=site.name, unit=site.unit_code, level=site.level),
            current=current, previous=before, lives=lives, availability=days, updates=updates,
        ))
    return out


def _free_stem(folder: Path, stem: str, exts: Sequence[str]) -> str:
    """``stem`` or ``stem-r2``, ``-r3``…: the first revision none of whose files exist."""
    candidate, n = stem, 1
    while any((folder / f"{candidate}.{ext}").exists() for ext in exts):
        n += 1
        candidate = f"{stem}-r{n}"
    return candidate


def _write_new(path: Path, content: bytes) -> None:
    """Write through a temporary file and link it in: never replaces an existing file."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def notices_dir(config: MonitorConfig | None) -> Path:
    """Where the daemon keeps notices: ``schedule.notices_dir`` or ``<data dir>/notices``."""
    from govmon.paths import data_dir

    if config is not None and config.schedule.notices_dir:
        return Path(config.schedule.notices_dir).expanduser()
    return data_dir() / "notices"


def load_notice_data(
    config: MonitorConfig | None,
    *,
    period: str,
    as_of: datetime,
    profile: str | None = None,
    units: tuple[str, ...] = (),
    store: Store | None = None,
    template: NoticeTemplate | None = None,
) -> list[NoticeData]:
    """The region's notice, then one per unit asked for, computed from the store."""
    office: Office = config.office if config is not None else Office()
    tz_name = config.schedule.timezone if config is not None else "Asia/Shanghai"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"schedule.timezone: unknown time zone {tz_name!r} (e.g. Asia/Shanghai)") from None
    default_profile = config.defaults.profile if config is not None else "national-2019"
    template = template or load_template()
    addressees = office.addressees if "addressees" in office.model_fields_set else template.addressees
    the_period = period_for(PeriodKind(period), as_of, tz)

    own_store = store is None
    db = store if store is not None else Store.open()
    try:
        inputs = gather(db, the_period, profile=profile, default_profile=default_profile)
        unit_names = db.units()
    finally:
        if own_store:
            db.close()
    if config is not None:
        unit_names.update({u.code: u.name for u in config.units})
    return [
        build_notice_data(period=the_period, sites=inputs, template=template, office=office.name,
                          region=office.region, addressees=addressees, units=unit_names, unit=scope)
        for scope in (None, *dict.fromkeys(units))
    ]


def write_notices(
    config: MonitorConfig | None,
    *,
    period: str,
    as_of: datetime,
    profile: str | None,
    formats: list[str],
    out_dir: Path,
    units: tuple[str, ...] = (),
    store: Store | None = None,
    template: NoticeTemplate | None = None,
) -> list[Path]:
    """Write the region's notice and one per unit asked for; return the files written.

    Formats are checked before anything is read, so a typo costs no database work.
    """
    formats = [f.strip().lower() for f in formats if f.strip()] or ["html", "json"]
    renderers = {fmt: _renderer(fmt) for fmt in dict.fromkeys(formats)}
    notices = load_notice_data(config, period=period, as_of=as_of, profile=profile, units=units, store=store,
                               template=template)
    folder = Path(out_dir) / notices[0].period_id
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for data in notices:
        stem = _free_stem(folder, data.file_stem, list(renderers))
        for fmt, render in renderers.items():
            path = folder / f"{stem}.{fmt}"
            _write_new(path, render(data))
            written.append(path)
            log.info("wrote %s", path)
    return written
