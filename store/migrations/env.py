"""Alembic environment: runs on the engine the caller put in `config.attributes`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import store.apikeys  # noqa: F401  (registers the tables on Base.metadata)
import store.canonical  # noqa: F401
import store.echoes  # noqa: F401
import store.handoffs  # noqa: F401
import store.identity  # noqa: F401
import store.models  # noqa: F401
import store.writeback  # noqa: F401
from store.base import Base

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
