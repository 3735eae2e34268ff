"""Alembic environment: runs on the engine the caller put in `config.attributes`.

All pending migrations run in one transaction that holds the migration lock, so a process killed
halfway leaves the database where it was, and two processes starting on a new database do not
both try to build it: the second waits, then finds the schema at head.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine

import store.apikeys  # noqa: F401  (registers the tables on Base.metadata)
import store.canonical  # noqa: F401
import store.echoes  # noqa: F401
import store.handoffs  # noqa: F401
import store.identity  # noqa: F401
import store.models  # noqa: F401
import store.writeback  # noqa: F401
from store.base import Base

# Any fixed 64-bit number works; it only has to be the same in every loophub process.
POSTGRES_MIGRATION_LOCK = 0x6C6F6F70687562


@contextmanager
def locked_transaction(connection: Connection) -> Iterator[None]:
    """Open the one transaction the migrations run in, holding the database's migration lock."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_MIGRATION_LOCK})")
        yield
        return
    if connection.dialect.name != "sqlite":
        raise RuntimeError(f"loophub stores on SQLite or PostgreSQL, not {connection.dialect.name}")
    # Python's sqlite3 driver commits DDL statement by statement; with its own transaction handling
    # off, an explicit BEGIN IMMEDIATE makes the DDL transactional and takes SQLite's write lock.
    driver: Any = connection.connection.driver_connection  # sqlite3.Connection
    previous = driver.isolation_level
    driver.isolation_level = None
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
    finally:
        driver.isolation_level = previous


engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection, locked_transaction(connection):
    # The transaction is open before configure, so Alembic treats it as external and adds none.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
