"""A live API for tests: the real app on uvicorn, on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from api.settings import ApiSettings
from loophub.config import LoophubConfig
from store import session_scope
from store.apikeys import create_key


@contextmanager
def serving(engine: Engine, config: LoophubConfig) -> Iterator[str]:
    """`create_app(engine, config)` served on 127.0.0.1:<free port>; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(engine, config), log_level="warning", lifespan="on"))  # "on": shutdown lets go of the email lookup's connection
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def new_key(engine: Engine, name: str, scope: str = "read") -> str:
    with session_scope(engine) as session:
        _, secret = create_key(session, name, scope)
    return secret


@dataclass
class LiveApi:
    """A running API on a store, and keys to call it with."""

    url: str
    engine: Engine
    config: LoophubConfig
    read_key: str
    admin_key: str
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30, trust_env=False))

    def get(self, path: str, key: str | None = None, **params: Any) -> httpx.Response:
        """GET `path` with the read key (or `key`), query `params` without the None ones."""
        headers = {"X-API-Key": key or self.read_key}
        return self.client.get(self.url + path, params={k: v for k, v in params.items() if v is not None}, headers=headers)

    def walk(self, path: str, limit: int, cursor: str | None = None, **params: Any) -> list[dict[str, Any]]:
        """Every item of a listing from `cursor` on (the start without one), page by page."""
        items: list[dict[str, Any]] = []
        for _ in range(10_000):
            page = self.get(path, limit=limit, cursor=cursor, **params)
            assert page.status_code == 200, page.text
            items += page.json()["items"]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return items
        raise AssertionError("the listing never ended")


def with_api(config: LoophubConfig, **settings: Any) -> LoophubConfig:
    return config.model_copy(update={"api": ApiSettings(**settings)})
