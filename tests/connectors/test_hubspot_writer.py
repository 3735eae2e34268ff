"""The HubSpot writer against the HubSpot stand-in: batch calls, compare-before-set, idempotent creates, refusals."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.common import RecordCreate, RecordUpdate, WriteOutcome
from connectors.hubspot import Writer
from flows.sources import source_config
from sandbox.hubspot.seeds import small_world
from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox_support import sandbox_loophub_config

Start = Callable[[World], SandboxServer]
SANDBOX_TOKEN = "pat-sandbox-token"


def writer_for(server: SandboxServer, **options: Any) -> Writer:
    connection = next(c for c in sandbox_loophub_config(server).connections if c.name == "hubspot")
    return Writer(source_config(connection) | {"retry_base_delay": 0.01, "retry_max_delay": 0.05, **options})


def admin(server: SandboxServer) -> httpx.Client:
    return httpx.Client(base_url=server.url("hubspot"), timeout=30)


def api(server: SandboxServer) -> httpx.Client:
    """HubSpot's own API, as another integration (or a person with a token) would call it."""
    return httpx.Client(base_url=server.url("hubspot"), headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"}, timeout=30)


def records(server: SandboxServer, object_type: str) -> dict[str, dict[str, Any]]:
    """Every record of a type as the stand-in holds it, archived ones included."""
    return {record["id"]: record for record in admin(server).get(f"/_sandbox/records/{object_type}").json()["results"]}


def calls_to(server: SandboxServer, route: str) -> int:
    """Calls counted on one route (`GET /_sandbox/calls`), once the last call is recorded."""
    previous, counts = -1, {}
    while True:
        snapshot = admin(server).get("/_sandbox/calls").json()
        if snapshot["total"] == previous:
            return counts.get(route, {}).get("calls", 0)
        previous, counts = snapshot["total"], snapshot["by_route"]
        time.sleep(0.05)


def test_given_250_updates_when_applied_then_they_take_three_batch_update_calls(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=250))
    contacts = records(server, "contacts")
    changes = [RecordUpdate("contacts", contact_id, {"jobtitle": f"Title {n}"}, {"lastname": "Example"}) for n, contact_id in enumerate(contacts)]

    results = writer_for(server).apply(changes)

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED] * 250
    assert calls_to(server, "POST /crm/v3/objects/{object_type}/batch/update") == 3  # ⌈250 / 100⌉
    assert calls_to(server, "POST /crm/v3/objects/{object_type}/batch/read") == 3  # the compare-before-set reads
    after = records(server, "contacts")
    assert all(after[change.record_id]["properties"]["jobtitle"] == change.fields["jobtitle"] for change in changes)


def test_given_a_target_edited_after_planning_when_applied_then_it_comes_back_conflict_and_keeps_the_edit(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=3))
    first, second, _ = records(server, "contacts")
    admin(server).patch(f"/_sandbox/records/contacts/{first}", json={"jobtitle": "Typed by a person"}).raise_for_status()

    results = writer_for(server).apply([
        RecordUpdate("contacts", first, {"jobtitle": "Planned by loophub"}, {"jobtitle": None}),
        RecordUpdate("contacts", second, {"jobtitle": "Planned by loophub"}, {"jobtitle": None}),
    ])  # fmt: skip

    assert [result.outcome for result in results] == [WriteOutcome.CONFLICT, WriteOutcome.APPLIED]
    assert "jobtitle" in (results[0].message or "")
    after = records(server, "contacts")
    assert after[first]["properties"]["jobtitle"] == "Typed by a person"
    assert after[second]["properties"]["jobtitle"] == "Planned by loophub"


def test_given_a_target_that_already_holds_the_new_value_when_applied_then_it_is_applied_not_a_conflict(start_sandbox: Start) -> None:
    # A rerun after a write whose answer was lost: the value moved, but to exactly what was planned.
    server = start_sandbox(small_world(contacts=3))
    first, second, _ = records(server, "contacts")
    admin(server).patch(f"/_sandbox/records/contacts/{first}", json={"jobtitle": "Planned by loophub"}).raise_for_status()
    admin(server).patch(f"/_sandbox/records/contacts/{second}", json={"jobtitle": "Typed by a person"}).raise_for_status()

    results = writer_for(server).apply([
        RecordUpdate("contacts", first, {"jobtitle": "Planned by loophub"}, {"jobtitle": None}),
        RecordUpdate("contacts", second, {"jobtitle": "Planned by loophub"}, {"jobtitle": None}),
    ])  # fmt: skip

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED, WriteOutcome.CONFLICT]
    assert records(server, "contacts")[second]["properties"]["jobtitle"] == "Typed by a person"


def test_given_a_create_applied_twice_with_one_key_when_applied_then_the_record_exists_once(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2, companies=1))
    unique_key = {"name": "loophub_key", "label": "loophub key", "type": "string", "fieldType": "text", "groupName": "dealinformation", "hasUniqueValue": True}
    assert api(server).post("/crm/v3/properties/deals", json=unique_key).status_code == 201
    company = next(iter(records(server, "companies")))
    contact = next(iter(records(server, "contacts")))
    deal = RecordCreate("deals", {"dealname": "Renewal 2027", "pipeline": "default", "dealstage": "qualifiedtobuy", "associations": {"companies": [company], "contacts": [contact]}}, "ticket-981:renewal")

    first = writer_for(server).apply([deal])
    second = writer_for(server).apply([deal])

    assert first[0].outcome is WriteOutcome.APPLIED and not first[0].existed
    assert second[0].outcome is WriteOutcome.APPLIED and second[0].existed
    assert second[0].record_id == first[0].record_id
    deals = [record for record in records(server, "deals").values() if record["properties"].get("loophub_key") == "ticket-981:renewal"]
    assert len(deals) == 1
    linked = api(server).get(f"/crm/v4/objects/deals/{first[0].record_id}/associations/companies").json()["results"]
    assert [str(link["toObjectId"]) for link in linked] == [company]


def test_given_no_idempotency_property_yet_when_creating_then_the_writer_adds_it_with_unique_values(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(companies=1))

    results = writer_for(server).apply([RecordCreate("companies", {"name": "Handoff Co", "domain": "handoff.example"}, "case-7")] * 2)

    assert [(result.outcome, result.existed) for result in results] == [(WriteOutcome.APPLIED, False), (WriteOutcome.APPLIED, True)]
    definition = api(server).get("/crm/v3/properties/companies/loophub_key").json()
    assert definition["hasUniqueValue"] is True
    assert sum(record["properties"].get("loophub_key") == "case-7" for record in records(server, "companies").values()) == 1


def test_given_a_value_hubspot_refuses_when_applied_then_that_change_fails_with_its_message_and_the_others_apply(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=3))
    first, second, third = records(server, "contacts")

    results = writer_for(server).apply([
        RecordUpdate("contacts", first, {"city": "Porto"}),
        RecordUpdate("contacts", second, {"lifecyclestage": "not-a-stage"}),
        RecordUpdate("contacts", third, {"city": "Braga"}),
    ])  # fmt: skip

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED, WriteOutcome.FAILED, WriteOutcome.APPLIED]
    assert "not-a-stage was not one of the allowed options" in (results[1].message or "")
    after = records(server, "contacts")
    assert (after[first]["properties"]["city"], after[third]["properties"]["city"]) == ("Porto", "Braga")


def test_given_a_target_merged_away_when_applied_then_it_is_a_conflict_naming_the_survivor(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=2))
    survivor, merged_away = records(server, "contacts")
    admin(server).post("/_sandbox/merge/contacts", json={"primary": survivor, "merged": merged_away}).raise_for_status()

    results = writer_for(server).apply([RecordUpdate("contacts", merged_away, {"city": "Faro"}, {"city": None})])

    assert results[0].outcome is WriteOutcome.CONFLICT and survivor in (results[0].message or "")
    assert records(server, "contacts")[survivor]["properties"].get("city") is None


def test_given_one_call_in_five_failing_when_applying_then_every_change_lands_once(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=150))
    admin(server).put("/_sandbox/faults", json={"rate_limit_ratio": 0.1, "server_error_ratio": 0.1, "seed": 3}).raise_for_status()
    contacts = list(records(server, "contacts"))
    updates = [RecordUpdate("contacts", contact_id, {"city": "Coimbra"}, {"city": None}) for contact_id in contacts]
    creates = [RecordCreate("companies", {"name": f"Spin-off {n}"}, f"spin-off-{n}") for n in range(120)]

    results = writer_for(server).apply([*updates, *creates])

    assert {result.outcome for result in results} == {WriteOutcome.APPLIED}
    after = records(server, "contacts")
    assert all(after[contact_id]["properties"]["city"] == "Coimbra" for contact_id in contacts)
    keys = [record["properties"].get("loophub_key") for record in records(server, "companies").values()]
    assert sorted(key for key in keys if key) == sorted(f"spin-off-{n}" for n in range(120))
    outcomes = admin(server).get("/_sandbox/calls").json()["outcomes"]
    assert outcomes.get("rate_limited", 0) + outcomes.get("server_error", 0) > 0  # the faults did strike, and were retried
