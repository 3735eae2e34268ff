"""The Salesforce source against the Salesforce stand-in over real sockets: as a program, and landed through flows.sync."""

from __future__ import annotations

import json
import logging
import subprocess
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from airbyte_cdk.models import (
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    ConfiguredAirbyteCatalogSerializer,
    Status,
    StreamDescriptor,
    Type,
)
from airbyte_programs import messages_of, of_type, start_connector
from sandbox_support import sandbox_loophub_config
from sqlalchemy import Engine, select

from connectors.common import DELETED_AT_FIELD
from connectors.salesforce import Source
from flows.sources import source_config
from flows.sync import configured_catalog, sync_connection
from loophub.config import ConnectionConfig
from sandbox.population import generate_world
from sandbox.salesforce.seeds import small_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import RawRecord, create_store_engine, session_scope, upgrade_database
from store.raw import load_stream_states

Start = Callable[[World], SandboxServer]
REPO = Path(__file__).resolve().parents[2]
STREAMS = ("Account", "Contact", "Lead", "Opportunity", "Case", "User")
SANDBOX_USER, SANDBOX_PASSWORD = "integration@sandbox.example", "sandbox-password"  # sandbox/config.py defaults


@cache
def world_of_400_people() -> World:
    # Read-only tests share one world: each server copies the seed into its own store.
    return generate_world(400, seed=23)


def seeded_counts(world: World) -> dict[str, int]:
    return {name: count for name, count in world.record_counts()["salesforce"].items() if name in STREAMS}


def salesforce_connection(server: SandboxServer, **options: Any) -> ConnectionConfig:
    """The sandbox's Salesforce connection (its CA kept) with retry delays small enough for tests."""
    connection = next(c for c in sandbox_loophub_config(server).connections if c.name == "salesforce")
    merged = {**connection.options, "retry_base_delay": 0.01, "retry_max_delay": 0.05, **options}
    return connection.model_copy(update={"options": merged})


def admin(server: SandboxServer) -> httpx.Client:
    """The stand-in's `/_sandbox/` surface: what a person in the Salesforce UI (or a test) does."""
    return httpx.Client(base_url=server.url("salesforce"), verify=str(server.ca_path), timeout=30)


def calls(server: SandboxServer, route: str) -> int:
    return int(server.control("salesforce").calls.snapshot()["by_route"].get(route, {}).get("calls", 0))


def landed(engine: Engine) -> dict[tuple[str, str], tuple[str, bool, dict[str, Any]]]:
    """(object, source_id) -> (payload_hash, is_deleted, payload) of every Salesforce row in raw_records."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(RawRecord.object, RawRecord.source_id, RawRecord.payload_hash, RawRecord.is_deleted, RawRecord.payload).where(
                RawRecord.system == "salesforce"
            )
        ).all()
    return {(row.object, row.source_id): (row.payload_hash, row.is_deleted, row.payload) for row in rows}


def hashes(engine: Engine) -> set[tuple[str, str, str]]:
    return {(obj, source_id, row[0]) for (obj, source_id), row in landed(engine).items()}


def per_object(engine: Engine) -> dict[str, int]:
    return dict(Counter(obj for obj, _ in landed(engine)))


def fresh_engine(url: str) -> Engine:
    engine = create_store_engine(url)
    upgrade_database(engine)
    return engine


def start_program(*arguments: str) -> subprocess.Popen[str]:
    return start_connector("salesforce", *arguments)


# -- as a program ------------------------------------------------------------------------------------------


def test_given_the_sandbox_when_run_as_a_program_then_spec_check_discover_and_read_speak_airbyte(start_sandbox: Start, tmp_path: Path) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    people = admin(server)
    field = {"FullName": "Account.Health_Score__c", "Metadata": {"type": "Number", "label": "Health score"}}
    token = people.post("/services/oauth2/token", data={"grant_type": "password", "client_id": "c", "client_secret": "s", "username": SANDBOX_USER, "password": SANDBOX_PASSWORD}).json()["access_token"]
    people.post("/services/data/v62.0/tooling/sobjects/CustomField", json=field, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    # Only the right password signs in from now on: the second config carries a wrong one.
    people.put("/_sandbox/auth", json={"passwords": {SANDBOX_USER: SANDBOX_PASSWORD}}).raise_for_status()
    config = source_config(salesforce_connection(server))
    config_path, wrong_path, catalog_path = tmp_path / "config.json", tmp_path / "wrong.json", tmp_path / "catalog.json"
    config_path.write_text(json.dumps(config))
    wrong_path.write_text(json.dumps({**config, "password": "not-the-password"}))
    catalog = configured_catalog(Source().discover(logging.getLogger("test"), config), full_refresh=False)
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog)))

    # Started together: the programs overlap their start-up instead of queueing it.
    spec, check, wrong_check, discover, read = (
        start_program("spec"),
        start_program("check", "--config", str(config_path)),
        start_program("check", "--config", str(wrong_path)),
        start_program("discover", "--config", str(config_path)),
        start_program("read", "--config", str(config_path), "--catalog", str(catalog_path)),
    )

    schema = of_type(messages_of(spec), Type.SPEC)[0].spec.connectionSpecification
    assert all(schema["properties"][name]["airbyte_secret"] is True for name in ("client_secret", "password", "refresh_token"))
    assert {"base_url", "start_date", "max_retries", "retry_base_delay", "bulk_threshold", "objects"} <= set(schema["properties"])
    assert of_type(messages_of(check), Type.CONNECTION_STATUS)[0].connectionStatus.status == Status.SUCCEEDED
    failed = of_type(messages_of(wrong_check), Type.CONNECTION_STATUS)[0].connectionStatus
    assert failed.status == Status.FAILED
    assert "password" in failed.message and "security_token" in failed.message
    assert "not-the-password" not in failed.message and "sandbox-secret" not in failed.message and "http" not in failed.message
    streams = {stream.name: stream for stream in of_type(messages_of(discover), Type.CATALOG)[0].catalog.streams}
    assert set(streams) == set(STREAMS)
    assert all(s.default_cursor_field == ["SystemModstamp"] and s.source_defined_primary_key == [["Id"]] for s in streams.values())
    account_fields = streams["Account"].json_schema["properties"]
    assert {"Health_Score__c", "ARR__c", "BillingCity"} <= set(account_fields)  # custom fields; address components
    assert "BillingAddress" not in account_fields  # the compound is not selectable in Bulk: neither path reads it
    messages = messages_of(read)
    assert dict(Counter(message.record.stream for message in of_type(messages, Type.RECORD))) == seeded_counts(world)
    assert {message.state.stream.stream_descriptor.name for message in of_type(messages, Type.STATE)} == set(STREAMS)


# -- landed through flows.sync -------------------------------------------------------------------------------


def test_given_an_empty_store_when_syncing_twice_then_the_first_lands_every_record_and_the_second_reads_none(start_sandbox: Start, migrated_engine: Engine) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    connection = salesforce_connection(server)

    first = sync_connection(migrated_engine, connection)
    server.control("salesforce").calls.reset()
    second = sync_connection(migrated_engine, connection)

    assert first.status == "succeeded", first.error
    assert per_object(migrated_engine) == seeded_counts(world)
    assert second.status == "succeeded", second.error
    assert second.landing.records == 0
    # Nothing changed: one COUNT() per stream, and no query for records.
    assert calls(server, "GET /services/data/{version}/queryAll") == 5 and calls(server, "GET /services/data/{version}/query") == 1


def test_given_edits_creates_and_deletes_when_syncing_again_then_exactly_those_records_land(start_sandbox: Start, migrated_engine: Engine) -> None:
    server = start_sandbox(generate_world(300, seed=5))
    connection = salesforce_connection(server)
    sync_connection(migrated_engine, connection)
    before = landed(migrated_engine)
    ids = {name: sorted(source_id for obj, source_id in before if obj == name) for name in STREAMS}
    people = admin(server)
    people.patch(f"/_sandbox/records/Contact/{ids['Contact'][0]}", json={"Title": "Head of Renewals"}).raise_for_status()
    # A system update bumps SystemModstamp only (LastModifiedDate stays): the cursor must still see it.
    people.patch(f"/_sandbox/records/Account/{ids['Account'][0]}?system=true", json={"Description": "Recalculated"}).raise_for_status()
    new_lead = people.post("/_sandbox/records/Lead", json={"LastName": "Newcomer", "Company": "Fresh Start Ltd"}).json()["Id"]
    people.delete(f"/_sandbox/records/Case/{ids['Case'][0]}").raise_for_status()
    people.patch(f"/_sandbox/records/User/{ids['User'][0]}", json={"Title": "Team Lead"}).raise_for_status()

    report = sync_connection(migrated_engine, connection)

    after = landed(migrated_engine)
    changed = {key for key, row in after.items() if before.get(key, (None,))[0] != row[0]}
    assert changed == {
        ("Contact", ids["Contact"][0]), ("Account", ids["Account"][0]), ("Lead", new_lead),
        ("Case", ids["Case"][0]), ("User", ids["User"][0]),
    }  # fmt: skip
    assert {name: counts.records for name, counts in report.landing.streams.items()} == {
        "Account": 1, "Contact": 1, "Lead": 1, "Opportunity": 0, "Case": 1, "User": 1,
    }  # fmt: skip
    deleted_hash, is_deleted, payload = after[("Case", ids["Case"][0])]
    assert is_deleted and payload["IsDeleted"] is True and payload[DELETED_AT_FIELD] == payload["SystemModstamp"]
    assert after[("Contact", ids["Contact"][0])][2]["Title"] == "Head of Renewals"
    deleted_before = {key for key, row in before.items() if row[1]}  # the seed has soft-deleted rows of its own
    assert {key for key, row in after.items() if row[1]} == deleted_before | {("Case", ids["Case"][0])}
    assert sync_connection(migrated_engine, connection).landing.records == 0


def test_given_bulk_and_rest_when_reading_the_same_org_then_every_record_hashes_the_same(start_sandbox: Start, migrated_engine: Engine, another_database_url: str) -> None:
    server = start_sandbox(world_of_400_people())
    deleted_contact = server.world.salesforce["Contact"][0]["Id"]
    admin(server).delete(f"/_sandbox/records/Contact/{deleted_contact}").raise_for_status()
    admin(server).put("/_sandbox/bulk", json={"in_progress_polls": 1}).raise_for_status()  # jobs are not ready at once
    rest_report = sync_connection(migrated_engine, salesforce_connection(server))
    assert calls(server, "POST /services/data/{version}/jobs/query") == 0
    bulk_engine = fresh_engine(another_database_url)

    bulk_report = sync_connection(bulk_engine, salesforce_connection(server, bulk_threshold=0))

    assert rest_report.status == bulk_report.status == "succeeded", (rest_report.error, bulk_report.error)
    assert calls(server, "POST /services/data/{version}/jobs/query") == len(STREAMS)
    assert calls(server, "GET /services/data/{version}/jobs/query/{job_id}") == 2 * len(STREAMS)  # InProgress, then JobComplete
    assert hashes(bulk_engine) == hashes(migrated_engine)
    tombstones = {key for key, row in landed(bulk_engine).items() if row[1]}
    assert ("Contact", deleted_contact) in tombstones  # deletes come through Bulk's queryAll too
    assert tombstones == {key for key, row in landed(migrated_engine).items() if row[1]}


def test_given_one_call_in_five_failing_when_syncing_everything_then_the_store_equals_a_clean_run(start_sandbox: Start, migrated_engine: Engine, another_database_url: str) -> None:
    server = start_sandbox(world_of_400_people())
    sync_connection(migrated_engine, salesforce_connection(server))
    admin(server).put("/_sandbox/faults", json={"rate_limit_ratio": 0.1, "server_error_ratio": 0.1, "seed": 7}).raise_for_status()
    faulty_engine = fresh_engine(another_database_url)

    # Half the objects through Bulk, so job creation, polling and result pages meet faults too.
    report = sync_connection(faulty_engine, salesforce_connection(server, bulk_threshold=120), full_refresh=True)

    outcomes = server.control("salesforce").calls.snapshot()["outcomes"]
    assert outcomes.get("rate_limited", 0) > 0 and outcomes.get("server_error", 0) > 0
    assert calls(server, "POST /services/data/{version}/jobs/query") > 0
    assert report.status == "succeeded", report.error
    assert hashes(faulty_engine) == hashes(migrated_engine)


def test_given_sessions_that_expire_when_syncing_then_it_signs_in_again_and_lands_everything(start_sandbox: Start, migrated_engine: Engine) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    admin(server).put("/_sandbox/faults", json={"session_expiry_after_calls": 4}).raise_for_status()

    report = sync_connection(migrated_engine, salesforce_connection(server, bulk_threshold=120))

    assert report.status == "succeeded", report.error
    assert per_object(migrated_engine) == seeded_counts(world)
    assert calls(server, "POST /services/oauth2/token") >= 4
    assert server.control("salesforce").calls.snapshot()["outcomes"].get("session_expired", 0) >= 3


def test_given_a_small_daily_allocation_when_syncing_then_it_stops_with_state_saved_and_resumes_later(start_sandbox: Start, migrated_engine: Engine) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    people = admin(server)
    people.put("/_sandbox/faults", json={"enforce_limits": True}).raise_for_status()
    # Six describes for discover, then COUNT() and one query page per stream: Account, Contact and Lead fit.
    people.put("/_sandbox/limits", json={"daily_api_requests": 6 + 2 * 3, "used": 0}).raise_for_status()
    connection = salesforce_connection(server)

    stopped = sync_connection(migrated_engine, connection)

    assert stopped.status == "paused" and stopped.error is not None and "allocation is used up" in stopped.error
    seeded = seeded_counts(world)
    assert per_object(migrated_engine) == {name: seeded[name] for name in ("Account", "Contact", "Lead")}
    with session_scope(migrated_engine) as session:
        assert set(load_stream_states(session, connection.name)) == {"Account", "Contact", "Lead"}
    limit_exceeded = server.control("salesforce").calls.snapshot()["outcomes"].get("limit_exceeded", 0)
    assert limit_exceeded == 1  # once refused, the other streams stop without spending calls to learn it

    people.put("/_sandbox/limits", json={"daily_api_requests": 100_000, "used": 0}).raise_for_status()
    resumed = sync_connection(migrated_engine, connection)

    assert resumed.status == "succeeded", resumed.error
    assert per_object(migrated_engine) == seeded
    assert {name: counts.records for name, counts in resumed.landing.streams.items()} == {
        "Account": 0, "Contact": 0, "Lead": 0, "Opportunity": seeded["Opportunity"], "Case": seeded["Case"], "User": seeded["User"],
    }  # fmt: skip


# -- straight through Source.read ----------------------------------------------------------------------------


def test_given_records_sharing_a_timestamp_when_resuming_between_them_then_none_is_skipped_or_read_twice(start_sandbox: Start) -> None:
    world = small_world(accounts=10)
    shared = world.salesforce["Contact"][0]["SystemModstamp"]
    for contact in world.salesforce["Contact"]:
        contact["SystemModstamp"] = shared  # one bulk load stamps many rows with the same millisecond
    server = start_sandbox(world)
    config = source_config(salesforce_connection(server))
    source = Source()
    catalog = configured_catalog(source.discover(logging.getLogger("test"), config), full_refresh=False, only=["Contact"])
    ids = sorted(contact["Id"] for contact in world.salesforce["Contact"])
    stamp = shared.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    saved = AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(
            stream_descriptor=StreamDescriptor(name="Contact"), stream_state=AirbyteStateBlob(SystemModstamp=stamp, Id=ids[4])
        ),
    )

    messages = list(source.read(logging.getLogger("test"), config, catalog, [saved]))

    read = [message.record.data["Id"] for message in of_type(messages, Type.RECORD)]
    assert read == ids[5:]  # after the saved (stamp, Id) pair, in (SystemModstamp, Id) order
    final = of_type(messages, Type.STATE)[-1].state.stream.stream_state
    assert (final.SystemModstamp, final.Id) == (stamp, ids[-1])


def test_given_an_object_the_user_cannot_query_when_checking_then_it_fails_naming_the_object(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(accounts=1))
    config = source_config(salesforce_connection(server, objects=["Account", "Invoice__c"]))

    status = Source().check(logging.getLogger("test"), config)

    assert status.status == Status.FAILED
    assert "Invoice__c" in status.message and "objects" in status.message and "Account" not in status.message


def test_given_a_budget_reserve_when_usage_reaches_it_then_the_sync_pauses_without_spending_the_rest(start_sandbox: Start, migrated_engine: Engine) -> None:
    server = start_sandbox(small_world(accounts=5))
    # Discover's six describes leave 8 of 1,000 daily calls: within the reserve of 10 kept for other apps.
    admin(server).put("/_sandbox/limits", json={"daily_api_requests": 1000, "used": 1000 - 8 - 6}).raise_for_status()

    report = sync_connection(migrated_engine, salesforce_connection(server, api_budget_reserve=10))

    assert report.status == "paused" and report.error is not None and "Only 8 of the org's daily API calls are left" in report.error
    assert report.landing.records == 0
    assert calls(server, "GET /services/data/{version}/queryAll") == 0  # the reserve is kept for other apps
