"""The `policies.crm_context` section of loophub.yaml: which sales facts go into which Zendesk organization fields.

```yaml
policies:
  crm_context:
    enabled: true
    source_order: [salesforce, hubspot]       # whose owner and type win when both CRMs know the company
    revenue: arr_or_won                        # or `won`: always the won deals of the window
    won_window_days: 365
    stage_labels: {contractsent: Contract sent}   # added to HubSpot's default pipeline labels
    fields:
      owner_email: {zendesk: account_manager_email}   # an organization field key that already exists
      renewal_date: {mode: fill_if_blank}
      company_type: {mode: never}
```

A field given only in part keeps the defaults of what it leaves out. This
module imports nothing of loophub's configuration: the configuration
imports it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from flows.writeback.setting_types import CrmSystem, Mode, StrictModel, with_defaults

ZendeskFieldType = Literal["text", "decimal", "integer", "date"]

# measure → (Zendesk organization field key, the field type an admin creates it with): a fresh install's fields.
CRM_CONTEXT_FIELDS: dict[str, tuple[str, ZendeskFieldType]] = {
    "owner_name": ("loophub_owner_name", "text"),
    "owner_email": ("loophub_owner_email", "text"),
    "lifecycle": ("loophub_lifecycle", "text"),
    "company_type": ("loophub_company_type", "text"),
    "revenue": ("loophub_revenue", "decimal"),
    "open_pipeline": ("loophub_open_pipeline", "decimal"),
    "open_deals": ("loophub_open_deals", "integer"),
    "largest_open_stage": ("loophub_largest_open_stage", "text"),
    "renewal_date": ("loophub_renewal_date", "date"),
}
# HubSpot's default sales pipeline names its stages by id; people know them by these labels.
HUBSPOT_STAGE_LABELS: dict[str, str] = {
    "appointmentscheduled": "Appointment Scheduled",
    "qualifiedtobuy": "Qualified To Buy",
    "presentationscheduled": "Presentation Scheduled",
    "decisionmakerboughtin": "Decision Maker Bought-In",
    "contractsent": "Contract Sent",
    "closedwon": "Closed Won",
    "closedlost": "Closed Lost",
}
_FIELD_KEY = re.compile(r"^[A-Za-z0-9_]+$")  # what Zendesk accepts as a custom field key


class OrganizationFieldTarget(StrictModel):
    """Which Zendesk organization field one measure goes into (null: not written) and how."""

    zendesk: str | None = Field(None, description="Zendesk organization field key (letters, digits, underscores)")
    mode: Mode = Field("overwrite", description="fill_if_blank writes only into an empty field; never turns it off")

    @field_validator("zendesk")
    @classmethod
    def _valid_key(cls, key: str | None) -> str | None:
        if key is not None and not _FIELD_KEY.match(key):
            raise ValueError(f"{key!r} is not a Zendesk field key: use letters, digits and underscores, as in loophub_owner_name")
        return key

    @property
    def field_name(self) -> str | None:
        """The name a write carries: Zendesk keeps organization custom fields under `organization_fields`."""
        return f"organization_fields.{self.zendesk}" if self.zendesk else None


class CrmContextFields(StrictModel):
    owner_name: OrganizationFieldTarget
    owner_email: OrganizationFieldTarget
    lifecycle: OrganizationFieldTarget
    company_type: OrganizationFieldTarget
    revenue: OrganizationFieldTarget
    open_pipeline: OrganizationFieldTarget
    open_deals: OrganizationFieldTarget
    largest_open_stage: OrganizationFieldTarget
    renewal_date: OrganizationFieldTarget

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, given: Any) -> Any:
        """Fill every measure, and every part of a measure, the admin did not name with its default."""
        return with_defaults(given, {measure: {"zendesk": key} for measure, (key, _) in CRM_CONTEXT_FIELDS.items()})

    def items(self) -> list[tuple[str, OrganizationFieldTarget]]:
        return [(measure, getattr(self, measure)) for measure in CRM_CONTEXT_FIELDS]


class CrmContextPolicy(StrictModel):
    """Push each company's sales picture (owner, lifecycle, revenue, pipeline, renewal) into its Zendesk organizations."""

    enabled: bool = True
    # Which CRM's record speaks for the company on owner, type and a deal both CRMs hold; a CRM left out is not read.
    source_order: list[CrmSystem] = Field(default_factory=lambda: ["salesforce", "hubspot"], min_length=1)
    revenue: Literal["arr_or_won", "won"] = Field("arr_or_won", description="arr_or_won: the company's ARR where known, else won deals")
    won_window_days: int = Field(365, ge=1, le=3650)
    stage_labels: dict[str, str] = Field(
        default_factory=lambda: dict(HUBSPOT_STAGE_LABELS), description="stage id → label, over HubSpot's default pipeline labels"
    )
    fields: CrmContextFields = Field(default_factory=lambda: CrmContextFields.model_validate({}))

    @field_validator("source_order")
    @classmethod
    def _distinct(cls, order: list[str]) -> list[str]:
        if len(set(order)) != len(order):
            raise ValueError(f"source_order names a CRM twice ({', '.join(order)}); list each once, preferred first")
        return order

    @field_validator("stage_labels")
    @classmethod
    def _over_defaults(cls, labels: dict[str, str]) -> dict[str, str]:
        return HUBSPOT_STAGE_LABELS | labels
