"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when
LOOPHUB_TEST_DATABASE_URL points at a server (CI does both). On PostgreSQL
every test gets a database of its own, created and dropped around it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests_support import empty_database

from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Parallel workers (pytest-xdist) each get a Prefect home of their own: two temporary Prefect servers
# creating one SQLite database at once would trip over each other's migrations.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix=f"loophub-tests-prefect-{worker}-")
    atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], ignore_errors=True)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database on the backend under test."""
    yield from empty_database(tmp_path, "loophub-test")


@pytest.fixture
def another_database_url(tmp_path: Path) -> Iterator[str]:
    """A second empty database, for comparing two runs side by side."""
    yield from empty_database(tmp_path, "loophub-other")


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
