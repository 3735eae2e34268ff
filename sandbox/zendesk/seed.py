"""A small hand-made Zendesk world for tests that do not need the full synthetic population.

Records follow the seed field catalogue of sandbox/README.md; stamps are one
second apart from `start`, so their export order is known.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.world import World

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = ("new", "open", "pending", "solved", "closed")


def zendesk_world(
    users: int = 5,
    organizations: int = 2,
    tickets: int = 5,
    comments_per_ticket: int = 1,
    start: datetime = DEFAULT_START,
    world: World | None = None,
) -> World:
    """A world whose Zendesk account holds the given numbers of records (other vendors empty)."""
    world = world or World.empty()
    ids = world.ids
    moment = iter(start + timedelta(seconds=offset) for offset in range(10**9))
    org_rows = [_organization(ids.zendesk("organizations"), index, next(moment)) for index in range(organizations)]
    user_rows = []
    for index in range(users):
        organization_id = org_rows[index % organizations]["id"] if organizations else None
        user_rows.append(_user(ids.zendesk("users"), index, organization_id, next(moment)))
    ticket_rows, comment_rows = [], []
    for index in range(tickets):
        requester = user_rows[index % users] if users else {"id": None, "organization_id": None}
        ticket = _ticket(ids.zendesk("tickets"), index, requester, next(moment))
        ticket_rows.append(ticket)
        for number in range(comments_per_ticket):
            body = ticket["description"] if number == 0 else f"Follow-up {number} on ticket {index}"
            comment = {"id": ids.zendesk("ticket_comments"), "ticket_id": ticket["id"], "author_id": requester["id"],
                       "body": body, "public": True, "created_at": ticket["created_at"] + timedelta(seconds=number)}  # fmt: skip
            comment_rows.append(comment)
    world.zendesk.update(
        organizations=org_rows,
        users=user_rows,
        tickets=ticket_rows,
        ticket_comments=comment_rows,
        user_fields=[_field(ids.zendesk("user_fields"), "plan", "Plan", "text", start)],
        organization_fields=[_field(ids.zendesk("organization_fields"), "arr", "ARR", "decimal", start)],
        ticket_fields=[],
    )
    return world


def _organization(record_id: int, index: int, moment: datetime) -> dict[str, Any]:
    return {"id": record_id, "name": f"Org {index:05d}", "domain_names": [f"org{index}.example.com"],
            "external_id": f"001ORG{index:012d}", "details": "", "notes": "", "tags": ["seeded"],
            "organization_fields": {"arr": 1000.0 * (index + 1)}, "created_at": moment, "updated_at": moment}  # fmt: skip


def _user(record_id: int, index: int, organization_id: int | None, moment: datetime) -> dict[str, Any]:
    return {"id": record_id, "name": f"Person {index:05d}", "email": f"person{index}@example.com",
            "phone": None, "role": "end-user", "organization_id": organization_id, "external_id": None,
            "tags": [], "user_fields": {"plan": "free"}, "active": True, "verified": True, "suspended": False,
            "time_zone": "UTC", "locale": "en-US", "created_at": moment, "updated_at": moment}  # fmt: skip


def _ticket(record_id: int, index: int, requester: dict[str, Any], moment: datetime) -> dict[str, Any]:
    return {"id": record_id, "subject": f"Ticket {index}", "description": f"Problem number {index}",
            "status": STATUSES[index % len(STATUSES)], "priority": "normal", "type": "question",
            "requester_id": requester["id"], "submitter_id": requester["id"], "assignee_id": None,
            "organization_id": requester["organization_id"], "tags": [f"t{index % 3}"], "custom_fields": [],
            "via": {"channel": "web"}, "external_id": None, "created_at": moment, "updated_at": moment}  # fmt: skip


def _field(record_id: int, key: str, title: str, field_type: str, moment: datetime) -> dict[str, Any]:
    return {"id": record_id, "key": key, "type": field_type, "title": title, "active": True,
            "created_at": moment, "updated_at": moment}  # fmt: skip
