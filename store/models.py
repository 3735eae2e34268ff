"""The tables of the first migration: connections, stream states, raw records and runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, utc_now


class Connection(Base):
    """A configured link to one vendor account. Secrets are never stored here, only where to find them."""

    __tablename__ = "connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    system: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str | None] = mapped_column(String(500))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credential_refs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class StreamState(Base):
    """The last committed Airbyte STATE of one stream of one connection."""

    __tablename__ = "stream_states"
    __table_args__ = (UniqueConstraint("connection_name", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_name: Mapped[str] = mapped_column(String(100))
    stream: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class RawRecord(Base):
    """A source record exactly as the connector read it; upserted on (system, object, source_id)."""

    __tablename__ = "raw_records"
    __table_args__ = (
        UniqueConstraint("system", "object", "source_id"),
        Index(None, "system", "object", "pulled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    source_updated_at: Mapped[datetime | None]
    is_deleted: Mapped[bool] = mapped_column(default=False)
    payload_hash: Mapped[str] = mapped_column(String(64))
    pulled_at: Mapped[datetime] = mapped_column(default=utc_now)


class Run(Base):
    """One execution of a flow, with what it counted and how it ended."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "flow", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flow: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
