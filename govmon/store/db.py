"""Opening the database and migrating it: SQLite (WAL) by default, PostgreSQL by URL.

``open_engine()`` is the only place an engine is made: it picks the URL
(argument, ``GOVMON_DATABASE_URL``, or a SQLite file in the user's data
directory), sets SQLite's WAL journal and foreign keys on every connection, and
applies Alembic migrations on first use so nobody has to run a migration step.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from govmon.errors import StorageError
from govmon.paths import data_dir

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(url: str | None = None) -> str:
    """The database URL in force: argument > ``GOVMON_DATABASE_URL`` > SQLite file."""
    if url:
        return url
    env = os.environ.get("GOVMON_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{data_dir() / 'govmon.db'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it already is."""
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    script = ScriptDirectory(str(_MIGRATIONS))
    return script.get_current_head()


def open_engine(url: str | None = None, *, migrate_schema: bool = True) -> Engine:
    """An engine on the configured database, migrated to the newest schema."""
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise StorageError(f"GOVMON_DATABASE_URL: not a database URL: {raw!r}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, object] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot open database {raw}: {exc.strerror}: {exc.filename}") from None
        # One short-lived connection per use: SQLite locks are per connection,
        # and subprocess crawls write to the same file.
        kwargs["poolclass"] = NullPool
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"cannot use database {parsed.render_as_string()}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate_schema:
        try:
            if current_revision(engine) != head_revision():
                log.info("migrating database %s", parsed.render_as_string())
                migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StorageError(f"cannot open database {parsed.render_as_string()}: {reason}") from None
    return engine
