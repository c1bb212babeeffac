"""The store's operations in the project's own terms (sites, runs, detections…).

Callers (CLI, daemon, notices) speak records (``govmon.records``), never ORM
rows, so the storage can change without touching them.  Each method is one
transaction; a failure rolls back and leaves stored data as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from govmon import records as r
from govmon.store import models as m
from govmon.store.db import open_engine
from govmon.store.models import utcnow


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    id: int
    site_id: int
    site_url: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    pages: int
    unknown: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteInfo:
    id: int
    url: str
    name: str
    site_code: str | None
    unit_code: str | None
    level: str
    profile: str | None
    enabled: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DetectionLife:
    """A detection with its life cycle, for notices (new / persisting / resolved)."""

    detection: r.Detection
    fingerprint: str
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None


def _site_info(row: m.Site) -> SiteInfo:
    return SiteInfo(
        id=row.id,
        url=row.url,
        name=row.name,
        site_code=row.site_code,
        unit_code=row.unit_code,
        level=row.level,
        profile=row.profile,
        enabled=row.enabled,
    )


class Store:
    """All reads and writes of govmon's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        return cls(open_engine(url))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # ------------------------------------------------------------ sites, units
    def sync_units(self, units: Iterable[tuple[str, str]]) -> None:
        with self.session() as s:
            for code, name in units:
                row = s.get(m.Unit, code)
                if row is None:
                    s.add(m.Unit(code=code, name=name))
                else:
                    row.name = name

    def units(self) -> dict[str, str]:
        with self.session() as s:
            return {u.code: u.name for u in s.scalars(select(m.Unit))}

    def upsert_site(
        self,
        *,
        url: str,
        name: str,
        site_code: str | None = None,
        unit_code: str | None = None,
        level: str = "portal",
        profile: str | None = None,
        enabled: bool = True,
    ) -> int:
        with self.session() as s:
            row = s.scalar(select(m.Site).where(m.Site.url == url))
            if row is None:
                row = m.Site(url=url, name=name)
                s.add(row)
            row.name = name
            row.site_code = site_code
            row.unit_code = unit_code
            row.level = level
            row.profile = profile
            row.enabled = enabled
            s.flush()
            return row.id

    def sites(self, *, enabled_only: bool = False) -> list[SiteInfo]:
        with self.session() as s:
            q = select(m.Site).order_by(m.Site.id)
            if enabled_only:
                q = q.where(m.Site.enabled.is_(True))
            return [_site_info(row) for row in s.scalars(q)]

    def site(self, url_or_name: str) -> SiteInfo | None:
        with self.session() as s:
            row = s.scalar(select(m.Site).where((m.Site.url == url_or_name) | (m.Site.name == url_or_name)))
            return _site_info(row) if row else None

    # ------------------------------------------------------------------- runs
    def start_run(self, site_id: int, *, at: datetime | None = None) -> int:
        with self.session() as s:
            run = m.Run(site_id=site_id, started_at=at or utcnow(), status="running")
            s.add(run)
            s.flush()
            return run.id

    def finish_run(
        self,
        run_id: int,
        *,
        status: str = "finished",
        stats: r.CrawlStats | None = None,
        error: str | None = None,
        at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        with self.session() as s:
            run = s.get(m.Run, run_id)
            if run is None:
                raise KeyError(f"no run {run_id}")
            run.status = status
            run.finished_at = at or utcnow()
            run.error = error
            if stats is not None:
                run.pages = stats.pages
                run.requests = stats.requests
                run.seconds = stats.seconds
                run.unknown = stats.unknown
                run.stats = {**r.to_dict(stats), **(extra or {})}

    def mark_interrupted(self, *, before: datetime | None = None) -> int:
        """Runs left 'running' by a killed process become 'interrupted'."""
        with self.session() as s:
            q = update(m.Run).where(m.Run.status == "running")
            if before is not None:
                q = q.where(m.Run.started_at < before)
            result = s.execute(q.values(status="interrupted", finished_at=utcnow()))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def runs(self, site_id: int | None = None, *, status: str | None = None) -> list[RunInfo]:
        with self.session() as s:
            q = select(m.Run, m.Site.url).join(m.Site).order_by(m.Run.started_at, m.Run.id)
            if site_id is not None:
                q = q.where(m.Run.site_id == site_id)
            if status is not None:
                q = q.where(m.Run.status == status)
            return [
                RunInfo(
                    id=run.id,
                    site_id=run.site_id,
                    site_url=url,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    status=run.status,
                    pages=run.pages,
                    unknown=run.unknown,
                )
                for run, url in s.execute(q)
            ]

    def latest_run(self, site_id: int, *, before: datetime | None = None) -> RunInfo | None:
        """The newest finished run of a site started at or before ``before``."""
        candidates = [
            run
            for run in self.runs(site_id, status="finished")
            if before is None or run.started_at <= before
        ]
        return candidates[-1] if candidates else None

    # ------------------------------------------------------ crawl projections
    def save_pages(self, run_id: int, pages: Iterable[dict[str, Any]]) -> None:
        with self.session() as s:
            s.add_all(m.Page(run_id=run_id, **page) for page in pages)

    def save_columns(self, run_id: int, columns: Iterable[r.ColumnDetection]) -> None:
        with self.session() as s:
            s.add_all(
                m.Column(
                    run_id=run_id,
                    url=c.url,
                    name=c.name,
                    column_class=c.column_class.value,
                    level=c.level,
                    entries=c.entries,
                    newest=c.newest,
                    blank=c.blank,
                    unit=c.unit,
                )
                for c in columns
            )

    def save_link_checks(self, run_id: int, checks: Iterable[dict[str, Any]]) -> None:
        with self.session() as s:
            s.add_all(m.LinkCheck(run_id=run_id, **check) for check in checks)

    def pages(self, run_id: int) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(select(m.Page).where(m.Page.run_id == run_id).order_by(m.Page.id))
            return [
                {"url": p.url, "status": p.status, "page_type": p.page_type, "title": p.title,
                 "depth": p.depth, "bytes": p.bytes}
                for p in rows
            ]

    # ------------------------------------------------------------- detections
    def save_detections(
        self,
        run_id: int,
        detections: Sequence[r.Detection],
        *,
        seen_at: datetime,
        resolve_missing: bool = True,
    ) -> None:
        """Record what a run saw and follow each fact's life.

        A fact seen before keeps its ``first_seen``; a resolved fact that comes
        back is re-opened.  When ``resolve_missing`` (a complete run), facts of
        the site not seen this time are marked resolved at ``seen_at``.
        """
        with self.session() as s:
            run = s.get(m.Run, run_id)
            if run is None:
                raise KeyError(f"no run {run_id}")
            site_id = run.site_id
            existing = {
                d.fingerprint: d
                for d in s.scalars(select(m.Detection).where(m.Detection.site_id == site_id))
            }
            seen: set[str] = set()
            for det in detections:
                fp = det.fingerprint()
                if fp in seen:
                    continue
                seen.add(fp)
                payload = r.to_dict(det)
                row = existing.get(fp)
                if row is None:
                    row = m.Detection(
                        site_id=site_id,
                        fingerprint=fp,
                        kind=det.KIND.value,
                        url=det.url,
                        unit=det.unit,
                        first_seen=seen_at,
                        last_seen=seen_at,
                        payload=payload,
                    )
                    s.add(row)
                    s.flush()
                else:
                    row.last_seen = max(row.last_seen, seen_at)
                    row.resolved_at = None
                    row.payload = payload
                    row.unit = det.unit
                s.add(m.Observation(run_id=run_id, detection_id=row.id, payload=payload))
            if resolve_missing:
                for fp, row in existing.items():
                    if fp not in seen and row.resolved_at is None and row.kind != r.DetectionKind.MANUAL:
                        row.resolved_at = seen_at

    def run_detections(self, run_id: int) -> list[r.Detection]:
        """Exactly the records a run saw, for re-scoring without re-crawling."""
        with self.session() as s:
            rows = s.scalars(
                select(m.Observation.payload)
                .where(m.Observation.run_id == run_id)
                .order_by(m.Observation.detection_id)
            )
            return [r.detection_from_dict(payload) for payload in rows]

    def detection_lives(self, site_id: int) -> list[DetectionLife]:
        with self.session() as s:
            rows = s.scalars(
                select(m.Detection).where(m.Detection.site_id == site_id).order_by(m.Detection.id)
            )
            return [
                DetectionLife(
                    detection=r.detection_from_dict(d.payload),
                    fingerprint=d.fingerprint,
                    first_seen=d.first_seen,
                    last_seen=d.last_seen,
                    resolved_at=d.resolved_at,
                )
                for d in rows
            ]

    # ----------------------------------------------------------------- probes
    def save_probe_results(self, site_id: int, results: Iterable[dict[str, Any]]) -> None:
        with self.session() as s:
            s.add_all(m.ProbeResult(site_id=site_id, **row) for row in results)

    def probe_results(self, site_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.scalars(
                select(m.ProbeResult)
                .where(m.ProbeResult.site_id == site_id, m.ProbeResult.at >= start, m.ProbeResult.at < end)
                .order_by(m.ProbeResult.at, m.ProbeResult.id)
            )
            cols = [c.key for c in m.ProbeResult.__table__.columns if c.key not in ("id", "site_id")]
            return [{c: getattr(row, c) for c in cols} for row in rows]

    def recent_probe_results(self, site_id: int, limit: int = 6) -> list[dict[str, Any]]:
        """The newest ``limit`` probe rows of a site, oldest first (for alerts)."""
        with self.session() as s:
            rows = list(s.scalars(
                select(m.ProbeResult).where(m.ProbeResult.site_id == site_id)
                .order_by(m.ProbeResult.at.desc(), m.ProbeResult.id.desc()).limit(limit)
            ))
            cols = [c.key for c in m.ProbeResult.__table__.columns if c.key not in ("id", "site_id")]
            return [{c: getattr(row, c) for c in cols} for row in reversed(rows)]

    def add_alert(self, site_id: int | None, kind: str, message: str, *, at: datetime | None = None,
                  payload: dict[str, Any] | None = None) -> None:
        with self.session() as s:
            s.add(m.Alert(site_id=site_id, kind=kind, message=message, at=at or utcnow(), payload=payload))

    def alerts(self, site_id: int | None = None) -> list[dict[str, Any]]:
        with self.session() as s:
            q = select(m.Alert).order_by(m.Alert.at, m.Alert.id)
            if site_id is not None:
                q = q.where(m.Alert.site_id == site_id)
            return [{"site_id": a.site_id, "at": a.at, "kind": a.kind, "message": a.message,
                     "payload": a.payload} for a in s.scalars(q)]

    # ---------------------------------------------------------------- reviews
    def add_review(self, site_id: int, fingerprint: str, decision: str, *, note: str | None = None,
                   reviewer: str | None = None) -> None:
        if decision not in ("confirmed", "dismissed"):
            raise ValueError(f"review decision must be confirmed or dismissed, not {decision!r}")
        with self.session() as s:
            s.add(m.Review(site_id=site_id, fingerprint=fingerprint, decision=decision, note=note,
                           reviewer=reviewer))

    def reviews(self, site_id: int) -> dict[str, str]:
        """fingerprint -> the latest decision on it."""
        with self.session() as s:
            rows = s.scalars(select(m.Review).where(m.Review.site_id == site_id).order_by(m.Review.at, m.Review.id))
            return {row.fingerprint: row.decision for row in rows}

    def find_detection(self, fingerprint_prefix: str) -> tuple[int, str] | None:
        """(site_id, fingerprint) of the detection whose fingerprint starts so."""
        with self.session() as s:
            rows = s.execute(
                select(m.Detection.site_id, m.Detection.fingerprint)
                .where(m.Detection.fingerprint.startswith(fingerprint_prefix))
                .limit(2)
            ).all()
            if len(rows) != 1:
                return None
            return rows[0][0], rows[0][1]

    # ---------------------------------------------------------- manual findings
    def add_manual_findings(self, site_id: int | None, findings: Iterable[r.ManualFinding], *,
                            source: str | None = None) -> int:
        n = 0
        with self.session() as s:
            for f in findings:
                s.add(m.ManualFindingRow(site_id=site_id, rule=f.rule, unit=f.unit, on=f.on or date.today(),
                                         note=f.note, url=f.url, count=f.count, points=f.points,
                                         source=source))
                n += 1
        return n

    def manual_findings(self, site_id: int | None, start: date, end: date) -> list[r.ManualFinding]:
        with self.session() as s:
            q = select(m.ManualFindingRow).where(m.ManualFindingRow.on >= start, m.ManualFindingRow.on <= end)
            if site_id is not None:
                q = q.where((m.ManualFindingRow.site_id == site_id) | m.ManualFindingRow.site_id.is_(None))
            return [
                r.ManualFinding(url=row.url, unit=row.unit, rule=row.rule, on=row.on, note=row.note,
                                count=row.count, points=row.points)
                for row in s.scalars(q.order_by(m.ManualFindingRow.id))
            ]

    # ---------------------------------------------------------------- scoring
    def save_scoring(self, *, site_id: int, run_id: int | None, profile: str, as_of: datetime,
                     events: Sequence[r.Event], score: r.Score) -> int:
        with self.session() as s:
            row = m.Scoring(site_id=site_id, run_id=run_id, profile=profile, as_of=as_of, total=score.total,
                            vetoed=score.vetoed, grade=score.grade, score=r.to_dict(score))
            row.events = [
                m.EventRow(rule=e.rule, type=e.type.value, points=e.points, count=e.count, unit=e.unit,
                           message=e.message, unknown=e.unknown, payload=r.to_dict(e))
                for e in events
            ]
            s.add(row)
            s.flush()
            return row.id

    def scorings(self, site_id: int | None = None, *, profile: str | None = None) -> list[dict[str, Any]]:
        with self.session() as s:
            q = select(m.Scoring).order_by(m.Scoring.as_of, m.Scoring.id)
            if site_id is not None:
                q = q.where(m.Scoring.site_id == site_id)
            if profile is not None:
                q = q.where(m.Scoring.profile == profile)
            return [
                {"id": row.id, "site_id": row.site_id, "run_id": row.run_id, "profile": row.profile,
                 "as_of": row.as_of, "total": row.total, "vetoed": row.vetoed, "grade": row.grade,
                 "score": row.score}
                for row in s.scalars(q)
            ]

    def scoring_events(self, scoring_id: int) -> list[r.Event]:
        with self.session() as s:
            rows = s.scalars(select(m.EventRow).where(m.EventRow.scoring_id == scoring_id).order_by(m.EventRow.id))
            return [r.event_from_dict(row.payload) for row in rows]

    def delete_site(self, site_id: int) -> None:
        with self.session() as s:
            s.execute(delete(m.Site).where(m.Site.id == site_id))
