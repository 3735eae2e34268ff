"""Landing helpers: upsert raw records and save stream state in the caller's transaction.

Both run inside one session transaction per batch, so a batch's records and
the state that covers them become durable together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.base import utc_now
from store.models import RawRecord, StreamState


@dataclass(frozen=True, slots=True)
class RawRow:
    """One source record as landed: its ref, payload, change time and deletion flag."""

    system: str
    object: str
    source_id: str
    payload: dict[str, Any]
    source_updated_at: datetime | None = None
    is_deleted: bool = False


def payload_hash(payload: dict[str, Any]) -> str:
    """A stable digest of a payload, so re-reading an unchanged record changes nothing."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


RawKey = tuple[str, str, str]  # (system, object, source_id)


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


def upsert_raw_records(session: Session, rows: Sequence[RawRow]) -> UpsertCounts:
    """Insert new records, update changed ones, leave identical ones alone (their `pulled_at` too).

    Rows repeated within the batch keep the last one, as the latest read wins.
    """
    latest: dict[RawKey, RawRow] = {(row.system, row.object, row.source_id): row for row in rows}
    if not latest:
        return UpsertCounts(0, 0, 0)
    known = _existing_hashes(session, list(latest))
    now = utc_now()
    values = []
    changed: list[RawKey] = []
    inserted = 0
    for key, row in latest.items():
        digest = payload_hash(row.payload)
        if key in known:
            if known[key] == digest:
                continue
            changed.append(key)
        else:
            inserted += 1
        values.append(
            {
                "system": row.system,
                "object": row.object,
                "source_id": row.source_id,
                "payload": row.payload,
                "source_updated_at": row.source_updated_at,
                "is_deleted": row.is_deleted,
                "payload_hash": digest,
                "pulled_at": now,
            }
        )
    if values:
        _upsert(session, values)
    return UpsertCounts(inserted, len(changed), len(latest) - inserted - len(changed))


def stored_versions(session: Session, rows: Sequence[RawRow]) -> dict[RawKey, RawRow]:
    """The stored version of each of `rows` whose payload differs from it (new records are not listed)."""
    wanted = {(row.system, row.object, row.source_id): payload_hash(row.payload) for row in rows}
    keys = list(wanted)
    found: dict[RawKey, RawRow] = {}
    for start in range(0, len(keys), 300):
        statement = select(RawRecord).where(tuple_(RawRecord.system, RawRecord.object, RawRecord.source_id).in_(keys[start : start + 300]))
        for record in session.scalars(statement):
            key = (record.system, record.object, record.source_id)
            if record.payload_hash != wanted[key]:
                found[key] = RawRow(record.system, record.object, record.source_id, record.payload, record.source_updated_at, record.is_deleted)
    return found


def _existing_hashes(session: Session, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    found: dict[tuple[str, str, str], str] = {}
    # Chunked: SQLite limits bound parameters per statement.
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        statement = select(RawRecord.system, RawRecord.object, RawRecord.source_id, RawRecord.payload_hash).where(
            tuple_(RawRecord.system, RawRecord.object, RawRecord.source_id).in_(chunk)
        )
        for system, object_, source_id, digest in session.execute(statement):
            found[(system, object_, source_id)] = digest
    return found


def _upsert(session: Session, values: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(values), 500):
        statement = insert(RawRecord).values(values[start : start + 500])
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["system", "object", "source_id"],
            set_={
                "payload": excluded.payload,
                "source_updated_at": excluded.source_updated_at,
                "is_deleted": excluded.is_deleted,
                "payload_hash": excluded.payload_hash,
                "pulled_at": excluded.pulled_at,
            },
        )
        session.execute(statement)


def save_stream_state(session: Session, connection_name: str, stream: str, state: dict[str, Any]) -> None:
    """Record the stream's latest state (in the caller's transaction)."""
    existing = session.scalars(
        select(StreamState).where(StreamState.connection_name == connection_name, StreamState.stream == stream)
    ).one_or_none()
    if existing is None:
        session.add(StreamState(connection_name=connection_name, stream=stream, state=state))
    else:
        existing.state = state
        existing.updated_at = utc_now()


def load_stream_states(session: Session, connection_name: str) -> dict[str, dict[str, Any]]:
    rows: Iterable[StreamState] = session.scalars(select(StreamState).where(StreamState.connection_name == connection_name))
    return {row.stream: row.state for row in rows}


def clear_stream_states(session: Session, connection_name: str) -> None:
    for row in session.scalars(select(StreamState).where(StreamState.connection_name == connection_name)):
        session.delete(row)
