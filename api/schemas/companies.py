"""Golden companies, and the people, deals and tickets around one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import FieldValue, KeptValue, SourceRef

ACCOUNT = {"system": "salesforce", "object": "Account", "id": "0015g00000XyZaBAAV"}
COMPANY_EXAMPLE: dict[str, Any] = {
    "id": "com_0b7e4d22a9c3f1e85d60",
    "merged_from": None,
    "fields": {"name": {"value": "Acme Ltd", "source": ACCOUNT, "rule": "source_priority", "updated_at": "2026-10-30T12:00:00+00:00", "candidates": 3}},
    "domains": [{"value": "acme.example", "sources": [ACCOUNT]}],
    "phones": [],
    "sources": [ACCOUNT, {"system": "zendesk", "object": "organizations", "id": "9001"}],
    "linked_ids": {},
    "member_count": 2,
    "created_at": "2026-11-01T08:00:00+00:00",
    "updated_at": "2026-11-02T09:31:00+00:00",
}


class CompanyOut(BaseModel):
    """A golden company."""

    model_config = ConfigDict(json_schema_extra={"examples": [COMPANY_EXAMPLE]})

    id: str = Field(description="the persistent golden id, `com_…`")
    merged_from: str | None = Field(None, description="the id that was asked for when it was merged into this company")
    fields: dict[str, FieldValue]
    domains: list[KeptValue] = Field(default_factory=list)
    phones: list[KeptValue] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    linked_ids: dict[str, Any] = Field(default_factory=dict)
    member_count: int
    created_at: datetime
    updated_at: datetime


class CompanyPage(BaseModel):
    """One page of companies; pass `next_cursor` back as `cursor` for the next, until it is null."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [COMPANY_EXAMPLE], "next_cursor": None}]})

    items: list[CompanyOut]
    next_cursor: str | None


class PersonBrief(BaseModel):
    id: str
    name: str | None = None
    email: str | None = None
    title: str | None = None


class DealBrief(BaseModel):
    source: SourceRef
    name: str | None = None
    amount: float | None = None
    currency: str | None = None
    stage: str | None = Field(None, description="open, won or lost")
    close_date: date | None = None
    created_at: datetime | None = None


class TicketBrief(BaseModel):
    source: SourceRef
    subject: str | None = None
    status: str | None = Field(None, description="new, open, pending, on_hold, solved or closed")
    priority: str | None = Field(None, description="low, normal, high or urgent")
    created_at: datetime | None = None
    solved_at: datetime | None = None


class PeopleList(BaseModel):
    items: list[PersonBrief]
    total: int = Field(description="how many there are; `items` holds the first of them by id")


class DealList(BaseModel):
    items: list[DealBrief]
    total: int = Field(description="how many there are; `items` holds the newest")


class TicketList(BaseModel):
    items: list[TicketBrief]
    total: int = Field(description="how many there are; `items` holds the newest")


class CompanyDetailOut(CompanyOut):
    """A golden company with its people, deals and tickets (bounded lists, with their full counts)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                COMPANY_EXAMPLE
                | {
                    "people": {"items": [{"id": "per_3f9c2a71d04be5a86c11", "name": "Ada Lovelace", "email": "ada@acme.example", "title": "VP Sales"}], "total": 1},
                    "deals": {"items": [{"source": {"system": "hubspot", "object": "deals", "id": "7001"}, "name": "Acme renewal", "amount": 24000.0, "currency": "USD", "stage": "open", "close_date": "2026-12-31", "created_at": "2026-10-01T10:00:00+00:00"}], "total": 1},
                    "tickets": {"items": [{"source": {"system": "zendesk", "object": "tickets", "id": "5120"}, "subject": "Cannot log in", "status": "open", "priority": "high", "created_at": "2026-11-02T08:00:00+00:00", "solved_at": None}], "total": 1},
                }
            ]
        }
    )  # fmt: skip

    people: PeopleList
    deals: DealList
    tickets: TicketList
