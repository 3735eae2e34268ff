"""Where the store's configuration comes from: the environment, then loophub.yaml, then a default."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "loophub.db"


class StoreSettings(BaseSettings):
    """`LOOPHUB_DATABASE_URL` wins over everything else."""

    model_config = SettingsConfigDict(env_prefix="LOOPHUB_", extra="ignore")

    database_url: str | None = None


def resolve_database_url(configured_url: str | None = None, working_dir: Path | None = None) -> str:
    """The database URL: `LOOPHUB_DATABASE_URL`, else `database.url` from loophub.yaml, else ./loophub.db."""
    from_env = StoreSettings().database_url
    if from_env:
        return from_env
    if configured_url:
        return configured_url
    return f"sqlite:///{(working_dir or Path.cwd()) / DEFAULT_SQLITE_FILE}"
