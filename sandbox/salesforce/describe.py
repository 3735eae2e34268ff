"""The discovery documents: versions, resources, the sObject list and each object's describe."""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.schema import FieldDef, ObjectDef, Schema

LATEST_VERSION = 62
OLDEST_VERSION = 31


def versions() -> list[dict[str, str]]:
    """`GET /services/data`: every API version with its release label (v62.0 is Winter '25)."""
    out = []
    for number in range(OLDEST_VERSION, LATEST_VERSION + 1):
        behind = LATEST_VERSION - number
        season, year = [("Winter", 25), ("Summer", 24), ("Spring", 24)][behind % 3]
        label = f"{season} '{year - behind // 3:02d}"
        out.append({"label": label, "url": f"/services/data/v{number}.0", "version": f"{number}.0"})
    return out


def resources(version: str) -> dict[str, str]:
    """`GET /services/data/vXX.X`: the resources this stand-in serves."""
    base = f"/services/data/{version}"
    names = ["composite", "jobs", "limits", "query", "queryAll", "sobjects", "tooling"]
    return {name: f"{base}/{name}" for name in names}


def _urls(version: str, name: str) -> dict[str, str]:
    base = f"/services/data/{version}/sobjects/{name}"
    return {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"}


def sobject_summary(definition: ObjectDef, version: str) -> dict[str, Any]:
    """One entry of `GET /sobjects`."""
    deletable = definition.has_is_deleted
    return {
        "activateable": False,
        "createable": True,
        "custom": False,
        "customSetting": False,
        "deletable": deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isSubtype": False,
        "keyPrefix": definition.key_prefix,
        "label": definition.label,
        "labelPlural": definition.label_plural,
        "layoutable": True,
        "mergeable": definition.name in ("Account", "Contact", "Lead"),
        "mruEnabled": True,
        "name": definition.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": deletable,
        "updateable": True,
        "urls": _urls(version, definition.name),
    }


def sobjects(schema: Schema, version: str) -> dict[str, Any]:
    """`GET /sobjects`."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [sobject_summary(definition, version) for definition in schema.objects.values()],
    }


def describe(definition: ObjectDef, version: str) -> dict[str, Any]:
    """`GET /sobjects/{Obj}/describe`."""
    return {
        **sobject_summary(definition, version),
        "actionOverrides": [],
        "childRelationships": [],
        "compactLayoutable": True,
        "fields": [describe_field(field) for field in definition.fields.values()],
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [],
        "supportedScopes": [{"label": "All " + definition.label_plural.lower(), "name": "everything"}],
    }


def describe_field(field: FieldDef) -> dict[str, Any]:
    """One entry of a describe's `fields`."""
    is_text = field.is_text or field.type in ("id", "reference")
    return {
        "aggregatable": field.type not in ("address", "textarea"),
        "autoNumber": field.name == "CaseNumber",
        "byteLength": field.length * 3 if is_text else 0,
        "calculated": False,
        "caseSensitive": False,
        "compoundFieldName": field.compound_field,
        "createable": field.createable,
        "custom": field.custom,
        "defaultValue": None,
        "defaultedOnCreate": field.defaulted_on_create or field.type == "boolean" or not field.createable,
        "dependentPicklist": False,
        "digits": field.precision if field.type == "int" else 0,
        "externalId": False,
        "filterable": field.filterable,
        "groupable": field.type not in ("address", "textarea", "double", "currency", "percent", "datetime"),
        "idLookup": field.name in ("Id", "Email", "Username", "CaseNumber")
        or (field.name == "Name" and field.type == "string"),
        "label": field.label,
        "length": field.length if is_text else 0,
        "name": field.name,
        "nameField": field.name == "Name",
        "nillable": field.nillable,
        "permissionable": field.nillable and field.createable,
        "picklistValues": [
            {"active": True, "defaultValue": False, "label": value, "validFor": None, "value": value}
            for value in field.picklist
        ],
        "polymorphicForeignKey": False,
        "precision": field.precision if field.type in ("double", "currency", "percent") else 0,
        "referenceTo": list(field.reference_to),
        "relationshipName": field.relationship_name,
        "restrictedPicklist": False,
        "scale": field.scale if field.type in ("double", "currency", "percent") else 0,
        "soapType": field.soap_type,
        "sortable": field.filterable,
        "type": field.type,
        "unique": field.name == "Username",
        "updateable": field.updateable,
    }
