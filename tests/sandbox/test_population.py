"""The synthetic customer base: shape (the README catalogue), ground truth, noise, and its limits."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import astuple, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from rapidfuzz.distance import OSA

from sandbox.ids import SALESFORCE_KEY_PREFIXES
from sandbox.population import generate_world, population_summary
from sandbox.population.names import fold, formal_first, slug
from sandbox.population.summary import is_role_address, normalised_company_name
from sandbox.population.vocabulary import NICKNAMES
from sandbox.world import World

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

# --- the seed field catalogue (sandbox/README.md), written out once more ------------------------------

SF_COMMON = {"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp"}
SF_FIELDS = {
    "User": {"Username", "Email", "FirstName", "LastName", "Name", "IsActive", "Title", "Department", "UserType"},
    "Account": {
        "Name", "Type", "Industry", "Website", "Phone", "BillingStreet", "BillingCity", "BillingState",
        "BillingPostalCode", "BillingCountry", "AnnualRevenue", "NumberOfEmployees", "OwnerId", "Description",
        "ARR__c", "Renewal_Date__c",
    },
    "Contact": {
        "AccountId", "Salutation", "FirstName", "LastName", "Name", "Title", "Email", "Phone", "MobilePhone",
        "MailingCity", "MailingCountry", "LeadSource", "OwnerId", "MasterRecordId",
    },
    "Lead": {
        "FirstName", "LastName", "Name", "Company", "Title", "Email", "Phone", "MobilePhone", "City", "Country", "Website", "Status", "LeadSource",
        "IsConverted", "ConvertedAccountId", "ConvertedContactId", "OwnerId",
    },
    "Opportunity": {
        "AccountId", "Name", "StageName", "Amount", "Probability", "CloseDate", "IsClosed", "IsWon", "Type",
        "LeadSource", "OwnerId", "Description",
    },
    "Case": {
        "CaseNumber", "AccountId", "ContactId", "Subject", "Description", "Status", "Priority", "Origin",
        "IsClosed", "ClosedDate", "OwnerId",
    },
}
SF_VALUES = {
    ("Account", "Type"): {"Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"},
    ("Lead", "Status"): {"Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"},
    ("Opportunity", "StageName"): {
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
        "Negotiation/Review", "Closed Won", "Closed Lost",
    },
    ("Opportunity", "Type"): {"New Business", "Existing Business"},
    ("Case", "Status"): {"New", "Working", "Escalated", "Closed"},
    ("Case", "Priority"): {"High", "Medium", "Low"},
    ("Case", "Origin"): {"Phone", "Email", "Web"},
    ("User", "UserType"): {"Standard"},
}
HS_MAINTAINED = {"contacts": {"hs_object_id", "createdate", "lastmodifieddate"}}
HS_PROPERTIES = {
    "contacts": {
        "email", "firstname", "lastname", "phone", "mobilephone", "company", "jobtitle", "website", "city", "country",
        "lifecyclestage", "hs_lead_status", "hubspot_owner_id", "salesforcecontactid", "hs_additional_emails",
    },
    "companies": {
        "name", "domain", "website", "phone", "industry", "city", "country", "numberofemployees", "annualrevenue",
        "lifecyclestage", "type", "hubspot_owner_id", "salesforceaccountid",
    },
    "deals": {"dealname", "amount", "dealstage", "pipeline", "closedate", "dealtype", "hubspot_owner_id"},
    "tickets": {
        "subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "hubspot_owner_id",
        "source_type", "closed_date",
    },
}
HS_LIFECYCLE = {
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other",
}
HS_VALUES = {
    ("contacts", "lifecyclestage"): HS_LIFECYCLE,
    ("companies", "lifecyclestage"): HS_LIFECYCLE,
    ("companies", "type"): {"PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER", None},
    ("deals", "dealstage"): {
        "appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent",
        "closedwon", "closedlost",
    },
    ("deals", "pipeline"): {"default"},
    ("deals", "dealtype"): {"newbusiness", "existingbusiness"},
    ("tickets", "hs_pipeline"): {"0"},
    ("tickets", "hs_pipeline_stage"): {"1", "2", "3", "4"},
    ("tickets", "hs_ticket_priority"): {"LOW", "MEDIUM", "HIGH"},
    ("tickets", "source_type"): {"EMAIL", "CHAT", "PHONE", "FORM"},
}
HS_OWNER_KEYS = {"id", "email", "firstName", "lastName", "userId", "createdAt", "updatedAt", "archived", "teams"}
HS_ASSOCIATION_KEYS = {"from_type", "from_id", "to_type", "to_id", "type_id"}
HS_ASSOCIATION_TYPES = {
    ("contacts", "companies"): 1, ("companies", "contacts"): 2, ("deals", "contacts"): 3, ("contacts", "deals"): 4,
    ("deals", "companies"): 5, ("companies", "deals"): 6, ("contacts", "tickets"): 15, ("tickets", "contacts"): 16,
    ("tickets", "companies"): 26, ("companies", "tickets"): 25,
}
ZD_FIELDS = {
    "users": {
        "id", "name", "email", "phone", "role", "organization_id", "external_id", "tags", "user_fields", "active",
        "verified", "suspended", "time_zone", "locale", "created_at", "updated_at",
    },
    "organizations": {
        "id", "name", "domain_names", "external_id", "details", "notes", "tags", "organization_fields", "created_at",
        "updated_at",
    },
    "tickets": {
        "id", "subject", "description", "status", "priority", "type", "requester_id", "submitter_id", "assignee_id",
        "organization_id", "tags", "custom_fields", "via", "external_id", "created_at", "updated_at",
    },
    "ticket_comments": {"id", "ticket_id", "author_id", "body", "public", "created_at"},
    "satisfaction_ratings": {
        "id", "ticket_id", "requester_id", "assignee_id", "score", "comment", "created_at", "updated_at",
    },
    "ticket_metrics": {
        "id", "ticket_id", "replies", "reopens", "reply_time_in_minutes", "first_resolution_time_in_minutes",
        "full_resolution_time_in_minutes", "solved_at", "created_at", "updated_at",
    },
    "user_fields": {"id", "key", "type", "title", "active"},
    "organization_fields": {"id", "key", "type", "title", "active"},
    "ticket_fields": {"id", "type", "title", "active"},
}
ZD_VALUES = {
    ("users", "role"): {"end-user", "agent", "admin"},
    ("tickets", "status"): {"new", "open", "pending", "hold", "solved", "closed", "deleted"},
    ("tickets", "priority"): {"low", "normal", "high", "urgent", None},
    ("tickets", "type"): {"problem", "incident", "question", "task"},
    ("satisfaction_ratings", "score"): {"good", "bad"},
}
# The person- or company-bearing objects the ground truth must cover (README, plus our staff).
TRUTH_OBJECTS = {
    ("salesforce", "User"), ("salesforce", "Account"), ("salesforce", "Contact"), ("salesforce", "Lead"),
    ("salesforce", "Opportunity"), ("salesforce", "Case"), ("hubspot", "owners"), ("hubspot", "contacts"),
    ("hubspot", "companies"), ("hubspot", "deals"), ("hubspot", "tickets"), ("zendesk", "users"),
    ("zendesk", "organizations"), ("zendesk", "tickets"),
}
FREE_MAIL_HINTS = ("gmail.", "yahoo.", "outlook.", "hotmail.", "icloud.", "protonmail.", "aol.", "gmx.", "web.de")


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(2000, seed=7, now=NOW)


def serialise(world: World) -> str:
    body = {
        "seed": world.seed, "salesforce": world.salesforce, "hubspot": world.hubspot, "zendesk": world.zendesk,
        "truth": [astuple(row) for row in world.truth],
    }
    return json.dumps(body, default=str)


def source_key(system: str, object_name: str, record: dict[str, Any]) -> tuple[str, str, str]:
    return system, object_name, str(record.get("Id", record.get("id")))


def all_records(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (system, object_name, record)
        for system, records in (("salesforce", world.salesforce), ("hubspot", world.hubspot), ("zendesk", world.zendesk))
        for object_name, rows in records.items()
        for record in rows
    ]


# --- determinism and scale ------------------------------------------------------------------------------


def test_given_the_same_seed_and_now_when_generating_twice_then_the_worlds_serialise_identically() -> None:
    first, second = generate_world(400, seed=3, now=NOW), generate_world(400, seed=3, now=NOW)
    assert serialise(first) == serialise(second)


def test_given_another_process_with_another_hash_seed_when_generating_then_the_world_is_the_same() -> None:
    script = (
        "import hashlib, sys; from datetime import datetime; "
        "sys.path.insert(0, sys.argv[1]); "
        "from sandbox.population import generate_world; "
        "sys.path.insert(0, sys.argv[2]); from test_population import serialise; "
        "world = generate_world(400, seed=3, now=datetime.fromisoformat(sys.argv[3])); "
        "print(hashlib.sha256(serialise(world).encode()).hexdigest())"
    )
    repo, tests = Path(__file__).resolve().parents[2], Path(__file__).resolve().parent
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(repo), str(tests), NOW.isoformat()],
        capture_output=True, text=True, env=environment, check=True, timeout=120,
    )
    here = hashlib.sha256(serialise(generate_world(400, seed=3, now=NOW)).encode()).hexdigest()
    assert result.stdout.strip() == here


def test_given_different_seeds_when_generating_then_the_worlds_differ() -> None:
    assert serialise(generate_world(400, seed=3, now=NOW)) != serialise(generate_world(400, seed=4, now=NOW))


def test_given_more_people_when_generating_then_every_main_object_count_grows() -> None:
    small, large = generate_world(300, seed=5, now=NOW).record_counts(), generate_world(1500, seed=5, now=NOW).record_counts()
    for system, name in [
        ("salesforce", "Account"), ("salesforce", "Contact"), ("salesforce", "Lead"), ("salesforce", "Opportunity"),
        ("hubspot", "companies"), ("hubspot", "contacts"), ("hubspot", "deals"),
        ("zendesk", "users"), ("zendesk", "organizations"), ("zendesk", "tickets"),
    ]:
        assert large[system][name] > 3 * small[system][name], (system, name)


def test_given_a_world_then_staff_and_companies_scale_with_people(world: World) -> None:
    summary = population_summary(world)
    assert summary["people"] == 2000
    assert 300 <= summary["companies"] <= 400  # about people / 5; a few companies have no record anywhere
    assert len(world.salesforce["User"]) == len(world.hubspot["owners"]) == 8  # 4 sales owners + 4 agents
    assert Counter(user["role"] for user in world.zendesk["users"] if user["role"] != "end-user") == {"agent": 7, "admin": 1}


@pytest.mark.parametrize("people", [1, 7, 40])
def test_given_a_handful_of_people_when_generating_then_everyone_is_somewhere_with_truth(people: int) -> None:
    tiny = generate_world(people, seed=1, now=NOW)
    assert population_summary(tiny)["people"] == people
    truth = Counter((row.system, row.object, row.source_id) for row in tiny.truth)
    expected = Counter(source_key(system, name, row) for system, name, row in all_records(tiny) if (system, name) in TRUTH_OBJECTS)
    assert truth == expected


def test_given_no_people_or_a_naive_now_when_generating_then_it_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_world(0)
    with pytest.raises(ValueError):
        generate_world(10, now=datetime(2026, 1, 1))


def test_when_generating_ten_thousand_people_then_every_system_is_populated() -> None:
    started = time.perf_counter()
    large = generate_world(10_000, seed=42)
    elapsed = time.perf_counter() - started
    counts = large.record_counts()
    print(f"\ngenerate_world(10_000): {elapsed:.2f} s; {sum(sum(c.values()) for c in counts.values())} records; {counts}")
    assert len({row.person_id for row in large.truth if (row.person_id or "").startswith("person-")}) == 10_000
    assert counts["salesforce"]["Contact"] > 4000 and counts["hubspot"]["contacts"] > 4000
    assert counts["zendesk"]["users"] > 2500 and counts["zendesk"]["tickets"] > 3000


# --- the catalogue --------------------------------------------------------------------------------------


def test_every_salesforce_record_has_exactly_the_catalogue_fields_and_values(world: World) -> None:
    assert set(world.salesforce) == set(SF_FIELDS)
    for sobject, expected in SF_FIELDS.items():
        keys = SF_COMMON | expected | (set() if sobject == "User" else {"IsDeleted"})
        assert world.salesforce[sobject], sobject
        for record in world.salesforce[sobject]:
            assert set(record) == keys, sobject
    for (sobject, field_name), allowed in SF_VALUES.items():
        assert {record[field_name] for record in world.salesforce[sobject]} <= allowed, (sobject, field_name)


def test_every_hubspot_record_has_exactly_the_catalogue_properties_and_values(world: World) -> None:
    assert set(world.hubspot) == {*HS_PROPERTIES, "owners", "associations"}
    for object_type, expected in HS_PROPERTIES.items():
        maintained = HS_MAINTAINED.get(object_type, {"hs_object_id", "createdate", "hs_lastmodifieddate"})
        assert world.hubspot[object_type], object_type
        for record in world.hubspot[object_type]:
            assert set(record) == {"id", "properties", "createdAt", "updatedAt", "archived"}
            assert set(record["properties"]) == expected | maintained, object_type
            assert record["archived"] is False and record["properties"]["hs_object_id"] == record["id"]
    for (object_type, prop), allowed in HS_VALUES.items():
        assert {record["properties"][prop] for record in world.hubspot[object_type]} <= allowed, (object_type, prop)
    assert all(set(owner) == HS_OWNER_KEYS and owner["teams"] == [] for owner in world.hubspot["owners"])
    for association in world.hubspot["associations"]:
        assert set(association) == HS_ASSOCIATION_KEYS
        assert HS_ASSOCIATION_TYPES[(association["from_type"], association["to_type"])] == association["type_id"]


def test_every_zendesk_record_has_exactly_the_catalogue_fields_and_values(world: World) -> None:
    assert set(world.zendesk) == set(ZD_FIELDS)
    for object_type, expected in ZD_FIELDS.items():
        assert world.zendesk[object_type], object_type
        for record in world.zendesk[object_type]:
            assert set(record) == expected, object_type
            assert isinstance(record["id"], int)
    for (object_type, field_name), allowed in ZD_VALUES.items():
        assert {record[field_name] for record in world.zendesk[object_type]} <= allowed, (object_type, field_name)


def test_hubspot_property_values_are_all_strings_or_none(world: World) -> None:
    for object_type in HS_PROPERTIES:
        for record in world.hubspot[object_type]:
            bad = {key: value for key, value in record["properties"].items() if value is not None and not isinstance(value, str)}
            assert not bad, (object_type, record["id"], bad)


def test_salesforce_ids_are_eighteen_characters_with_the_objects_key_prefix_and_references_resolve(world: World) -> None:
    ids = {sobject: {record["Id"] for record in rows} for sobject, rows in world.salesforce.items()}
    for sobject, rows in world.salesforce.items():
        for record in rows:
            assert len(record["Id"]) == 18 and record["Id"].startswith(SALESFORCE_KEY_PREFIXES[sobject])
    references = [
        ("Contact", "AccountId", "Account"), ("Contact", "OwnerId", "User"), ("Contact", "MasterRecordId", "Contact"),
        ("Lead", "ConvertedAccountId", "Account"), ("Lead", "ConvertedContactId", "Contact"), ("Lead", "OwnerId", "User"),
        ("Account", "OwnerId", "User"), ("Opportunity", "AccountId", "Account"), ("Opportunity", "OwnerId", "User"),
        ("Case", "AccountId", "Account"), ("Case", "ContactId", "Contact"), ("Case", "OwnerId", "User"),
    ]
    for sobject, field_name, target in references:
        values = {record[field_name] for record in world.salesforce[sobject]} - {None}
        assert values <= ids[target], (sobject, field_name)


def test_zendesk_and_hubspot_references_resolve_to_seeded_records(world: World) -> None:
    users = {user["id"] for user in world.zendesk["users"]}
    orgs = {org["id"] for org in world.zendesk["organizations"]}
    tickets = {ticket["id"] for ticket in world.zendesk["tickets"]}
    assert {user["organization_id"] for user in world.zendesk["users"]} - {None} <= orgs
    for ticket in world.zendesk["tickets"]:
        assert {ticket["requester_id"], ticket["submitter_id"]} <= users and ticket["assignee_id"] in users | {None}
        assert ticket["organization_id"] in orgs | {None}
    for object_type in ("ticket_comments", "satisfaction_ratings", "ticket_metrics"):
        assert {row["ticket_id"] for row in world.zendesk[object_type]} <= tickets, object_type
    assert Counter(metric["ticket_id"] for metric in world.zendesk["ticket_metrics"]) == Counter(tickets)
    hs_ids = {object_type: {r["id"] for r in world.hubspot[object_type]} for object_type in HS_PROPERTIES}
    for association in world.hubspot["associations"]:
        assert association["from_id"] in hs_ids[association["from_type"]]
        assert association["to_id"] in hs_ids[association["to_type"]]
    owners = {owner["id"] for owner in world.hubspot["owners"]}
    for object_type in HS_PROPERTIES:
        assert {r["properties"]["hubspot_owner_id"] for r in world.hubspot[object_type]} - {None} <= owners


def test_zendesk_custom_field_values_use_the_defined_fields(world: World) -> None:
    user_keys = {field["key"] for field in world.zendesk["user_fields"]}
    org_keys = {field["key"] for field in world.zendesk["organization_fields"]}
    ticket_field_ids = {field["id"] for field in world.zendesk["ticket_fields"]}
    assert all(set(user["user_fields"]) == user_keys for user in world.zendesk["users"])
    assert all(set(org["organization_fields"]) == org_keys for org in world.zendesk["organizations"])
    assert any(user["user_fields"]["plan_tier"] for user in world.zendesk["users"])
    assert any(org["organization_fields"]["account_tier"] for org in world.zendesk["organizations"])
    for ticket in world.zendesk["tickets"]:
        assert {field["id"] for field in ticket["custom_fields"]} <= ticket_field_ids


# --- ground truth ---------------------------------------------------------------------------------------


def test_truth_has_exactly_one_row_per_person_or_company_bearing_record(world: World) -> None:
    expected = [source_key(system, name, row) for system, name, row in all_records(world) if (system, name) in TRUTH_OBJECTS]
    truth = [(row.system, row.object, row.source_id) for row in world.truth]
    assert Counter(truth) == Counter(expected)


def test_truth_names_customers_by_person_and_company_and_staff_without_a_company(world: World) -> None:
    by_key = {(row.system, row.object, row.source_id): row for row in world.truth}
    for system, name in [("salesforce", "Contact"), ("salesforce", "Lead"), ("hubspot", "contacts")]:
        for _, _, record in (r for r in all_records(world) if r[:2] == (system, name)):
            row = by_key[source_key(system, name, record)]
            assert row.person_id and row.person_id.startswith("person-") and row.company_id.startswith("company-")
    for row in world.truth:
        if (row.system, row.object) in {("salesforce", "User"), ("hubspot", "owners")}:
            assert re.fullmatch(r"(owner|agent)-\d{3}", row.person_id or "") and row.company_id is None
        if (row.system, row.object) in {("salesforce", "Account"), ("hubspot", "companies"), ("zendesk", "organizations")}:
            assert row.person_id is None and (row.company_id or "").startswith("company-")
    agents = [user for user in world.zendesk["users"] if user["role"] != "end-user"]
    assert all(by_key[source_key("zendesk", "users", user)].person_id.startswith(("owner-", "agent-")) for user in agents)


def test_a_staff_member_has_one_truth_id_across_the_three_systems(world: World) -> None:
    by_email: dict[str, set[str]] = defaultdict(set)
    truth = {(row.system, row.object, row.source_id): row.person_id for row in world.truth}
    for user in world.salesforce["User"]:
        by_email[user["Email"]].add(truth[source_key("salesforce", "User", user)] or "")
    for owner in world.hubspot["owners"]:
        by_email[owner["email"]].add(truth[source_key("hubspot", "owners", owner)] or "")
    for user in world.zendesk["users"]:
        if user["role"] != "end-user":
            by_email[user["email"]].add(truth[source_key("zendesk", "users", user)] or "")
    assert len(by_email) == 8 and all(len(ids) == 1 for ids in by_email.values())


def test_cross_system_ids_point_at_records_of_the_same_true_person_or_company(world: World) -> None:
    truth = {(row.system, row.object, row.source_id): row for row in world.truth}
    contacts = [c for c in world.hubspot["contacts"] if c["properties"]["salesforcecontactid"]]
    orgs = [o for o in world.zendesk["organizations"] if o["external_id"]]
    converted = [lead for lead in world.salesforce["Lead"] if lead["IsConverted"]]
    assert contacts and orgs and converted
    for contact in contacts:
        sf = truth[("salesforce", "Contact", contact["properties"]["salesforcecontactid"])]
        assert sf.person_id == truth[source_key("hubspot", "contacts", contact)].person_id
    for org in orgs:
        account = truth[("salesforce", "Account", org["external_id"])]
        assert account.company_id == truth[source_key("zendesk", "organizations", org)].company_id
    for lead in converted:
        assert lead["Status"] == "Closed - Converted" and lead["ConvertedAccountId"] and lead["ConvertedContactId"]
        contact = truth[("salesforce", "Contact", lead["ConvertedContactId"])]
        assert contact.person_id == truth[source_key("salesforce", "Lead", lead)].person_id


# --- noise ----------------------------------------------------------------------------------------------


def person_of(world: World) -> dict[tuple[str, str, str], str]:
    return {(row.system, row.object, row.source_id): row.person_id or "" for row in world.truth}


def test_duplicates_inside_hubspot_and_zendesk_share_a_true_person_but_never_an_email(world: World) -> None:
    truth = person_of(world)
    for system, object_type, email_of in [
        ("hubspot", "contacts", lambda r: r["properties"]["email"]),
        ("zendesk", "users", lambda r: r["email"]),
    ]:
        records = [r for r in getattr(world, system)[object_type] if object_type != "users" or r["role"] == "end-user"]
        by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            by_person[truth[source_key(system, object_type, record)]].append(record)
        duplicated = {person: rows for person, rows in by_person.items() if len(rows) > 1}
        assert len(duplicated) >= 20, system
        for rows in duplicated.values():
            emails = [email_of(row).strip().lower() for row in rows if email_of(row)]
            assert len(emails) == len(set(emails)), (system, emails)


def test_vendor_unique_email_rules_hold_in_hubspot_and_zendesk(world: World) -> None:
    zendesk = [user["email"] for user in world.zendesk["users"] if user["email"]]
    assert len(zendesk) == len(set(zendesk)) and all(email == email.strip().lower() for email in zendesk)
    hubspot = []
    for contact in world.hubspot["contacts"]:
        props = contact["properties"]
        hubspot += [props["email"]] if props["email"] else []
        hubspot += (props["hs_additional_emails"] or "").split(";") if props["hs_additional_emails"] else []
    normalised = [email.strip().lower() for email in hubspot]
    assert len(normalised) == len(set(normalised))


def test_role_addresses_are_used_by_several_different_people_each_a_person_of_its_own(world: World) -> None:
    truth = person_of(world)
    people_by_address: dict[str, set[str]] = defaultdict(set)
    person_objects = {("salesforce", "Contact"), ("salesforce", "Lead"), ("hubspot", "contacts"), ("zendesk", "users")}
    for system, name, record in all_records(world):
        email = record.get("Email", record.get("email", (record.get("properties") or {}).get("email")))
        if (system, name) in person_objects and is_role_address(email):
            people_by_address[email.strip().lower()].add(truth[source_key(system, name, record)])
    shared = {address: people for address, people in people_by_address.items() if len(people) > 1}
    assert len(shared) >= 5
    zendesk_role_users = [u for u in world.zendesk["users"] if is_role_address(u["email"])]
    assert len(zendesk_role_users) >= 5 and all(u["organization_id"] for u in zendesk_role_users)


def test_namesake_people_share_an_exact_name_but_not_a_truth_id_company_or_email(world: World) -> None:
    truth = {(row.system, row.object, row.source_id): row for row in world.truth}
    people_by_name: dict[str, dict[str, str]] = defaultdict(dict)  # full name -> person -> company
    emails_by_name: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in _evidence_records(world):
        company = truth[record.key].company_id or ""
        people_by_name[record.full_name][record.person] = company
        emails_by_name[record.full_name][record.person] |= record.emails
    namesakes = {name: people for name, people in people_by_name.items() if len(people) > 1}
    across_companies = [people for people in namesakes.values() if len(set(people.values())) == len(people)]
    assert len(across_companies) >= 3
    for name in namesakes:
        addresses = [email for emails in emails_by_name[name].values() for email in emails]
        assert len(addresses) == len(set(addresses)), name


def test_namesake_companies_share_a_name_but_not_a_domain(world: World) -> None:
    truth = {(row.system, row.object, row.source_id): row.company_id for row in world.truth}
    names: dict[str, set[str]] = defaultdict(set)
    domains: dict[str, set[str]] = defaultdict(set)
    for org in world.zendesk["organizations"] + [c for c in world.hubspot["companies"]]:
        system, object_type = ("zendesk", "organizations") if "domain_names" in org else ("hubspot", "companies")
        company = truth[source_key(system, object_type, org)] or ""
        name = org["name"] if system == "zendesk" else org["properties"]["name"]
        names[normalised_company_name(re.sub(r" \(.*\)$", "", name))].add(company)
        domains[company].update(org["domain_names"] if system == "zendesk" else [org["properties"]["domain"] or ""])
    groups = [companies for companies in names.values() if len(companies) > 1]
    assert len(groups) >= 2
    for companies in groups:
        seen = [domain for company in companies for domain in domains[company] - {""}]
        assert len(seen) == len(set(seen))


def test_population_summary_reports_counts_overlap_and_noise(world: World) -> None:
    summary = population_summary(world)
    assert summary["records"] == world.record_counts() and summary["truth_rows"] == len(world.truth)
    assert sum(summary["people_by_system_count"].values()) == summary["people"] == 2000
    assert summary["people_by_system_count"][2] + summary["people_by_system_count"].get(3, 0) > 1000  # most people overlap
    noise, links = summary["noise"], summary["links"]
    for counter in ("hubspot_duplicate_contacts", "zendesk_duplicate_users", "role_addresses_shared_by_several_people",
                    "namesake_people_groups", "namesake_company_groups", "sales_signal_tickets"):
        assert noise[counter] > 0, counter
    assert links["converted_leads"] == sum(1 for lead in world.salesforce["Lead"] if lead["IsConverted"]) > 0
    json.dumps(summary)  # printable as is by the README and bench


def test_noise_is_present_at_realistic_rates(world: World) -> None:
    noise = population_summary(world)["noise"]
    contacts = len(world.salesforce["Contact"]) + len(world.hubspot["contacts"]) + len(world.zendesk["users"])
    assert 0.03 < noise["people_with_name_variants"] / 2000 < 0.25
    assert noise["salesforce_merged_contacts"] >= 1 and noise["hubspot_duplicate_companies"] >= 1
    assert 0.002 < noise["role_address_records"] / contacts < 0.05
    odd_case = [c["Email"] for c in world.salesforce["Contact"] if c["Email"] and c["Email"] != c["Email"].strip().lower()]
    assert 0.01 < len(odd_case) / len(world.salesforce["Contact"]) < 0.15
    firsts = [slug(contact["properties"]["firstname"] or "") for contact in world.hubspot["contacts"]]
    assert any(formal_first(first) != first for first in firsts)  # some go by a nickname


def test_sales_signal_tags_appear_on_a_few_percent_of_tickets(world: World) -> None:
    tickets = world.zendesk["tickets"]
    signals = [t for t in tickets if {"upsell", "pricing"} & set(t["tags"])]
    assert 0.01 < len(signals) / len(tickets) < 0.06
    unsolved = {"new", "open", "pending", "hold"}
    urgent_open = [t for t in tickets if t["priority"] in {"urgent", "high"} and t["status"] in unsolved]
    assert urgent_open


# --- evidence: noisy but never hopeless ------------------------------------------------------------------


FORMAL_FORMS: dict[str, set[str]] = defaultdict(set)
for _formal, _shorts in NICKNAMES.items():
    for _short in _shorts:
        FORMAL_FORMS[slug(_short)].add(slug(_formal))
GENERATIONAL = re.compile(r" (jr\.|sr\.|ii|iii)$")


def _name_forms(first: str, last: str) -> set[str]:
    """A name written full, either order, with a nickname read as every formal name it may stand for."""
    first, last = fold(first).lower().strip(), GENERATIONAL.sub("", fold(last).lower().strip())
    firsts = {first} | FORMAL_FORMS.get(slug(first), set())
    return {f"{given} {last}" for given in firsts} | {f"{last} {given}" for given in firsts}


def _names_close(a: set[str], b: set[str]) -> bool:
    """Each record is at most one edit (typo, nickname, swap, case, accents, suffix) from the truth: two are at most two apart."""
    return any(OSA.distance(x, y) <= 2 for x in a for y in b)


def _host(url: str | None) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", (url or "").strip().lower()).split("/")[0]


@dataclass
class Evidence:
    """What one person record offers a matcher: names, emails, and the companies it points at."""

    key: tuple[str, str, str]
    person: str
    full_name: str
    names: set[str]
    emails: set[str]  # normalised, role addresses left out
    companies: set[str] = field(default_factory=set)  # true companies of linked records, domains and names
    domains: set[str] = field(default_factory=set)  # company domains of its emails and website
    texts: set[str] = field(default_factory=set)  # normalised company names typed on it


@dataclass
class CompanyLookup:
    """Company records by id, domain and normalised name, each mapped to its true company."""

    by_id: dict[Any, str] = field(default_factory=dict)
    by_domain: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, record_id: Any, company: str, names: list[str | None], sites: list[str | None]) -> None:
        self.by_id[record_id] = company
        for name in filter(None, names):
            self.by_name[normalised_company_name(name)].add(company)
        for site in filter(None, sites):
            self.by_domain[_host(site)].add(company)


def _company_lookup(world: World) -> CompanyLookup:
    truth = {(row.system, row.object, row.source_id): row.company_id or "" for row in world.truth}
    lookup = CompanyLookup()
    for account in world.salesforce["Account"]:
        lookup.add(account["Id"], truth[source_key("salesforce", "Account", account)], [account["Name"]], [account["Website"]])
    for company in world.hubspot["companies"]:
        props = company["properties"]
        sites = [props["domain"], props["website"]]
        lookup.add(company["id"], truth[source_key("hubspot", "companies", company)], [props["name"]], sites)
    for org in world.zendesk["organizations"]:
        lookup.add(org["id"], truth[source_key("zendesk", "organizations", org)], [], org["domain_names"])
    return lookup


def _evidence(
    world_truth: dict[tuple[str, str, str], str], lookup: CompanyLookup, key: tuple[str, str, str], first: str, last: str,
    emails: list[str | None], links: set[str], texts: tuple[str | None, ...] = (), sites: tuple[str | None, ...] = (),
) -> Evidence:
    clean = [email.strip().lower() for email in emails if email]
    domains = {email.split("@")[1] for email in clean if not email.split("@")[1].startswith(FREE_MAIL_HINTS)}
    domains |= {_host(site) for site in sites if site}
    companies = set(links)
    for domain in domains:
        companies |= lookup.by_domain.get(domain, set())
    names = {normalised_company_name(text) for text in texts if text}
    for name in names:
        companies |= lookup.by_name.get(name, set())
    usable = {email for email in clean if not is_role_address(email)}
    return Evidence(key, world_truth[key], f"{first} {last}".lower(), _name_forms(first, last), usable, companies, domains, names)


def _split_zendesk_name(name: str) -> tuple[str, str]:
    if ", " in name:
        last, _, first = name.partition(", ")
        return first, last
    first, _, last = name.partition(" ")
    return first, last


def _evidence_records(world: World) -> list[Evidence]:
    """Every customer person record, as evidence (SF Contacts and Leads, HubSpot contacts, Zendesk end-users)."""
    truth = {(row.system, row.object, row.source_id): row.person_id or "" for row in world.truth}
    lookup = _company_lookup(world)
    associated: dict[str, set[str]] = defaultdict(set)
    for association in world.hubspot["associations"]:
        if (association["from_type"], association["to_type"]) == ("contacts", "companies"):
            associated[association["from_id"]].add(lookup.by_id[association["to_id"]])
    records = []
    for contact in world.salesforce["Contact"]:
        key, links = source_key("salesforce", "Contact", contact), {lookup.by_id[contact["AccountId"]]}
        records.append(_evidence(truth, lookup, key, contact["FirstName"], contact["LastName"], [contact["Email"]], links))
    for lead in world.salesforce["Lead"]:
        key = source_key("salesforce", "Lead", lead)
        links = {lookup.by_id[lead["ConvertedAccountId"]]} if lead["ConvertedAccountId"] else set()
        records.append(_evidence(
            truth, lookup, key, lead["FirstName"], lead["LastName"], [lead["Email"]], links, (lead["Company"],), (lead["Website"],)
        ))
    for contact in world.hubspot["contacts"]:
        props, key = contact["properties"], source_key("hubspot", "contacts", contact)
        emails = [props["email"], *(props["hs_additional_emails"] or "").split(";")]
        records.append(_evidence(
            truth, lookup, key, props["firstname"], props["lastname"], emails, associated[contact["id"]],
            (props["company"],), (props["website"],),
        ))
    for user in world.zendesk["users"]:
        if user["role"] == "end-user":
            first, last = _split_zendesk_name(user["name"])
            links = {lookup.by_id[user["organization_id"]]} if user["organization_id"] else set()
            records.append(_evidence(truth, lookup, source_key("zendesk", "users", user), first, last, [user["email"]], links))
    return records


def test_every_record_of_a_person_is_linked_to_the_others_by_real_evidence(world: World) -> None:
    """A shared email, or a close name plus the same company: what a fair matcher needs to find each duplicate."""
    by_person: dict[str, list[Evidence]] = defaultdict(list)
    for record in _evidence_records(world):
        by_person[record.person].append(record)
    isolated = []
    checked = 0
    for person, records in by_person.items():
        if len(records) < 2:
            continue
        checked += 1
        reached, frontier = {0}, [0]
        while frontier:
            a = records[frontier.pop()]
            for index, b in enumerate(records):
                if index in reached:
                    continue
                same_company = bool(a.companies & b.companies or a.domains & b.domains or a.texts & b.texts)
                if a.emails & b.emails or (same_company and _names_close(a.names, b.names)):
                    reached.add(index)
                    frontier.append(index)
        if len(reached) < len(records):
            isolated.append((person, [(r.key, r.full_name, r.emails, r.companies) for r in records]))
    assert checked > 800
    assert not isolated, isolated[:3]


def test_no_two_people_share_a_personal_or_work_email(world: World) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for record in _evidence_records(world):
        for email in record.emails:
            owners[email].add(record.person)
    assert owners and all(len(people) == 1 for people in owners.values())


def test_phone_numbers_in_every_format_normalise_to_valid_numbers(world: World) -> None:
    country_codes = {"United States": "US", "USA": "US", "US": "US", "United States of America": "US"}
    checked = 0
    for contact in world.salesforce["Contact"]:
        phone, country = contact["Phone"], contact["MailingCountry"]
        if phone and country:
            region = country_codes.get(country) or next(
                (code for code in phonenumbers.SUPPORTED_REGIONS if code == country), None
            ) or _region_by_name(country)
            parsed = phonenumbers.parse(phone, region)
            assert phonenumbers.is_valid_number(parsed), (phone, country)
            checked += 1
    for user in world.zendesk["users"]:
        if user["phone"] and user["phone"].startswith("+"):
            assert phonenumbers.is_valid_number(phonenumbers.parse(user["phone"])), user["phone"]
            checked += 1
    assert checked > 500


def _region_by_name(country: str) -> str:
    from sandbox.population.countries import COUNTRIES

    for candidate in COUNTRIES:
        if country == candidate.name or country in candidate.aliases:
            return candidate.code
    raise AssertionError(country)


# --- time -----------------------------------------------------------------------------------------------


def _is_utc_ms(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() == timedelta(0) and moment.microsecond % 1000 == 0


def test_salesforce_stamps_are_ordered_millisecond_utc_and_in_the_past(world: World) -> None:
    limit = NOW - timedelta(minutes=2)
    for sobject, rows in world.salesforce.items():
        for record in rows:
            created, modified, modstamp = record["CreatedDate"], record["LastModifiedDate"], record["SystemModstamp"]
            assert all(_is_utc_ms(moment) for moment in (created, modified, modstamp)), sobject
            assert NOW - timedelta(days=3 * 366) < created <= modified <= modstamp <= limit, sobject
    for case in world.salesforce["Case"]:
        assert case["IsClosed"] == (case["Status"] == "Closed") == (case["ClosedDate"] is not None)
        assert case["ClosedDate"] is None or case["CreatedDate"] <= case["ClosedDate"] <= case["LastModifiedDate"]


def test_hubspot_times_are_ordered_and_mirrored_in_the_date_properties(world: World) -> None:
    limit = NOW - timedelta(minutes=2)
    for object_type in HS_PROPERTIES:
        modified_property = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        for record in world.hubspot[object_type]:
            assert _is_utc_ms(record["createdAt"]) and record["createdAt"] <= record["updatedAt"] <= limit
            props = record["properties"]
            assert props["createdate"] == record["createdAt"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            assert props[modified_property] == record["updatedAt"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    for ticket in world.hubspot["tickets"]:
        assert (ticket["properties"]["closed_date"] is not None) == (ticket["properties"]["hs_pipeline_stage"] == "4")


def test_zendesk_times_are_whole_seconds_ordered_and_in_the_past(world: World) -> None:
    limit = NOW - timedelta(minutes=2)
    for object_type in ("users", "organizations", "tickets", "satisfaction_ratings", "ticket_metrics"):
        for record in world.zendesk[object_type]:
            assert record["created_at"].microsecond == 0 and record["created_at"].tzinfo is not None
            assert record["created_at"] <= record["updated_at"] <= limit, object_type
    tickets = {ticket["id"]: ticket for ticket in world.zendesk["tickets"]}
    for comment in world.zendesk["ticket_comments"]:
        ticket = tickets[comment["ticket_id"]]
        assert ticket["created_at"] <= comment["created_at"] <= ticket["updated_at"]
    first_comments = {}
    for comment in world.zendesk["ticket_comments"]:
        first_comments.setdefault(comment["ticket_id"], comment)
    assert all(first_comments[tid]["body"] == ticket["description"] for tid, ticket in tickets.items())


def test_ticket_metrics_agree_with_comments_and_status(world: World) -> None:
    tickets = {ticket["id"]: ticket for ticket in world.zendesk["tickets"]}
    agents = {user["id"] for user in world.zendesk["users"] if user["role"] != "end-user"}
    comments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for comment in world.zendesk["ticket_comments"]:
        comments[comment["ticket_id"]].append(comment)
    assert all(1 <= len(rows) <= 5 for rows in comments.values()) and set(comments) == set(tickets)
    for metric in world.zendesk["ticket_metrics"]:
        ticket, rows = tickets[metric["ticket_id"]], comments[metric["ticket_id"]]
        replies = [c for c in rows if c["author_id"] in agents and c["public"]]
        assert metric["replies"] == len(replies)
        solved = ticket["status"] in {"solved", "closed"}
        assert (metric["solved_at"] is not None) == solved
        if replies:
            waited = replies[0]["created_at"] - ticket["created_at"]
            assert metric["reply_time_in_minutes"]["calendar"] == int(waited.total_seconds() // 60)
        if solved:
            full = metric["full_resolution_time_in_minutes"]
            assert full["calendar"] == int((metric["solved_at"] - ticket["created_at"]).total_seconds() // 60)
            first = metric["first_resolution_time_in_minutes"]
            assert first["calendar"] <= full["calendar"] and first["business"] <= full["business"] <= full["calendar"]
            if metric["reopens"] == 0:
                assert first == full
        else:
            assert metric["full_resolution_time_in_minutes"] == {"calendar": None, "business": None}
    ratings = world.zendesk["satisfaction_ratings"]
    assert ratings and all(tickets[r["ticket_id"]]["status"] in {"solved", "closed"} for r in ratings)
    assert {r["score"] for r in ratings} == {"good", "bad"}


def test_opportunities_close_within_a_year_with_flags_that_agree_with_the_stage(world: World) -> None:
    today = NOW.date()
    stages = Counter(opportunity["StageName"] for opportunity in world.salesforce["Opportunity"])
    assert stages["Closed Won"] and stages["Closed Lost"] and stages["Prospecting"]
    for opportunity in world.salesforce["Opportunity"]:
        stage = opportunity["StageName"]
        assert opportunity["IsClosed"] == stage.startswith("Closed") and opportunity["IsWon"] == (stage == "Closed Won")
        assert isinstance(opportunity["CloseDate"], date) and abs((opportunity["CloseDate"] - today).days) <= 366
        if opportunity["IsClosed"]:
            assert opportunity["CloseDate"] < today
    for account in world.salesforce["Account"]:
        assert account["Renewal_Date__c"] is None or isinstance(account["Renewal_Date__c"], date)
