"""The `policies:` section of loophub.yaml: which write-back policies run, into which fields, in which mode.

```yaml
policies:
  support_context:
    enabled: true
    targets: [salesforce, hubspot]
    fields:
      csat_90d: {mode: fill_if_blank}            # names keep their defaults
      support_health: {salesforce: Health__c}    # write health into an existing field
      resolution_hours: {mode: never}
  outbox:
    max_attempts: 5
    retry_base_seconds: 60
```

A field given only in part keeps the defaults of what it leaves out, so an
admin names just what differs from a fresh install.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from flows.writeback.crm_context_settings import CrmContextPolicy
from flows.writeback.cross_links_settings import CrossLinksPolicy
from flows.writeback.enrichment_settings import EnrichmentPolicy
from flows.writeback.handoff_settings import HandoffPolicy
from flows.writeback.setting_types import CrmSystem, Mode, StrictModel, TicketSystem, with_defaults
from flows.writeback.suppression_settings import SuppressionPolicy

# measure → (Salesforce field, HubSpot property): the names a fresh install writes into.
SUPPORT_CONTEXT_FIELDS: dict[str, tuple[str, str]] = {
    "open_tickets": ("Loophub_Open_Tickets__c", "loophub_open_tickets"),
    "urgent_tickets": ("Loophub_Urgent_Tickets__c", "loophub_urgent_tickets"),
    "last_ticket_at": ("Loophub_Last_Ticket_At__c", "loophub_last_ticket_at"),
    "csat_90d": ("Loophub_CSAT_90d__c", "loophub_csat_90d"),
    "first_response_hours": ("Loophub_First_Response_Hours__c", "loophub_first_response_hours"),
    "resolution_hours": ("Loophub_Resolution_Hours__c", "loophub_resolution_hours"),
    "support_health": ("Loophub_Support_Health__c", "loophub_support_health"),
}


class FieldTarget(StrictModel):
    """Where one measure goes in each CRM (null: not written there) and how."""

    salesforce: str | None = Field(None, description="Salesforce Account field API name")
    hubspot: str | None = Field(None, description="HubSpot company property internal name")
    mode: Mode = Field("overwrite", description="fill_if_blank writes only into an empty field; never turns it off")

    def name_in(self, system: str) -> str | None:
        return self.salesforce if system == "salesforce" else self.hubspot if system == "hubspot" else None


class SupportContextFields(StrictModel):
    open_tickets: FieldTarget
    urgent_tickets: FieldTarget
    last_ticket_at: FieldTarget
    csat_90d: FieldTarget
    first_response_hours: FieldTarget
    resolution_hours: FieldTarget
    support_health: FieldTarget

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, given: Any) -> Any:
        """Fill every measure and every part of a measure the admin did not name with its default."""
        defaults = {measure: {"salesforce": salesforce, "hubspot": hubspot} for measure, (salesforce, hubspot) in SUPPORT_CONTEXT_FIELDS.items()}
        return with_defaults(given, defaults)

    def items(self) -> list[tuple[str, FieldTarget]]:
        return [(measure, getattr(self, measure)) for measure in SUPPORT_CONTEXT_FIELDS]


class SupportContextPolicy(StrictModel):
    """Push each company's support picture (open tickets, CSAT, response times, health) into its CRM records."""

    enabled: bool = True
    targets: list[CrmSystem] = Field(default_factory=lambda: ["salesforce", "hubspot"])
    # Where support happens: tickets of these systems count (Zendesk by default; add CRM cases if support uses them).
    ticket_systems: list[TicketSystem] = Field(default_factory=lambda: ["zendesk"])
    csat_window_days: int = Field(90, ge=1, le=3650)
    fields: SupportContextFields = Field(default_factory=lambda: SupportContextFields.model_validate({}))


class OutboxSettings(StrictModel):
    """How failed writes are retried: exponential back-off, then parked with the error for an admin."""

    max_attempts: int = Field(5, ge=1, le=50)
    retry_base_seconds: float = Field(60.0, ge=0)
    retry_max_seconds: float = Field(6 * 3600.0, ge=0)


class PolicySettings(StrictModel):
    """The whole `policies:` section."""

    support_context: SupportContextPolicy = Field(default_factory=SupportContextPolicy)
    cross_links: CrossLinksPolicy = Field(default_factory=lambda: CrossLinksPolicy.model_validate({}))
    enrichment: EnrichmentPolicy = Field(default_factory=lambda: EnrichmentPolicy.model_validate({}))
    crm_context: CrmContextPolicy = Field(default_factory=CrmContextPolicy)
    suppression: SuppressionPolicy = Field(default_factory=SuppressionPolicy)
    handoff: HandoffPolicy = Field(default_factory=HandoffPolicy)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
