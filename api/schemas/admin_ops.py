"""Flow runs, quarantined records and the audit log, as the admin API lists them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RUN_EXAMPLE: dict[str, Any] = {
    "id": 42, "flow": "writeback", "status": "partial", "started_at": "2026-11-02T09:30:00+00:00", "finished_at": "2026-11-02T09:31:12+00:00",
    "counts": {"planned": 120}, "error": None,
}  # fmt: skip
AUDIT_EXAMPLE: dict[str, Any] = {
    "id": 7, "at": "2026-11-02T09:30:00+00:00", "key_id": 2, "key_name": "ops-admin", "action": "override.link",
    "target": "salesforce:Contact:0035g00000AbCdEAAV ↔ hubspot:contacts:501", "detail": {"entity": "person", "reason": "same person"}, "client": "10.0.0.5",
}  # fmt: skip


class RunOut(BaseModel):
    """One execution of a flow (sync, map, resolve, writeback, loop) with what it counted and how it ended."""

    model_config = ConfigDict(json_schema_extra={"examples": [RUN_EXAMPLE]})

    id: int
    flow: str
    status: str = Field(description="running, succeeded, partial or failed")
    started_at: datetime
    finished_at: datetime | None = None
    counts: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class RunPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [RUN_EXAMPLE], "next_cursor": None}]}
    )

    items: list[RunOut]
    next_cursor: str | None


class QuarantinedOut(BaseModel):
    """A pulled record the mapping refused; it stays out of the golden records until its source is fixed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "raw_record_id": 9120,
                    "system": "hubspot",
                    "object": "contacts",
                    "id": "501",
                    "entity": "person",
                    "reason": "no name, email or phone",
                    "mapped_at": "2026-11-02T09:30:00+00:00",
                }
            ]
        }
    )

    raw_record_id: int
    system: str
    object: str
    id: str
    entity: str | None = None
    reason: str | None = None
    mapped_at: datetime


class QuarantinePage(BaseModel):
    items: list[QuarantinedOut]
    next_cursor: str | None


class AuditOut(BaseModel):
    """One admin action: who (key), what, on what, from where; never a secret."""

    model_config = ConfigDict(json_schema_extra={"examples": [AUDIT_EXAMPLE]})

    id: int
    at: datetime
    key_id: int | None = None
    key_name: str | None = None
    action: str
    target: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    client: str | None = Field(None, description="the caller's address")


class AuditPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [AUDIT_EXAMPLE], "next_cursor": None}]
        }
    )

    items: list[AuditOut]
    next_cursor: str | None
