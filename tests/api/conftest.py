"""One store for the whole API package: a sandbox of a few hundred people, synced, mapped and resolved once.

The loop is the slow part (tens of seconds), so it runs once per package and
every module serves its own app on it. Tests that change the store (a merge)
only ever add to it, and every test reads its expectations from the store at
the time it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sandbox_support import sandbox_loophub_config
from sqlalchemy import Engine
from tests_support import empty_database

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


@pytest.fixture(scope="package")
def loop_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopStore]:
    for database_url in empty_database(tmp_path_factory.mktemp("api"), "api"):
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
