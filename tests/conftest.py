"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when
LOOPHUB_TEST_DATABASE_URL points at a server (CI does both). On PostgreSQL
every test gets a database of its own, created and dropped around it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _postgres_server_url() -> str | None:
    return os.environ.get("LOOPHUB_TEST_DATABASE_URL") or None


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database on the backend under test."""
    yield from _empty_database(tmp_path, "loophub-test")


@pytest.fixture
def another_database_url(tmp_path: Path) -> Iterator[str]:
    """A second empty database, for comparing two runs side by side."""
    yield from _empty_database(tmp_path, "loophub-other")


def _empty_database(tmp_path: Path, stem: str) -> Iterator[str]:
    server_url = _postgres_server_url()
    if server_url is None:
        yield f"sqlite:///{tmp_path / (stem + '.db')}"
        return
    name = f"loophub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty test database (no schema yet)."""
    engine = create_store_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated_engine(engine: Engine) -> Engine:
    """An engine on a test database brought to the current schema."""
    from store import upgrade_database

    upgrade_database(engine)
    return engine


@pytest.fixture
def start_sandbox() -> Iterator[Callable[[World], SandboxServer]]:
    """Start the stand-ins on a given world, on free loopback ports; all are stopped after the test."""
    started: list[SandboxServer] = []

    def start(world: World) -> SandboxServer:
        server = SandboxServer(world)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
