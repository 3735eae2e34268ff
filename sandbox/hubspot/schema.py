"""Property definitions per object type, as data, and the per-type registry custom properties join.

Covers the seed field catalogue of sandbox/README.md plus the properties
HubSpot maintains itself (`hs_object_id`, `createdate`, the modified date,
`hs_merged_object_ids`). The same definitions drive validation of writes,
the type-aware comparisons of search, and the v3 and legacy v2 property
endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.errors import HubSpotError, validation_error
from sandbox.hubspot.object_types import OBJECT_TYPES, ObjectType
from sandbox.hubspot.pipelines import pipeline_options, stage_options
from sandbox.hubspot.values import iso_ms

PROPERTY_TYPES = ("string", "number", "date", "datetime", "enumeration", "bool")
FIELD_TYPES = (
    "textarea", "text", "date", "file", "number", "select", "radio", "checkbox",
    "booleancheckbox", "calculation_equation", "phonenumber", "html",
)  # fmt: skip
# Standard properties predate every record of the portal.
STANDARD_CREATED = datetime(2015, 1, 1, tzinfo=UTC)
_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class PropertyDef:
    """One property of one object type, in HubSpot's terms."""

    name: str
    label: str
    type: str  # string | number | date | datetime | enumeration | bool
    field_type: str
    group_name: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    hubspot_defined: bool = True
    calculated: bool = False
    read_only: bool = False  # HubSpot maintains the value; writes are refused
    has_unique_value: bool = False
    check_options: bool = True  # owner ids and the like are not listed as options
    description: str = ""
    display_order: int = -1
    created_at: datetime = STANDARD_CREATED

    @property
    def numeric(self) -> bool:
        """Search compares these as numbers (dates as epoch milliseconds)."""
        return self.type in {"number", "datetime", "date"}


def _text(name: str, label: str, group: str, field_type: str = "text", **kwargs: Any) -> PropertyDef:
    return PropertyDef(name, label, "string", field_type, group, **kwargs)


def _number(name: str, label: str, group: str, **kwargs: Any) -> PropertyDef:
    return PropertyDef(name, label, "number", "number", group, **kwargs)


def _datetime(name: str, label: str, group: str, **kwargs: Any) -> PropertyDef:
    return PropertyDef(name, label, "datetime", "date", group, **kwargs)


def _enum(name: str, label: str, group: str, options: Iterable[tuple[str, str]], field_type: str = "select", **kwargs: Any) -> PropertyDef:
    return PropertyDef(name, label, "enumeration", field_type, group, tuple(options), **kwargs)


def _labelled(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ").title()) for value in values)


LIFECYCLE_STAGES = (
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
)
LEAD_STATUSES = _labelled(
    "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"
)


def _system(group: str, modified_property: str) -> list[PropertyDef]:
    """What HubSpot maintains on every object type."""
    return [
        _number("hs_object_id", "Record ID", group, read_only=True),
        _datetime("createdate", "Create Date", group),
        _datetime(modified_property, "Last Modified Date", group, read_only=True),
        _enum("hs_merged_object_ids", "Merged Record IDs", group, (), "checkbox", read_only=True, check_options=False),
    ]


def _owner(group: str, label: str) -> PropertyDef:
    return _enum("hubspot_owner_id", label, group, (), check_options=False)


def _contacts() -> list[PropertyDef]:
    group = "contactinformation"
    return [
        _text("email", "Email", group),
        _text("firstname", "First Name", group),
        _text("lastname", "Last Name", group),
        _text("phone", "Phone Number", group, "phonenumber"),
        _text("mobilephone", "Mobile Phone Number", group, "phonenumber"),
        _text("company", "Company Name", group),
        _text("jobtitle", "Job Title", group),
        _text("website", "Website URL", group),
        _text("city", "City", group),
        _text("country", "Country/Region", group),
        _enum("lifecyclestage", "Lifecycle Stage", group, LIFECYCLE_STAGES, "radio"),
        _enum("hs_lead_status", "Lead Status", group, LEAD_STATUSES, "radio"),
        _owner(group, "Contact owner"),
        _text("salesforcecontactid", "Salesforce Contact ID", "salesforceinformation"),
        _text("hs_additional_emails", "Additional email addresses", group, "textarea", read_only=True),
        *_system(group, "lastmodifieddate"),
    ]


def _companies() -> list[PropertyDef]:
    group = "companyinformation"
    return [
        _text("name", "Company name", group),
        _text("domain", "Company Domain Name", group),
        _text("website", "Website URL", group),
        _text("phone", "Phone Number", group, "phonenumber"),
        # HubSpot's industry is an enumeration of ~150 codes; the seed writes free text, so it stays a string here.
        _text("industry", "Industry", group),
        _text("city", "City", group),
        _text("country", "Country/Region", group),
        _number("numberofemployees", "Number of Employees", group),
        _number("annualrevenue", "Annual Revenue", group),
        _enum("lifecyclestage", "Lifecycle Stage", group, LIFECYCLE_STAGES, "radio"),
        _enum("type", "Type", group, _labelled("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")),
        _owner(group, "Company owner"),
        _text("salesforceaccountid", "Salesforce Account ID", "salesforceinformation"),
        *_system(group, "hs_lastmodifieddate"),
    ]


def _deals() -> list[PropertyDef]:
    group = "dealinformation"
    return [
        _text("dealname", "Deal Name", group),
        _number("amount", "Amount", group),
        _enum("dealstage", "Deal Stage", group, stage_options("deals"), "radio"),
        _enum("pipeline", "Pipeline", group, pipeline_options("deals")),
        _datetime("closedate", "Close Date", group),
        _enum("dealtype", "Deal Type", group, (("newbusiness", "New Business"), ("existingbusiness", "Existing Business")), "radio"),
        _owner(group, "Deal owner"),
        *_system(group, "hs_lastmodifieddate"),
    ]


def _tickets() -> list[PropertyDef]:
    group = "ticketinformation"
    return [
        _text("subject", "Ticket name", group),
        _text("content", "Ticket description", group, "textarea"),
        _enum("hs_pipeline", "Pipeline", group, pipeline_options("tickets")),
        _enum("hs_pipeline_stage", "Ticket status", group, stage_options("tickets")),
        _enum("hs_ticket_priority", "Priority", group, _labelled("LOW", "MEDIUM", "HIGH", "URGENT")),
        _enum(
            "hs_ticket_category",
            "Category",
            group,
            _labelled("PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"),
            "checkbox",
        ),
        _enum("source_type", "Source", group, _labelled("EMAIL", "CHAT", "PHONE", "FORM")),
        _owner(group, "Ticket owner"),
        _datetime("closed_date", "Close date", group),
        *_system(group, "hs_lastmodifieddate"),
    ]


_STANDARD = {"contacts": _contacts, "companies": _companies, "deals": _deals, "tickets": _tickets}


def standard_properties(object_type: ObjectType) -> list[PropertyDef]:
    """HubSpot's own properties of a type (the system trio alone for the unseeded types)."""
    build = _STANDARD.get(object_type.name)
    definitions = build() if build else _system(f"{object_type.singular}information", object_type.modified_property)
    return [replace(definition, display_order=order) for order, definition in enumerate(definitions)]


class PropertyRegistry:
    """The properties of one object type: HubSpot's plus custom ones created at run time."""

    def __init__(self, object_type: ObjectType) -> None:
        self.object_type = object_type
        self._definitions = {definition.name: definition for definition in standard_properties(object_type)}
        self.version = 0  # bumped on every change, so search caches notice

    def get(self, name: str) -> PropertyDef | None:
        return self._definitions.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._definitions

    def all(self) -> list[PropertyDef]:
        return list(self._definitions.values())

    def unique_properties(self) -> list[str]:
        """Properties whose values identify one record (idProperty candidates), besides hs_object_id."""
        names = [definition.name for definition in self._definitions.values() if definition.has_unique_value]
        return ["email", *names] if self.object_type.name == "contacts" else names

    def add(self, definition: PropertyDef) -> PropertyDef:
        """Add a custom property; HubSpot's 409 if the name is taken."""
        if definition.name in self._definitions:
            raise HubSpotError(409, "OBJECT_ALREADY_EXISTS", f"Property named '{definition.name}' already exists.")
        added = replace(definition, display_order=len(self._definitions))
        self._definitions[definition.name] = added
        self.version += 1
        return added


def registries() -> dict[str, PropertyRegistry]:
    """A fresh registry for every known object type."""
    return {name: PropertyRegistry(object_type) for name, object_type in OBJECT_TYPES.items()}


def custom_property(body: object, created_at: datetime) -> PropertyDef:
    """A custom property from a `POST /crm/v3/properties/{type}` body, with every problem reported at once."""
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: expected an object")
    problems = [f"{field} is required" for field in ("name", "label", "type", "fieldType", "groupName") if not body.get(field)]
    name = str(body.get("name") or "")
    if name and not _NAME_PATTERN.match(name):
        problems.append(f"name '{name}' must start with a lowercase letter and hold only lowercase letters, digits and _")
    if body.get("type") and body["type"] not in PROPERTY_TYPES:
        problems.append(f"type '{body['type']}' is not one of {', '.join(PROPERTY_TYPES)}")
    if body.get("fieldType") and body["fieldType"] not in FIELD_TYPES:
        problems.append(f"fieldType '{body['fieldType']}' is not one of {', '.join(FIELD_TYPES)}")
    options = body.get("options") or []
    if body.get("type") == "enumeration" and not isinstance(options, list):
        problems.append("options must be a list")
    if problems:
        raise validation_error("Property definition is not valid: " + "; ".join(problems))
    return PropertyDef(
        name=name,
        label=str(body["label"]),
        type=str(body["type"]),
        field_type=str(body["fieldType"]),
        group_name=str(body["groupName"]),
        options=tuple((str(option.get("value")), str(option.get("label", option.get("value")))) for option in options),
        hubspot_defined=False,
        has_unique_value=bool(body.get("hasUniqueValue", False)),
        description=str(body.get("description") or ""),
        created_at=created_at,
    )


def property_json(definition: PropertyDef) -> dict[str, Any]:
    """A property as `GET /crm/v3/properties/{type}` answers it."""
    stamp = iso_ms(definition.created_at)
    body: dict[str, Any] = {
        "updatedAt": stamp,
        "createdAt": stamp,
        "name": definition.name,
        "label": definition.label,
        "type": definition.type,
        "fieldType": definition.field_type,
        "description": definition.description,
        "groupName": definition.group_name,
        "options": _options_json(definition),
        "displayOrder": definition.display_order,
        "calculated": definition.calculated,
        "externalOptions": definition.name == "hubspot_owner_id",
        "hasUniqueValue": definition.has_unique_value,
        "hidden": False,
        "hubspotDefined": definition.hubspot_defined,
        "modificationMetadata": {
            "archivable": not definition.hubspot_defined,
            "readOnlyDefinition": definition.hubspot_defined,
            "readOnlyValue": definition.read_only,
        },
        "formField": not definition.read_only,
        "archived": False,
    }
    if definition.name == "annualrevenue" or definition.name == "amount":
        body["showCurrencySymbol"] = True
    return body


def property_v2_json(definition: PropertyDef, object_type: ObjectType) -> dict[str, Any]:
    """A property as the legacy `GET /properties/v2/{type}/properties` lists it."""
    epoch_ms = int(definition.created_at.timestamp() * 1000)
    return {
        "name": definition.name,
        "label": definition.label,
        "description": definition.description,
        "groupName": definition.group_name,
        "type": definition.type,
        "fieldType": definition.field_type,
        "options": _options_json(definition),
        "displayOrder": definition.display_order,
        "calculated": definition.calculated,
        "externalOptions": definition.name == "hubspot_owner_id",
        "hasUniqueValue": definition.has_unique_value,
        "hidden": False,
        "hubspotDefined": definition.hubspot_defined,
        "readOnlyValue": definition.read_only,
        "readOnlyDefinition": definition.hubspot_defined,
        "mutableDefinitionNotDeletable": definition.hubspot_defined,
        "formField": not definition.read_only,
        "deleted": False,
        "createdAt": epoch_ms,
        "updatedAt": epoch_ms,
        "objectType": object_type.singular.upper(),
    }


def _options_json(definition: PropertyDef) -> list[dict[str, Any]]:
    return [
        {"label": label, "value": value, "displayOrder": order, "hidden": False}
        for order, (value, label) in enumerate(definition.options)
    ]
