"""JSON schemas of the streams: Zendesk's documented attributes, plus the account's custom fields.

Custom field definitions (`/user_fields`, `/organization_fields`,
`/ticket_fields`) are read at discover time, so a field an admin adds shows
up in the catalog with its type and title. Schemas stay open
(`additionalProperties`): Zendesk adds attributes without notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.common import DELETED_AT_FIELD
from connectors.zendesk.endpoints import Endpoint, Json

ID = {"type": "integer"}
REF = {"type": ["null", "integer"]}
TEXT = {"type": ["null", "string"]}
FLAG = {"type": ["null", "boolean"]}
COUNT = {"type": ["null", "integer"]}
INSTANT = {"type": ["null", "string"], "format": "date-time"}
TAGS = {"type": ["null", "array"], "items": {"type": "string"}}
OBJECT = {"type": ["null", "object"], "additionalProperties": True}
MINUTES = {"type": ["null", "object"], "properties": {"calendar": COUNT, "business": COUNT}}

BASE: dict[str, dict[str, Any]] = {
    "users": {
        "id": ID, "name": TEXT, "email": TEXT, "phone": TEXT, "role": TEXT, "organization_id": REF, "external_id": TEXT,
        "tags": TAGS, "active": FLAG, "verified": FLAG, "suspended": FLAG, "time_zone": TEXT, "locale": TEXT,
        "details": TEXT, "notes": TEXT, "created_at": INSTANT, "updated_at": INSTANT, "user_fields": OBJECT,
    },
    "organizations": {
        "id": ID, "name": TEXT, "domain_names": TAGS, "external_id": TEXT, "details": TEXT, "notes": TEXT,
        "group_id": REF, "tags": TAGS, "created_at": INSTANT, "updated_at": INSTANT, "deleted_at": INSTANT,
        "organization_fields": OBJECT,
    },
    "tickets": {
        "id": ID, "external_id": TEXT, "subject": TEXT, "description": TEXT, "status": TEXT, "priority": TEXT,
        "type": TEXT, "requester_id": REF, "submitter_id": REF, "assignee_id": REF, "organization_id": REF,
        "group_id": REF, "tags": TAGS, "via": OBJECT, "created_at": INSTANT, "updated_at": INSTANT,
        "generated_timestamp": {"type": "integer", "description": "epoch second of the ticket's latest change (export order)"},
        "custom_fields": {"type": ["null", "array"], "items": {"type": "object", "properties": {"id": ID, "value": {}}}},
    },
    "ticket_comments": {
        "id": ID, "ticket_id": ID, "audit_id": REF, "author_id": REF, "body": TEXT, "html_body": TEXT,
        "plain_body": TEXT, "public": FLAG, "attachments": {"type": ["null", "array"]}, "via": {}, "created_at": INSTANT,
    },
    "satisfaction_ratings": {
        "id": ID, "ticket_id": REF, "requester_id": REF, "assignee_id": REF, "group_id": REF, "score": TEXT,
        "comment": TEXT, "reason": TEXT, "created_at": INSTANT, "updated_at": INSTANT,
    },
    "ticket_metrics": {
        "id": ID, "ticket_id": REF, "replies": COUNT, "reopens": COUNT, "solved_at": INSTANT,
        "reply_time_in_minutes": MINUTES, "first_resolution_time_in_minutes": MINUTES,
        "full_resolution_time_in_minutes": MINUTES, "created_at": INSTANT, "updated_at": INSTANT,
    },
}  # fmt: skip

# Zendesk custom field types -> JSON schema.
FIELD_TYPES: dict[str, dict[str, Any]] = {
    "checkbox": FLAG,
    "integer": COUNT,
    "decimal": {"type": ["null", "number"]},
    "date": {"type": ["null", "string"], "format": "date"},
    "multiselect": TAGS,
    "lookup": REF,
}


def field_schema(definition: Json) -> dict[str, Any]:
    """One custom field's schema, titled as the admin named it."""
    schema = dict(FIELD_TYPES.get(str(definition.get("type")), TEXT))
    schema["title"] = definition.get("title") or definition.get("key")
    schema["x-zendesk-type"] = definition.get("type")
    return schema


def stream_schema(endpoint: Endpoint, definitions: Iterable[Json] = ()) -> dict[str, Any]:
    """The schema of `endpoint`'s records, with the account's custom fields under their key."""
    properties = dict(BASE[endpoint.name])
    if endpoint.custom_fields:
        fields = {d["key"]: field_schema(d) for d in definitions if d.get("key")}
        properties[endpoint.custom_fields] = {"type": ["null", "object"], "additionalProperties": True, "properties": fields}
    elif endpoint.name == "tickets":
        titles = "; ".join(f"{d.get('id')}: {d.get('title')}" for d in definitions if d.get("id") is not None)
        if titles:
            properties["custom_fields"] = {**properties["custom_fields"], "description": f"ticket fields by id: {titles}"}
    if endpoint.deleted_at is not None:
        properties[DELETED_AT_FIELD] = {**INSTANT, "description": "set when the record was deleted in Zendesk"}
    return {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": True, "properties": properties}


def definitions_path(endpoint: Endpoint) -> str | None:
    """Where the custom field definitions a stream's schema needs are listed."""
    if endpoint.custom_fields:
        return f"{endpoint.custom_fields}.json"
    return "ticket_fields.json" if endpoint.name == "tickets" else None
