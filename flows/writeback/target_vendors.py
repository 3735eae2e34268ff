"""How each vendor defines a write-back target field: finding it, judging its type, creating it.

One class per vendor with the same three calls — `inspect`, `definition`,
`create` — over the connector's own client, so credentials, retries and the
user's error messages are the connectors'. A kind becomes these types
(created / also accepted when an admin made the field already):

| kind     | Salesforce                                 | HubSpot                          | Zendesk              |
|----------|--------------------------------------------|----------------------------------|----------------------|
| count    | Number(18, 0) / any number                 | number                           | integer / decimal    |
| number   | Number(16, 1) / a number with decimals     | number                           | decimal              |
| datetime | DateTime                                   | datetime (fieldType date)        | text, ISO 8601 UTC   |
| date     | Date                                       | date                             | date                 |
| text     | Text(255) / text area, email, phone, url…  | string                           | text / textarea      |
| boolean  | Checkbox, unchecked by default             | bool (booleancheckbox)           | checkbox             |

Zendesk has no date-time field type: an instant goes into a text field as
`2024-05-01T12:00:00.000Z` (what the planner writes), which sorts and reads
as written; a date field would drop the time. A `unique` field (an
idempotency key) is a Salesforce External ID + Unique text field and a
HubSpot property with unique values; Zendesk custom fields cannot be unique
(its records carry their key in `external_id`). A unique field found without
uniqueness is reported but accepted: the writers then look keys up before
creating, which works, only without the vendor's guarantee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from connectors.common import Classification, ConnectorError
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.endpoints import CRM_BY_NAME
from connectors.hubspot.spec import parse_config as parse_hubspot
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.spec import parse_config as parse_salesforce
from connectors.zendesk.client import ZendeskClient
from connectors.zendesk.spec import parse_config as parse_zendesk
from flows.writeback.plan import Kind, TargetField

Json = dict[str, Any]
Found = Literal["present", "missing", "wrong_type"]
HOLDS: dict[Kind, str] = {
    "count": "whole numbers", "number": "numbers with one decimal", "datetime": "instants (date and time)",
    "date": "dates", "text": "text", "boolean": "true/false flags",
}  # fmt: skip
SALESFORCE_METADATA: dict[Kind, Json] = {
    "count": {"type": "Number", "precision": 18, "scale": 0}, "number": {"type": "Number", "precision": 16, "scale": 1},
    "datetime": {"type": "DateTime"}, "date": {"type": "Date"}, "text": {"type": "Text", "length": 255},
    "boolean": {"type": "Checkbox", "defaultValue": "false"},
}  # fmt: skip
SALESFORCE_ACCEPTS: dict[Kind, frozenset[str]] = {
    "count": frozenset({"double", "int", "long", "currency", "percent"}), "number": frozenset({"double", "currency", "percent"}),
    "datetime": frozenset({"datetime"}), "date": frozenset({"date"}), "boolean": frozenset({"boolean"}),
    "text": frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox"}),
}  # fmt: skip
HUBSPOT_TYPES: dict[Kind, tuple[str, str]] = {
    "count": ("number", "number"), "number": ("number", "number"), "datetime": ("datetime", "date"),
    "date": ("date", "date"), "text": ("string", "text"), "boolean": ("bool", "booleancheckbox"),
}  # fmt: skip
HUBSPOT_BOOLEAN_OPTIONS = [{"label": "Yes", "value": "true", "displayOrder": 0}, {"label": "No", "value": "false", "displayOrder": 1}]
ZENDESK_TYPES: dict[Kind, str] = {"count": "integer", "number": "decimal", "datetime": "text", "date": "date", "text": "text", "boolean": "checkbox"}
ZENDESK_ACCEPTS: dict[Kind, frozenset[str]] = {
    "count": frozenset({"integer", "decimal"}), "number": frozenset({"decimal"}), "datetime": frozenset({"text", "textarea"}),
    "date": frozenset({"date"}), "text": frozenset({"text", "textarea"}), "boolean": frozenset({"checkbox"}),
}  # fmt: skip
# Custom field group as named in a target → the list endpoint of its definitions.
ZENDESK_GROUPS = {"organization_fields": "organization_fields", "user_fields": "user_fields", "custom_fields": "ticket_fields"}
HUBSPOT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SALESFORCE_LABEL_MAX = 40


@dataclass(frozen=True, slots=True)
class Finding:
    """What the vendor holds under a target field's name, in words an admin can act on."""

    state: Found
    detail: str


class NotCreatable(Exception):
    """A missing field loophub cannot create (a standard field, a ticket field, a name the vendor refuses)."""


class VendorTargets(Protocol):
    def inspect(self, field: TargetField) -> Finding: ...
    def definition(self, field: TargetField) -> Json: ...
    def create(self, field: TargetField) -> str: ...


def vendor_targets(system: str, config: Json) -> VendorTargets:
    """The vendor's target-field calls for one connection's connector config."""
    if system == "salesforce":
        return SalesforceTargets(config)
    if system == "hubspot":
        return HubSpotTargets(config)
    if system == "zendesk":
        return ZendeskTargets(config)
    raise ValueError(f"loophub has no connector for {system!r}")


def _judged(field: TargetField, shape: str, fits: bool, expected: str, unique: bool | None = None) -> Finding:
    if not fits:
        return Finding("wrong_type", f"exists as {shape}, which cannot hold {HOLDS[field.kind]}: expected {expected}")
    if field.unique and unique is False:
        return Finding("present", f"{shape}, but not unique: a retried create could not rely on the vendor to refuse a duplicate")
    return Finding("present", shape)


class SalesforceTargets:
    """Fields from each object's describe; custom fields created through the Tooling API."""

    def __init__(self, config: Json) -> None:
        self.client = SalesforceClient(parse_salesforce(config))

    def inspect(self, field: TargetField) -> Finding:
        described = {entry["name"].lower(): entry for entry in self.client.describe(field.object)["fields"]}
        found = described.get(field.name.lower())
        if found is None:
            return Finding("missing", f"not on {field.object}" + ("" if field.name.endswith("__c") else " (a standard field)"))
        shape = _salesforce_shape(found)
        if not found.get("updateable", True):
            return Finding("wrong_type", f"{shape} is read-only (a formula or system field): loophub cannot write it")
        fits = found["type"] in SALESFORCE_ACCEPTS[field.kind] and (field.kind != "number" or int(found.get("scale") or 0) >= 1)
        unique = bool(found.get("externalId") or found.get("unique"))
        return _judged(field, shape, fits, salesforce_type_text(SALESFORCE_METADATA[field.kind]), unique)

    def definition(self, field: TargetField) -> Json:
        """The Tooling API body's `Metadata`, with the object and API name an admin needs in Setup."""
        if not field.name.endswith("__c"):
            raise NotCreatable(f"{field.object}.{field.name} is not a custom field (…__c): a standard field cannot be created; check the name in loophub.yaml")
        metadata: Json = {"label": field.label[:SALESFORCE_LABEL_MAX], "description": f"Written by loophub ({field.policy}).", **SALESFORCE_METADATA[field.kind]}
        if field.unique:
            metadata |= {"externalId": True, "unique": True, "caseSensitive": False}
        return {"object": field.object, "api_name": field.name, "metadata": metadata}

    def create(self, field: TargetField) -> str:
        definition = self.definition(field)
        body = {"FullName": f"{field.object}.{field.name}", "Metadata": definition["metadata"]}
        # Not retried as is: a create lost in flight may have happened; the next apply sees the field.
        answer = self.client.call(lambda sf: sf.toolingexecute("sobjects/CustomField", method="POST", data=body), retry=False)
        return f"{salesforce_type_text(definition)} created through the Tooling API (id {answer.get('id')})"


def salesforce_type_text(definition: Json) -> str:
    """`Number(18, 0)`, `Text(255), External ID, Unique`: a field's type as Setup names it."""
    metadata = definition.get("metadata", definition)
    kind = str(metadata["type"])
    if kind == "Number":
        kind = f"Number({metadata['precision']}, {metadata['scale']})"
    elif kind == "Text":
        kind = f"Text({metadata['length']})"
    elif kind == "Checkbox":
        kind = "Checkbox (unchecked by default)"
    flags = [name for name, key in (("External ID", "externalId"), ("Unique", "unique")) if metadata.get(key)]
    return ", ".join([kind, *flags])


def _salesforce_shape(found: Json) -> str:
    kind = found["type"]
    if kind in ("double", "currency", "percent"):
        return f"{kind} ({found.get('precision')}, {found.get('scale')})"
    if kind in ("string", "textarea"):
        return f"{kind} ({found.get('length')})"
    return str(kind)


def tooling_refused(error: ConnectorError) -> bool:
    """Whether the org said no to the Tooling API itself (permissions, API off) rather than to one field."""
    status = getattr(error.__cause__, "status", None)
    return status in (403, 404) and not error.verdict.budget_exhausted and error.classification is not Classification.RETRIABLE


class HubSpotTargets:
    """Properties from `GET /crm/v3/properties/{object}`; created with `POST` to the same path."""

    def __init__(self, config: Json) -> None:
        self.client = HubSpotClient(parse_hubspot(config))
        self._listed: dict[str, dict[str, Json]] = {}

    def inspect(self, field: TargetField) -> Finding:
        if field.object not in self._listed:
            self._listed[field.object] = {entry["name"]: entry for entry in self.client.properties(field.object)}
        found = self._listed[field.object].get(field.name)
        if found is None:
            return Finding("missing", f"no {field.object} property of that name")
        shape = f"{found.get('type')} ({found.get('fieldType')})"
        if (found.get("modificationMetadata") or {}).get("readOnlyValue") or found.get("calculated"):
            return Finding("wrong_type", f"{shape} is read-only (HubSpot calculates it): loophub cannot write it")
        wanted_type, field_type = HUBSPOT_TYPES[field.kind]
        fits = found.get("type") == wanted_type or (field.kind == "boolean" and found.get("fieldType") == "booleancheckbox")
        return _judged(field, shape, fits, f"{wanted_type} ({field_type})", bool(found.get("hasUniqueValue")))

    def definition(self, field: TargetField) -> Json:
        """The `POST /crm/v3/properties/{object}` body."""
        if field.object not in CRM_BY_NAME:
            raise NotCreatable(f"HubSpot object {field.object!r} is not one loophub writes into")
        if not HUBSPOT_NAME.match(field.name):
            raise NotCreatable(f"{field.name!r} is not a HubSpot property name (lower-case letters, digits and _): rename it in loophub.yaml")
        kind, field_type = HUBSPOT_TYPES[field.kind]
        body: Json = {
            "name": field.name, "label": field.label, "type": kind, "fieldType": field_type,
            "groupName": CRM_BY_NAME[field.object].property_group, "description": f"Written by loophub ({field.policy}).",
        }  # fmt: skip
        if field.kind == "boolean":
            body["options"] = HUBSPOT_BOOLEAN_OPTIONS  # HubSpot wants a checkbox's two values spelled out
        if field.unique:
            body["hasUniqueValue"] = True
        return body

    def create(self, field: TargetField) -> str:
        body = self.definition(field)
        self.client.create_property(field.object, body)
        return f"{body['type']} ({body['fieldType']}) property created" + (", unique values" if field.unique else "")


class ZendeskTargets:
    """User and organization fields from their lists; created with `POST /api/v2/{group}.json`."""

    def __init__(self, config: Json) -> None:
        self.client = ZendeskClient(parse_zendesk(config))
        self._listed: dict[str, list[Json]] = {}

    def inspect(self, field: TargetField) -> Finding:
        group, _, key = field.name.partition(".")
        if not key:
            return Finding("present", "a standard Zendesk attribute")
        if group not in ZENDESK_GROUPS:
            return Finding("wrong_type", f"{group!r} is not a Zendesk custom field group: use {', '.join(ZENDESK_GROUPS)}")
        matches = [entry for entry in self._definitions(group) if str(entry.get("id" if group == "custom_fields" else "key")) == key]
        if not matches:
            return Finding("missing", f"no {ZENDESK_GROUPS[group].replace('_', ' ')[:-1]} {key!r}")
        found = matches[0]
        if found.get("active") is False:
            return Finding("wrong_type", f"{found.get('type')} field is inactive: activate it in Admin Center")
        return _judged(field, str(found.get("type")), found.get("type") in ZENDESK_ACCEPTS[field.kind], ZENDESK_TYPES[field.kind])

    def _definitions(self, group: str) -> list[Json]:
        """Every definition of a field list (offset pages of 100; an account rarely needs a second)."""
        if group not in self._listed:
            path = ZENDESK_GROUPS[group]
            body = self.client.get(f"{path}.json", {"per_page": 100})
            found, seen = list(body.get(path) or []), set()
            while (following := body.get("next_page")) and following not in seen:
                seen.add(following)
                body = self.client.get_url(following)
                found += body.get(path) or []
            self._listed[group] = found
        return self._listed[group]

    def definition(self, field: TargetField) -> Json:
        """The `{"organization_field": {...}}` (or `user_field`) body."""
        group, _, key = field.name.partition(".")
        if group == "custom_fields":
            raise NotCreatable("Zendesk numbers ticket fields itself: create the ticket field in Admin Center, then name custom_fields.<its id> in loophub.yaml")
        if group not in ("organization_fields", "user_fields") or not key:
            raise NotCreatable(f"{field.name!r} is not a Zendesk custom field (organization_fields.<key> or user_fields.<key>)")
        item = {"type": ZENDESK_TYPES[field.kind], "key": key, "title": field.label, "description": f"Written by loophub ({field.policy})."}
        return {group[:-1]: item}

    def create(self, field: TargetField) -> str:
        body = self.definition(field)
        group = field.name.partition(".")[0]
        created = self.client.send("POST", f"{group}.json", body).get(group[:-1]) or {}
        unique = " (Zendesk custom fields cannot be unique)" if field.unique else ""
        return f"{created.get('type', ZENDESK_TYPES[field.kind])} field created (id {created.get('id')}){unique}"
