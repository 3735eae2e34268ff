"""Finding golden records: by ID (aliases redirect), by email, by phone in any format, by source record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.persist import resolve_golden_id
from mapping.normalize import normalize_email, normalize_phone
from store.canonical import CANONICAL_TABLES, MatchKey
from store.identity import GoldenMember, GoldenRecord


@dataclass(frozen=True, slots=True)
class Found:
    golden_id: str
    entity: str
    redirected_from: str | None = None  # the merged-away ID that was asked for


def by_id(session: Session, golden_id: str) -> Found | None:
    resolved = resolve_golden_id(session, golden_id)
    if resolved is None:
        return None
    record = session.get(GoldenRecord, resolved[0])
    assert record is not None
    return Found(record.golden_id, record.entity, resolved[1])


def by_email(session: Session, address: str) -> list[Found]:
    email = normalize_email(address)
    return _by_key(session, "email", email.match_key) if email else []


def by_phone(session: Session, number: str, default_region: str = "US") -> list[Found]:
    phone = normalize_phone(number, default_region)
    return _by_key(session, "phone", phone.e164) if phone else []


def by_source(session: Session, ref: str) -> list[Found]:
    """A record reference "system:object:id" → the golden record holding it."""
    return _by_key(session, "ref", ref)


def _by_key(session: Session, kind: str, value: str) -> list[Found]:
    query = (
        select(GoldenMember.golden_id, GoldenMember.entity)
        .join(MatchKey, (MatchKey.entity == GoldenMember.entity) & (MatchKey.record_id == GoldenMember.record_id))
        .where(MatchKey.kind == kind, MatchKey.value == value, MatchKey.entity.in_(["person", "company"]))
        .distinct()
        .order_by(GoldenMember.golden_id)
    )
    return [Found(golden_id, entity) for golden_id, entity in session.execute(query)]


def members(session: Session, golden_id: str, entity: str) -> list[dict[str, Any]]:
    """The canonical rows of a golden record, as plain dicts with `record_id`."""
    table = CANONICAL_TABLES[entity].__table__  # type: ignore[attr-defined]
    query = (
        select(table)
        .join(GoldenMember, (GoldenMember.record_id == table.c.id) & (GoldenMember.entity == entity))
        .where(GoldenMember.golden_id == golden_id)
        .order_by(table.c.id)
    )
    return [{**row, "record_id": row["id"]} for row in session.execute(query).mappings()]


def golden_record(session: Session, golden_id: str) -> GoldenRecord | None:
    return session.get(GoldenRecord, golden_id)
