"""The write-back plan (a dry run) and the outbox, as the admin API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PLAN_ROW_EXAMPLE: dict[str, Any] = {
    "system": "salesforce", "object": "Account", "record_id": "0015g00000XyZaBAAV", "field": "Loophub_Open_Tickets__c", "current": 1, "new": 3,
    "policy": "crm_context", "reason": "3 open Zendesk tickets", "mode": "overwrite", "golden_id": "com_0b7e4d22a9c3f1e85d60",
}  # fmt: skip
OUTBOX_EXAMPLE: dict[str, Any] = {
    "id": 88, "target": "hubspot:companies:7001", "field": "loophub_open_tickets", "policy": "crm_context", "mode": "overwrite", "status": "parked",
    "attempts": 5, "last_error": "property loophub_open_tickets does not exist", "old_value": "1", "new_value": "3", "golden_id": "com_0b7e4d22a9c3f1e85d60",
    "next_attempt_at": None, "updated_at": "2026-11-02T09:31:00+00:00", "applied_at": None,
}  # fmt: skip


class PlanRowOut(BaseModel):
    """One field of one target record a policy wants changed."""

    model_config = ConfigDict(json_schema_extra={"examples": [PLAN_ROW_EXAMPLE]})

    system: str
    object: str
    record_id: str
    field: str
    current: Any = None
    new: Any = None
    policy: str
    reason: str
    mode: str
    golden_id: str | None = None


class PlanPage(BaseModel):
    """A dry-run plan computed now: nothing is written. Rows are paged; the rest is whole on every page."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created_at": "2026-11-02T09:30:00+00:00",
                    "policies": ["crm_context"],
                    "skipped": {},
                    "companies": 40,
                    "targets": 70,
                    "total_rows": 1,
                    "rows": [PLAN_ROW_EXAMPLE],
                    "handoffs": [],
                    "next_cursor": None,
                }
            ]
        }
    )

    created_at: datetime
    policies: list[str] = Field(description="the policies that planned")
    skipped: dict[str, list[str]] = Field(
        default_factory=dict,
        description="enabled policies left out, with the target fields that are not ready",
    )
    companies: int
    targets: int
    total_rows: int
    rows: list[PlanRowOut]
    handoffs: list[dict[str, Any]] = Field(
        default_factory=list,
        description="hand-off steps: deals to create or finish from tickets, and tickets skipped with why",
    )
    next_cursor: str | None


class OutboxRowOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [OUTBOX_EXAMPLE]})

    id: int
    target: str = Field(description="system:object:record id")
    field: str
    policy: str
    mode: str
    status: str = Field(
        description="planned, applied, conflict, failed, parked or superseded"
    )
    attempts: int
    last_error: str | None = None
    old_value: Any = None
    new_value: Any = None
    golden_id: str | None = None
    next_attempt_at: datetime | None = None
    updated_at: datetime
    applied_at: datetime | None = None


class OutboxPage(BaseModel):
    """Outbox rows oldest first, and how many rows stand in each status overall."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "counts": {"applied": 120, "parked": 1},
                    "items": [OUTBOX_EXAMPLE],
                    "next_cursor": None,
                }
            ]
        }
    )

    counts: dict[str, int]
    items: list[OutboxRowOut]
    next_cursor: str | None


class RequeueOut(BaseModel):
    """Parked changes given a fresh start; they are written on the next write-back run."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outbox": 3,
                    "handoffs": 0,
                    "applies": "on the next write-back run (`loophub writeback` or the loop)",
                }
            ]
        }
    )

    outbox: int
    handoffs: int
    applies: str = "on the next write-back run (`loophub writeback` or the loop)"
