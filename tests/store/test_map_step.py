"""The map step on a real store: every raw record ends mapped or quarantined, and a re-run maps only what changed."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select

from flows.map import MapReport, map_records
from loophub.config import parse_config
from mapping import ENTITIES, MappingSettings, SpecCatalog, load_catalog
from mapping.model import ENVELOPE_FIELDS
from store import Run, session_scope
from store.canonical import CANONICAL_TABLES, CanonicalRow, MapLedgerEntry, MatchKey
from store.mapped import ledger_counts, quarantined
from store.models import RawRecord
from store.raw import RawRow, upsert_raw_records


@cache
def shipped() -> SpecCatalog:
    return load_catalog()


def catalog_with(overrides: str) -> SpecCatalog:
    config = parse_config(textwrap.dedent(overrides).lstrip("\n"), Path("loophub.yaml"), environ={})
    return load_catalog(config.mapping, config.origin())


UPDATED = datetime(2026, 11, 25, 13, 19, 59, tzinfo=UTC)

SF_ACCOUNT = {"Id": "0015g00000AbCdEAAZ", "Name": "Northwind Traders Ltd", "Type": "Customer - Direct", "Website": "https://www.northwind.co.uk",
              "Phone": "0121 554 3426", "BillingCountry": "United Kingdom", "NumberOfEmployees": 240, "CreatedDate": "2024-05-14T08:02:11.000+0000"}
SF_CONTACT = {"Id": "0035g00000XyZ12AAB", "AccountId": "0015g00000AbCdEAAZ", "FirstName": "Priya", "LastName": "Raman", "Name": "Priya Raman",
              "Email": "Priya.Raman@Northwind.co.uk", "Phone": "0121 554 3426", "MobilePhone": "+1 212 555 0123", "MailingCountry": "UK"}
SF_LEAD = {"Id": "00Q5g00000LeAd1EAB", "FirstName": "Bob", "LastName": "Kowalski", "Company": "Kowalski & Sons GmbH", "Email": "bob@kowalski-sons.de",
           "Status": "Open - Not Contacted", "Website": "www.kowalski-sons.de"}
SF_OPPORTUNITY = {"Id": "0065g00000OpP01AAB", "AccountId": "0015g00000AbCdEAAZ", "Name": "Northwind - Renewal", "StageName": "Closed Won",
                  "Amount": 185000.0, "CloseDate": "2027-03-15"}
SF_CASE = {"Id": "5005g00000CaSe1AAB", "CaseNumber": "00001042", "ContactId": "0035g00000XyZ12AAB", "Subject": "Wrong VAT", "Status": "New",
           "Priority": "Medium", "Origin": "Email"}
SF_USER = {"Id": "0055g00000Own1AAA", "FirstName": "Michael", "LastName": "Okafor", "Name": "Michael Okafor", "Email": "m.okafor@ourco.com",
           "IsActive": True}
HS_CONTACT = {"id": "51", "properties": {"email": "jane.doe@acme.com", "firstname": "Jane", "lastname": "Doe", "phone": "+1 415 555 2671",
                                         "lifecyclestage": "customer", "salesforcecontactid": "0035g00000XyZ12AAB"},
              "associations": {"companies": ["301"]}}
HS_COMPANY = {"id": "301", "properties": {"name": "Acme Inc", "domain": "acme.com", "annualrevenue": "20,600,000"}, "associations": {"contacts": ["51"]}}
HS_DEAL = {"id": "7001", "properties": {"dealname": "Acme - Expansion", "amount": "48000", "dealstage": "contractsent"},
           "associations": {"companies": ["301"], "contacts": ["51"]}}
HS_TICKET = {"id": "8801", "properties": {"subject": "Cannot log in", "hs_pipeline_stage": "1", "hs_ticket_priority": "LOW"},
             "associations": {"contacts": ["51"], "companies": []}}
HS_OWNER = {"id": "90001", "email": "sam.lee@ourco.com", "firstName": "Sam", "lastName": "Lee", "type": "PERSON"}
ZD_USER = {"id": 381946207513, "name": "Priya Raman", "email": "priya.raman@northwind.co.uk", "phone": "+44 121 554 3426", "role": "end-user",
           "organization_id": 360044128833, "tags": ["vip", "beta"], "user_fields": {"plan_tier": "enterprise"}, "active": True}
ZD_AGENT = {"id": 381946200001, "name": "Ana Souza", "email": "ana.souza@ourco.com", "role": "agent", "active": True}
ZD_ORGANIZATION = {"id": 360044128833, "name": "Northwind Traders", "domain_names": ["northwind.co.uk"], "external_id": "0015g00000AbCdEAAZ"}
ZD_TICKET = {"id": 90211, "subject": "Export fails", "status": "open", "priority": "normal", "requester_id": 381946207513, "tags": [],
             "via": {"channel": "web"}}
ZD_COMMENT = {"id": 7001001, "ticket_id": 90211, "author_id": 381946200001, "body": "Looking into it.", "public": True}
ZD_RATING = {"id": 4401, "ticket_id": 90211, "score": "good", "requester_id": 381946207513}
ZD_METRICS = {"id": 3301, "ticket_id": 90211, "replies": 2, "reopens": 0, "reply_time_in_minutes": {"calendar": 16, "business": 16}}

# Two records no spec can take: a ticket status nobody mapped, and an object without a spec.
ZD_TICKET_UNKNOWN_STATUS = {**ZD_TICKET, "id": 90212, "status": "archived"}
SF_TASK = {"Id": "00T5g00000TaSk1AAB", "Subject": "Call back"}

LANDED: list[tuple[str, str, dict[str, Any]]] = [
    ("salesforce", "Account", SF_ACCOUNT), ("salesforce", "Contact", SF_CONTACT), ("salesforce", "Lead", SF_LEAD),
    ("salesforce", "Opportunity", SF_OPPORTUNITY), ("salesforce", "Case", SF_CASE), ("salesforce", "User", SF_USER),
    ("salesforce", "Task", SF_TASK),
    ("hubspot", "contacts", HS_CONTACT), ("hubspot", "companies", HS_COMPANY), ("hubspot", "deals", HS_DEAL),
    ("hubspot", "tickets", HS_TICKET), ("hubspot", "owners", HS_OWNER),
    ("zendesk", "users", ZD_USER), ("zendesk", "users", ZD_AGENT), ("zendesk", "organizations", ZD_ORGANIZATION),
    ("zendesk", "tickets", ZD_TICKET), ("zendesk", "tickets", ZD_TICKET_UNKNOWN_STATUS), ("zendesk", "ticket_comments", ZD_COMMENT),
    ("zendesk", "satisfaction_ratings", ZD_RATING), ("zendesk", "ticket_metrics", ZD_METRICS),
]  # fmt: skip
QUARANTINED = {("zendesk", "tickets", "90212"), ("salesforce", "Task", "00T5g00000TaSk1AAB")}


def raw_row(system: str, object_name: str, payload: dict[str, Any], *, is_deleted: bool = False) -> RawRow:
    source_id = str(payload["Id"] if system == "salesforce" else payload["id"])
    return RawRow(system, object_name, source_id, payload, source_updated_at=UPDATED, is_deleted=is_deleted)


def land(engine: Engine, *rows: RawRow) -> None:
    with session_scope(engine) as session:
        upsert_raw_records(session, list(rows))


def land_everything(engine: Engine) -> None:
    land(engine, *(raw_row(system, object_name, payload) for system, object_name, payload in LANDED))


def changed_at(engine: Engine) -> dict[tuple[str, str, str], datetime]:
    """(system, object, source id) → changed_at of every canonical row."""
    found: dict[tuple[str, str, str], datetime] = {}
    with session_scope(engine) as session:
        for table in CANONICAL_TABLES.values():
            for system, object_name, source_id, stamp in session.execute(select(table.system, table.object, table.source_id, table.changed_at)):
                found[(system, object_name, source_id)] = stamp
    return found


def canonical_row(engine: Engine, entity: str, system: str, object_name: str, source_id: str) -> dict[str, Any] | None:
    table = CANONICAL_TABLES[entity].__table__  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        row = session.execute(
            select(table).where(table.c.system == system, table.c.object == object_name, table.c.source_id == source_id)
        ).mappings().one_or_none()
        return dict(row) if row is not None else None


def keys_of(engine: Engine, entity: str, record_id: int) -> set[tuple[str, str, bool]]:
    with session_scope(engine) as session:
        query = select(MatchKey.kind, MatchKey.value, MatchKey.is_weak).where(MatchKey.entity == entity, MatchKey.record_id == record_id)
        return {tuple(row) for row in session.execute(query)}  # type: ignore[misc]


def read_counts(report: MapReport) -> dict[str, int]:
    """system/object → records read, only where some were."""
    return {f"{system}/{object_name}": counts.read for (system, object_name), counts in report.objects.items() if counts.read}


# --- a first run --------------------------------------------------------------------------------


def test_given_landed_records_of_every_object_when_mapped_then_each_ends_mapped_or_quarantined(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)

    report = map_records(migrated_engine, shipped())

    with session_scope(migrated_engine) as session:
        ledger = ledger_counts(session)
        listed = {(system, object_name, source_id) for system, object_name, source_id, _ in quarantined(session)}
    assert "unmapped" not in {outcome for _, _, outcome in ledger}
    assert sum(ledger.values()) == len(LANDED) == report.read
    assert ledger[("zendesk", "tickets", "mapped")] == ledger[("zendesk", "tickets", "quarantined")] == 1
    assert ledger[("zendesk", "users", "mapped")] == 2
    assert listed == QUARANTINED
    assert report.quarantined == len(QUARANTINED)
    for (system, object_name), counts in report.objects.items():
        assert counts.mapped + counts.quarantined == counts.read
        assert counts.mapped == ledger.get((system, object_name, "mapped"), 0)
        assert counts.quarantined == ledger.get((system, object_name, "quarantined"), 0)
        assert counts.inserted == counts.mapped and counts.changed == counts.unchanged == 0


def test_given_a_first_run_then_each_entity_table_holds_its_records(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)

    map_records(migrated_engine, shipped())

    with session_scope(migrated_engine) as session:
        sizes = {entity: len(session.execute(select(table.id)).all()) for entity, table in CANONICAL_TABLES.items()}
    assert sizes == {"person": 4, "company": 3, "deal": 2, "ticket": 3, "ticket_comment": 1, "satisfaction": 1, "ticket_metrics": 1, "owner": 3}


def test_given_a_run_then_its_counts_are_recorded_on_the_run_row(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)

    report = map_records(migrated_engine, shipped())

    with session_scope(migrated_engine) as session:
        run = session.get(Run, report.run_id)
        assert run is not None
        assert (run.flow, run.status, run.error) == ("map", "succeeded", None)
        assert run.counts["zendesk/tickets"]["quarantined"] == 1
        [(reason, count)] = run.counts["zendesk/tickets"]["reasons"].items()
        # Grouped by cause: the record's own value is left out of the key.
        assert (reason.split(" has no entry")[0], count) == ("status: value …", 1)
        assert run.counts == report.as_counts()


def test_given_a_mapped_store_when_mapped_again_then_nothing_is_read(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())
    before = changed_at(migrated_engine)

    again = map_records(migrated_engine, shipped())

    assert again.read == 0
    assert changed_at(migrated_engine) == before


# --- incremental re-maps ------------------------------------------------------------------------


def test_given_one_changed_payload_then_only_that_record_is_re_mapped_and_only_its_changed_at_moves(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())
    before = changed_at(migrated_engine)

    land(migrated_engine, raw_row("salesforce", "Contact", {**SF_CONTACT, "Title": "Head of Operations"}))
    report = map_records(migrated_engine, shipped())

    counts = report.objects[("salesforce", "Contact")]
    assert (report.read, counts.read, counts.changed, counts.inserted, counts.unchanged) == (1, 1, 1, 0, 0)
    after = changed_at(migrated_engine)
    moved = {ref for ref in before if after[ref] != before[ref]}
    assert moved == {("salesforce", "Contact", SF_CONTACT["Id"])}
    assert after[("salesforce", "Contact", SF_CONTACT["Id"])] > before[("salesforce", "Contact", SF_CONTACT["Id"])]
    assert canonical_row(migrated_engine, "person", "salesforce", "Contact", SF_CONTACT["Id"])["title"] == "Head of Operations"  # type: ignore[index]


def test_given_a_payload_change_no_spec_reads_then_the_record_is_read_but_its_row_and_changed_at_stay(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())
    before = changed_at(migrated_engine)

    land(migrated_engine, raw_row("zendesk", "users", {**ZD_USER, "locale": "en-GB", "verified": True}))
    report = map_records(migrated_engine, shipped())

    counts = report.objects[("zendesk", "users")]
    assert (counts.read, counts.unchanged, counts.changed) == (1, 1, 0)
    assert changed_at(migrated_engine) == before


def test_given_a_full_re_map_with_identical_content_then_everything_is_unchanged_and_changed_at_stays(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    first = map_records(migrated_engine, shipped())
    before = changed_at(migrated_engine)

    full = map_records(migrated_engine, shipped(), full=True)

    assert full.read == first.read == len(LANDED)
    assert sum(counts.unchanged for counts in full.objects.values()) == len(LANDED) - len(QUARANTINED)
    assert sum(counts.changed + counts.inserted for counts in full.objects.values()) == 0
    assert full.quarantined == len(QUARANTINED)
    assert (full.objects[("salesforce", "Contact")].read, full.objects[("salesforce", "Contact")].unchanged) == (1, 1)
    assert changed_at(migrated_engine) == before


def test_given_a_spec_override_change_then_only_that_objects_records_are_re_mapped(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())
    before = changed_at(migrated_engine)
    overridden = catalog_with("""
        mapping:
          specs:
            zendesk/users:
              fields:
                attributes.plan_tier: user_fields.plan_tier
    """)

    report = map_records(migrated_engine, overridden)

    assert read_counts(report) == {"zendesk/users": 2}
    counts = report.objects[("zendesk", "users")]
    assert (counts.changed, counts.unchanged) == (1, 1)  # the end user gains the attribute; the agent's spec did not change
    row = canonical_row(migrated_engine, "person", "zendesk", "users", str(ZD_USER["id"]))
    assert row is not None and row["attributes"]["plan_tier"] == "enterprise"
    after = changed_at(migrated_engine)
    assert {ref for ref in before if after[ref] != before[ref]} == {("zendesk", "users", str(ZD_USER["id"]))}
    assert map_records(migrated_engine, overridden).read == 0


def test_given_another_default_region_then_every_record_is_read_again(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())

    report = map_records(migrated_engine, load_catalog(MappingSettings(default_region="GB")))

    assert report.read == len(LANDED) - 1  # the Task has no spec, so no version to change


# --- quarantine ---------------------------------------------------------------------------------


def test_given_a_quarantined_record_then_its_reason_is_listed(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)

    map_records(migrated_engine, shipped())

    with session_scope(migrated_engine) as session:
        reasons = {(system, object_name, source_id): reason for system, object_name, source_id, reason in quarantined(session)}
    assert reasons[("zendesk", "tickets", "90212")].startswith("status: value 'archived' has no entry in map_values")
    assert reasons[("salesforce", "Task", SF_TASK["Id"])].startswith("no mapping spec for salesforce Task")
    assert canonical_row(migrated_engine, "ticket", "zendesk", "tickets", "90212") is None


def test_given_a_quarantined_record_when_its_payload_is_fixed_then_it_maps_and_leaves_the_quarantine(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())

    land(migrated_engine, raw_row("zendesk", "tickets", {**ZD_TICKET_UNKNOWN_STATUS, "status": "solved"}))
    report = map_records(migrated_engine, shipped())

    assert report.objects[("zendesk", "tickets")].inserted == 1
    with session_scope(migrated_engine) as session:
        assert ("zendesk", "tickets", "90212") not in {row[:3] for row in quarantined(session)}
    assert canonical_row(migrated_engine, "ticket", "zendesk", "tickets", "90212")["status"] == "solved"  # type: ignore[index]


def test_given_a_mapped_record_that_later_fails_then_it_keeps_its_last_row_and_is_listed_as_quarantined(migrated_engine: Engine) -> None:
    land_everything(migrated_engine)
    map_records(migrated_engine, shipped())
    row_before = canonical_row(migrated_engine, "ticket", "zendesk", "tickets", "90211")
    assert row_before is not None

    land(migrated_engine, raw_row("zendesk", "tickets", {**ZD_TICKET, "status": "escalated"}))
    report = map_records(migrated_engine, shipped())

    assert report.objects[("zendesk", "tickets")].quarantined == 1
    assert canonical_row(migrated_engine, "ticket", "zendesk", "tickets", "90211") == row_before
    with session_scope(migrated_engine) as session:
        reasons = {row[2]: row[3] for row in quarantined(session) if row[:2] == ("zendesk", "tickets")}
        entry = session.execute(
            select(MapLedgerEntry).join(RawRecord, RawRecord.id == MapLedgerEntry.raw_record_id).where(RawRecord.source_id == "90211")
        ).scalar_one()
        assert (entry.outcome, entry.entity, entry.record_id) == ("quarantined", "ticket", row_before["id"])
    assert "'escalated'" in reasons["90211"]


def test_given_a_warning_when_mapped_then_the_record_is_stored_with_it_and_counted(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("salesforce", "Contact", {**SF_CONTACT, "Email": "priya.raman@"}))

    report = map_records(migrated_engine, shipped())

    assert report.objects[("salesforce", "Contact")].warnings == 1
    row = canonical_row(migrated_engine, "person", "salesforce", "Contact", SF_CONTACT["Id"])
    assert row is not None
    assert row["emails"] == [] and row["warnings"][0].startswith("emails: 'priya.raman@' is not an email address")


def test_given_a_deleted_raw_record_then_its_row_is_marked_deleted(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("hubspot", "contacts", {"id": "52", "archived": True, "archivedAt": "2026-11-02T10:00:00Z"}, is_deleted=True))

    map_records(migrated_engine, shipped())

    row = canonical_row(migrated_engine, "person", "hubspot", "contacts", "52")
    assert row is not None and row["is_deleted"] is True


def test_given_a_zendesk_ticket_deleted_after_it_was_mapped_then_its_row_is_marked_deleted(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("zendesk", "tickets", ZD_TICKET))
    map_records(migrated_engine, shipped())

    land(migrated_engine, raw_row("zendesk", "tickets", {**ZD_TICKET, "status": "deleted"}, is_deleted=True))
    report = map_records(migrated_engine, shipped())

    assert report.quarantined == 0
    row = canonical_row(migrated_engine, "ticket", "zendesk", "tickets", "90211")
    assert row is not None and row["is_deleted"] is True


def test_given_an_override_that_accepts_unknown_priorities_then_the_quarantined_ticket_is_re_mapped(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("zendesk", "tickets", {**ZD_TICKET, "priority": "critical"}))
    assert map_records(migrated_engine, shipped()).quarantined == 1
    lenient = catalog_with("""
        mapping:
          specs:
            zendesk/tickets:
              fields:
                priority:
                  from: priority
                  transforms: [{map_values: {values: {low: low, normal: normal, high: high, urgent: urgent}, default: null}}]
    """)

    report = map_records(migrated_engine, lenient)

    assert (report.read, report.quarantined) == (1, 0)


# --- entity moves and match keys ---------------------------------------------------------------


def test_given_a_zendesk_end_user_promoted_to_agent_then_it_moves_from_people_to_owners_with_its_keys(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("zendesk", "users", ZD_USER))
    map_records(migrated_engine, shipped())
    person = canonical_row(migrated_engine, "person", "zendesk", "users", str(ZD_USER["id"]))
    assert person is not None
    assert ("email", "priya.raman@northwind.co.uk", False) in keys_of(migrated_engine, "person", person["id"])

    land(migrated_engine, raw_row("zendesk", "users", {**ZD_USER, "role": "agent"}))
    report = map_records(migrated_engine, shipped())

    assert report.objects[("zendesk", "users")].inserted == 1
    assert canonical_row(migrated_engine, "person", "zendesk", "users", str(ZD_USER["id"])) is None
    owner = canonical_row(migrated_engine, "owner", "zendesk", "users", str(ZD_USER["id"]))
    assert owner is not None and owner["email"] == "priya.raman@northwind.co.uk"
    assert keys_of(migrated_engine, "person", person["id"]) == set()
    assert keys_of(migrated_engine, "owner", owner["id"]) == {
        ("ref", f"zendesk:users:{ZD_USER['id']}", False),
        ("email", "priya.raman@northwind.co.uk", False),
    }
    with session_scope(migrated_engine) as session:
        assert ledger_counts(session) == {("zendesk", "users", "mapped"): 1}


def test_given_a_mapped_person_then_match_key_rows_hold_its_emails_phones_name_and_ref(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("salesforce", "Contact", SF_CONTACT))

    map_records(migrated_engine, shipped())

    row = canonical_row(migrated_engine, "person", "salesforce", "Contact", SF_CONTACT["Id"])
    assert row is not None
    assert keys_of(migrated_engine, "person", row["id"]) == {
        ("ref", f"salesforce:Contact:{SF_CONTACT['Id']}", False),
        ("email", "priya.raman@northwind.co.uk", False),
        ("phone", "+441215543426", False),
        ("phone", "+12125550123", True),  # a 555-01xx number is a placeholder
        ("person_name", "priya|raman", False),
    }


def test_given_a_person_whose_email_changes_then_its_old_email_key_is_gone(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("hubspot", "contacts", HS_CONTACT))
    map_records(migrated_engine, shipped())

    land(migrated_engine, raw_row("hubspot", "contacts", {**HS_CONTACT, "properties": {**HS_CONTACT["properties"], "email": "jane@acme.io"}}))
    map_records(migrated_engine, shipped())

    with session_scope(migrated_engine) as session:
        emails = set(session.scalars(select(MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "email")))
    assert emails == {"jane@acme.io"}


def test_given_a_company_then_its_domain_name_and_xref_keys_are_stored(migrated_engine: Engine) -> None:
    land(migrated_engine, raw_row("zendesk", "organizations", ZD_ORGANIZATION))

    map_records(migrated_engine, shipped())

    row = canonical_row(migrated_engine, "company", "zendesk", "organizations", str(ZD_ORGANIZATION["id"]))
    assert row is not None
    assert keys_of(migrated_engine, "company", row["id"]) == {
        ("ref", f"zendesk:organizations:{ZD_ORGANIZATION['id']}", False),
        ("domain", "northwind.co.uk", False),
        ("company_name", "northwind traders", False),
        ("xref", f"salesforce:Account:{SF_ACCOUNT['Id']}", False),
    }


# --- the model and the tables -------------------------------------------------------------------

# Columns every canonical table has besides the model's fields: the source ref spread out, and bookkeeping.
SOURCE_COLUMNS = {"system", "object", "source_id"}
BOOKKEEPING_COLUMNS = {"id", "raw_record_id", "content_hash", "changed_at"}


def test_given_the_model_and_the_tables_then_one_table_per_entity() -> None:
    assert set(CANONICAL_TABLES) == set(ENTITIES)


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_given_an_entity_then_its_table_has_exactly_the_models_fields_plus_envelope_and_bookkeeping(entity: str) -> None:
    model, table = ENTITIES[entity], CANONICAL_TABLES[entity]
    fields = set(model.model_fields) - {"source"}

    columns = {column.name for column in table.__table__.columns}  # type: ignore[attr-defined]

    assert columns == fields | SOURCE_COLUMNS | BOOKKEEPING_COLUMNS
    assert ENVELOPE_FIELDS - {"source"} <= columns
    assert issubclass(table, CanonicalRow)


def test_given_a_migrated_database_then_each_canonical_table_has_the_models_columns(migrated_engine: Engine) -> None:
    inspector = inspect(migrated_engine)
    for entity, model in ENTITIES.items():
        table_name = CANONICAL_TABLES[entity].__tablename__  # type: ignore[attr-defined]
        columns = {column["name"] for column in inspector.get_columns(table_name)}
        assert columns == (set(model.model_fields) - {"source"}) | SOURCE_COLUMNS | BOOKKEEPING_COLUMNS, entity
