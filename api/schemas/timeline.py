"""A person's timeline: one list of typed events, newest first.

Each event has a `type` that says which fields it carries. Hand-offs (an
opportunity or a ticket loophub created from the other team's work) will join
as `type: "handoff"` once write-back records them; clients should skip types
they do not know.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import SourceRef


class EventBase(BaseModel):
    id: str = Field(description="unique within the timeline, stable across calls")
    at: datetime | None = Field(description="when it happened; undated events come last")
    source: SourceRef | None = Field(None, description="the record the event is, when it is one")


class DealEvent(EventBase):
    type: Literal["deal"] = "deal"
    relation: Literal["person", "company"] = Field(description="the deal names this person, or is one of the person's company")
    name: str | None = None
    amount: float | None = None
    currency: str | None = None
    stage: str | None = None
    close_date: date | None = None


class TicketEvent(EventBase):
    type: Literal["ticket"] = "ticket"
    subject: str | None = None
    status: str | None = None
    priority: str | None = None
    solved_at: datetime | None = None


class CommentEvent(EventBase):
    type: Literal["ticket_comment"] = "ticket_comment"
    ticket: SourceRef
    body: str | None = None
    public: bool | None = None
    author_id: str | None = None


class CsatEvent(EventBase):
    type: Literal["csat"] = "csat"
    ticket: SourceRef
    score: str = Field(description="good, bad or offered")
    comment: str | None = None


class IdentityEventOut(EventBase):
    type: Literal["identity"] = "identity"
    kind: str = Field(description="created, merged, split, link, unlink, retired, …")
    golden_id: str | None = None
    other_ids: list[str] = Field(default_factory=list)
    reason: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


TimelineEvent = Annotated[DealEvent | TicketEvent | CommentEvent | CsatEvent | IdentityEventOut, Field(discriminator="type")]


class TimelinePage(BaseModel):
    """One page of a person's timeline, newest first; pass `next_cursor` back as `cursor` for the next."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"type": "csat", "id": "csat:zendesk:satisfaction_ratings:77", "at": "2026-11-03T10:00:00+00:00", "source": {"system": "zendesk", "object": "satisfaction_ratings", "id": "77"}, "ticket": {"system": "zendesk", "object": "tickets", "id": "5120"}, "score": "good", "comment": "Quick help"},
                        {"type": "ticket", "id": "ticket:zendesk:tickets:5120", "at": "2026-11-02T08:00:00+00:00", "source": {"system": "zendesk", "object": "tickets", "id": "5120"}, "subject": "Cannot log in", "status": "solved", "priority": "high", "solved_at": "2026-11-02T12:00:00+00:00"},
                        {"type": "identity", "id": "identity:412", "at": "2026-11-01T08:00:00+00:00", "source": None, "kind": "merged", "golden_id": "per_3f9c2a71d04be5a86c11", "other_ids": ["per_9a0e11c5b7d2f3e4a5b6"], "reason": "shared email", "details": {}},
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )  # fmt: skip

    items: list[TimelineEvent]
    next_cursor: str | None
