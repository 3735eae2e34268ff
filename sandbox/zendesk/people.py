"""Writes to users and organizations, with Zendesk's validation rules.

Users are unique by email (case-insensitive), organizations by name; both by
external_id. Custom field values are merged by key and keys without a field
definition are dropped silently, as Zendesk does.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.zendesk.collection import Record
from sandbox.zendesk.records import KINDS, normalised
from sandbox.zendesk.store import ZendeskStore
from sandbox.zendesk.wire import FieldErrors, ZendeskError, field_error, not_found, record_invalid

USER_WRITABLE = frozenset(
    {
        "name", "email", "phone", "role", "organization_id", "external_id", "tags", "alias", "details", "notes",
        "suspended", "verified", "time_zone", "iana_time_zone", "locale", "locale_id", "signature",
        "shared_phone_number", "moderator", "ticket_restriction", "only_private_comments", "restricted_agent",
        "default_group_id", "custom_role_id",
    }
)  # fmt: skip
ORGANIZATION_WRITABLE = frozenset(
    {"name", "external_id", "domain_names", "details", "notes", "group_id", "tags", "shared_tickets", "shared_comments"}
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _merge_custom_values(store: ZendeskStore, kind_name: str, record: Record, values: Any) -> None:
    if not isinstance(values, dict):
        return
    kind = KINDS[kind_name]
    assert kind.custom_key is not None
    known = set(store.field_keys(kind))
    merged = dict(record.get(kind.custom_key) or {})
    merged.update({key: value for key, value in values.items() if key in known})
    record[kind.custom_key] = merged


def _external_id_errors(store: ZendeskStore, kind_name: str, record_id: int | None, external_id: Any) -> FieldErrors:
    if external_id is None:
        return {}
    holder = store.by_external_id(kind_name, external_id)
    if holder is not None and holder["id"] != record_id:
        return field_error("external_id", "External: has already been taken", "DuplicateValue")
    return {}


def _user_errors(store: ZendeskStore, user_id: int | None, changes: dict[str, Any], creating: bool) -> FieldErrors:
    errors: FieldErrors = {}
    if (creating or "name" in changes) and not str(changes.get("name") or "").strip():
        errors |= field_error("name", "Name: cannot be blank", "BlankValue")
    email = changes.get("email")
    if email:
        holder = store.user_by_email(email)
        if not _EMAIL.match(str(email)):
            errors |= field_error("email", f"Email: {email} is not properly formatted", "InvalidFormat")
        elif holder is not None and holder["id"] != user_id:
            errors |= field_error("email", f"Email: {email} is already being used by another user", "DuplicateValue")
    organization_id = changes.get("organization_id")
    if organization_id is not None and not _organization_exists(store, organization_id):
        errors |= field_error("organization_id", "Organization: is invalid", "InvalidValue")
    return errors | _external_id_errors(store, "users", user_id, changes.get("external_id"))


def _organization_exists(store: ZendeskStore, organization_id: Any) -> bool:
    organization = store.organizations.get(organization_id) if isinstance(organization_id, int) else None
    return organization is not None and store.is_visible("organizations", organization)


def _resolve_organization_by_name(store: ZendeskStore, changes: dict[str, Any]) -> None:
    """`"organization": {"name": ...}` on a user assigns (creating if needed) that organization."""
    organization = changes.pop("organization", None)
    if not isinstance(organization, dict) or not organization.get("name"):
        return
    existing_id = store.organization_names.get(str(organization["name"]).lower())
    changes["organization_id"] = existing_id or create_organization(store, {"name": organization["name"]})["id"]


def create_user(store: ZendeskStore, data: dict[str, Any]) -> Record:
    """Create a user; 422 RecordInvalid on a blank name, a taken email or external_id."""
    with store.lock:
        changes = dict(data)
        _resolve_organization_by_name(store, changes)
        errors = _user_errors(store, None, changes, creating=True)
        if errors:
            raise record_invalid(errors)
        stamp = store.stamp()
        fields = {key: value for key, value in changes.items() if key in USER_WRITABLE}
        user = normalised(KINDS["users"], fields)
        user.update(id=store.new_id("users"), created_at=stamp.text, user_fields={})
        _merge_custom_values(store, "users", user, changes.get("user_fields"))
        store.save("users", user, stamp)
        store.index_email(user)
        store.index_external_id("users", user)
        return user


def update_user(store: ZendeskStore, user_id: int, data: dict[str, Any]) -> Record:
    """Update a user in place; unknown attributes are ignored."""
    with store.lock:
        user = store.users.get(user_id)
        if user is None:
            raise not_found()
        changes = dict(data)
        _resolve_organization_by_name(store, changes)
        errors = _user_errors(store, user_id, changes, creating=False)
        if errors:
            raise record_invalid(errors)
        old_email, old_external_id = user.get("email"), user.get("external_id")
        user.update({key: value for key, value in changes.items() if key in USER_WRITABLE})
        _merge_custom_values(store, "users", user, changes.get("user_fields"))
        store.save("users", user, store.stamp())
        store.index_email(user, old_email)
        store.index_external_id("users", user, old_external_id)
        return user


def delete_user(store: ZendeskStore, user_id: int) -> Record:
    """Soft-delete: the user stays readable (active false) and in exports; its email is freed."""
    with store.lock:
        user = store.users.get(user_id)
        if user is None or not user.get("active", True):
            raise not_found()
        user["active"] = False
        store.emails.pop((user.get("email") or "").lower(), None)
        store.external_ids["users"].pop(str(user.get("external_id")), None)
        store.save("users", user, store.stamp())
        return user


def match_user(store: ZendeskStore, data: dict[str, Any]) -> Record | None:
    """The existing user a create-or-update names: by email, then by external_id."""
    return store.user_by_email(data.get("email")) or store.by_external_id("users", data.get("external_id"))


def create_or_update_user(store: ZendeskStore, data: dict[str, Any]) -> tuple[Record, bool]:
    existing = match_user(store, data)
    if existing is None:
        return create_user(store, data), True
    return update_user(store, existing["id"], data), False


def _organization_errors(
    store: ZendeskStore, organization_id: int | None, changes: dict[str, Any], creating: bool
) -> FieldErrors:
    errors: FieldErrors = {}
    name = changes.get("name")
    if (creating or "name" in changes) and not str(name or "").strip():
        errors |= field_error("name", "Name: cannot be blank", "BlankValue")
    elif name:
        holder = store.organization_names.get(str(name).lower())
        if holder is not None and holder != organization_id:
            errors |= field_error("name", "Name: has already been taken", "DuplicateValue")
    if "domain_names" in changes and not isinstance(changes["domain_names"], list):
        errors |= field_error("domain_names", "Domain names: must be a list", "InvalidValue")
    return errors | _external_id_errors(store, "organizations", organization_id, changes.get("external_id"))


def create_organization(store: ZendeskStore, data: dict[str, Any]) -> Record:
    """Create an organization; 422 on a blank or taken name or a taken external_id."""
    with store.lock:
        errors = _organization_errors(store, None, data, creating=True)
        if errors:
            raise record_invalid(errors)
        stamp = store.stamp()
        fields = {key: value for key, value in data.items() if key in ORGANIZATION_WRITABLE}
        organization = normalised(KINDS["organizations"], fields)
        organization.update(id=store.new_id("organizations"), created_at=stamp.text, organization_fields={})
        _merge_custom_values(store, "organizations", organization, data.get("organization_fields"))
        store.save("organizations", organization, stamp)
        store.index_external_id("organizations", organization)
        store.index_organization_name(organization)
        return organization


def update_organization(store: ZendeskStore, organization_id: int, data: dict[str, Any]) -> Record:
    with store.lock:
        organization = store.organizations.get(organization_id)
        if organization is None or organization.get("deleted_at") is not None:
            raise not_found()
        errors = _organization_errors(store, organization_id, data, creating=False)
        if errors:
            raise record_invalid(errors)
        old_name, old_external_id = organization.get("name"), organization.get("external_id")
        organization.update({key: value for key, value in data.items() if key in ORGANIZATION_WRITABLE})
        _merge_custom_values(store, "organizations", organization, data.get("organization_fields"))
        store.save("organizations", organization, store.stamp())
        store.index_organization_name(organization, old_name)
        store.index_external_id("organizations", organization, old_external_id)
        return organization


def delete_organization(store: ZendeskStore, organization_id: int) -> Record:
    """Gone from the API (404) but still in the organizations export, with `deleted_at` set."""
    with store.lock:
        organization = store.organizations.get(organization_id)
        if organization is None or organization.get("deleted_at") is not None:
            raise not_found()
        stamp = store.stamp()
        organization["deleted_at"] = stamp.text
        store.organization_names.pop((organization.get("name") or "").lower(), None)
        store.external_ids["organizations"].pop(str(organization.get("external_id")), None)
        store.save("organizations", organization, stamp)
        return organization


def create_or_update_organization(store: ZendeskStore, data: dict[str, Any]) -> tuple[Record, bool]:
    """Match by id, then external_id; otherwise create."""
    existing = store.organizations.get(data["id"]) if isinstance(data.get("id"), int) else None
    existing = existing or store.by_external_id("organizations", data.get("external_id"))
    if existing is None:
        return create_organization(store, data), True
    return update_organization(store, existing["id"], data), False


def raise_if_not_object(value: Any, key: str) -> dict[str, Any]:
    """The body's `{"user": {...}}` object, or 400 like Zendesk answers a malformed body."""
    if not isinstance(value, dict):
        raise ZendeskError(400, {"error": "InvalidValue", "description": f"Parameter {key} is required"})
    return value
