"""The `policies.suppression` section of loophub.yaml: the sales-hold flag, where it goes and what raises it.

```yaml
policies:
  suppression:
    enabled: true
    targets: [salesforce, hubspot]
    ticket_systems: [zendesk]             # where the tickets that put a company on hold live
    priorities: [urgent, high]
    include_contacts: true                # copy the flag onto the company's CRM contacts too
    fields:
      company: {salesforce: Do_Not_Sell__c}      # the HubSpot name and the mode keep their defaults
      contact: {hubspot: null}                   # not onto HubSpot contacts
```

A field given only in part keeps the defaults of what it leaves out. This
module imports nothing of loophub's configuration: the configuration
imports it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from flows.writeback.setting_types import CrmSystem, Mode, StrictModel, TicketSystem, with_defaults

Priority = Literal["urgent", "high", "normal", "low"]

# record kind → (Salesforce field, HubSpot property): a Checkbox on Account and Contact, a bool property on companies and contacts.
SALES_HOLD_FIELDS: dict[str, tuple[str, str]] = {
    "company": ("Loophub_Sales_Hold__c", "loophub_sales_hold"),
    "contact": ("Loophub_Sales_Hold__c", "loophub_sales_hold"),
}


class HoldField(StrictModel):
    """Where the flag goes in each CRM (null: not written there) and how."""

    salesforce: str | None = Field(None, description="Salesforce Checkbox field API name")
    hubspot: str | None = Field(None, description="HubSpot bool property internal name")
    mode: Mode = Field("overwrite", description="overwrite also lifts the hold; fill_if_blank only ever sets it once")

    def name_in(self, system: str) -> str | None:
        return self.salesforce if system == "salesforce" else self.hubspot if system == "hubspot" else None


class SalesHoldFields(StrictModel):
    company: HoldField
    contact: HoldField

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, given: Any) -> Any:
        """Fill both record kinds, and every part of each, the admin did not name with its default."""
        return with_defaults(given, {kind: {"salesforce": salesforce, "hubspot": hubspot} for kind, (salesforce, hubspot) in SALES_HOLD_FIELDS.items()})


class SuppressionPolicy(StrictModel):
    """Flag a company's CRM records "sales hold" while it has an open urgent or high ticket; lift it when none is left."""

    enabled: bool = True
    targets: list[CrmSystem] = Field(default_factory=lambda: ["salesforce", "hubspot"])
    ticket_systems: list[TicketSystem] = Field(default_factory=lambda: ["zendesk"])
    priorities: list[Priority] = Field(default_factory=lambda: ["urgent", "high"], min_length=1)
    include_contacts: bool = False
    fields: SalesHoldFields = Field(default_factory=lambda: SalesHoldFields.model_validate({}))
