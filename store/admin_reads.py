"""The read queries behind the admin API: runs, quarantine, overrides, the review queue, the outbox and the audit log.

Every listing is keyset-paginated like `store/api_reads.py`: the caller passes
the last position seen, the helper fetches one row more than asked so the
caller knows whether a next page exists without counting. Newest-first
listings page on a descending id, which a row added meanwhile cannot shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.apikeys import AuditEntry
from store.canonical import CANONICAL_TABLES, MapLedgerEntry
from store.identity import IdentityOverride, ReviewItem
from store.models import RawRecord, Run
from store.writeback import OutboxRow


def runs_page(
    session: Session,
    *,
    flow: str | None,
    status: str | None,
    before: int | None,
    limit: int,
) -> list[Run]:
    """Flow runs, newest first, optionally of one flow and one status."""
    query = select(Run).order_by(Run.id.desc()).limit(limit + 1)
    if flow is not None:
        query = query.where(Run.flow == flow)
    if status is not None:
        query = query.where(Run.status == status)
    if before is not None:
        query = query.where(Run.id < before)
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """A raw record the mapping refused, and why."""

    raw_record_id: int
    system: str
    object: str
    source_id: str
    entity: str | None
    reason: str | None
    mapped_at: datetime


def quarantine_page(
    session: Session, *, system: str | None, before: int | None, limit: int
) -> list[QuarantinedRecord]:
    """Quarantined records, the most recently pulled first (by raw record id, which only grows)."""
    query = (
        select(
            RawRecord.id,
            RawRecord.system,
            RawRecord.object,
            RawRecord.source_id,
            MapLedgerEntry.entity,
            MapLedgerEntry.reason,
            MapLedgerEntry.mapped_at,
        )
        .join(MapLedgerEntry, MapLedgerEntry.raw_record_id == RawRecord.id)
        .where(MapLedgerEntry.outcome == "quarantined")
        .order_by(RawRecord.id.desc())
        .limit(limit + 1)
    )
    if system is not None:
        query = query.where(RawRecord.system == system)
    if before is not None:
        query = query.where(RawRecord.id < before)
    return [QuarantinedRecord(*row) for row in session.execute(query)]


def overrides_page(
    session: Session,
    *,
    entity: str | None,
    active: bool | None,
    before: int | None,
    limit: int,
) -> list[IdentityOverride]:
    """Must-links and cannot-links, newest first."""
    query = (
        select(IdentityOverride).order_by(IdentityOverride.id.desc()).limit(limit + 1)
    )
    if entity is not None:
        query = query.where(IdentityOverride.entity == entity)
    if active is not None:
        query = query.where(IdentityOverride.active.is_(active))
    if before is not None:
        query = query.where(IdentityOverride.id < before)
    return list(session.scalars(query))


def review_page(
    session: Session, *, entity: str | None, after: tuple[float, int] | None, limit: int
) -> list[ReviewItem]:
    """Open review items, the most likely match first (score descending, then id)."""
    query = (
        select(ReviewItem)
        .where(ReviewItem.status == "open")
        .order_by(ReviewItem.score.desc(), ReviewItem.id)
        .limit(limit + 1)
    )
    if entity is not None:
        query = query.where(ReviewItem.entity == entity)
    if after is not None:
        score, item_id = after
        query = query.where(
            or_(
                ReviewItem.score < score,
                (ReviewItem.score == score) & (ReviewItem.id > item_id),
            )
        )
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One side of a review pair: the canonical record as a person would recognise it."""

    record_id: int
    system: str
    object: str
    source_id: str
    name: str | None
    emails: list[str]
    phones: list[str]
    domains: list[str]


def review_records(
    session: Session, items: Sequence[ReviewItem]
) -> dict[tuple[str, int], ReviewRecord]:
    """Both records of each item, by (entity, record id): one query per entity on the page."""
    wanted: dict[str, set[int]] = {}
    for item in items:
        wanted.setdefault(item.entity, set()).update((item.left_id, item.right_id))
    found: dict[tuple[str, int], ReviewRecord] = {}
    for entity, ids in wanted.items():
        table = CANONICAL_TABLES[entity]
        for row in session.scalars(select(table).where(table.id.in_(sorted(ids)))):
            name = getattr(row, "full_name", None) or getattr(row, "name", None)
            keys = [
                list(getattr(row, kind, None) or [])
                for kind in ("emails", "phones", "domains")
            ]
            found[(entity, row.id)] = ReviewRecord(
                row.id, row.system, row.object, row.source_id, name, *keys
            )
    return found


def outbox_page(
    session: Session, *, statuses: Sequence[str] | None, after: int | None, limit: int
) -> list[OutboxRow]:
    """Outbox rows, oldest first, optionally in some statuses only."""
    query = select(OutboxRow).order_by(OutboxRow.id).limit(limit + 1)
    if statuses:
        query = query.where(OutboxRow.status.in_(statuses))
    if after is not None:
        query = query.where(OutboxRow.id > after)
    return list(session.scalars(query))


def outbox_status_counts(session: Session) -> dict[str, int]:
    """How many outbox rows stand in each status."""
    query = select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
    return {status: count for status, count in session.execute(query)}


def audit_page(
    session: Session, *, action: str | None, before: int | None, limit: int
) -> list[AuditEntry]:
    """Audit entries, newest first, optionally of one action."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return list(session.scalars(query))
