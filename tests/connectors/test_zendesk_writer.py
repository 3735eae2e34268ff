"""The Zendesk writer against the stand-in over real sockets: bulk calls, compare-before-set, idempotent creates, refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import httpx
import pytest

from connectors.common import RecordCreate, RecordUpdate, WriteOutcome
from connectors.zendesk import Writer
from flows.sources import source_config
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox_support import sandbox_loophub_config

Start = Callable[[World], SandboxServer]
FAST = {"retry_base_delay": 0.01, "retry_max_delay": 0.05, "job_poll_interval": 0.01}


@cache
def world_of_600_people() -> World:
    # Enough end-users for 250 updates; tests share it read-only (each server copies the seed).
    return generate_world(600, seed=5)


@pytest.fixture
def sandbox(start_sandbox: Start) -> Iterator[tuple[SandboxServer, httpx.Client]]:
    server = start_sandbox(world_of_600_people())
    with httpx.Client(base_url=server.url("zendesk"), timeout=30) as ui:
        yield server, ui


def writer_for(server: SandboxServer, **options: Any) -> Writer:
    connection = next(c for c in sandbox_loophub_config(server).connections if c.system == "zendesk")
    return Writer(source_config(connection) | FAST | options)


def calls_to(ui: httpx.Client, route: str) -> int:
    return int(ui.get("/_sandbox/calls").json()["by_route"].get(route, {}).get("calls", 0))


def live(ui: httpx.Client, kind: str) -> list[dict[str, Any]]:
    return [record for record in ui.get(f"/_sandbox/records/{kind}").json()[kind] if record.get("active", True) and record.get("deleted_at") is None and record.get("status") != "deleted"]


def test_given_250_user_updates_when_applying_then_three_update_many_calls_write_them_all(sandbox: tuple[SandboxServer, httpx.Client]) -> None:
    server, ui = sandbox
    users = live(ui, "users")[:250]
    changes = [
        RecordUpdate("users", str(user["id"]), {"user_fields.plan_tier": "enterprise", "notes": f"ARR {index}"}, {"user_fields.plan_tier": (user["user_fields"] or {}).get("plan_tier")})
        for index, user in enumerate(users)
    ]

    results = writer_for(server).apply(changes)

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED] * 250
    assert calls_to(ui, "PUT /api/v2/users/update_many.json") == 3
    assert calls_to(ui, "GET /api/v2/users/show_many.json") == 3  # the compare-before-set re-reads, batched alike
    sample = ui.get(f"/_sandbox/records/users/{users[249]['id']}").json()
    assert sample["user_fields"]["plan_tier"] == "enterprise" and sample["notes"] == "ARR 249"


def test_given_targets_edited_after_planning_when_applying_then_they_come_back_conflict_and_are_not_overwritten(
    sandbox: tuple[SandboxServer, httpx.Client],
) -> None:
    server, ui = sandbox
    organization, untouched = live(ui, "organizations")[:2]
    ticket = next(t for t in live(ui, "tickets") if t["status"] in ("new", "open") and t["priority"] not in ("urgent", "low"))
    planned = [
        RecordUpdate("organizations", str(organization["id"]), {"notes": "loophub: renewal soon"}, {"notes": organization["notes"]}),
        RecordUpdate("organizations", str(untouched["id"]), {"notes": "loophub: renewal soon"}, {"notes": untouched["notes"]}),
        RecordUpdate("tickets", str(ticket["id"]), {"priority": "low"}, {"priority": ticket["priority"]}),
    ]
    ui.patch(f"/_sandbox/records/organizations/{organization['id']}", json={"notes": "edited by a person"}).raise_for_status()
    ui.patch(f"/_sandbox/records/tickets/{ticket['id']}", json={"priority": "urgent"}).raise_for_status()

    results = writer_for(server).apply(planned)

    assert [result.outcome for result in results] == [WriteOutcome.CONFLICT, WriteOutcome.APPLIED, WriteOutcome.CONFLICT]
    assert "notes" in (results[0].message or "") and "priority" in (results[2].message or "")
    assert ui.get(f"/_sandbox/records/organizations/{organization['id']}").json()["notes"] == "edited by a person"
    assert ui.get(f"/_sandbox/records/tickets/{ticket['id']}").json()["priority"] == "urgent"
    assert ui.get(f"/_sandbox/records/organizations/{untouched['id']}").json()["notes"] == "loophub: renewal soon"


def test_given_a_target_that_already_holds_the_new_value_when_applying_then_it_is_applied_not_a_conflict(
    sandbox: tuple[SandboxServer, httpx.Client],
) -> None:
    # A rerun after a write whose answer was lost: the value moved, but to exactly what was planned.
    server, ui = sandbox
    written, edited = live(ui, "organizations")[:2]
    planned = [
        RecordUpdate("organizations", str(org["id"]), {"notes": "loophub: renewal soon"}, {"notes": org["notes"]}) for org in (written, edited)
    ]
    ui.patch(f"/_sandbox/records/organizations/{written['id']}", json={"notes": "loophub: renewal soon"}).raise_for_status()
    ui.patch(f"/_sandbox/records/organizations/{edited['id']}", json={"notes": "edited by a person"}).raise_for_status()

    results = writer_for(server).apply(planned)

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED, WriteOutcome.CONFLICT]
    assert ui.get(f"/_sandbox/records/organizations/{edited['id']}").json()["notes"] == "edited by a person"


def test_given_a_create_applied_twice_with_one_key_when_applying_then_it_exists_once_and_the_second_says_existed(
    sandbox: tuple[SandboxServer, httpx.Client],
) -> None:
    server, ui = sandbox
    requester = live(ui, "users")[-1]
    creates = [
        RecordCreate("organizations", {"name": "Harbor Freight Analytics", "organization_fields.account_tier": "gold"}, "sf-account-0015g00000XYZ"),
        RecordCreate("tickets", {"subject": "Upgrade request from sales", "comment": "Account asks for 40 more seats", "requester_id": requester["id"]}, "handoff-opp-0065g0000ABC"),
    ]
    writer = writer_for(server)

    first, second = writer.apply(creates), writer.apply(creates)

    assert [(r.outcome, r.existed) for r in first] == [(WriteOutcome.APPLIED, False)] * 2
    assert [(r.outcome, r.existed) for r in second] == [(WriteOutcome.APPLIED, True)] * 2
    assert [r.record_id for r in second] == [r.record_id for r in first]
    organizations = [o for o in live(ui, "organizations") if o["external_id"] == "sf-account-0015g00000XYZ"]
    tickets = [t for t in live(ui, "tickets") if t["external_id"] == "handoff-opp-0065g0000ABC"]
    assert len(organizations) == 1 and organizations[0]["organization_fields"]["account_tier"] == "gold"
    assert len(tickets) == 1 and tickets[0]["requester_id"] == requester["id"]
    assert calls_to(ui, "POST /api/v2/organizations/create_many.json") == 1


def test_given_an_internal_note_and_a_field_change_to_one_ticket_when_applying_then_both_apply_and_the_note_is_private(
    sandbox: tuple[SandboxServer, httpx.Client],
) -> None:
    server, ui = sandbox
    ticket = next(t for t in live(ui, "tickets") if t["status"] in ("new", "open", "pending") and t["priority"] != "high")
    changes = [
        RecordUpdate("tickets", str(ticket["id"]), {"comment": "Customer renews in 30 days (from Salesforce)"}),
        RecordUpdate("tickets", str(ticket["id"]), {"priority": "high"}, {"priority": ticket["priority"]}),
    ]

    results = writer_for(server).apply(changes)

    assert [r.outcome for r in results] == [WriteOutcome.APPLIED, WriteOutcome.APPLIED]  # the second is not tripped by the first
    assert ui.get(f"/_sandbox/records/tickets/{ticket['id']}").json()["priority"] == "high"
    notes = [c for c in ui.get("/_sandbox/records/ticket_comments").json()["ticket_comments"] if c["ticket_id"] == ticket["id"] and c["body"].startswith("Customer renews")]
    assert len(notes) == 1 and notes[0]["public"] is False


def test_given_zendesk_refuses_a_change_when_applying_then_it_fails_with_zendesks_message_and_the_rest_apply(
    sandbox: tuple[SandboxServer, httpx.Client],
) -> None:
    server, ui = sandbox
    first, second = [u for u in live(ui, "users") if u["email"]][:2]
    changes = [
        RecordUpdate("users", str(first["id"]), {"email": second["email"]}),
        RecordUpdate("users", str(second["id"]), {"notes": "fine"}),
        RecordCreate("users", {"name": "Copy", "email": first["email"]}, "loophub-person-17"),
    ]

    results = writer_for(server).apply(changes)

    assert [r.outcome for r in results] == [WriteOutcome.FAILED, WriteOutcome.APPLIED, WriteOutcome.FAILED]
    assert "already being used by another user" in (results[0].message or "")
    assert "already being used by another user" in (results[2].message or "")
    assert ui.get(f"/_sandbox/records/users/{first['id']}").json()["email"] == first["email"]


def test_given_rate_limits_and_outages_when_applying_then_retries_write_everything_once(sandbox: tuple[SandboxServer, httpx.Client]) -> None:
    server, ui = sandbox
    ui.put("/_sandbox/settings", json={"injected_retry_after": 0}).raise_for_status()  # left to the writer's own backoff
    ui.put("/_sandbox/faults", json={"rate_limit_ratio": 0.2, "server_error_ratio": 0.2, "seed": 8}).raise_for_status()
    users = live(ui, "users")[:30]
    changes: list[RecordUpdate | RecordCreate] = [RecordUpdate("users", str(u["id"]), {"notes": "synced"}) for u in users]
    changes += [RecordCreate("organizations", {"name": f"Retry Co {n}"}, f"retry-key-{n}") for n in range(5)]

    results = writer_for(server).apply(changes)

    assert all(result.outcome is WriteOutcome.APPLIED for result in results), [r.message for r in results if r.outcome is not WriteOutcome.APPLIED]
    outcomes = ui.get("/_sandbox/calls").json()["outcomes"]
    assert outcomes.get("rate_limited", 0) + outcomes.get("server_error", 0) > 0
    created = [o for o in ui.get("/_sandbox/records/organizations").json()["organizations"] if str(o.get("external_id")).startswith("retry-key-")]
    assert len(created) == 5
