"""Ticket writes: create with a first comment, update with change events and comments, soft delete.

Every write records an audit (the ticket events export reads them) and keeps
the ticket's metric in step, so the read side never has to reconstruct history.
"""

from __future__ import annotations

from typing import Any

from sandbox.zendesk.collection import Record
from sandbox.zendesk.people import create_user
from sandbox.zendesk.records import KINDS, normalised
from sandbox.zendesk.store import Stamp, ZendeskStore, comment_event
from sandbox.zendesk.wire import ZendeskError, field_error, not_found, parse_time, record_invalid

TICKET_WRITABLE = frozenset(
    {
        "subject", "status", "priority", "type", "assignee_id", "requester_id", "submitter_id", "organization_id",
        "group_id", "external_id", "due_at", "problem_id", "brand_id", "ticket_form_id", "collaborator_ids",
        "follower_ids", "email_cc_ids", "recipient",
    }
)  # fmt: skip
AUDITED_FIELDS = ("subject", "status", "priority", "type", "assignee_id", "requester_id", "organization_id", "group_id")
STATUSES = frozenset({"new", "open", "pending", "hold", "solved", "closed"})
PRIORITIES = frozenset({"low", "normal", "high", "urgent", None})
CONFLICT = {
    "error": "UpdateConflict",
    "description": "Safe Update prevented the update due to outdated ticket data. "
    "Please fetch the latest ticket data and try again.",
}


def _ticket_errors(store: ZendeskStore, changes: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    errors: dict[str, list[dict[str, str]]] = {}
    if "status" in changes and changes["status"] not in STATUSES:
        errors |= field_error("status", f"Status: {changes['status']} is not valid", "InvalidValue")
    if "priority" in changes and changes["priority"] not in PRIORITIES:
        errors |= field_error("priority", f"Priority: {changes['priority']} is not valid", "InvalidValue")
    for field, label in (("requester_id", "Requester"), ("assignee_id", "Assignee"), ("submitter_id", "Submitter")):
        user_id = changes.get(field)
        if user_id is not None and user_id not in store.users:
            errors |= field_error(field.removesuffix("_id"), f"{label}: is invalid", "InvalidValue")
    return errors


def resolve_requester(store: ZendeskStore, changes: dict[str, Any]) -> None:
    """Replace `requester` by `requester_id`: `{"name", "email"}` names an existing user by email or creates an end-user."""
    requester = changes.pop("requester", None)
    if not isinstance(requester, dict):
        return
    existing = store.user_by_email(requester.get("email"))
    if existing is None:
        name = requester.get("name") or (requester.get("email") or "").split("@")[0]
        fields = {"name": name, "email": requester.get("email"), "locale_id": requester.get("locale_id", 1)}
        existing = create_user(store, {key: value for key, value in fields.items() if value is not None})
    changes["requester_id"] = existing["id"]


def _merge_custom_fields(current: list[dict[str, Any]], updates: Any) -> list[dict[str, Any]]:
    if not isinstance(updates, list):
        return current
    merged = {entry["id"]: entry.get("value") for entry in current if isinstance(entry, dict) and "id" in entry}
    merged.update({entry["id"]: entry.get("value") for entry in updates if isinstance(entry, dict) and "id" in entry})
    return [{"id": field_id, "value": value} for field_id, value in merged.items()]


def _apply_tags(ticket: Record, changes: dict[str, Any]) -> None:
    tags = list(ticket.get("tags") or [])
    if isinstance(changes.get("tags"), list):
        tags = [str(tag) for tag in changes["tags"]]
    tags += [str(tag) for tag in changes.get("additional_tags") or [] if str(tag) not in tags]
    removed = {str(tag) for tag in changes.get("remove_tags") or []}
    ticket["tags"] = [tag for tag in dict.fromkeys(tags) if tag not in removed]


def _new_comment(store: ZendeskStore, ticket: Record, data: dict[str, Any], author_id: int, stamp: Stamp) -> Record:
    body = data.get("body") or data.get("html_body") or data.get("value") or ""
    comment = normalised(
        KINDS["ticket_comments"],
        {
            "id": store.new_id("ticket_comments"),
            "ticket_id": ticket["id"],
            "author_id": data.get("author_id") or author_id,
            "body": body,
            "public": bool(data.get("public", True)),
            "audit_id": store.ids.zendesk("ticket_audits"),
            "via": ticket.get("via"),
            "created_at": stamp.text,
        },
    )
    store.comments.put(comment, stamp.second)
    store.comments_by_ticket.setdefault(ticket["id"], []).append(comment["id"])
    return comment


def _record_audit(
    store: ZendeskStore, ticket: Record, author_id: int, events: list[Record], comment: Record | None, stamp: Stamp
) -> Record:
    audit_id = comment["audit_id"] if comment else store.ids.zendesk("ticket_audits")
    child_events = ([comment_event(comment)] if comment else []) + events
    audit = {
        "id": audit_id,
        "ticket_id": ticket["id"],
        "author_id": author_id,
        "created_at": stamp.text,
        "via": ticket.get("via"),
        "metadata": {"system": {"client": "loophub sandbox"}, "custom": {}},
        "events": child_events,
    }
    store.audits.add(stamp.second, audit)
    return audit


def _field_event(store: ZendeskStore, kind: str, field: str, value: Any, previous: Any = None) -> Record:
    event = {"id": store.ids.zendesk("ticket_events"), "type": kind, "field_name": field, "value": value}
    if kind == "Change":
        event["previous_value"] = previous
    return event


def _touch_metric(store: ZendeskStore, ticket: Record, stamp: Stamp, comment: Record | None, author_id: int) -> None:
    metrics = store.collections["ticket_metrics"]
    metric_id = store.metric_by_ticket.get(ticket["id"])
    metric = metrics.get(metric_id) if metric_id is not None else None
    if metric is None:
        metric = normalised(KINDS["ticket_metrics"], {"id": store.new_id("ticket_metrics"), "ticket_id": ticket["id"]})
        metric["created_at"] = stamp.text
        store.metric_by_ticket[ticket["id"]] = metric["id"]
    if comment is not None and comment["public"] and author_id != ticket.get("requester_id"):
        metric["replies"] += 1
    if ticket["status"] in ("solved", "closed") and metric.get("solved_at") is None:
        metric["solved_at"] = stamp.text
    metric["status_updated_at"] = stamp.text
    store.save("ticket_metrics", metric, stamp)


def create_ticket(store: ZendeskStore, data: dict[str, Any], actor_id: int) -> tuple[Record, Record]:
    """Create a ticket; its first comment (or `description`) becomes the description. Returns (ticket, audit)."""
    with store.lock:
        changes = dict(data)
        comment_data = changes.get("comment") if isinstance(changes.get("comment"), dict) else None
        description = (comment_data or {}).get("body") or (comment_data or {}).get("html_body") or changes.get("description")
        if not description:
            raise record_invalid(field_error("description", "Description: cannot be blank", "BlankValue"))
        resolve_requester(store, changes)
        errors = _ticket_errors(store, changes)
        if errors:
            raise record_invalid(errors)
        stamp = store.stamp()
        fields = {key: value for key, value in changes.items() if key in TICKET_WRITABLE}
        ticket = normalised(KINDS["tickets"], fields)
        requester_id = ticket["requester_id"] or actor_id
        requester = store.users.get(requester_id) or {}
        ticket.update(
            id=store.new_id("tickets"),
            created_at=stamp.text,
            description=description,
            raw_subject=ticket["subject"],
            requester_id=requester_id,
            submitter_id=ticket["submitter_id"] or actor_id,
            organization_id=ticket["organization_id"] or requester.get("organization_id"),
            status=changes.get("status") or ("open" if ticket["assignee_id"] else "new"),
            via=changes.get("via") or {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            custom_fields=_merge_custom_fields([], changes.get("custom_fields")),
        )
        _apply_tags(ticket, changes)
        comment = _new_comment(store, ticket, comment_data or {"body": description}, ticket["submitter_id"], stamp)
        events = [_field_event(store, "Create", field, ticket[field]) for field in AUDITED_FIELDS if ticket[field] is not None]
        store.save("tickets", ticket, stamp)
        audit = _record_audit(store, ticket, ticket["submitter_id"], events, comment, stamp)
        _touch_metric(store, ticket, stamp, None, ticket["submitter_id"])
        return ticket, audit


def _check_safe_update(ticket: Record, changes: dict[str, Any]) -> None:
    if not changes.get("safe_update"):
        return
    stamp = changes.get("updated_stamp")
    try:
        fetched = parse_time(str(stamp)) if stamp else None
    except ValueError as error:
        raise record_invalid(field_error("updated_stamp", "Updated stamp: is invalid", "InvalidValue")) from error
    if fetched is None or fetched != parse_time(ticket["updated_at"]):
        raise ZendeskError(409, dict(CONFLICT))


def update_ticket(store: ZendeskStore, ticket_id: int, data: dict[str, Any], actor_id: int) -> tuple[Record, Record | None]:
    """Update fields and/or add a comment. Returns (ticket, audit or None when nothing changed)."""
    with store.lock:
        ticket = store.tickets.get(ticket_id)
        if ticket is None or ticket["status"] == "deleted":
            raise not_found()
        changes = dict(data)
        _check_safe_update(ticket, changes)
        if ticket["status"] == "closed":
            raise record_invalid(field_error("status", "Status: closed prevents ticket update", "ClosedTicket"))
        resolve_requester(store, changes)
        errors = _ticket_errors(store, changes)
        if errors:
            raise record_invalid(errors)
        before = dict(ticket)
        ticket.update({key: value for key, value in changes.items() if key in TICKET_WRITABLE})
        ticket["raw_subject"] = ticket["subject"]
        ticket["custom_fields"] = _merge_custom_fields(ticket["custom_fields"], changes.get("custom_fields"))
        _apply_tags(ticket, changes)
        events = [
            _field_event(store, "Change", field, ticket[field], before[field])
            for field in AUDITED_FIELDS
            if ticket[field] != before[field]
        ]
        comment_data = changes.get("comment") if isinstance(changes.get("comment"), dict) else None
        if not events and comment_data is None and ticket == before:
            return ticket, None
        stamp = store.stamp()
        comment = _new_comment(store, ticket, comment_data, actor_id, stamp) if comment_data else None
        store.save("tickets", ticket, stamp)
        audit = _record_audit(store, ticket, actor_id, events, comment, stamp)
        _touch_metric(store, ticket, stamp, comment, actor_id)
        return ticket, audit


def delete_ticket(store: ZendeskStore, ticket_id: int, actor_id: int) -> Record:
    """Soft delete: status `deleted`, 404 on the API, still in exports."""
    with store.lock:
        ticket = store.tickets.get(ticket_id)
        if ticket is None or ticket["status"] == "deleted":
            raise not_found()
        stamp = store.stamp()
        previous = ticket["status"]
        ticket["status"] = "deleted"
        store.save("tickets", ticket, stamp)
        _record_audit(store, ticket, actor_id, [_field_event(store, "Change", "status", "deleted", previous)], None, stamp)
        return ticket
