"""Identity evidence: canonical records as comparison columns, deterministic edges with their guards, probabilistic edges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from flows.map import map_records
from flows.sync import sync_connection
from identity.deterministic import DeterministicReport, deterministic_edges
from identity.probabilistic import probabilistic_edges, train_entity_model
from identity.records import COMPANY_COLUMNS, PERSON_COLUMNS, load_records
from identity.settings import IdentitySettings, MergeProtection
from mapping import load_catalog
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from store import create_store_engine, session_scope, upgrade_database
from store.canonical import PersonRow
from store.raw import RawRow, upsert_raw_records
from tests.support.sandbox_support import sandbox_loophub_config

UPDATED = datetime(2026, 11, 25, 13, 19, 59, tzinfo=UTC)
SF_ACCOUNT_ID, SF_CONTACT_ID = "0015g00000AbCdEAAZ", "0035g00000XyZ12AAB"

SF_ACCOUNT = {"Id": SF_ACCOUNT_ID, "Name": "Northwind Traders Ltd", "Website": "https://www.northwind.co.uk", "BillingCountry": "United Kingdom"}
SF_CONTACT = {"Id": SF_CONTACT_ID, "AccountId": SF_ACCOUNT_ID, "FirstName": "Priya", "LastName": "Raman", "Name": "Priya Raman",
              "Email": "Priya.Raman@Northwind.co.uk", "MailingCity": "Birmingham", "MailingCountry": "UK"}
ZD_ORGANIZATION = {"id": 360044128833, "name": "Northwind Traders", "domain_names": [], "external_id": SF_ACCOUNT_ID}
ZD_PRIYA = {"id": 381946207513, "name": "Priya Raman", "email": "priya.raman@northwind.co.uk", "role": "end-user", "organization_id": 360044128833}
HS_PRIYA = {"id": "51", "properties": {"email": "priya.r@gmail.com", "firstname": "Priya", "lastname": "Raman", "salesforcecontactid": SF_CONTACT_ID},
            "associations": {"companies": []}}
# Two different people writing from one shared mailbox.
SF_LEAD_ROLE = {"Id": "00Q5g00000LeAd1EAB", "FirstName": "Tom", "LastName": "Baker", "Company": "Northwind", "Email": "support@northwind.co.uk",
                "Status": "Open - Not Contacted"}
ZD_ROLE = {"id": 381946207600, "name": "Ann Lee", "email": "support@northwind.co.uk", "role": "end-user"}
# One address on records of four different names: a team list, not a person.
TEAM = "projects@northwind.co.uk"
TEAM_RECORDS = [
    ("salesforce", "Lead", {"Id": f"00Q5g00000Team{index}AAB", "FirstName": first, "LastName": last, "Company": "Northwind", "Email": TEAM,
                            "Status": "Open - Not Contacted"})
    for index, (first, last) in enumerate([("Ada", "Moss"), ("Ben", "Kerr"), ("Cy", "Hale"), ("Di", "Ward")])
]
LANDED = [
    ("salesforce", "Account", SF_ACCOUNT), ("salesforce", "Contact", SF_CONTACT), ("zendesk", "organizations", ZD_ORGANIZATION),
    ("zendesk", "users", ZD_PRIYA), ("hubspot", "contacts", HS_PRIYA), ("salesforce", "Lead", SF_LEAD_ROLE), ("zendesk", "users", ZD_ROLE),
    *TEAM_RECORDS,
]  # fmt: skip


def raw_row(system: str, object_name: str, payload: dict[str, Any]) -> RawRow:
    return RawRow(system, object_name, str(payload["Id"] if system == "salesforce" else payload["id"]), payload, source_updated_at=UPDATED)


@pytest.fixture
def mapped(migrated_engine: Engine) -> Engine:
    with session_scope(migrated_engine) as session:
        upsert_raw_records(session, [raw_row(*landed) for landed in LANDED])
    report = map_records(migrated_engine, load_catalog())
    assert report.quarantined == 0, report.as_counts()
    return migrated_engine


def ids_by_ref(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        rows = session.execute(select(PersonRow.id, PersonRow.system, PersonRow.object, PersonRow.source_id)).all()
    return {f"{system}:{object_name}:{source_id}": record_id for record_id, system, object_name, source_id in rows}


def pairs(edges: pd.DataFrame, rule: str | None = None) -> set[tuple[int, int]]:
    chosen = edges if rule is None else edges[edges["rule"] == rule]
    return set(zip(chosen["left_id"].astype(int), chosen["right_id"].astype(int)))


def test_load_records_gives_comparison_columns_with_nulls_for_missing_values(mapped: Engine) -> None:
    with session_scope(mapped) as session:
        people = load_records(session, "person")
        companies = load_records(session, "company")

    assert list(people.columns) == PERSON_COLUMNS and list(companies.columns) == COMPANY_COLUMNS
    assert len(people) == len(LANDED) - 2 and len(companies) == 2
    priya = people.set_index("source_ref").loc[f"salesforce:Contact:{SF_CONTACT_ID}"]
    assert (priya["dataset"], priya["given_key"], priya["family_key"]) == ("salesforce:Contact", "priya", "raman")
    assert (priya["email_key"], priya["email_local"]) == ("priya.raman@northwind.co.uk", "priya.raman")
    assert (priya["company_key"], priya["company_name_key"], priya["city"], priya["country"]) == ("northwind.co.uk", "northwind traders", "birmingham", "GB")
    assert priya["phone"] is None
    hubspot = people.set_index("dataset").loc["hubspot:contacts"]
    assert hubspot["email_key"] == "priyar@gmail.com" and hubspot["company_key"] is None  # free mail is no company evidence
    role = people.set_index("source_ref").loc["salesforce:Lead:00Q5g00000LeAd1EAB"]
    assert role["email_key"] is None and role["company_key"] == "northwind.co.uk"  # a role address is weak, its domain still tells the company
    organization = companies.set_index("dataset").loc["zendesk:organizations"]
    assert organization["domain"] is None and organization["member_domain"] == "northwind.co.uk"
    assert not (people.map(lambda value: value == "")).any().any()


def test_deterministic_edges_from_shared_email_and_xref_with_guards(mapped: Engine) -> None:
    ids = ids_by_ref(mapped)
    contact, zendesk_priya, hubspot_priya = ids[f"salesforce:Contact:{SF_CONTACT_ID}"], ids["zendesk:users:381946207513"], ids["hubspot:contacts:51"]
    report = DeterministicReport()
    with session_scope(mapped) as session:
        people = deterministic_edges(session, "person", IdentitySettings(), report=report)
        companies = deterministic_edges(session, "company", IdentitySettings())

    assert pairs(people, "email") == {tuple(sorted((contact, zendesk_priya)))}
    assert pairs(people, "xref") == {tuple(sorted((contact, hubspot_priya)))}
    assert (people["left_id"] < people["right_id"]).all()
    email_edge = people[people["rule"] == "email"].iloc[0]
    assert email_edge["details"] == {"key": "email", "value": "priya.raman@northwind.co.uk"}
    # The shared support@ address gives nothing, and the team address (four names > 3) is held back.
    assert ids["salesforce:Lead:00Q5g00000LeAd1EAB"] not in set(people["left_id"]) | set(people["right_id"])
    assert report.held_back == {"email": 1} and report.examples["email"] == [TEAM] and people.attrs["held_back"] == {"email": 1}
    # The Zendesk organization's external_id names the Salesforce Account.
    assert len(pairs(companies, "xref")) == 1


def test_names_limit_and_changed_ids(mapped: Engine) -> None:
    ids = ids_by_ref(mapped)
    team = sorted(ids[f"salesforce:Lead:{payload['Id']}"] for _, _, payload in TEAM_RECORDS)
    lenient = IdentitySettings(protection=MergeProtection(max_names_per_key=4))
    with session_scope(mapped) as session:
        everything = deterministic_edges(session, "person", lenient)
        changed = deterministic_edges(session, "person", lenient, changed_ids={team[1]})

    team_pairs = {pair for pair in pairs(everything, "email") if pair[0] in team}
    assert len(team_pairs) == 6  # four records sharing a key: every pair
    assert pairs(changed) == {pair for pair in team_pairs if team[1] in pair}


# ---------------------------------------------------------------- on a small synced sandbox


@dataclass
class SandboxStore:
    engine: Engine
    truth: dict[str, str | None]  # source ref → person id


@pytest.fixture(scope="module")
def sandbox_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxStore]:
    world = generate_world(300, seed=11)
    folder: Path = tmp_path_factory.mktemp("evidence")
    url = f"sqlite:///{folder / 'loophub.db'}"
    engine = create_store_engine(url)
    upgrade_database(engine)
    server = SandboxServer(world)
    server.start()
    try:
        for connection in sandbox_loophub_config(server, url).connections:
            assert sync_connection(engine, connection).status == "succeeded"
    finally:
        server.stop()
    map_records(engine, load_catalog())
    truth = {f"{row.system}:{row.object}:{row.source_id}": row.person_id for row in world.truth}
    yield SandboxStore(engine, truth)
    engine.dispose()


def test_probabilistic_edges_find_cross_system_pairs_above_the_review_threshold(sandbox_store: SandboxStore) -> None:
    settings = IdentitySettings()
    with session_scope(sandbox_store.engine) as session:
        records = load_records(session, "person")
        deterministic = deterministic_edges(session, "person", settings)
    model = train_entity_model(records, "person", settings)
    edges = probabilistic_edges(records, model, "person", settings)

    assert len(edges) > 50
    assert (edges["score"] >= settings.person.review).all() and (edges["left_id"] < edges["right_id"]).all()
    assert set(edges["rule"]) == {"probabilistic"}
    assert set(edges.iloc[0]["details"]) == {c.name for c in model.settings.comparisons}
    person_of = {record_id: sandbox_store.truth[ref] for record_id, ref in zip(records["record_id"], records["source_ref"])}
    dataset_of = dict(zip(records["record_id"], records["dataset"]))
    confident = edges[edges["score"] >= settings.person.auto_merge]
    right = [person_of[left] == person_of[right] for left, right in zip(confident["left_id"], confident["right_id"])]
    assert sum(right) / len(right) > 0.99
    # A known cross-system pair with no shared email or id: only the probabilistic tier finds it.
    found_only_here = pairs(confident) - pairs(deterministic)
    assert any(person_of[left] == person_of[right] and dataset_of[left] != dataset_of[right] for left, right in found_only_here)

    changed = set(records["record_id"].iloc[:20].astype(int))
    incremental = probabilistic_edges(records, model, "person", settings, changed_ids=changed)
    assert all(left in changed or right in changed for left, right in pairs(incremental))
    assert pairs(incremental) == {pair for pair in pairs(edges) if pair[0] in changed or pair[1] in changed}
