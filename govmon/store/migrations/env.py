"""Alembic environment: runs govmon's migrations on the connection it is given.

govmon calls Alembic from code (``govmon.store.db.migrate``), passing an open
connection in ``config.attributes["connection"]``; there is no alembic.ini.
"""

from __future__ import annotations

from alembic import context

from govmon.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only with a hand-written alembic.ini
    raise RuntimeError("run govmon's migrations through govmon.store.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
