"""The `handoff:` section of `policies:` — which support tickets become CRM deals, and how the deal and ticket are linked.

```yaml
policies:
  handoff:
    enabled: true
    signal_tags: [upsell, pricing]          # any of these tags makes a ticket a sales signal
    signal_fields: {ticket_type: question}  # ...or every one of these canonical ticket values
    target: salesforce                      # or hubspot (then hubspot_portal_id is needed for the link)
    window_days: 30
    deal_name: "{company} — {subject}"
    stages: {salesforce: Prospecting}       # the rest keep their defaults
    link_fields: {salesforce: {ticket_url: null}}   # do not write the ticket URL into Salesforce
```

On by default, like every policy: until its fields (the idempotency key and
the ticket link) exist in the CRM — `loophub targets apply` — the write-back
skips it and says why, so a fresh install creates nothing by surprise.

Why a 30-day window by default: a sales signal is worth a deal while the
customer is still waiting for an answer. On the first run, loophub looks back
only a month rather than turning years of solved tickets into a backlog of
stale opportunities sales would have to close by hand; after that the loop
picks a new ticket up within minutes, long before it ages out. Widen it
(up to ten years) for a deliberate backfill.

A setting given in part keeps the defaults of what it leaves out, so an admin
names only what differs from a fresh install.
"""

from __future__ import annotations

import string
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from flows.writeback.setting_types import CrmSystem, StrictModel, with_defaults

# Canonical ticket fields a signal may test (`attributes.<key>` reaches custom fields a mapping carried over).
SIGNAL_FIELDS = ("status", "status_raw", "priority", "priority_raw", "channel", "ticket_type")
DEAL_NAME_PLACEHOLDERS = frozenset({"company", "subject", "ticket_id", "signal"})
NOTE_PLACEHOLDERS = frozenset({"crm", "deal_label", "deal_name", "deal_url", "deal_id", "company", "owner", "signal"})
CLOSED_STAGES = frozenset({"closed won", "closed lost", "closedwon", "closedlost"})
# CRM → (ticket id field, ticket URL field) on the deal: the names a fresh install writes into.
LINK_FIELDS: dict[str, tuple[str, str]] = {
    "salesforce": ("Loophub_Ticket_Id__c", "Loophub_Ticket_Url__c"),
    "hubspot": ("loophub_ticket_id", "loophub_ticket_url"),
}
DEFAULT_NOTE = (
    "Sales hand-off by loophub: this ticket carries a sales signal ({signal}). "
    "{crm} {deal_label} \"{deal_name}\" was created on {company} for {owner}: {deal_url}"
)


class DealLinkFields(StrictModel):
    """Where the deal keeps its ticket (null: not written)."""

    ticket_id: str | None
    ticket_url: str | None


class LinkFields(StrictModel):
    salesforce: DealLinkFields
    hubspot: DealLinkFields

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, given: Any) -> Any:
        """Fill every CRM and every field the admin did not name with its default."""
        return with_defaults(given, {system: {"ticket_id": ticket_id, "ticket_url": ticket_url} for system, (ticket_id, ticket_url) in LINK_FIELDS.items()})

    def of(self, system: str) -> DealLinkFields:
        return self.salesforce if system == "salesforce" else self.hubspot


class Stages(StrictModel):
    """The open stage a hand-off deal starts in, per CRM."""

    salesforce: str = Field("Prospecting", min_length=1, description="Opportunity StageName")
    hubspot: str = Field("appointmentscheduled", min_length=1, description="dealstage id in `hubspot_pipeline`")
    hubspot_pipeline: str = Field("default", min_length=1, description="HubSpot deal pipeline id")

    @field_validator("salesforce", "hubspot")
    @classmethod
    def _open(cls, stage: str) -> str:
        if stage.strip().lower() in CLOSED_STAGES:
            raise ValueError(f"{stage!r} is a closed stage: a hand-off starts a deal, so pick an open one such as Prospecting")
        return stage

    def of(self, system: str) -> str:
        return self.salesforce if system == "salesforce" else self.hubspot


class HandoffPolicy(StrictModel):
    """Turn a support ticket with a sales signal into exactly one deal on its company's CRM record, linked both ways."""

    enabled: bool = True
    signal_tags: list[str] = Field(default_factory=lambda: ["pricing", "upsell"])
    signal_fields: dict[str, str | list[str]] = Field(default_factory=dict)
    # Where the tickets come from; only Zendesk tickets can carry the note back today.
    ticket_systems: list[Literal["zendesk"]] = Field(default_factory=lambda: ["zendesk"])
    target: CrmSystem = "salesforce"
    window_days: int = Field(30, ge=1, le=3650, description="only tickets created in the last N days are handed off")
    deal_name: str = Field("{company} — {subject}", min_length=1)
    stages: Stages = Field(default_factory=Stages)
    close_in_days: int = Field(30, ge=0, le=730, description="expected close: the ticket's day + N (never before today)")
    link_fields: LinkFields = Field(default_factory=lambda: LinkFields.model_validate({}))
    note: str = Field(DEFAULT_NOTE, description="the internal note on the ticket; must hold {deal_url}")
    ticket_tag: str | None = Field("loophub_handoff", description="added to the ticket with the note; null adds none")
    # Zendesk applies a bulk update in a background job: a note sent just before a crash may show only later.
    note_settle_seconds: float = Field(60.0, ge=0, le=3600, description="wait this long for such a note before sending it again")
    salesforce_url: str | None = Field(None, description="base of deal links, e.g. https://acme.lightning.force.com; default: the org's instance")
    hubspot_app_url: str = "https://app.hubspot.com"
    hubspot_portal_id: int | None = Field(None, ge=1, description="the HubSpot account id, needed to link a ticket to its deal")

    @field_validator("signal_tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        return sorted({tag.strip().lower() for tag in tags if tag.strip()})

    @field_validator("signal_fields")
    @classmethod
    def _fields(cls, fields: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        unknown = [name for name in fields if name not in SIGNAL_FIELDS and not name.startswith("attributes.")]
        if unknown:
            raise ValueError(f"unknown ticket field(s) {', '.join(unknown)}: use {', '.join(SIGNAL_FIELDS)} or attributes.<key>")
        return fields

    @field_validator("deal_name")
    @classmethod
    def _deal_name(cls, template: str) -> str:
        return _template(template, DEAL_NAME_PLACEHOLDERS)

    @field_validator("note")
    @classmethod
    def _note(cls, template: str) -> str:
        if "deal_url" not in _placeholders(template):
            raise ValueError("the note must hold {deal_url}: it links the ticket to its deal, and loophub finds its own note by it")
        return _template(template, NOTE_PLACEHOLDERS)

    @model_validator(mode="after")
    def _links(self) -> HandoffPolicy:
        if self.enabled and self.target == "hubspot" and self.hubspot_portal_id is None:
            raise ValueError("hubspot_portal_id is needed to link tickets to HubSpot deals (Settings → Account Defaults shows the account id)")
        if not self.signal_tags and not self.signal_fields:
            raise ValueError("give signal_tags or signal_fields: without either no ticket is a sales signal")
        return self


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _template(template: str, allowed: frozenset[str]) -> str:
    try:
        names = _placeholders(template)
    except ValueError as error:
        raise ValueError(f"not a valid template ({error}); write a literal brace as {{{{ or }}}}") from None
    unknown = sorted(names - allowed)
    if unknown:
        raise ValueError(f"unknown placeholder(s) {', '.join('{' + name + '}' for name in unknown)}: use {', '.join(sorted(allowed))}")
    return template
