"""The shape of each Zendesk object: defaults for fields a seed or a client leaves out, and rendering.

Records are stored JSON-ready (strings for stamps) so that a 1,000-item export
page is a shallow copy per item; `url` is added when rendering because it
depends on the host the client used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.zendesk.wire import jsonable

_SCALARS = (str, int, float, bool, type(None))

Record = dict[str, Any]


def _user_defaults() -> Record:
    return {
        "name": None, "email": None, "created_at": None, "updated_at": None,
        "time_zone": "UTC", "iana_time_zone": "Etc/UTC", "phone": None, "shared_phone_number": None,
        "photo": None, "locale_id": 1, "locale": "en-US", "organization_id": None, "role": "end-user",
        "verified": False, "external_id": None, "tags": [], "alias": None, "active": True, "shared": False,
        "shared_agent": False, "last_login_at": None, "two_factor_auth_enabled": None, "signature": None,
        "details": None, "notes": None, "role_type": None, "custom_role_id": None, "moderator": False,
        "ticket_restriction": "requested", "only_private_comments": False, "restricted_agent": True,
        "suspended": False, "default_group_id": None, "report_csv": False, "user_fields": {},
    }  # fmt: skip


def _organization_defaults() -> Record:
    return {
        "name": None, "shared_tickets": False, "shared_comments": False, "external_id": None,
        "created_at": None, "updated_at": None, "domain_names": [], "details": None, "notes": None,
        "group_id": None, "tags": [], "organization_fields": {}, "deleted_at": None,
    }  # fmt: skip


def _ticket_defaults() -> Record:
    return {
        "external_id": None, "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": None, "updated_at": None, "type": None, "subject": None, "raw_subject": None,
        "description": None, "priority": None, "status": "open", "recipient": None, "requester_id": None,
        "submitter_id": None, "assignee_id": None, "organization_id": None, "group_id": None,
        "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None,
        "problem_id": None, "has_incidents": False, "is_public": True, "due_at": None, "tags": [],
        "custom_fields": [], "satisfaction_rating": None, "sharing_agreement_ids": [], "followup_ids": [],
        "ticket_form_id": None, "brand_id": None, "allow_channelback": False, "allow_attachments": True,
        "from_messaging_channel": False,
    }  # fmt: skip


def _comment_defaults() -> Record:
    return {
        "type": "Comment", "ticket_id": None, "author_id": None, "body": "", "html_body": "", "plain_body": "",
        "public": True, "attachments": [], "audit_id": None, "via": {"channel": "api", "source": {}},
        "metadata": {}, "created_at": None,
    }  # fmt: skip


def _rating_defaults() -> Record:
    return {
        "assignee_id": None, "group_id": None, "requester_id": None, "ticket_id": None, "score": "unoffered",
        "comment": None, "reason": None, "reason_id": None, "created_at": None, "updated_at": None,
    }  # fmt: skip


def _minutes() -> dict[str, int | None]:
    return {"calendar": None, "business": None}


def _metric_defaults() -> Record:
    return {
        "ticket_id": None, "group_stations": 1, "assignee_stations": 1, "reopens": 0, "replies": 0,
        "assignee_updated_at": None, "requester_updated_at": None, "status_updated_at": None,
        "initially_assigned_at": None, "assigned_at": None, "solved_at": None, "latest_comment_added_at": None,
        "reply_time_in_minutes": _minutes(), "first_resolution_time_in_minutes": _minutes(),
        "full_resolution_time_in_minutes": _minutes(), "agent_wait_time_in_minutes": _minutes(),
        "requester_wait_time_in_minutes": _minutes(), "on_hold_time_in_minutes": _minutes(),
        "created_at": None, "updated_at": None,
    }  # fmt: skip


def _field_defaults() -> Record:
    return {
        "key": None, "type": "text", "title": None, "raw_title": None, "description": "", "raw_description": "",
        "position": 0, "active": True, "system": False, "regexp_for_validation": None, "required": False,
        "created_at": None, "updated_at": None,
    }  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """One Zendesk object type: its collection name, JSON keys and API path."""

    name: str  # collection / plural JSON key: "users"
    singular: str  # singular JSON key: "user"
    path: str  # path under /api/v2 of its own resource, or "" when it has none
    defaults: Callable[[], Record]
    custom_key: str | None = None  # where custom field values live: "user_fields"


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("users", "user", "users", _user_defaults, "user_fields"),
        Kind("organizations", "organization", "organizations", _organization_defaults, "organization_fields"),
        Kind("tickets", "ticket", "tickets", _ticket_defaults),
        Kind("ticket_comments", "comment", "", _comment_defaults),
        Kind("satisfaction_ratings", "satisfaction_rating", "satisfaction_ratings", _rating_defaults),
        Kind("ticket_metrics", "ticket_metric", "ticket_metrics", _metric_defaults),
        Kind("user_fields", "user_field", "user_fields", _field_defaults),
        Kind("organization_fields", "organization_field", "organization_fields", _field_defaults),
        Kind("ticket_fields", "ticket_field", "ticket_fields", _field_defaults),
    )
}


def normalised(kind: Kind, raw: Record) -> Record:
    """A seed or client record completed with Zendesk's defaults, stamps as strings."""
    record: Record = {"id": None}  # id first, as Zendesk orders its JSON
    record.update(kind.defaults())
    for key, value in raw.items():
        record[key] = value if type(value) in _SCALARS else jsonable(value)
    if kind.name == "tickets":
        record["raw_subject"] = record.get("raw_subject") or record.get("subject")
    if kind.name == "ticket_comments":
        body = record.get("body") or record.get("plain_body") or ""
        record["body"] = body
        record["plain_body"] = record.get("plain_body") or body
        record["html_body"] = record.get("html_body") or f'<div class="zd-comment"><p>{body}</p></div>'
    if kind.name.endswith("_fields"):
        record["raw_title"] = record.get("raw_title") or record.get("title")
    return record


def render(kind: Kind, record: Record, base: str, field_keys: list[str] | None = None) -> Record:
    """The record as Zendesk returns it to a client that called `base`."""
    rendered: Record = {"url": f"{base}/api/v2/{kind.path}/{record['id']}.json"} if kind.path else {}
    rendered.update(record)
    if kind.custom_key is not None:
        values = record.get(kind.custom_key) or {}
        # Zendesk lists every defined field, null where unset; stored values for keys
        # without a definition (hand-built seeds) are kept rather than silently lost.
        rendered[kind.custom_key] = {key: values.get(key) for key in field_keys or []} | values
    if kind.name == "tickets":
        rendered["fields"] = rendered["custom_fields"]
    if kind.name == "organizations":
        rendered.pop("deleted_at", None)
    return rendered


def identity_of(user: Record, base: str) -> Record | None:
    """The primary email identity of a user (sideloaded by `include=identities`)."""
    if not user.get("email"):
        return None
    return {
        "url": f"{base}/api/v2/users/{user['id']}/identities/{user['id']}.json",
        "id": user["id"],
        "user_id": user["id"],
        "type": "email",
        "value": user["email"],
        "verified": bool(user.get("verified")),
        "primary": True,
        "created_at": user["created_at"],
        "updated_at": user["updated_at"],
        "undeliverable_count": 0,
        "deliverable_state": "deliverable",
    }
