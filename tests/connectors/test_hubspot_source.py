"""The HubSpot source against the HubSpot stand-in over real sockets: as a program, and landed through flows.sync."""

from __future__ import annotations

import json
import logging
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from airbyte_cdk.models import (
    ConfiguredAirbyteCatalogSerializer,
    Status,
    Type,
)
from airbyte_programs import messages_of, of_type, start_connector
from sandbox_support import sandbox_loophub_config
from sqlalchemy import Engine, select

from connectors.hubspot import Source
from flows.sources import source_config
from flows.sync import configured_catalog, sync_connection
from loophub.config import ConnectionConfig
from sandbox.hubspot.seeds import SEED_START, small_world
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import RawRecord, create_store_engine, session_scope, upgrade_database

Start = Callable[[World], SandboxServer]
REPO = Path(__file__).resolve().parents[2]
STREAMS = ("contacts", "companies", "deals", "tickets", "owners")
SANDBOX_TOKEN = "pat-sandbox-token"  # what sandbox/config.py puts in the connection by default


@cache
def world_of_400_people() -> World:
    # Read-only tests share one world: each server copies the seed into its own store.
    return generate_world(400, seed=11)


def seeded_counts(world: World) -> dict[str, int]:
    return {name: count for name, count in world.record_counts()["hubspot"].items() if name in STREAMS}


def hubspot_connection(server: SandboxServer, **options: Any) -> ConnectionConfig:
    """The sandbox's HubSpot connection with retry delays small enough for tests."""
    connection = next(c for c in sandbox_loophub_config(server).connections if c.name == "hubspot")
    return connection.model_copy(update={"options": {"retry_base_delay": 0.01, "retry_max_delay": 0.05, **options}})


def admin(server: SandboxServer) -> httpx.Client:
    """The stand-in's `/_sandbox/` surface: what a person in the HubSpot UI (or a test) does."""
    return httpx.Client(base_url=server.url("hubspot"), timeout=30)


def landed(engine: Engine) -> dict[tuple[str, str], tuple[str, bool, dict[str, Any]]]:
    """(object, source_id) -> (payload_hash, is_deleted, payload) of every HubSpot row in raw_records."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(RawRecord.object, RawRecord.source_id, RawRecord.payload_hash, RawRecord.is_deleted, RawRecord.payload).where(RawRecord.system == "hubspot")
        ).all()
    return {(row.object, row.source_id): (row.payload_hash, row.is_deleted, row.payload) for row in rows}


def start_program(*arguments: str) -> subprocess.Popen[str]:
    return start_connector("hubspot", *arguments)


# -- as a program ------------------------------------------------------------------------------------------


def test_given_the_sandbox_when_run_as_a_program_then_spec_check_discover_and_read_speak_airbyte(start_sandbox: Start, tmp_path: Path) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    custom = {"name": "renewal_score", "label": "Renewal score", "type": "number", "fieldType": "number", "groupName": "contactinformation"}
    created = httpx.post(f"{server.url('hubspot')}/crm/v3/properties/contacts", json=custom, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})
    assert created.status_code == 201
    config = source_config(hubspot_connection(server))
    config_path, catalog_path = tmp_path / "config.json", tmp_path / "catalog.json"
    config_path.write_text(json.dumps(config))
    catalog = configured_catalog(Source().discover(logging.getLogger("test"), config), full_refresh=False)
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog)))

    # Started together: the four programs overlap their start-up instead of queueing it.
    spec, check, discover, read = (
        start_program("spec"),
        start_program("check", "--config", str(config_path)),
        start_program("discover", "--config", str(config_path)),
        start_program("read", "--config", str(config_path), "--catalog", str(catalog_path)),
    )

    schema = of_type(messages_of(spec), Type.SPEC)[0].spec.connectionSpecification
    assert schema["properties"]["access_token"]["airbyte_secret"] is True
    assert {"base_url", "start_date", "max_retries", "retry_base_delay"} <= set(schema["properties"])
    assert of_type(messages_of(check), Type.CONNECTION_STATUS)[0].connectionStatus.status == Status.SUCCEEDED
    streams = {stream.name: stream for stream in of_type(messages_of(discover), Type.CATALOG)[0].catalog.streams}
    assert set(streams) == set(STREAMS)
    assert all(stream.default_cursor_field == ["updatedAt"] and stream.source_defined_primary_key == [["id"]] for stream in streams.values())
    contact_properties = streams["contacts"].json_schema["properties"]["properties"]["properties"]
    assert "renewal_score" in contact_properties and "email" in contact_properties  # custom fields appear beside standard ones
    messages = messages_of(read)
    assert dict(Counter(message.record.stream for message in of_type(messages, Type.RECORD))) == seeded_counts(world)
    assert {message.state.stream.stream_descriptor.name for message in of_type(messages, Type.STATE)} == set(STREAMS)


def test_given_a_token_hubspot_no_longer_accepts_when_checking_then_it_fails_naming_the_setting_without_the_secret(start_sandbox: Start, tmp_path: Path) -> None:
    server = start_sandbox(small_world(contacts=3))
    admin(server).put("/_sandbox/auth", json={"allowed_tokens": ["pat-the-new-token"]}).raise_for_status()
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(source_config(hubspot_connection(server))))

    status = of_type(messages_of(start_program("check", "--config", str(config_path))), Type.CONNECTION_STATUS)[0].connectionStatus

    assert status.status == Status.FAILED
    assert "access_token" in status.message and "401" in status.message
    assert SANDBOX_TOKEN not in status.message and "http" not in status.message


# -- landed through flows.sync -------------------------------------------------------------------------------


def test_given_an_empty_store_when_syncing_twice_then_the_first_lands_every_record_and_the_second_reads_none(start_sandbox: Start, migrated_engine: Engine) -> None:
    world = world_of_400_people()
    connection = hubspot_connection(start_sandbox(world))

    first = sync_connection(migrated_engine, connection)
    second = sync_connection(migrated_engine, connection)

    assert first.status == "succeeded", first.error
    assert dict(Counter(object_name for object_name, _ in landed(migrated_engine))) == seeded_counts(world)
    deal = next(payload for (object_name, _), (_, _, payload) in landed(migrated_engine).items() if object_name == "deals" and payload["associations"]["companies"])
    assert set(deal["associations"]) == {"companies", "contacts"}
    assert second.status == "succeeded", second.error
    assert second.landing.records == 0


def test_given_edits_creates_deletes_and_a_merge_when_syncing_again_then_exactly_those_records_land(start_sandbox: Start, migrated_engine: Engine) -> None:
    server = start_sandbox(generate_world(300, seed=5))
    connection = hubspot_connection(server)
    sync_connection(migrated_engine, connection)
    before = landed(migrated_engine)
    ids = {name: sorted(source_id for object_name, source_id in before if object_name == name) for name in STREAMS}
    people = admin(server)
    people.patch(f"/_sandbox/records/contacts/{ids['contacts'][0]}", json={"jobtitle": "Head of Renewals"}).raise_for_status()
    people.patch(f"/_sandbox/records/companies/{ids['companies'][0]}", json={"city": "Lisbon"}).raise_for_status()
    new_company = people.post("/_sandbox/records/companies", json={"name": "Fresh Start Ltd", "domain": "freshstart.example"}).json()["id"]
    people.delete(f"/_sandbox/records/tickets/{ids['tickets'][0]}").raise_for_status()
    people.delete(f"/_sandbox/records/deals/{ids['deals'][0]}").raise_for_status()
    survivor, merged_away = ids["contacts"][1], ids["contacts"][2]
    people.post("/_sandbox/merge/contacts", json={"primary": survivor, "merged": merged_away}).raise_for_status()

    report = sync_connection(migrated_engine, connection)

    after = landed(migrated_engine)
    changed = {key for key, row in after.items() if before.get(key, (None,))[0] != row[0]}
    assert changed == {
        ("contacts", ids["contacts"][0]), ("contacts", survivor), ("contacts", merged_away),
        ("companies", ids["companies"][0]), ("companies", new_company),
        ("tickets", ids["tickets"][0]), ("deals", ids["deals"][0]),
    }  # fmt: skip
    assert {name: counts.records for name, counts in report.landing.streams.items()} == {"contacts": 3, "companies": 2, "deals": 1, "tickets": 1, "owners": 0}
    assert after[("tickets", ids["tickets"][0])][1] and after[("deals", ids["deals"][0])][1]
    merged_row = after[("contacts", merged_away)]
    assert merged_row[1] and merged_row[2]["merged_into"] == survivor
    assert merged_away in after[("contacts", survivor)][2]["properties"]["hs_merged_object_ids"].split(";")
    assert not after[("contacts", survivor)][1]


def test_given_one_call_in_five_failing_when_syncing_everything_then_the_store_equals_a_clean_run(start_sandbox: Start, migrated_engine: Engine, another_database_url: str) -> None:
    server = start_sandbox(world_of_400_people())
    connection = hubspot_connection(server)
    sync_connection(migrated_engine, connection)
    admin(server).put("/_sandbox/faults", json={"rate_limit_ratio": 0.1, "server_error_ratio": 0.1, "seed": 7}).raise_for_status()
    faulty_engine = create_store_engine(another_database_url)
    upgrade_database(faulty_engine)

    report = sync_connection(faulty_engine, connection, full_refresh=True)

    outcomes = server.control("hubspot").calls.snapshot()["outcomes"]
    assert outcomes.get("rate_limited", 0) > 0 and outcomes.get("server_error", 0) > 0
    assert report.status == "succeeded", report.error
    clean = {(key, row[0]) for key, row in landed(migrated_engine).items()}
    assert {(key, row[0]) for key, row in landed(faulty_engine).items()} == clean
    faulty_engine.dispose()


def test_given_the_daily_allowance_runs_out_mid_sync_when_it_is_renewed_then_the_next_sync_finishes_from_the_saved_state(start_sandbox: Start, migrated_engine: Engine) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    people = admin(server)
    people.put("/_sandbox/faults", json={"enforce_limits": True}).raise_for_status()
    # Discover (4 property lists), then contacts: a probe and two pages of its three; the third call is refused.
    people.put("/_sandbox/limits", json={"daily_max": 7}).raise_for_status()
    connection = hubspot_connection(server)

    stopped = sync_connection(migrated_engine, connection)
    partly = len(landed(migrated_engine))
    people.put("/_sandbox/limits", json={"daily_max": 650_000}).raise_for_status()
    resumed = sync_connection(migrated_engine, connection)

    assert stopped.status == "paused" and stopped.error is not None and "daily API allowance" in stopped.error
    assert 0 < partly < sum(seeded_counts(world).values())
    assert resumed.status == "succeeded", resumed.error
    assert dict(Counter(object_name for object_name, _ in landed(migrated_engine))) == seeded_counts(world)
    assert resumed.landing.records < sum(seeded_counts(world).values())  # what landed before the stop is not read again


# -- straight through Source.read ----------------------------------------------------------------------------


def test_given_more_records_sharing_one_instant_than_a_search_page_when_reading_changes_then_each_arrives_once(start_sandbox: Start) -> None:
    world = small_world(contacts=450, companies=3)
    same_instant = SEED_START + timedelta(days=30)
    for row in world.hubspot["contacts"][:320]:
        row["updatedAt"] = same_instant
    server = start_sandbox(world)
    config = source_config(hubspot_connection(server))
    source = Source()
    catalog = configured_catalog(source.discover(logging.getLogger("test"), config), full_refresh=False, only=["contacts"])
    state = incremental_state("contacts", {"updatedAt": "2023-12-01T00:00:00.000Z", "updatedAt_ids": []})

    messages = list(source.read(logging.getLogger("test"), config, catalog, state))

    read = Counter(message.record.data["id"] for message in messages if message.type == Type.RECORD)
    assert len(read) == 450 and set(read.values()) == {1}
    searches = settled_calls(server).calls("/crm/v3/objects/{object_type}/search", "POST")
    assert searches >= 4  # 200 + a page of repeats that starts the walk by id + the walk + what came after


def incremental_state(stream: str, blob: dict[str, Any]) -> list[Any]:
    from airbyte_cdk.models import (
        AirbyteStateBlob,
        AirbyteStateMessage,
        AirbyteStateType,
        AirbyteStreamState,
        StreamDescriptor,
    )

    return [AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=stream), stream_state=AirbyteStateBlob(**blob)))]


def settled_calls(server: SandboxServer) -> Any:
    """The call log once the last call is recorded (the stand-in logs a call after its answer has gone out)."""
    log = server.control("hubspot").calls
    previous = -1
    while log.snapshot()["total"] != previous:
        previous = log.snapshot()["total"]
        time.sleep(0.05)
    return log
