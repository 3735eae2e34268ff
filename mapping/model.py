"""The canonical model: what a Salesforce Contact, a HubSpot contact and a Zendesk user all become.

One raw record maps to one canonical record, which keeps its source ref
(system, object, id) forever; identity builds golden profiles from these,
never the other way round. References to other records of the same system
(a contact's account, a ticket's requester) are kept as that system's ids
(`company_source_id`, …): resolving them across systems is identity's job.

Values that fit no field of the model land in `attributes` (a mapping spec
writes `attributes.plan_tier: user_fields.plan_tier`), so an admin can carry a
custom field through without a code change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mapping.vocabulary import DealStage, Lifecycle, SatisfactionScore, TicketPriority, TicketStatus


class SourceRef(BaseModel):
    """Where a canonical record came from: e.g. ("salesforce", "Contact", "0035g000000001MAAQ")."""

    model_config = ConfigDict(frozen=True)

    system: str
    object: str
    id: str

    def __str__(self) -> str:
        return f"{self.system}:{self.object}:{self.id}"


class CanonicalRecord(BaseModel):
    """What every canonical record carries besides its own fields."""

    model_config = ConfigDict(extra="forbid")

    entity: ClassVar[str]

    source: SourceRef
    source_updated_at: datetime | None = None
    is_deleted: bool = False
    created_at: datetime | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    # Values a normaliser could not use (an address without a domain, a number that is no number).
    # The record is still mapped; the warning says what was left out and why.
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def mapped_fields(cls) -> list[str]:
        """The fields a mapping spec may write (the envelope is filled by the map step)."""
        return [name for name in cls.model_fields if name not in ENVELOPE_FIELDS]


ENVELOPE_FIELDS = frozenset({"source", "source_updated_at", "is_deleted", "warnings"})


class Person(CanonicalRecord):
    """A customer-side human: a Salesforce Contact or Lead, a HubSpot contact, a Zendesk end user."""

    entity: ClassVar[str] = "person"

    kind: str | None = None  # "contact", "lead", "end_user": what the source calls this person
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)  # E.164, an extension as ";ext=12"
    title: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    company_source_id: str | None = None
    owner_source_id: str | None = None
    lifecycle: Lifecycle | None = None
    city: str | None = None
    country: str | None = None
    # Ids of this person's counterparts that the source itself stores: {"salesforce:Contact": "003…"}.
    linked_ids: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _identifiable(self) -> Person:
        if not (self.is_deleted or self.first_name or self.last_name or self.full_name or self.emails or self.phones):
            raise ValueError("a person needs a name, an email address or a phone number; this record has none")
        return self


class Company(CanonicalRecord):
    """A customer organisation: a Salesforce Account, a HubSpot company, a Zendesk organization."""

    entity: ClassVar[str] = "company"

    name: str | None = None
    domains: list[str] = Field(default_factory=list)  # registrable domains: "acme.co.uk"
    phones: list[str] = Field(default_factory=list)
    industry: str | None = None
    company_type: str | None = None  # the source's own word ("Customer - Direct", "PARTNER")
    lifecycle: Lifecycle | None = None
    annual_revenue: float | None = None
    employees: int | None = None
    arr: float | None = None
    renewal_date: date | None = None
    city: str | None = None
    country: str | None = None
    owner_source_id: str | None = None
    linked_ids: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _identifiable(self) -> Company:
        if not (self.is_deleted or self.name or self.domains):
            raise ValueError("a company needs a name or a domain; this record has neither")
        return self


class Deal(CanonicalRecord):
    """A Salesforce Opportunity or a HubSpot deal."""

    entity: ClassVar[str] = "deal"

    name: str | None = None
    amount: float | None = None
    currency: str | None = None
    stage: DealStage | None = None
    stage_raw: str | None = None
    pipeline: str | None = None
    deal_type: str | None = None
    close_date: date | None = None
    company_source_id: str | None = None
    person_source_ids: list[str] = Field(default_factory=list)
    owner_source_id: str | None = None

    @model_validator(mode="after")
    def _staged(self) -> Deal:
        if not self.is_deleted and self.stage is None:
            raise ValueError("a deal needs a stage (open, won or lost); map its stage field with map_values")
        return self


class Ticket(CanonicalRecord):
    """A Zendesk ticket, a Salesforce Case or a HubSpot ticket; CSAT and metrics are records of their own."""

    entity: ClassVar[str] = "ticket"

    subject: str | None = None
    description: str | None = None
    status: TicketStatus | None = None
    status_raw: str | None = None
    priority: TicketPriority | None = None
    priority_raw: str | None = None
    channel: str | None = None
    ticket_type: str | None = None
    tags: list[str] = Field(default_factory=list)
    requester_source_id: str | None = None
    company_source_id: str | None = None
    assignee_source_id: str | None = None
    solved_at: datetime | None = None
    external_id: str | None = None

    @model_validator(mode="after")
    def _has_status(self) -> Ticket:
        if not self.is_deleted and self.status is None:
            raise ValueError("a ticket needs a status; map its status field with map_values")
        return self


class TicketComment(CanonicalRecord):
    """One comment on a ticket (public reply or internal note)."""

    entity: ClassVar[str] = "ticket_comment"

    ticket_source_id: str
    author_source_id: str | None = None
    body: str | None = None
    public: bool | None = None


class Satisfaction(CanonicalRecord):
    """A CSAT rating of a ticket."""

    entity: ClassVar[str] = "satisfaction"

    ticket_source_id: str
    score: SatisfactionScore
    comment: str | None = None
    requester_source_id: str | None = None
    assignee_source_id: str | None = None


class TicketMetrics(CanonicalRecord):
    """How long a ticket took: first reply and resolution in calendar minutes, reopens, replies."""

    entity: ClassVar[str] = "ticket_metrics"

    ticket_source_id: str
    first_reply_minutes: float | None = None
    first_resolution_minutes: float | None = None
    full_resolution_minutes: float | None = None
    reopens: int | None = None
    replies: int | None = None
    solved_at: datetime | None = None


class Owner(CanonicalRecord):
    """Someone on the vendor's side of the table: a Salesforce User, a HubSpot owner, a Zendesk agent."""

    entity: ClassVar[str] = "owner"

    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    title: str | None = None
    role: str | None = None
    active: bool | None = None


ENTITIES: dict[str, type[CanonicalRecord]] = {
    model.entity: model for model in (Person, Company, Deal, Ticket, TicketComment, Satisfaction, TicketMetrics, Owner)
}
