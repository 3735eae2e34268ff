"""The Salesforce writer against the Salesforce stand-in: collection calls, compare-before-set, idempotent creates, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from connectors.common import RecordCreate, RecordUpdate, WriteOutcome
from connectors.salesforce import Writer
from flows.sources import source_config
from sandbox.salesforce.seeds import small_world
from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox_support import sandbox_loophub_config

Start = Callable[[World], SandboxServer]
COLLECTIONS = "/services/data/{version}/composite/sobjects"


def writer_for(server: SandboxServer, **options: Any) -> Writer:
    connection = next(c for c in sandbox_loophub_config(server).connections if c.name == "salesforce")
    return Writer(source_config(connection) | {"retry_base_delay": 0.01, "retry_max_delay": 0.05, **options})


def admin(server: SandboxServer) -> httpx.Client:
    return httpx.Client(base_url=server.url("salesforce"), verify=str(server.ca_path), timeout=30)


def records(server: SandboxServer, sobject: str) -> dict[str, dict[str, Any]]:
    """Every record of an object as the stand-in holds it, deleted ones included."""
    return {record["Id"]: record for record in admin(server).get(f"/_sandbox/records/{sobject}").json()}


def calls_to(server: SandboxServer, route: str) -> int:
    return int(server.control("salesforce").calls.snapshot()["by_route"].get(route, {}).get("calls", 0))


def test_given_250_updates_when_applied_then_they_take_two_collection_calls(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(accounts=250))
    contacts = records(server, "Contact")
    changes = [
        RecordUpdate("Contact", contact_id, {"Title": f"Title {n}"}, {"LastName": contact["LastName"]})
        for n, (contact_id, contact) in enumerate(contacts.items())
    ]

    results = writer_for(server).apply(changes)

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED] * 250
    assert calls_to(server, f"PATCH {COLLECTIONS}") == 2  # ⌈250 / 200⌉
    assert calls_to(server, "GET /services/data/{version}/query") == 2  # one compare-before-set read per batch
    after = records(server, "Contact")
    assert all(after[change.record_id]["Title"] == change.fields["Title"] for change in changes)


def test_given_a_target_edited_after_planning_when_applied_then_it_comes_back_conflict_and_keeps_the_edit(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(accounts=3))
    first, second, _ = records(server, "Contact")
    seen = records(server, "Contact")[first]["Title"]
    admin(server).patch(f"/_sandbox/records/Contact/{first}", json={"Title": "Typed by a person"}).raise_for_status()

    results = writer_for(server).apply([
        RecordUpdate("Contact", first, {"Title": "Planned by loophub"}, {"Title": seen}),
        RecordUpdate("Contact", second[:15], {"Title": "Planned by loophub"}, {"Title": records(server, "Contact")[second]["Title"]}),
    ])  # fmt: skip

    assert [result.outcome for result in results] == [WriteOutcome.CONFLICT, WriteOutcome.APPLIED]
    assert "Title" in (results[0].message or "") and "Typed by a person" in (results[0].message or "")
    after = records(server, "Contact")
    assert after[first]["Title"] == "Typed by a person"
    assert after[second]["Title"] == "Planned by loophub"  # a 15-character id is the same record


def test_given_a_target_that_already_holds_the_new_value_when_applied_then_it_is_applied_not_a_conflict(start_sandbox: Start) -> None:
    # A rerun after a write whose answer was lost: the value moved, but to exactly what was planned.
    server = start_sandbox(small_world(accounts=3))
    first, second, _ = records(server, "Contact")
    seen = records(server, "Contact")[first]["Title"]
    admin(server).patch(f"/_sandbox/records/Contact/{first}", json={"Title": "Planned by loophub"}).raise_for_status()
    admin(server).patch(f"/_sandbox/records/Contact/{second}", json={"Title": "Typed by a person"}).raise_for_status()

    results = writer_for(server).apply([
        RecordUpdate("Contact", first, {"Title": "Planned by loophub"}, {"Title": seen}),
        RecordUpdate("Contact", second, {"Title": "Planned by loophub"}, {"Title": seen}),
    ])  # fmt: skip

    assert [result.outcome for result in results] == [WriteOutcome.APPLIED, WriteOutcome.CONFLICT]
    assert records(server, "Contact")[second]["Title"] == "Typed by a person"


def test_given_a_create_applied_twice_with_one_key_when_applied_then_one_record_exists(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(accounts=2))
    admin(server).post("/_sandbox/fields/Lead", json={"name": "Loophub_Key__c", "type": "Text", "length": 80}).raise_for_status()
    hand_off = RecordCreate("Lead", {"LastName": "Okafor", "Company": "Brightwater Ltd"}, idempotency_key="ticket-4711-upsell")
    writer = writer_for(server)

    first = writer.apply([hand_off, hand_off])  # a planner's duplicate inside one call is created once, too
    second = writer_for(server).apply([hand_off])  # a retry after a crash: a new writer, the same key

    assert [(result.outcome, result.existed) for result in first] == [(WriteOutcome.APPLIED, False), (WriteOutcome.APPLIED, True)]
    assert second[0].outcome is WriteOutcome.APPLIED and second[0].existed
    assert first[0].record_id == first[1].record_id == second[0].record_id
    leads = [lead for lead in records(server, "Lead").values() if lead.get("Loophub_Key__c") == "ticket-4711-upsell"]
    assert len(leads) == 1 and leads[0]["LastName"] == "Okafor"
    assert calls_to(server, f"POST {COLLECTIONS}") == 1


def test_given_changes_salesforce_refuses_when_applied_then_they_fail_with_its_message_and_the_rest_apply(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(accounts=2))
    admin(server).post("/_sandbox/fields/Lead", json={"name": "Loophub_Key__c", "type": "Text"}).raise_for_status()
    contact_id = next(iter(records(server, "Contact")))

    results = writer_for(server).apply([
        RecordUpdate("Contact", contact_id, {"LastName": "x" * 300}),
        RecordCreate("Lead", {"LastName": "No Company"}, idempotency_key="lead-without-company"),
        RecordCreate("Lead", {"LastName": "Mensah", "Company": "Kumasi Trading"}, idempotency_key="lead-with-company"),
    ])  # fmt: skip

    assert [result.outcome for result in results] == [WriteOutcome.FAILED, WriteOutcome.FAILED, WriteOutcome.APPLIED]
    assert "STRING_TOO_LONG" in (results[0].message or "") and "data value too large" in (results[0].message or "")
    assert "REQUIRED_FIELD_MISSING" in (results[1].message or "") and "Company" in (results[1].message or "")
    assert records(server, "Contact")[contact_id]["LastName"] != "x" * 300


def test_given_throttling_and_outages_when_applying_then_every_change_lands_once(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(accounts=40))
    admin(server).post("/_sandbox/fields/Lead", json={"name": "Loophub_Key__c", "type": "Text"}).raise_for_status()
    # With this seed the first create call meets a 503: the writer looks its keys up again before re-sending.
    admin(server).put("/_sandbox/faults", json={"rate_limit_ratio": 0.3, "server_error_ratio": 0.3, "seed": 0}).raise_for_status()
    updates = [RecordUpdate("Contact", contact_id, {"Title": "Renewals"}) for contact_id in records(server, "Contact")]
    creates = [RecordCreate("Lead", {"LastName": f"Lead {n}", "Company": "Acme"}, idempotency_key=f"key-{n}") for n in range(30)]

    results = writer_for(server).apply([*updates, *creates])

    assert all(result.outcome is WriteOutcome.APPLIED for result in results), [r.message for r in results if r.message]
    assert not any(result.existed for result in results)
    create_calls = server.control("salesforce").calls.snapshot()["by_route"][f"POST {COLLECTIONS}"]
    assert create_calls["calls"] >= 2 and create_calls.get("server_error", 0) + create_calls.get("rate_limited", 0) >= 1
    keys = [lead.get("Loophub_Key__c") for lead in records(server, "Lead").values() if lead.get("Loophub_Key__c")]
    assert sorted(keys) == sorted(f"key-{n}" for n in range(30))
    assert all(contact["Title"] == "Renewals" for contact in records(server, "Contact").values())
