"""The write-back tables — the outbox and the echo ledger — and the queries the write-back flow needs.

`writeback_outbox` holds one row per planned field change: the target ref,
the value seen when it was planned (sent as the compare-and-set `expected`),
the new value, the policy and its reason, and where the change stands:
planned → applied | conflict | failed (retried later) → parked (given up,
with its error), or superseded (a later plan no longer wants it).
The echo ledger (what loophub last wrote into each target field) is in
`store.echoes`.

The read helpers return plain data, so the flow never holds SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, JSONType, utc_now
from store.canonical import CompanyRow, SatisfactionRow, TicketMetricsRow, TicketRow
from store.echoes import EchoEntry, TargetKey, record_echoes
from store.identity import GoldenMember
from store.models import RawRecord

OPEN_STATUSES = ("planned", "failed")  # still to be written


class OutboxRow(Base):
    """One planned field change and what became of it."""

    __tablename__ = "writeback_outbox"
    __table_args__ = (Index(None, "status", "next_attempt_at"), Index(None, "system", "object", "record_id", "field"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(index=True)  # the writeback run that planned (or last re-planned) it
    system: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(100))
    golden_id: Mapped[str | None] = mapped_column(String(40))
    policy: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    old_value: Mapped[Any] = mapped_column(JSONType, nullable=True)  # as last pulled: the compare-and-set expectation
    new_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    applied_at: Mapped[datetime | None]


# -- what the policies read ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompanyMember:
    golden_id: str
    system: str
    object: str
    source_id: str


@dataclass(frozen=True, slots=True)
class TicketFact:
    system: str
    source_id: str
    company_source_id: str | None
    status: str | None
    priority: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class RatingFact:
    system: str
    ticket_source_id: str
    score: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class MetricFact:
    system: str
    ticket_source_id: str
    first_reply_minutes: float | None
    full_resolution_minutes: float | None


@dataclass(frozen=True, slots=True)
class PulledTarget:
    """A target record as last pulled, plus what loophub wrote into it since (the ledger is newer than the pull)."""

    payload: dict[str, Any]
    pulled_at: datetime
    written: dict[str, Any]  # field → value loophub wrote after `pulled_at`


def company_members(session: Session) -> list[CompanyMember]:
    """Every live canonical company record with the golden company it belongs to."""
    query = (
        select(GoldenMember.golden_id, CompanyRow.system, CompanyRow.object, CompanyRow.source_id)
        .join(CompanyRow, CompanyRow.id == GoldenMember.record_id)
        .where(GoldenMember.entity == "company", CompanyRow.is_deleted.is_(False))
        .order_by(GoldenMember.golden_id, CompanyRow.system, CompanyRow.source_id)
    )
    return [CompanyMember(*row) for row in session.execute(query)]


def support_facts(session: Session, systems: Sequence[str]) -> tuple[list[TicketFact], list[RatingFact], list[MetricFact]]:
    """Live tickets, satisfaction ratings and ticket metrics of the given systems."""
    tickets = session.execute(
        select(TicketRow.system, TicketRow.source_id, TicketRow.company_source_id, TicketRow.status, TicketRow.priority, TicketRow.created_at)
        .where(TicketRow.system.in_(systems), TicketRow.is_deleted.is_(False))
    )
    ratings = session.execute(
        select(SatisfactionRow.system, SatisfactionRow.ticket_source_id, SatisfactionRow.score, SatisfactionRow.created_at)
        .where(SatisfactionRow.system.in_(systems), SatisfactionRow.is_deleted.is_(False))
    )
    metrics = session.execute(
        select(TicketMetricsRow.system, TicketMetricsRow.ticket_source_id, TicketMetricsRow.first_reply_minutes, TicketMetricsRow.full_resolution_minutes)
        .where(TicketMetricsRow.system.in_(systems), TicketMetricsRow.is_deleted.is_(False))
    )  # fmt: skip
    return [TicketFact(*row) for row in tickets], [RatingFact(*row) for row in ratings], [MetricFact(*row) for row in metrics]


def pulled_targets(session: Session, system: str, object_name: str, source_ids: Iterable[str]) -> dict[str, PulledTarget]:
    """Raw payloads of the target records by source id, with loophub's writes newer than each pull laid over them.

    Kept for the session's life: a plan's policies read the same records (cross-links, enrichment and the
    support figures all write to the same accounts), and decoding their payloads is most of a plan's work.
    """
    ids = set(source_ids)
    known: dict[str, PulledTarget | None] = session.info.setdefault("pulled_targets", {}).setdefault((system, object_name), {})
    new = _load_targets(session, system, object_name, sorted(ids - known.keys()))
    known.update(new)
    return {source_id: target for source_id in ids if (target := known.get(source_id)) is not None}


def _load_targets(session: Session, system: str, object_name: str, wanted: list[str]) -> dict[str, PulledTarget | None]:
    found: dict[str, PulledTarget | None] = dict.fromkeys(wanted)  # None: no such record pulled
    for start in range(0, len(wanted), 500):  # SQLite limits bound parameters per statement
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(RawRecord.source_id, RawRecord.payload, RawRecord.pulled_at)
            .where(RawRecord.system == system, RawRecord.object == object_name, RawRecord.source_id.in_(chunk))
        )
        for source_id, payload, pulled_at in rows:
            found[source_id] = PulledTarget(payload, pulled_at, {})
        echoes = session.execute(
            select(EchoEntry.record_id, EchoEntry.field, EchoEntry.value, EchoEntry.written_at)
            .where(EchoEntry.system == system, EchoEntry.object == object_name, EchoEntry.record_id.in_(chunk))
        )
        for record_id, field, value, written_at in echoes:
            target = found.get(record_id)
            if target is not None and written_at > target.pulled_at:
                target.written[field] = value
    return found


# -- the outbox ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A plan row on its way into the outbox."""

    system: str
    object: str
    record_id: str
    field: str
    golden_id: str | None
    policy: str
    mode: str
    reason: str
    old_value: Any
    new_value: Any


@dataclass(frozen=True, slots=True)
class DueChange:
    """An outbox row ready to be written now."""

    id: int
    system: str
    object: str
    record_id: str
    field: str
    policy: str
    old_value: Any
    new_value: Any
    attempts: int


@dataclass(frozen=True, slots=True)
class EnqueueCounts:
    added: int
    refreshed: int
    superseded: int
    still_parked: int


def enqueue(session: Session, plan_id: int, entries: Sequence[OutboxEntry], now: datetime) -> EnqueueCounts:
    """Bring the outbox in line with a plan: one open row per target field, the plan being the whole wish.

    An open row for the same target is refreshed (its retry count and schedule
    kept); open rows the plan no longer wants are superseded; a parked row
    asking for the same value stays parked (an admin must look at it), a
    parked row asking for another value gives way to a fresh attempt.
    """
    open_rows = {_key(row): row for row in session.scalars(select(OutboxRow).where(OutboxRow.status.in_(OPEN_STATUSES)))}
    parked = {_key(row): row for row in session.scalars(select(OutboxRow).where(OutboxRow.status == "parked").order_by(OutboxRow.id))}
    added = refreshed = still_parked = 0
    for entry in entries:
        key = (entry.system, entry.object, entry.record_id, entry.field)
        values = {
            "plan_id": plan_id, "golden_id": entry.golden_id, "policy": entry.policy, "mode": entry.mode, "reason": entry.reason,
            "old_value": entry.old_value, "new_value": entry.new_value, "updated_at": now,
        }  # fmt: skip
        row = open_rows.pop(key, None)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)
            refreshed += 1
            continue
        stuck = parked.get(key)
        if stuck is not None and stuck.new_value == entry.new_value:
            still_parked += 1
            continue
        if stuck is not None:
            stuck.status, stuck.updated_at = "superseded", now
        session.add(OutboxRow(system=entry.system, object=entry.object, record_id=entry.record_id, field=entry.field, status="planned", attempts=0, created_at=now, **values))
        added += 1
    for row in open_rows.values():
        row.status, row.updated_at = "superseded", now
    session.flush()
    return EnqueueCounts(added, refreshed, len(open_rows), still_parked)


def due_changes(session: Session, now: datetime) -> list[DueChange]:
    """Open rows whose time has come (new ones at once, failed ones after their back-off)."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.status.in_(OPEN_STATUSES), (OutboxRow.next_attempt_at.is_(None)) | (OutboxRow.next_attempt_at <= now))
        .order_by(OutboxRow.system, OutboxRow.object, OutboxRow.record_id, OutboxRow.field)
    )
    return [
        DueChange(row.id, row.system, row.object, row.record_id, row.field, row.policy, row.old_value, row.new_value, row.attempts)
        for row in session.scalars(query)
    ]


def mark_applied(session: Session, changes: Sequence[DueChange], now: datetime) -> None:
    """Confirm written rows and remember each value in the echo ledger."""
    if not changes:
        return
    _set(session, [change.id for change in changes], status="applied", applied_at=now, last_error=None, next_attempt_at=None, updated_at=now)
    record_echoes(session, {(c.system, c.object, c.record_id, c.field): c.new_value for c in changes}, now)


def mark_conflict(session: Session, changes: Sequence[DueChange], message: str | None, now: datetime) -> None:
    _set(session, [change.id for change in changes], status="conflict", last_error=message, next_attempt_at=None, updated_at=now)


def mark_failed(session: Session, change: DueChange, message: str | None, next_attempt_at: datetime | None, now: datetime) -> None:
    """Count a failed attempt: retried at `next_attempt_at`, or parked when there is none."""
    status = "failed" if next_attempt_at is not None else "parked"
    _set(session, [change.id], status=status, attempts=change.attempts + 1, last_error=message, next_attempt_at=next_attempt_at, updated_at=now)


def requeue_parked(session: Session, now: datetime) -> int:
    """Give every parked row a fresh start (after an admin fixed the cause); how many."""
    ids = list(session.scalars(select(OutboxRow.id).where(OutboxRow.status == "parked")))
    _set(session, ids, status="planned", attempts=0, next_attempt_at=None, updated_at=now)
    return len(ids)


def outbox_rows(session: Session, *, statuses: Sequence[str] | None = None, plan_id: int | None = None) -> list[OutboxRow]:
    """Outbox rows (detached copies are fine: callers only read them), oldest first."""
    query = select(OutboxRow).order_by(OutboxRow.id)
    if statuses is not None:
        query = query.where(OutboxRow.status.in_(statuses))
    if plan_id is not None:
        query = query.where(OutboxRow.plan_id == plan_id)
    return list(session.scalars(query))


def _set(session: Session, ids: list[int], **values: Any) -> None:
    for start in range(0, len(ids), 500):
        session.execute(update(OutboxRow).where(OutboxRow.id.in_(ids[start : start + 500])).values(**values))


def _key(row: OutboxRow) -> TargetKey:
    return (row.system, row.object, row.record_id, row.field)
