"""Must-link / cannot-link overrides and the review queue, as the admin API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.admin_common import PrintableText
from api.schemas.common import SourceRef

Entity = Literal["person", "company"]
REF_DESCRIPTION = "a record as `system:object:id`, or a golden id (`per_…`, `com_…`) standing for its records at the next resolve"
OVERRIDE_EXAMPLE: dict[str, Any] = {
    "id": 12, "entity": "person", "kind": "must_link", "left": "salesforce:Contact:0035g00000AbCdEAAV", "right": "hubspot:contacts:501",
    "reason": "same person, new employer", "actor": "key:ops-admin", "active": True, "created_at": "2026-11-02T09:30:00+00:00",
}  # fmt: skip
RECORD_EXAMPLE = {
    "record_id": 311,
    "source": {"system": "hubspot", "object": "contacts", "id": "501"},
    "name": "Ada Lovelace",
    "emails": ["ada@acme.example"],
    "phones": [],
    "domains": [],
}


class OverrideCreate(BaseModel):
    """Two records that are one (link) or never one (unlink), and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "left": "salesforce:Contact:0035g00000AbCdEAAV",
                    "right": "hubspot:contacts:501",
                    "entity": "person",
                    "reason": "same person, new employer",
                }
            ]
        },
    )

    left: PrintableText = Field(
        min_length=1, max_length=200, description=REF_DESCRIPTION
    )
    right: PrintableText = Field(
        min_length=1, max_length=200, description=REF_DESCRIPTION
    )
    entity: Entity = "person"
    reason: PrintableText = Field(
        "", max_length=1000, description="kept with the override and in the audit log"
    )


class OverrideOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [OVERRIDE_EXAMPLE]})

    id: int
    entity: str
    kind: str = Field(description="must_link or cannot_link")
    left: str
    right: str
    reason: str
    actor: str
    active: bool = Field(
        description="false once the opposite override for the same pair replaced it"
    )
    created_at: datetime


class OverrideSaved(BaseModel):
    """A saved override; golden records change only when the next resolve applies it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "override": OVERRIDE_EXAMPLE,
                    "applies": "on the next resolve (`loophub resolve` or the loop)",
                }
            ]
        }
    )

    override: OverrideOut
    applies: str = "on the next resolve (`loophub resolve` or the loop)"


class OverridePage(BaseModel):
    items: list[OverrideOut]
    next_cursor: str | None


class ReviewRecordOut(BaseModel):
    record_id: int
    source: SourceRef
    name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)


class ReviewItemOut(BaseModel):
    """Two records that may be one, with the model's score; accept links them, reject keeps them apart."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "entity": "person",
                    "score": 0.83,
                    "match_weight": 2.4,
                    "left": RECORD_EXAMPLE,
                    "right": RECORD_EXAMPLE,
                    "details": {},
                    "status": "open",
                    "created_at": "2026-11-02T09:30:00+00:00",
                }
            ]
        }
    )

    id: int
    entity: str
    score: float
    match_weight: float | None = None
    left: ReviewRecordOut | None = Field(
        None, description="null when the record was deleted since"
    )
    right: ReviewRecordOut | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    status: str
    created_at: datetime


class ReviewPage(BaseModel):
    items: list[ReviewItemOut]
    next_cursor: str | None


class ReviewDecision(BaseModel):
    """A decided review item and the override it became."""

    id: int
    status: str = Field(description="accepted or rejected")
    override: OverrideOut
    applies: str = "on the next resolve (`loophub resolve` or the loop)"
