"""A hand-sized HubSpot world for tests that need a few known records rather than the synthetic population.

Records follow the seed field catalogue of sandbox/README.md: contact `n`
is `person{n}@example.com`, modified `n` hours after `SEED_START`; company `n`
is `Company {n}` at `company{n}.example`; contact `n` belongs to company
`n % companies`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.world import World

SEED_START = datetime(2024, 1, 1, tzinfo=UTC)


def small_world(contacts: int = 0, companies: int = 0, owners: int = 2, seed: int = 0) -> World:
    """A world with `contacts` contacts, `companies` companies, their associations and `owners` owners."""
    world = World.empty(seed)
    owner_rows = [_owner(world, number) for number in range(owners)]
    company_ids = [_add(world, "companies", number, _company(number)) for number in range(companies)]
    owner_ids = [row["id"] for row in owner_rows] or [None]
    contact_ids = [_add(world, "contacts", number, _contact(number, owner_ids[number % len(owner_ids)])) for number in range(contacts)]
    world.hubspot["owners"] = owner_rows
    world.hubspot["associations"] = [
        {"from_type": "contacts", "from_id": contact_id, "to_type": "companies", "to_id": company_ids[number % companies], "type_id": 1}
        for number, contact_id in enumerate(contact_ids)
        if companies
    ]
    return world


def _add(world: World, object_type: str, number: int, properties: dict[str, str | None]) -> str:
    object_id = world.ids.hubspot(object_type)
    stamp = SEED_START + timedelta(hours=number)
    world.hubspot.setdefault(object_type, []).append(
        {"id": object_id, "properties": properties, "createdAt": stamp, "updatedAt": stamp, "archived": False}
    )
    return object_id


def _contact(number: int, owner_id: str | None) -> dict[str, str | None]:
    return {
        "email": f"person{number}@example.com",
        "firstname": f"Person{number}",
        "lastname": "Example",
        "lifecyclestage": "lead" if number % 2 else "customer",
        "hubspot_owner_id": owner_id,
        "city": None,
    }


def _company(number: int) -> dict[str, str | None]:
    return {"name": f"Company {number}", "domain": f"company{number}.example", "numberofemployees": str(10 * (number + 1))}


def _owner(world: World, number: int) -> dict[str, Any]:
    return {
        "id": str(world.ids.hubspot("owners")),
        "email": f"owner{number}@sandbox.example",
        "firstName": f"Owner{number}",
        "lastName": "Sandbox",
        "userId": 9_000 + number,
        "createdAt": SEED_START,
        "updatedAt": SEED_START,
        "archived": False,
        "teams": [],
    }
