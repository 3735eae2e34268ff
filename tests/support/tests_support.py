"""Small helpers shared by test modules."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def write_config(directory: Path, text: str) -> Path:
    path = directory / "loophub.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def empty_database(directory: Path, stem: str) -> Iterator[str]:
    """A URL to an empty database: SQLite in `directory`, or a fresh PostgreSQL database (dropped afterwards)
    when LOOPHUB_TEST_DATABASE_URL points at a server."""
    server_url = os.environ.get("LOOPHUB_TEST_DATABASE_URL") or None
    if server_url is None:
        yield f"sqlite:///{directory / (stem + '.db')}"
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
