"""One store for the whole API package: a sandbox of a few hundred people, synced, mapped and resolved once.

The loop is the slow part (tens of seconds), so it runs once per package and
every module serves its own app on it. Tests that change the store (a merge)
only ever add to it, and every test reads its expectations from the store at
the time it runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sandbox_support import sandbox_loophub_config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from loophub.config import LoophubConfig
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from store import create_store_engine, upgrade_database
from tests.api.api_support import LiveApi, new_key, serving, with_api
from tests.flows.writeback_support import loop_once

PEOPLE = 300


@dataclass
class LoopStore:
    engine: Engine
    config: LoophubConfig


def _database(directory: Path) -> Iterator[str]:
    server_url = os.environ.get("LOOPHUB_TEST_DATABASE_URL") or None
    if server_url is None:
        yield f"sqlite:///{directory / 'api.db'}"
        return
    name = f"loophub_api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="package")
def loop_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopStore]:
    for database_url in _database(tmp_path_factory.mktemp("api")):
        server = SandboxServer(generate_world(PEOPLE, seed=11))
        server.start()
        engine = create_store_engine(database_url, pool_size=8)
        try:
            upgrade_database(engine)
            config = sandbox_loophub_config(server, database_url)
            loop_once(engine, config)
            yield LoopStore(engine, config)
        finally:
            engine.dispose()
            server.stop()


@pytest.fixture(scope="module")
def live_api(loop_store: LoopStore) -> Iterator[LiveApi]:
    """The API on the loop's store, limits high enough never to be hit; a fresh read and admin key per module."""
    config = with_api(loop_store.config, rate_limit="100000/minute")
    read_key, admin_key = new_key(loop_store.engine, "tests-read"), new_key(loop_store.engine, "tests-admin", "admin")
    with serving(loop_store.engine, config) as url:
        api = LiveApi(url, loop_store.engine, config, read_key, admin_key)
        yield api
        api.client.close()
