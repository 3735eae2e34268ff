"""The hand-off ledger — one row per support ticket that became (or is becoming) a CRM deal — and the reads it needs.

A row is registered before anything is sent, with the idempotency key the
deal is created under and the create's fields as planned, so a retry sends
the same deal. Its status walks planned → created (the deal exists; its id
and link are kept) → noted (the ticket carries the note), or failed (retried
after a back-off, at the step it failed at) → parked (given up, with the
error). `note_sent_at` is set just before the note is sent: a row that has
it but is not noted may have its note on the ticket already.

The unique ticket ref makes "one hand-off per ticket" a database rule; the
read helpers return plain data, so the flow never holds SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, JSONType, utc_now
from store.canonical import CompanyRow, OwnerRow, TicketRow
from store.identity import GoldenMember
from store.models import RawRecord

UNFINISHED = ("planned", "created", "failed")


class HandoffRow(Base):
    """One signalled ticket's hand-off and where it stands."""

    __tablename__ = "handoffs"
    __table_args__ = (UniqueConstraint("ticket_system", "ticket_object", "ticket_id"), Index(None, "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_system: Mapped[str] = mapped_column(String(32))
    ticket_object: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(64))
    golden_id: Mapped[str] = mapped_column(String(40), index=True)
    target_system: Mapped[str] = mapped_column(String(32))
    target_object: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(64))  # the CRM company record the deal is created on
    owner_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the create, as planned
    context: Mapped[dict[str, Any]] = mapped_column(JSONType)  # what the note names: company, owner, signal, ...
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    deal_id: Mapped[str | None] = mapped_column(String(64))
    deal_url: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    note_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    deal_created_at: Mapped[datetime | None]
    noted_at: Mapped[datetime | None]


@dataclass(frozen=True, slots=True)
class HandoffEntry:
    """A planned hand-off on its way into the ledger."""

    ticket_system: str
    ticket_object: str
    ticket_id: str
    golden_id: str
    target_system: str
    target_object: str
    account_id: str
    owner_id: str | None
    idempotency_key: str
    fields: dict[str, Any]
    context: dict[str, Any]
    reason: str


@dataclass(frozen=True, slots=True)
class Handoff:
    """A ledger row as plain data."""

    id: int
    ticket_system: str
    ticket_object: str
    ticket_id: str
    target_system: str
    target_object: str
    idempotency_key: str
    fields: dict[str, Any]
    context: dict[str, Any]
    reason: str
    status: str
    deal_id: str | None
    deal_url: str | None
    attempts: int
    last_error: str | None
    note_sent_at: datetime | None

    @property
    def ticket_ref(self) -> str:
        return f"{self.ticket_system}:{self.ticket_object}:{self.ticket_id}"


@dataclass(frozen=True, slots=True)
class TicketSignalFact:
    """What a ticket offers a signal test, and where it belongs."""

    system: str
    object: str
    source_id: str
    subject: str | None
    tags: list[str]
    company_source_id: str | None
    created_at: datetime | None
    values: dict[str, Any] = field(default_factory=dict)  # the canonical fields a signal may test, `attributes.<key>` included


@dataclass(frozen=True, slots=True)
class CrmCompany:
    """A live CRM company record of a golden company, with what a hand-off needs from it."""

    golden_id: str
    source_id: str
    name: str | None
    owner_id: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class OwnerFact:
    name: str | None
    active: bool | None


# -- what the plan reads -------------------------------------------------------------------------------------------


def recent_tickets(session: Session, systems: Sequence[str], since: datetime) -> list[TicketSignalFact]:
    """Live tickets of `systems` created at or after `since`."""
    query = select(TicketRow).where(TicketRow.system.in_(systems), TicketRow.is_deleted.is_(False), TicketRow.created_at >= since)
    facts = []
    for row in session.scalars(query.order_by(TicketRow.system, TicketRow.source_id)):
        values = {name: getattr(row, name) for name in ("status", "status_raw", "priority", "priority_raw", "channel", "ticket_type")}
        values |= {f"attributes.{key}": value for key, value in (row.attributes or {}).items()}
        tags = list(row.tags or [])
        facts.append(TicketSignalFact(row.system, row.object, row.source_id, row.subject, tags, row.company_source_id, row.created_at, values))
    return facts


def ticket_api_urls(session: Session, system: str, object_name: str, source_ids: Iterable[str]) -> dict[str, str]:
    """The `url` each ticket's raw payload carries (the vendor's own address of the record)."""
    wanted = sorted(set(source_ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # SQLite limits bound parameters per statement
        rows = session.execute(
            select(RawRecord.source_id, RawRecord.payload)
            .where(RawRecord.system == system, RawRecord.object == object_name, RawRecord.source_id.in_(wanted[start : start + 500]))
        )  # fmt: skip
        found |= {source_id: str(payload["url"]) for source_id, payload in rows if isinstance(payload, dict) and payload.get("url")}
    return found


def crm_companies(session: Session, system: str, object_name: str) -> list[CrmCompany]:
    """Every live company record of one CRM object with its golden company."""
    query = (
        select(GoldenMember.golden_id, CompanyRow.source_id, CompanyRow.name, CompanyRow.owner_source_id, CompanyRow.created_at)
        .join(CompanyRow, CompanyRow.id == GoldenMember.record_id)
        .where(GoldenMember.entity == "company", CompanyRow.system == system, CompanyRow.object == object_name, CompanyRow.is_deleted.is_(False))
    )
    return [CrmCompany(*row) for row in session.execute(query)]


def owners(session: Session, system: str) -> dict[str, OwnerFact]:
    """A CRM's users/owners by id: their name (for the note) and whether they may still own records."""
    rows = session.execute(
        select(OwnerRow.source_id, OwnerRow.full_name, OwnerRow.first_name, OwnerRow.last_name, OwnerRow.email, OwnerRow.active)
        .where(OwnerRow.system == system, OwnerRow.is_deleted.is_(False))
    )  # fmt: skip
    found = {}
    for source_id, full_name, first_name, last_name, email, active in rows:
        name = full_name or " ".join(part for part in (first_name, last_name) if part) or email
        found[source_id] = OwnerFact(name, active)
    return found


# -- the ledger ----------------------------------------------------------------------------------------------------


def handoffs(session: Session, statuses: Sequence[str] | None = None) -> list[Handoff]:
    """Ledger rows (all, or those in `statuses`), oldest first."""
    query = select(HandoffRow).order_by(HandoffRow.id)
    if statuses is not None:
        query = query.where(HandoffRow.status.in_(statuses))
    return [_plain(row) for row in session.scalars(query)]


def handled_tickets(session: Session) -> set[tuple[str, str, str]]:
    """Refs of every ticket the ledger holds, whatever became of it."""
    rows = session.execute(select(HandoffRow.ticket_system, HandoffRow.ticket_object, HandoffRow.ticket_id))
    return {(system, object_name, ticket_id) for system, object_name, ticket_id in rows}


def register(session: Session, entries: Sequence[HandoffEntry], now: datetime) -> int:
    """Add the entries whose ticket the ledger does not hold yet; how many were added."""
    held = handled_tickets(session)
    added = 0
    for entry in entries:
        ref = (entry.ticket_system, entry.ticket_object, entry.ticket_id)
        if ref in held:
            continue
        held.add(ref)
        values = {name: getattr(entry, name) for name in HandoffEntry.__slots__}
        session.add(HandoffRow(**values, status="planned", attempts=0, created_at=now, updated_at=now))
        added += 1
    session.flush()
    return added


def due_handoffs(session: Session, now: datetime) -> list[Handoff]:
    """Unfinished rows whose time has come (new ones at once, failed ones after their back-off)."""
    query = (
        select(HandoffRow)
        .where(HandoffRow.status.in_(UNFINISHED), HandoffRow.next_attempt_at.is_(None) | (HandoffRow.next_attempt_at <= now))
        .order_by(HandoffRow.id)
    )
    return [_plain(row) for row in session.scalars(query)]


def mark_created(session: Session, handoff_id: int, deal_id: str, deal_url: str | None, now: datetime) -> None:
    # The note step starts with a fresh count of attempts: the create's failures are behind it.
    values = {"status": "created", "deal_id": deal_id, "deal_url": deal_url, "deal_created_at": now, "attempts": 0, "last_error": None}
    _set(session, [handoff_id], **values, next_attempt_at=None, updated_at=now)


def mark_note_sent(session: Session, handoff_ids: Sequence[int], now: datetime) -> None:
    _set(session, list(handoff_ids), note_sent_at=now, updated_at=now)


def mark_noted(session: Session, handoff_id: int, now: datetime) -> None:
    _set(session, [handoff_id], status="noted", noted_at=now, last_error=None, next_attempt_at=None, updated_at=now)


def mark_failed(session: Session, handoff: Handoff, message: str | None, next_attempt_at: datetime | None, now: datetime) -> None:
    """Count a failed attempt: retried at `next_attempt_at`, or parked when there is none."""
    status = "failed" if next_attempt_at is not None else "parked"
    _set(session, [handoff.id], status=status, attempts=handoff.attempts + 1, last_error=message, next_attempt_at=next_attempt_at, updated_at=now)


def requeue_parked_handoffs(session: Session, now: datetime) -> int:
    """Give parked hand-offs a fresh start (after an admin fixed what refused them); how many."""
    fresh = update(HandoffRow).where(HandoffRow.status == "parked").values(status="failed", attempts=0, next_attempt_at=now, updated_at=now)
    result = session.execute(fresh)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _set(session: Session, ids: list[int], **values: Any) -> None:
    for start in range(0, len(ids), 500):
        session.execute(update(HandoffRow).where(HandoffRow.id.in_(ids[start : start + 500])).values(**values))


def _plain(row: HandoffRow) -> Handoff:
    return Handoff(
        row.id, row.ticket_system, row.ticket_object, row.ticket_id, row.target_system, row.target_object, row.idempotency_key,
        dict(row.fields or {}), dict(row.context or {}), row.reason, row.status, row.deal_id, row.deal_url, row.attempts,
        row.last_error, row.note_sent_at,
    )  # fmt: skip
