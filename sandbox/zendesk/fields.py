"""Custom field definitions for users and organizations (`/user_fields`, `/organization_fields`)."""

from __future__ import annotations

import re
from typing import Any

from sandbox.zendesk.collection import Record
from sandbox.zendesk.records import KINDS, normalised
from sandbox.zendesk.store import ZendeskStore
from sandbox.zendesk.wire import FieldErrors, field_error, record_invalid

FIELD_TYPES = frozenset(
    {"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "dropdown", "lookup", "multiselect"}
)
FIELD_WRITABLE = frozenset(
    {"key", "type", "title", "description", "position", "active", "regexp_for_validation", "custom_field_options", "tag"}
)
_KEY = re.compile(r"^[A-Za-z0-9_]+$")


def _field_errors(store: ZendeskStore, kind_name: str, data: dict[str, Any]) -> FieldErrors:
    errors: FieldErrors = {}
    key = data.get("key")
    if not key:
        errors |= field_error("key", "Key: cannot be blank", "BlankValue")
    elif not _KEY.match(str(key)):
        errors |= field_error("key", "Key: is invalid", "InvalidValue")
    elif any(field.get("key") == key for field in store[kind_name].records.values()):
        errors |= field_error("key", f"Key: {key} has already been taken", "DuplicateValue")
    if not data.get("title"):
        errors |= field_error("title", "Title: cannot be blank", "BlankValue")
    if data.get("type") not in FIELD_TYPES:
        errors |= field_error("type", f"Type: {data.get('type')} is not valid", "InvalidValue")
    return errors


def create_field(store: ZendeskStore, kind_name: str, data: dict[str, Any]) -> Record:
    """Define a custom user or organization field; 422 when the key is blank, malformed or taken."""
    with store.lock:
        errors = _field_errors(store, kind_name, data)
        if errors:
            raise record_invalid(errors)
        stamp = store.stamp()
        field = normalised(KINDS[kind_name], {key: value for key, value in data.items() if key in FIELD_WRITABLE})
        field.update(id=store.new_id(kind_name), created_at=stamp.text, position=len(store[kind_name]))
        store.save(kind_name, field, stamp)
        return field
