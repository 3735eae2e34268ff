"""The tables of identity resolution: golden records, their members, the evidence, overrides and history.

A golden record (`per_…`, `com_…`) groups canonical records of one entity.
Its id is persistent: a merge keeps one id and turns the other into an alias
(`status="merged"`, `merged_into`), a split keeps the id on the largest part.
`identity_edges` keeps the evidence that links two records (a rule, or a
match probability with its per-comparison weights), so an incremental run
re-scores only changed records and clusters again from the stored evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, utc_now


class GoldenRecord(Base):
    """One real person or company; `profile` holds the surviving field values with their lineage."""

    __tablename__ = "golden_records"
    __table_args__ = (Index(None, "entity", "status"),)

    golden_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | merged | retired
    merged_into: Mapped[str | None] = mapped_column(String(40), index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class GoldenMember(Base):
    """A canonical record's place in a golden record, and the content it had when it was resolved."""

    __tablename__ = "golden_members"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[int] = mapped_column(primary_key=True)
    golden_id: Mapped[str] = mapped_column(String(40), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    resolved_at: Mapped[datetime] = mapped_column(default=utc_now)


class IdentityEdge(Base):
    """Evidence that two records are one: a deterministic rule, a probabilistic score, or a must-link."""

    __tablename__ = "identity_edges"
    __table_args__ = (UniqueConstraint("entity", "left_id", "right_id", "rule"), Index(None, "entity", "right_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    left_id: Mapped[int]  # always the smaller record id
    right_id: Mapped[int]
    rule: Mapped[str] = mapped_column(String(40))  # "email", "xref", "domain", "probabilistic", …
    score: Mapped[float | None]  # match probability for probabilistic edges
    match_weight: Mapped[float | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the shared key, or per-comparison weights


class IdentityEvent(Base):
    """A merge, split, creation or override of golden records, with its reason."""

    __tablename__ = "identity_events"
    __table_args__ = (Index(None, "golden_id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))  # created | merged | split | link | unlink | review_accepted | review_rejected | alarm
    golden_id: Mapped[str | None] = mapped_column(String(40))
    other_ids: Mapped[list[str]] = mapped_column(default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utc_now)


class IdentityOverride(Base):
    """An admin's must-link or cannot-link between two records or golden ids; applied on every run."""

    __tablename__ = "identity_overrides"
    __table_args__ = (Index(None, "entity", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # must_link | cannot_link
    left_ref: Mapped[str] = mapped_column(String(200))  # "system:object:id" or a golden id
    right_ref: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(100), default="cli")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReviewItem(Base):
    """An uncertain pair for a person to decide: accept becomes a must-link, reject a cannot-link."""

    __tablename__ = "review_queue"
    __table_args__ = (UniqueConstraint("entity", "left_id", "right_id"), Index(None, "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    left_id: Mapped[int]
    right_id: Mapped[int]
    score: Mapped[float]
    match_weight: Mapped[float | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | accepted | rejected | resolved
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    decided_at: Mapped[datetime | None]


class MatchModelRow(Base):
    """A trained probabilistic model, versioned; the active one is reused until retrained."""

    __tablename__ = "match_models"
    __table_args__ = (Index(None, "entity", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    model: Mapped[dict[str, Any]]
    record_count: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    trained_at: Mapped[datetime] = mapped_column(default=utc_now)
