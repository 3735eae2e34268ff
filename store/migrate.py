"""Alembic, driven from code: upgrade, current revision, and the self-upgrade of an empty database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    """The database has tables from an older loophub; `loophub db upgrade` brings it up to date."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"the database schema is at revision {current or 'none'}, loophub needs {head}: "
            "run `loophub db upgrade` first"
        )


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at store/migrations; `env.py` runs on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "store/migrations has no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply migrations up to `revision`; returns (revision before, revision after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), revision)
    return before, current_revision(engine) or ""


def ensure_database(engine: Engine) -> None:
    """Upgrade an empty database by itself; refuse to work on one that is behind."""
    # Tables before revision: another process may be building the schema right now, and its tables
    # and revision commit together, so tables seen here mean the revision read next is theirs.
    empty = not inspect(engine).get_table_names()
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None and empty:
        upgrade_database(engine)
        return
    raise SchemaOutOfDate(current, head)
