"""The app as `loophub serve` runs it: an engine with a pool sized for the server, and a factory worker processes import.

With `--workers N` uvicorn starts N fresh processes that each import
`api.serving:app_from_environment` and build their own app; the command
passes them what it was told through the environment (`LOOPHUB_CONFIG`, and
`LOOPHUB_SERVE_POOL_SIZE` read by `ServeSettings`).
"""

from __future__ import annotations

import gc

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.app import create_app
from loophub.config import LoophubConfig, load_config
from store import create_store_engine, ensure_database, resolve_database_url

DEFAULT_POOL_SIZE = 10


class ServeSettings(BaseSettings):
    """What a worker process of `loophub serve --workers N` is told by the command that started it."""

    model_config = SettingsConfigDict(env_prefix="LOOPHUB_SERVE_", extra="ignore")

    pool_size: int = Field(DEFAULT_POOL_SIZE, ge=1, le=200)


def serving_app(config: LoophubConfig, pool_size: int = DEFAULT_POOL_SIZE) -> FastAPI:
    """The API on the configured database with `pool_size` pooled connections (and as many again for bursts).

    The email lookup holds up to four more connections of its own on PostgreSQL (api/lookup.py).
    """
    engine = create_store_engine(resolve_database_url(config.database.url if config.database else None), pool_size=pool_size, max_overflow=pool_size)
    ensure_database(engine)
    app = create_app(engine, config)
    # Everything built so far lives as long as the process: keeping it out of the garbage collector's
    # view makes the collections that run between requests scan only what requests allocate.
    gc.freeze()
    return app


def app_from_environment() -> FastAPI:
    """uvicorn's `--factory` entry for worker processes: the config file from LOOPHUB_CONFIG, the pool from LOOPHUB_SERVE_POOL_SIZE."""
    return serving_app(load_config(), ServeSettings().pool_size)
