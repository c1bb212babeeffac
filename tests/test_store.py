"""Storage round-trips every model on SQLite and on PostgreSQL.

The PostgreSQL case runs for real where a server listens on 127.0.0.1:5432
(CI), each test in its own schema that is dropped afterwards; elsewhere it
skips with a reason (or fails under GOVMON_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from govmon import records as r
from govmon.store import db
from govmon.store.models import Base
from govmon.store.repo import Store

T0 = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'govmon.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            # No connection of the test may outlive it.
            leaked = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid() AND query ILIKE :q"), {"q": f"%{schema}%"}
            ).scalar()
        admin.dispose()
        assert not leaked


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


def test_migrations_applied_on_first_use_and_idempotent(db_url: str) -> None:
    engine = db.open_engine(db_url)
    assert db.current_revision(engine) == db.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"sites", "units", "runs", "pages", "columns", "link_checks", "probe_results",
            "detections", "observations", "reviews", "events", "scorings"} <= tables
    db.migrate(engine)  # a second upgrade is a no-op
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_models_match_the_migrations(db_url: str) -> None:
    engine = db.open_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_round_trip_all_models(store: Store) -> None:
    store.sync_units([("0101", "区政府办"), ("0203", "区发改局")])
    assert store.units() == {"0101": "区政府办", "0203": "区发改局"}
    site_id = store.upsert_site(url="http://127.0.0.1:8000/", name="某县人民政府", site_code="5107030001",
                                unit_code="0101")
    assert store.upsert_site(url="http://127.0.0.1:8000/", name="某县人民政府") == site_id
    run_id = store.start_run(site_id, at=T0)
    store.save_pages(run_id, [{"url": "http://127.0.0.1:8000/", "status": 200, "page_type": "home",
                               "title": "首页", "depth": 0, "bytes": 1234}])
    col = r.ColumnDetection(url="http://127.0.0.1:8000/gzdt/", name="工作动态", column_class=r.ColumnClass.NEWS,
                            newest=date(2026, 11, 2), dates=(date(2026, 11, 2),), unit="0101")
    link = r.LinkDetection(url="http://127.0.0.1:8000/x.pdf", status=404, on_pages=("http://127.0.0.1:8000/",),
                           on_homepage=True, element=r.Element.A)
    store.save_columns(run_id, [col])
    store.save_link_checks(run_id, [{"url": link.url, "ok": False, "status": 404, "error": "http",
                                     "final_url": link.url, "seconds": 0.01}])
    store.save_detections(run_id, [col, link], seen_at=T0)
    store.finish_run(run_id, stats=r.CrawlStats(pages=1, requests=2, seconds=1.5, unknown=0), at=T0)
    assert store.run_detections(run_id) == [col, link]
    assert store.pages(run_id)[0]["title"] == "首页"
    assert store.latest_run(site_id).id == run_id  # type: ignore[union-attr]

    store.save_probe_results(site_id, [{"at": T0, "ok": False, "status": None, "seconds": 15.0,
                                        "error": "timeout", "reprobe": False}])
    probes = store.probe_results(site_id, T0 - timedelta(days=7), T0 + timedelta(seconds=1))
    assert probes[0]["at"] == T0 and probes[0]["error"] == "timeout"

    store.add_review(site_id, link.fingerprint(), "dismissed", note="误报")
    assert store.reviews(site_id) == {link.fingerprint(): "dismissed"}
    assert store.find_detection(link.fingerprint()[:10]) == (site_id, link.fingerprint())

    finding = r.ManualFinding(url="", rule="AJ-NOTIFIED", unit="0101", on=date(2026, 11, 10), note="市通报")
    store.add_manual_findings(site_id, [finding], source="findings.csv")
    assert store.manual_findings(site_id, date(2026, 11, 1), date(2026, 11, 30)) == [finding]

    event = r.Event(rule="NAT-D-LINKS", type=r.EventType.DEDUCTION, points=-0.2, evidence=(link.url,))
    score = r.Score(total=99.8, vetoed=False, grade="一等次")
    scoring_id = store.save_scoring(site_id=site_id, run_id=run_id, profile="national-2019", as_of=T0,
                                    events=[event], score=score)
    assert store.scoring_events(scoring_id) == [event]
    assert store.scorings(site_id)[0]["total"] == 99.8
    store.add_alert(site_id, "red", "两次连续探测失败", at=T0)
    assert store.alerts(site_id)[0]["kind"] == "red"


def test_detection_life_cycle(store: Store) -> None:
    site_id = store.upsert_site(url="http://127.0.0.1:8001/", name="某局")
    dead = r.LinkDetection(url="http://127.0.0.1:8001/dead", status=404)
    other = r.LinkDetection(url="http://127.0.0.1:8001/other", status=500)
    run1 = store.start_run(site_id, at=T0)
    store.save_detections(run1, [dead, other], seen_at=T0)
    t1 = T0 + timedelta(days=7)
    run2 = store.start_run(site_id, at=t1)
    store.save_detections(run2, [dead], seen_at=t1)
    lives = {life.detection.url: life for life in store.detection_lives(site_id)}
    assert lives[dead.url].first_seen == T0 and lives[dead.url].last_seen == t1
    assert lives[dead.url].resolved_at is None
    assert lives[other.url].resolved_at == t1
    t2 = T0 + timedelta(days=14)
    run3 = store.start_run(site_id, at=t2)
    store.save_detections(run3, [dead, other], seen_at=t2)
    lives = {life.detection.url: life for life in store.detection_lives(site_id)}
    assert lives[other.url].resolved_at is None  # it came back: re-opened


def test_interrupted_runs_are_marked(store: Store) -> None:
    site_id = store.upsert_site(url="http://127.0.0.1:8002/", name="某镇")
    run = store.start_run(site_id, at=T0)
    assert store.mark_interrupted() == 1
    assert store.runs(site_id)[0].status == "interrupted" and store.runs(site_id)[0].id == run


def test_naive_datetimes_are_refused(store: Store) -> None:
    site_id = store.upsert_site(url="http://127.0.0.1:8003/", name="x")
    with pytest.raises(Exception, match="naive"):
        store.start_run(site_id, at=datetime(2026, 11, 20))
    assert store.runs(site_id) == []  # nothing half-written


def test_bad_database_url_is_one_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from govmon.errors import StorageError

    with pytest.raises(StorageError, match="nonsense"):
        db.open_engine("nonsense://")
    with pytest.raises(StorageError, match="cannot open database"):
        (tmp_path / "f").write_text("a file where a folder should be")
        db.open_engine(f"sqlite:///{tmp_path}/f/x.db")
