"""Site, review and manual-finding management behind ``govmon sites``, ``review``
and ``findings``: validate first, then write in one transaction, so a bad file
never leaves the database half-changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govmon.config import MonitorConfig
from govmon.errors import ConfigError
from govmon.store.repo import Store


def import_config(config: MonitorConfig, store: Store | None = None) -> tuple[int, int]:
    """Store the units and sites of a validated configuration: (added, updated)."""
    own = store is None
    store = store or Store.open()
    try:
        known = {s.url for s in store.sites()}
        store.sync_units((u.code, u.name) for u in config.units)
        added = updated = 0
        for site in config.sites:
            store.upsert_site(url=site.url, name=site.name, site_code=site.site_code, unit_code=site.unit,
                              level=site.level, profile=site.profile, enabled=site.enabled)
            if site.url in known:
                updated += 1
            else:
                added += 1
        return added, updated
    finally:
        if own:
            store.close()


def list_sites(store: Store | None = None) -> list[dict[str, Any]]:
    own = store is None
    store = store or Store.open()
    try:
        return [
            {"id": s.id, "url": s.url, "name": s.name, "site_code": s.site_code, "unit_code": s.unit_code,
             "level": s.level, "profile": s.profile, "enabled": s.enabled}
            for s in store.sites()
        ]
    finally:
        if own:
            store.close()


def add_site(*, url: str, name: str, site_code: str | None = None, unit: str | None = None,
             profile: str | None = None, store: Store | None = None) -> int:
    from govmon.config import parse_config

    # Validate through the same model as sites.yaml, so rules are identical.
    entry: dict[str, Any] = {"url": url, "name": name}
    if site_code:
        entry["site_code"] = site_code
    if unit:
        entry["unit"] = unit
    if profile:
        entry["profile"] = profile
    config = parse_config({"sites": [entry]}, source="govmon sites add")
    site = config.sites[0]
    own = store is None
    store = store or Store.open()
    try:
        return store.upsert_site(url=site.url, name=site.name, site_code=site.site_code, unit_code=site.unit,
                                 profile=site.profile)
    finally:
        if own:
            store.close()


def review_detection(fingerprint: str, decision: str, note: str | None,
                     store: Store | None = None) -> tuple[int, str]:
    if len(fingerprint) < 6:
        raise ConfigError(f"fingerprint {fingerprint!r}: give at least 6 characters of it")
    own = store is None
    store = store or Store.open()
    try:
        found = store.find_detection(fingerprint)
        if found is None:
            raise ConfigError(f"fingerprint {fingerprint!r}: no single stored detection starts with it")
        site_id, full = found
        store.add_review(site_id, full, decision, note=note)
        return site_id, full
    finally:
        if own:
            store.close()


def import_findings(path: Path, *, profile: str, site: str | None, store: Store | None = None) -> int:
    """Validate every row of a findings file against the profile, then store all or none."""
    from scoring.manual import load_manual_findings
    from scoring.profiles import load_profile

    findings = load_manual_findings(path, load_profile(profile))
    own = store is None
    store = store or Store.open()
    try:
        site_id = None
        if site is not None:
            info = store.site(site)
            if info is None:
                raise ConfigError(f"--site {site}: no such site in the database (govmon sites list)")
            site_id = info.id
        return store.add_manual_findings(site_id, findings, source=str(path))
    finally:
        if own:
            store.close()
