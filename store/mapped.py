"""Query helpers for the map step: what to map next, and writing its results in the caller's transaction.

"What to map" is an anti-join, not a watermark: a raw record needs mapping
when the ledger has no outcome for its current payload hash under the
current spec version. A crash, a changed payload or a changed spec all fall
out of that one rule, and re-running is harmless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.base import utc_now
from store.canonical import CANONICAL_TABLES, MapLedgerEntry, MatchKey
from store.models import RawRecord


@dataclass(frozen=True, slots=True)
class PendingRaw:
    id: int
    source_id: str
    payload: dict[str, Any]
    source_updated_at: datetime | None
    is_deleted: bool
    payload_hash: str
    previous_entity: str | None  # the entity it was mapped to before, if any


@dataclass(frozen=True, slots=True)
class CanonicalWrite:
    """One canonical row to upsert, its match keys, and the raw record it came from."""

    raw: PendingRaw
    values: dict[str, Any]  # column → value, the source ref included
    keys: list[tuple[str, str, bool]]  # (kind, value, is_weak)


@dataclass(frozen=True, slots=True)
class WriteCounts:
    inserted: int
    changed: int
    unchanged: int


def pending_raw(
    session: Session, system: str, object_name: str, spec_version: str, *, after_id: int, limit: int, everything: bool = False
) -> list[PendingRaw]:
    """The next `limit` raw records of an object (by id, after `after_id`) with no outcome at this hash and version.

    `everything` takes them all regardless of the ledger, for a full re-map.
    """
    ledger = MapLedgerEntry
    query = (
        select(RawRecord.id, RawRecord.source_id, RawRecord.payload, RawRecord.source_updated_at, RawRecord.is_deleted, RawRecord.payload_hash, ledger.entity)
        .outerjoin(ledger, ledger.raw_record_id == RawRecord.id)
        .where(RawRecord.system == system, RawRecord.object == object_name, RawRecord.id > after_id)
        .order_by(RawRecord.id)
        .limit(limit)
    )
    if not everything:
        query = query.where(or_(ledger.raw_record_id.is_(None), ledger.raw_hash != RawRecord.payload_hash, ledger.spec_version != spec_version))
    return [PendingRaw(*row) for row in session.execute(query)]


def content_hash(values: dict[str, Any]) -> str:
    body = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def write_canonical(session: Session, entity: str, writes: Sequence[CanonicalWrite], spec_version: str) -> WriteCounts:
    """Upsert the rows on their source ref, replace their match keys, and record the outcome in the ledger."""
    if not writes:
        return WriteCounts(0, 0, 0)
    table = CANONICAL_TABLES[entity].__table__  # type: ignore[attr-defined]
    now = utc_now()
    rows = [{**write.values, "raw_record_id": write.raw.id, "content_hash": content_hash(write.values), "changed_at": now} for write in writes]
    before = _hashes_by_ref(session, table, rows)
    # A row whose content is unchanged keeps its row and keys; only the ledger learns it was seen.
    ids = {source_id: record_id for source_id, (_, record_id) in before.items()}
    moved = [row for row in rows if before.get(row["source_id"], ("", 0))[0] != row["content_hash"]]
    if moved:
        ids.update(_upsert(session, table, moved))
        moved_ids = {row["source_id"] for row in moved}
        moved_writes = [write for write in writes if write.values["source_id"] in moved_ids]
        _replace_keys(session, entity, [ids[write.values["source_id"]] for write in moved_writes], moved_writes)
        _remove_from_previous_entities(session, entity, moved_writes)
    record_ids = [ids[write.values["source_id"]] for write in writes]
    record_outcomes(session, [(write.raw, entity, record_id, None) for write, record_id in zip(writes, record_ids, strict=True)], spec_version)
    inserted = sum(1 for row in rows if row["source_id"] not in before)
    unchanged = len(rows) - len(moved)
    return WriteCounts(inserted, len(moved) - inserted, unchanged)


def _upsert(session: Session, table: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert or update rows on their source ref; source id → row id."""
    # One statement executed with many parameter sets: compiled once and cached, unlike a multi-row VALUES.
    statement = _insert(session)(table)
    excluded = statement.excluded
    changed = table.c.content_hash != excluded.content_hash
    updates = {column.name: excluded[column.name] for column in table.columns if column.name not in ("id", "changed_at")}
    updates["changed_at"] = case((changed, excluded.changed_at), else_=table.c.changed_at)
    statement = statement.on_conflict_do_update(index_elements=["system", "object", "source_id"], set_=updates)
    returning = statement.returning(table.c.source_id, table.c.id)
    return dict(session.execute(returning, rows).all())


def record_outcomes(session: Session, outcomes: Sequence[tuple[PendingRaw, str | None, int | None, str | None]], spec_version: str) -> None:
    """Ledger rows (raw record, entity, canonical id, quarantine reason); a reason means quarantined."""
    if not outcomes:
        return
    rows = [
        {
            "raw_record_id": raw.id,
            "raw_hash": raw.payload_hash,
            "spec_version": spec_version,
            "outcome": "quarantined" if reason else "mapped",
            # A quarantined record keeps its last good canonical row, so the ledger keeps pointing at it.
            "entity": entity if not reason else raw.previous_entity,
            "record_id": record_id,
            "reason": reason,
            "mapped_at": utc_now(),
        }
        for raw, entity, record_id, reason in outcomes
    ]
    statement = _insert(session)(MapLedgerEntry)
    keep_record = func.coalesce(statement.excluded.record_id, MapLedgerEntry.record_id)
    updates = {name: statement.excluded[name] for name in ("raw_hash", "spec_version", "outcome", "entity", "reason", "mapped_at")}
    session.execute(statement.on_conflict_do_update(index_elements=["raw_record_id"], set_={**updates, "record_id": keep_record}), rows)


def _hashes_by_ref(session: Session, table: Any, rows: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    """Source id → (content hash, row id) of the rows already stored."""
    first = rows[0]
    query = select(table.c.source_id, table.c.content_hash, table.c.id).where(
        table.c.system == first["system"], table.c.object == first["object"], table.c.source_id.in_([row["source_id"] for row in rows])
    )
    return {source_id: (digest, record_id) for source_id, digest, record_id in session.execute(query)}


def _replace_keys(session: Session, entity: str, record_ids: list[int], writes: Sequence[CanonicalWrite]) -> None:
    session.execute(delete(MatchKey).where(MatchKey.entity == entity, MatchKey.record_id.in_(record_ids)))
    keys = [
        {"entity": entity, "record_id": record_id, "kind": kind, "value": value, "is_weak": is_weak}
        for record_id, write in zip(record_ids, writes, strict=True)
        for kind, value, is_weak in write.keys
    ]
    if keys:
        session.execute(MatchKey.__table__.insert(), keys)


def _remove_from_previous_entities(session: Session, entity: str, writes: Sequence[CanonicalWrite]) -> None:
    """A record that now maps to another entity (a Zendesk end user made agent) leaves its old table."""
    moved: dict[str, list[CanonicalWrite]] = {}
    for write in writes:
        if write.raw.previous_entity and write.raw.previous_entity != entity:
            moved.setdefault(write.raw.previous_entity, []).append(write)
    for old_entity, group in moved.items():
        table = CANONICAL_TABLES[old_entity].__table__  # type: ignore[attr-defined]
        raw_ids = [write.raw.id for write in group]
        old_ids = select(table.c.id).where(table.c.raw_record_id.in_(raw_ids))
        session.execute(delete(MatchKey).where(MatchKey.entity == old_entity, MatchKey.record_id.in_(old_ids)))
        session.execute(delete(table).where(table.c.raw_record_id.in_(raw_ids)))


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def ledger_counts(session: Session) -> dict[tuple[str, str, str], int]:
    """(system, object, outcome) → records; outcome "unmapped" for raw records the ledger does not cover yet."""
    outcome = func.coalesce(MapLedgerEntry.outcome, "unmapped")
    query = (
        select(RawRecord.system, RawRecord.object, outcome, func.count())
        .outerjoin(MapLedgerEntry, MapLedgerEntry.raw_record_id == RawRecord.id)
        .group_by(RawRecord.system, RawRecord.object, outcome)
    )
    return {(system, object_name, kind): count for system, object_name, kind, count in session.execute(query)}


def quarantined(session: Session, *, limit: int = 100) -> list[tuple[str, str, str, str]]:
    """(system, object, source id, reason) of quarantined records, newest first."""
    query = (
        select(RawRecord.system, RawRecord.object, RawRecord.source_id, MapLedgerEntry.reason)
        .join(MapLedgerEntry, MapLedgerEntry.raw_record_id == RawRecord.id)
        .where(MapLedgerEntry.outcome == "quarantined")
        .order_by(MapLedgerEntry.mapped_at.desc())
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]
