"""The tables of canonical records, their match keys, and the map ledger.

One table per canonical entity (people, companies, deals, tickets, …), each
row keyed by its source ref (system, object, source_id). Multi-valued match
keys (every email, phone, domain, name key) live in `match_keys`, indexed by
(entity, kind, value), so identity can block and the API can look up by any
of them. `map_ledger` holds one row per raw record with the outcome of its
last mapping — mapped or quarantined with the reason — so nothing is dropped
silently and the next run maps only what changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from store.base import Base, utc_now


class CanonicalRow:
    """Columns every canonical table shares: the source ref, change tracking, and free attributes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    source_updated_at: Mapped[datetime | None]
    is_deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    raw_record_id: Mapped[int] = mapped_column(ForeignKey("raw_records.id", ondelete="CASCADE"), index=True)
    # A digest of the mapped content: a re-map that changes nothing leaves `changed_at` alone.
    content_hash: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(default=utc_now)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("system", "object", "source_id"), Index(None, "changed_at"))


class PersonRow(CanonicalRow, Base):
    __tablename__ = "people"

    kind: Mapped[str | None] = mapped_column(String(32))
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(400))
    emails: Mapped[list[str]] = mapped_column(default=list)
    phones: Mapped[list[str]] = mapped_column(default=list)
    title: Mapped[str | None] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(300))
    company_domain: Mapped[str | None] = mapped_column(String(255))
    company_source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    owner_source_id: Mapped[str | None] = mapped_column(String(64))
    lifecycle: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    linked_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CompanyRow(CanonicalRow, Base):
    __tablename__ = "companies"

    name: Mapped[str | None] = mapped_column(String(300))
    domains: Mapped[list[str]] = mapped_column(default=list)
    phones: Mapped[list[str]] = mapped_column(default=list)
    industry: Mapped[str | None] = mapped_column(String(200))
    company_type: Mapped[str | None] = mapped_column(String(100))
    lifecycle: Mapped[str | None] = mapped_column(String(32))
    annual_revenue: Mapped[float | None]
    employees: Mapped[int | None]
    arr: Mapped[float | None]
    renewal_date: Mapped[date | None] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    owner_source_id: Mapped[str | None] = mapped_column(String(64))
    linked_ids: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DealRow(CanonicalRow, Base):
    __tablename__ = "deals"

    name: Mapped[str | None] = mapped_column(String(300))
    amount: Mapped[float | None]
    currency: Mapped[str | None] = mapped_column(String(8))
    stage: Mapped[str | None] = mapped_column(String(16))
    stage_raw: Mapped[str | None] = mapped_column(String(100))
    pipeline: Mapped[str | None] = mapped_column(String(100))
    deal_type: Mapped[str | None] = mapped_column(String(100))
    close_date: Mapped[date | None] = mapped_column(Date)
    company_source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    person_source_ids: Mapped[list[str]] = mapped_column(default=list)
    owner_source_id: Mapped[str | None] = mapped_column(String(64))


class TicketRow(CanonicalRow, Base):
    __tablename__ = "tickets"

    subject: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(16))
    status_raw: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str | None] = mapped_column(String(16))
    priority_raw: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(64))
    ticket_type: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(default=list)
    requester_source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    company_source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    assignee_source_id: Mapped[str | None] = mapped_column(String(64))
    solved_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(255))


class TicketCommentRow(CanonicalRow, Base):
    __tablename__ = "ticket_comments"

    ticket_source_id: Mapped[str] = mapped_column(String(64), index=True)
    author_source_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool | None]


class SatisfactionRow(CanonicalRow, Base):
    __tablename__ = "satisfaction_ratings"

    ticket_source_id: Mapped[str] = mapped_column(String(64), index=True)
    score: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    requester_source_id: Mapped[str | None] = mapped_column(String(64))
    assignee_source_id: Mapped[str | None] = mapped_column(String(64))


class TicketMetricsRow(CanonicalRow, Base):
    __tablename__ = "ticket_metrics"

    ticket_source_id: Mapped[str] = mapped_column(String(64), index=True)
    first_reply_minutes: Mapped[float | None]
    first_resolution_minutes: Mapped[float | None]
    full_resolution_minutes: Mapped[float | None]
    reopens: Mapped[int | None]
    replies: Mapped[int | None]
    solved_at: Mapped[datetime | None]


class OwnerRow(CanonicalRow, Base):
    __tablename__ = "owners"

    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(400))
    email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool | None]


CANONICAL_TABLES: dict[str, type[CanonicalRow]] = {
    "person": PersonRow,
    "company": CompanyRow,
    "deal": DealRow,
    "ticket": TicketRow,
    "ticket_comment": TicketCommentRow,
    "satisfaction": SatisfactionRow,
    "ticket_metrics": TicketMetricsRow,
    "owner": OwnerRow,
}


class MatchKey(Base):
    """One normalised value identity can match on: kind "email", "phone", "domain", "name", "xref:salesforce", …"""

    __tablename__ = "match_keys"
    __table_args__ = (Index(None, "entity", "kind", "value"), Index(None, "entity", "record_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(320))
    # A key that must not merge records on its own: a role address, free mail, a placeholder phone.
    is_weak: Mapped[bool] = mapped_column(default=False)


class MapLedgerEntry(Base):
    """The outcome of mapping one raw record at one payload hash under one spec version."""

    __tablename__ = "map_ledger"
    __table_args__ = (Index(None, "outcome"),)

    raw_record_id: Mapped[int] = mapped_column(ForeignKey("raw_records.id", ondelete="CASCADE"), primary_key=True)
    raw_hash: Mapped[str] = mapped_column(String(64))
    spec_version: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # "mapped" or "quarantined"
    entity: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    mapped_at: Mapped[datetime] = mapped_column(default=utc_now)
