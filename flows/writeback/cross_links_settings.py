"""The `policies.cross_links` section of loophub.yaml: which records carry their counterparts' ids, in which fields.

```yaml
policies:
  cross_links:
    enabled: true
    companies:
      salesforce: {zendesk: {mode: never}}             # Accounts keep their golden and HubSpot ids only
      zendesk: {enabled: false}                        # organizations are left alone
    people:
      hubspot: {golden_id: golden_record_id}           # a property of your own (short form: just the name)
      salesforce: {hubspot: null}                      # null: not written
```

Each target names a field for the golden id and one per *other* system (a
record never carries an id of its own system). A field given only in part
keeps the defaults of what it leaves out. Salesforce fields are custom
fields (`…__c`); Zendesk fields are custom organization / user fields
(`organization_fields.<key>`, `user_fields.<key>`), never a built-in
attribute such as `external_id`, which mapping reads as identity evidence.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from flows.writeback.setting_types import SYSTEMS, Mode, StrictModel, overlay

# The record each system keeps a company and a person in: the objects the policy writes into.
LINK_OBJECTS: dict[str, dict[str, str]] = {
    "companies": {"salesforce": "Account", "hubspot": "companies", "zendesk": "organizations"},
    "people": {"salesforce": "Contact", "hubspot": "contacts", "zendesk": "users"},
}
# entity → system → link → field: the names a fresh install writes into ("golden_id", or the counterpart's system).
_CRM_FIELDS = {
    "salesforce": {"golden_id": "Loophub_Golden_Id__c", "hubspot": "Loophub_HubSpot_Id__c", "zendesk": "Loophub_Zendesk_Id__c"},
    "hubspot": {"golden_id": "loophub_golden_id", "salesforce": "loophub_salesforce_id", "zendesk": "loophub_zendesk_id"},
}
CROSS_LINK_FIELDS: dict[str, dict[str, dict[str, str]]] = {
    "companies": _CRM_FIELDS | {
        "zendesk": {
            "golden_id": "organization_fields.loophub_golden_id",
            "salesforce": "organization_fields.loophub_salesforce_id",
            "hubspot": "organization_fields.loophub_hubspot_id",
        }
    },
    "people": _CRM_FIELDS | {
        "zendesk": {"golden_id": "user_fields.loophub_golden_id", "salesforce": "user_fields.loophub_salesforce_id", "hubspot": "user_fields.loophub_hubspot_id"}
    },
}


class LinkField(StrictModel):
    """One field of a target record: its name (null: not written) and how it is written."""

    name: str | None = Field(None, description="Salesforce API name, HubSpot property, or Zendesk `organization_fields.<key>`")
    mode: Mode = Field("overwrite", description="overwrite keeps the field true to the golden record; fill_if_blank writes an empty one only")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, given: Any) -> Any:
        """`golden_id: Golden__c` names the field; `golden_id: null` turns it off."""
        return {"name": given} if given is None or isinstance(given, str) else given


class LinkTarget(StrictModel):
    """The fields one system's records carry: the golden id, and the ids of their counterparts in the other systems."""

    enabled: bool = True
    golden_id: LinkField = Field(default_factory=LinkField)
    salesforce: LinkField | None = None
    hubspot: LinkField | None = None
    zendesk: LinkField | None = None

    def fields(self) -> list[tuple[str, LinkField]]:
        """(link, field) for every field written: "golden_id" or the counterpart system; off fields left out."""
        links = [("golden_id", self.golden_id), *((system, getattr(self, system)) for system in SYSTEMS)]
        return [(link, field) for link, field in links if field is not None and field.name and field.mode != "never"]


class LinkTargets(StrictModel):
    """One entity's targets, per system; a subclass names the entity so each field can be checked where it is set."""

    entity: ClassVar[str]
    salesforce: LinkTarget
    hubspot: LinkTarget
    zendesk: LinkTarget

    @field_validator("salesforce", "hubspot", "zendesk")
    @classmethod
    def _fits_the_system(cls, target: LinkTarget, info: ValidationInfo) -> LinkTarget:
        system = str(info.field_name)
        if getattr(target, system) is not None:
            raise ValueError(f"a {system} record carries the ids of its counterparts in the other systems, not its own: remove `{system}:` here")
        custom = "organization_fields." if cls.entity == "companies" else "user_fields."
        for link, field in target.fields():
            name = str(field.name)
            if system == "salesforce" and not name.endswith("__c"):
                raise ValueError(f"{link}: {name!r} is not a custom field; create one (Text, 255) and name it here, e.g. Loophub_Golden_Id__c")
            if system == "zendesk" and not (name.startswith(custom) and len(name) > len(custom)):
                raise ValueError(f"{link}: {name!r} is not a custom field; write it as {custom}<key> (a text field you created)")
        return target


class CompanyLinkTargets(LinkTargets):
    entity: ClassVar[str] = "companies"


class PersonLinkTargets(LinkTargets):
    entity: ClassVar[str] = "people"


class CrossLinksPolicy(StrictModel):
    """Write each record's golden id and its counterparts' ids in the other systems into it."""

    enabled: bool = True
    companies: CompanyLinkTargets
    people: PersonLinkTargets

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, given: Any) -> Any:
        """Lay what the admin wrote over the shipped field names, part by part."""
        if given is None:
            given = {}
        if not isinstance(given, dict):
            return given  # let validation name the problem
        shipped: dict[str, Any] = {
            entity: {system: {link: {"name": name} for link, name in links.items()} for system, links in systems.items()}
            for entity, systems in CROSS_LINK_FIELDS.items()
        }
        return overlay(shipped, given)
