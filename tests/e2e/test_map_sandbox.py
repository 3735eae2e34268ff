"""Sync a seeded sandbox, map it, and check the canonical tables against the raw payloads; then one vendor change re-maps one record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy import Engine, func, select

from flows.map import MapReport, map_records
from flows.sync import sync_connection
from loophub.config import LoophubConfig
from mapping import TicketPriority, TicketStatus, load_catalog
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import RawRecord, create_store_engine, session_scope, upgrade_database
from store.canonical import CANONICAL_TABLES, MapLedgerEntry, MatchKey, PersonRow, TicketRow
from store.mapped import ledger_counts
from tests.support.sandbox_support import sandbox_loophub_config

PEOPLE = 1500
NEW_PHONE, NEW_PHONE_E164 = "+33 1 42 68 53 00", "+33142685300"

# What each object becomes, written out here rather than read from the specs; Zendesk users split on role.
OBJECT_ENTITY = {
    ("salesforce", "Account"): "company",
    ("salesforce", "Contact"): "person",
    ("salesforce", "Lead"): "person",
    ("salesforce", "Opportunity"): "deal",
    ("salesforce", "Case"): "ticket",
    ("salesforce", "User"): "owner",
    ("hubspot", "companies"): "company",
    ("hubspot", "contacts"): "person",
    ("hubspot", "deals"): "deal",
    ("hubspot", "tickets"): "ticket",
    ("hubspot", "owners"): "owner",
    ("zendesk", "organizations"): "company",
    ("zendesk", "tickets"): "ticket",
    ("zendesk", "ticket_comments"): "ticket_comment",
    ("zendesk", "satisfaction_ratings"): "satisfaction",
    ("zendesk", "ticket_metrics"): "ticket_metrics",
}
ZENDESK_USER_ENTITY = {"end-user": "person", "agent": "owner", "admin": "owner"}

# Zendesk's words are the shared ones but for "hold", and "deleted", a tombstone that counts as closed.
ZENDESK_TICKET_STATUS = {"hold": "on_hold", "deleted": "closed"}
SALESFORCE_CASE_STATUS = {
    "New": "new", "Working": "open", "Escalated": "open", "On Hold": "on_hold", "Waiting on Customer": "pending", "Closed": "closed",
}
SALESFORCE_CASE_PRIORITY = {"Low": "low", "Medium": "normal", "High": "high", "Critical": "urgent", "Urgent": "urgent"}
# HubSpot's default support pipeline: 1 New, 2 Waiting on contact, 3 Waiting on us, 4 Closed.
HUBSPOT_TICKET_STATUS = {"1": "new", "2": "pending", "3": "open", "4": "closed"}
HUBSPOT_TICKET_PRIORITY = {"LOW": "low", "MEDIUM": "normal", "HIGH": "high", "URGENT": "urgent"}
# Providers that ignore characters in the local part (Gmail dots; Proton dots, dashes and underscores).
FOLDED_MAILBOXES = {"gmail.com": ".", "googlemail.com": ".", "protonmail.com": "._-", "proton.me": "._-", "pm.me": "._-"}


def expected_entity(system: str, object_name: str, payload: dict[str, Any]) -> str:
    if (system, object_name) == ("zendesk", "users"):
        return ZENDESK_USER_ENTITY[payload["role"]]
    return OBJECT_ENTITY[(system, object_name)]


def expected_status_and_priority(system: str, payload: dict[str, Any]) -> tuple[str | None, str | None]:
    if system == "zendesk":
        status, priority = payload["status"], payload.get("priority")
        return ZENDESK_TICKET_STATUS.get(status, status), priority
    if system == "salesforce":
        return SALESFORCE_CASE_STATUS[payload["Status"]], SALESFORCE_CASE_PRIORITY.get(payload.get("Priority") or "")
    properties = payload["properties"]
    return HUBSPOT_TICKET_STATUS[properties["hs_pipeline_stage"]], HUBSPOT_TICKET_PRIORITY.get(properties.get("hs_ticket_priority") or "")


def expected_email_key(raw: str) -> str:
    address = raw.strip().lower()
    local, _, domain = address.rpartition("@")
    for character in FOLDED_MAILBOXES.get(domain, ""):
        local = local.replace(character, "")
    return f"{local}@{'gmail.com' if domain == 'googlemail.com' else domain}"


def sync_all(engine: Engine, config: LoophubConfig) -> None:
    for connection in config.connections:
        report = sync_connection(engine, connection)
        assert report.status == "succeeded", f"{connection.name}: {report.error}"


def raw_rows(engine: Engine) -> list[tuple[int, str, str, dict[str, Any], str | None, str | None]]:
    """(raw id, system, object, payload, ledger outcome, ledger reason) of every raw record."""
    with session_scope(engine) as session:
        query = (
            select(RawRecord.id, RawRecord.system, RawRecord.object, RawRecord.payload, MapLedgerEntry.outcome, MapLedgerEntry.reason)
            .outerjoin(MapLedgerEntry, MapLedgerEntry.raw_record_id == RawRecord.id)
            .order_by(RawRecord.id)
        )
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def person_of(engine: Engine, raw_record_id: int) -> tuple[int, list[str], set[tuple[str, str]]]:
    """(canonical id, phones, match keys as (kind, value)) of the person mapped from a raw record."""
    with session_scope(engine) as session:
        person_id, phones = session.execute(select(PersonRow.id, PersonRow.phones).where(PersonRow.raw_record_id == raw_record_id)).one()
        keys = session.execute(select(MatchKey.kind, MatchKey.value).where(MatchKey.entity == "person", MatchKey.record_id == person_id))
        return person_id, phones, {(kind, value) for kind, value in keys}


def check_first_map(engine: Engine, report: MapReport) -> None:
    rows = raw_rows(engine)
    raw_per_object = Counter((system, object_name) for _, system, object_name, *_ in rows)
    with session_scope(engine) as session:
        ledger = ledger_counts(session)
        table_counts = {entity: session.scalar(select(func.count()).select_from(table)) for entity, table in CANONICAL_TABLES.items()}

    # Every raw record has an outcome, per system/object, and the report read each once.
    assert not [key for key in ledger if key[2] == "unmapped"], ledger
    for (system, object_name), raw_count in raw_per_object.items():
        outcomes = ledger.get((system, object_name, "mapped"), 0) + ledger.get((system, object_name, "quarantined"), 0)
        assert outcomes == raw_count, (system, object_name, outcomes, raw_count)
    assert report.read == len(rows) > 5000
    assert report.quarantined == sum(count for (_, _, outcome), count in ledger.items() if outcome == "quarantined")

    # The canonical tables hold exactly the mapped records, each in the entity its object and payload call for.
    mapped_per_entity = Counter(expected_entity(system, object_name, payload) for _, system, object_name, payload, outcome, _ in rows if outcome == "mapped")
    for entity in ("person", "company", "deal", "ticket", "owner"):
        assert mapped_per_entity[entity] > 0, entity
    assert table_counts == {entity: mapped_per_entity.get(entity, 0) for entity in CANONICAL_TABLES}
    assert sum(counts.mapped for counts in report.objects.values()) == sum(mapped_per_entity.values())

    # A quarantined record always says why.
    reasons = [reason for *_, outcome, reason in rows if outcome == "quarantined"]
    assert all(reason and reason.strip() for reason in reasons), reasons


def check_tickets(engine: Engine) -> None:
    with session_scope(engine) as session:
        tickets = session.execute(
            select(TicketRow.system, TicketRow.status, TicketRow.priority, RawRecord.payload).join(RawRecord, RawRecord.id == TicketRow.raw_record_id)
        ).all()
    assert {system for system, *_ in tickets} == {"salesforce", "hubspot", "zendesk"}
    statuses = {status for _, status, _, _ in tickets}
    priorities = {priority for _, _, priority, _ in tickets} - {None}
    assert statuses <= {member.value for member in TicketStatus} and None not in statuses, statuses
    assert priorities <= {member.value for member in TicketPriority}, priorities
    assert "on_hold" in statuses  # Zendesk's "hold" reached the shared word
    disagreeing = [
        (system, status, priority, expected_status_and_priority(system, payload))
        for system, status, priority, payload in tickets
        if (status, priority) != expected_status_and_priority(system, payload)
    ]
    assert not disagreeing, disagreeing[:10]


def check_salesforce_contact_emails(engine: Engine) -> None:
    with session_scope(engine) as session:
        contacts = session.execute(
            select(RawRecord.payload, PersonRow.id)
            .join(PersonRow, PersonRow.raw_record_id == RawRecord.id)
            .where(RawRecord.system == "salesforce", RawRecord.object == "Contact")
        ).all()
        email_keys: dict[int, set[str]] = {}
        for record_id, value in session.execute(select(MatchKey.record_id, MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "email")):
            email_keys.setdefault(record_id, set()).add(value)
    with_email = [(payload["Email"], person_id) for payload, person_id in contacts if (payload.get("Email") or "").strip()]
    assert len(with_email) > 500
    missing = [(email, email_keys.get(person_id)) for email, person_id in with_email if expected_email_key(email) not in email_keys.get(person_id, set())]
    assert not missing, missing[:10]


def test_given_a_synced_sandbox_when_mapped_then_every_record_has_an_outcome_and_one_vendor_change_remaps_one_record(
    start_sandbox: Callable[[World], SandboxServer], database_url: str
) -> None:
    server = start_sandbox(generate_world(PEOPLE, seed=5))
    config = sandbox_loophub_config(server, database_url)
    engine = create_store_engine(database_url)
    try:
        upgrade_database(engine)
        sync_all(engine, config)
        catalog = load_catalog(config.mapping)

        first = map_records(engine, catalog)
        again = map_records(engine, catalog)

        check_first_map(engine, first)
        assert again.read == 0
        check_tickets(engine)
        check_salesforce_contact_emails(engine)

        # One Zendesk end user's phone changes at the vendor; the next sync and map touch that record only.
        rows = raw_rows(engine)
        raw_id, user = next(
            (raw_id, payload) for raw_id, system, object_name, payload, *_ in rows
            if (system, object_name) == ("zendesk", "users") and payload["role"] == "end-user" and payload.get("phone")
        )
        _, phones_before, keys_before = person_of(engine, raw_id)
        assert phones_before and phones_before != [NEW_PHONE_E164]
        response = requests.put(
            f"{server.url('zendesk')}/api/v2/users/{user['id']}.json",
            json={"user": {"phone": NEW_PHONE}},
            auth=("integration@sandbox.example/token", "sandbox-api-token"),
            timeout=10,
        )
        response.raise_for_status()
        server.clock.advance(61)  # Zendesk's incremental exports leave out the last minute
        sync_all(engine, config)

        changed = map_records(engine, catalog)

        assert changed.read == 1, changed.as_counts()
        users = changed.objects[("zendesk", "users")]
        assert (users.read, users.changed, users.quarantined) == (1, 1, 0)
        _, phones_after, keys_after = person_of(engine, raw_id)
        assert phones_after == [NEW_PHONE_E164]
        assert ("phone", NEW_PHONE_E164) in keys_after and ("phone", NEW_PHONE_E164) not in keys_before
        assert {key for key in keys_after if key[0] != "phone"} == {key for key in keys_before if key[0] != "phone"}
        with session_scope(engine) as session:
            assert not [key for key in ledger_counts(session) if key[2] == "unmapped"]
    finally:
        engine.dispose()
