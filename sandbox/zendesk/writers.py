"""The write operations of users, organizations and tickets behind one interface.

Single and bulk endpoints, and the `/_sandbox/` human actions, all go through
this table, so a rule (validation, audit, stamp) holds however a write arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.zendesk import people, tickets
from sandbox.zendesk.collection import Record
from sandbox.zendesk.records import KINDS, render
from sandbox.zendesk.store import ZendeskStore

Result = tuple[Record, Record | None]  # (record, ticket audit or None)


@dataclass(frozen=True)
class Writer:
    """How one object type is created, updated and deleted; the actor is the authenticated user's id."""

    create: Callable[[ZendeskStore, dict[str, Any], int], Result]
    update: Callable[[ZendeskStore, int, dict[str, Any], int], Result]
    delete: Callable[[ZendeskStore, int, int], Record]
    create_or_update: Callable[[ZendeskStore, dict[str, Any]], tuple[Record, bool]] | None = None


WRITERS: dict[str, Writer] = {
    "users": Writer(
        create=lambda store, data, _: (people.create_user(store, data), None),
        update=lambda store, record_id, data, _: (people.update_user(store, record_id, data), None),
        delete=lambda store, record_id, _: people.delete_user(store, record_id),
        create_or_update=people.create_or_update_user,
    ),
    "organizations": Writer(
        create=lambda store, data, _: (people.create_organization(store, data), None),
        update=lambda store, record_id, data, _: (people.update_organization(store, record_id, data), None),
        delete=lambda store, record_id, _: people.delete_organization(store, record_id),
        create_or_update=people.create_or_update_organization,
    ),
    "tickets": Writer(create=tickets.create_ticket, update=tickets.update_ticket, delete=tickets.delete_ticket),
}


def rendered(store: ZendeskStore, kind_name: str, record: Record, base: str) -> Record:
    """A record as the API returns it, custom field keys included."""
    kind = KINDS[kind_name]
    return render(kind, record, base, store.field_keys(kind) if kind.custom_key else None)


def audit_json(audit: Record) -> Record:
    """A ticket audit as a ticket create/update answer carries it."""
    return {key: audit[key] for key in ("id", "ticket_id", "created_at", "author_id", "metadata", "via", "events")}
