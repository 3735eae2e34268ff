"""The schema: migrations build it, agree with the models, and run once."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from store import (
    Base,
    RawRecord,
    SchemaOutOfDate,
    create_store_engine,
    current_revision,
    ensure_database,
    head_revision,
    session_scope,
    upgrade_database,
)

EXPECTED_TABLES = {"alembic_version", "connections", "stream_states", "raw_records", "runs"}


def test_given_empty_database_when_upgraded_then_all_tables_exist_at_head(engine: Engine) -> None:
    before, after = upgrade_database(engine)

    assert before is None
    assert after == head_revision()
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())


def test_given_current_schema_when_upgraded_again_then_nothing_changes(engine: Engine) -> None:
    upgrade_database(engine)
    before, after = upgrade_database(engine)

    assert before == after == head_revision()


def test_given_migrated_database_when_compared_with_models_then_autogenerate_finds_no_difference(engine: Engine) -> None:
    upgrade_database(engine)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_given_empty_database_when_ensured_then_it_is_upgraded_by_itself(engine: Engine) -> None:
    ensure_database(engine)

    assert current_revision(engine) == head_revision()


def test_given_unversioned_tables_when_ensured_then_user_is_told_to_upgrade(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE legacy (id INTEGER PRIMARY KEY)"))

    with pytest.raises(SchemaOutOfDate, match="loophub db upgrade"):
        ensure_database(engine)


def test_given_migration_fails_halfway_when_ensured_then_database_is_left_empty_and_can_be_retried(engine: Engine) -> None:
    # A view is not a table, so the database still counts as empty, but it blocks the last migration's table.
    with engine.begin() as connection:
        connection.execute(text("CREATE VIEW handoffs AS SELECT 1 AS id"))

    with pytest.raises(DBAPIError, match="handoffs"):
        ensure_database(engine)

    assert current_revision(engine) is None
    assert inspect(engine).get_table_names() == []
    with engine.begin() as connection:
        connection.execute(text("DROP VIEW handoffs"))
    ensure_database(engine)
    assert current_revision(engine) == head_revision()


def test_given_empty_database_when_four_processes_ensure_it_at_once_then_it_is_built_once(database_url: str, engine: Engine) -> None:
    # Processes, not threads: Alembic's `context` is one per process, as it is for real loophub workers.
    ensure = "import sys; from store import create_store_engine, ensure_database; ensure_database(create_store_engine(sys.argv[1]))"
    processes = [
        subprocess.Popen([sys.executable, "-c", ensure, database_url], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]  # reads stderr to the end, then waits

    assert [error for process, error in zip(processes, errors, strict=True) if process.returncode != 0] == []
    assert current_revision(engine) == head_revision()


def test_given_raw_record_when_same_source_ref_inserted_twice_then_unique_constraint_refuses(engine: Engine) -> None:
    upgrade_database(engine)
    values = dict(system="salesforce", object="Account", source_id="001A", payload={"Name": "Acme"}, payload_hash="h")
    with session_scope(engine) as session:
        session.add(RawRecord(**values))

    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(RawRecord(**values))


def test_given_timestamp_in_another_zone_when_stored_then_read_back_as_the_same_utc_instant(engine: Engine) -> None:
    upgrade_database(engine)
    berlin_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with session_scope(engine) as session:
        session.add(
            RawRecord(
                system="zendesk", object="users", source_id="1", payload={}, payload_hash="h", source_updated_at=berlin_noon
            )
        )

    with session_scope(engine) as session:
        stored = session.scalars(select(RawRecord.source_updated_at)).one()

    assert stored == berlin_noon
    assert stored is not None and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored.astimezone(UTC).hour == 10


def test_given_naive_timestamp_when_stored_then_refused_instead_of_guessed(engine: Engine) -> None:
    upgrade_database(engine)

    with pytest.raises(Exception, match="naive datetime"), session_scope(engine) as session:
        session.add(
            RawRecord(
                system="zendesk", object="users", source_id="2", payload={}, payload_hash="h", source_updated_at=datetime(2026, 1, 1)
            )
        )
        session.flush()


def test_given_sqlite_file_when_engine_created_then_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    # Always SQLite, whatever backend the suite runs on: this pins the default engine's setup.
    engine = create_store_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
