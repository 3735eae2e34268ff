"""The Zendesk source against the Zendesk stand-in over real sockets: as a program, and landed through flows.sync."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer, Status, Type
from sqlalchemy import Engine, select

from flows.sources import build_source, source_config
from flows.sync import configured_catalog, sync_connection
from loophub.config import ConnectionConfig
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox_support import sandbox_loophub_config
from store import RawRecord, create_store_engine, session_scope, upgrade_database

Start = Callable[[World], SandboxServer]
REPO = Path(__file__).resolve().parents[2]
STREAMS = ("users", "organizations", "tickets", "ticket_comments", "satisfaction_ratings", "ticket_metrics")
SANDBOX_TOKEN = "sandbox-api-token"  # what sandbox/config.py puts in the connection
TEST_OPTIONS = {"incremental_exports_per_minute": 10_000, "retry_base_delay": 0.01, "retry_max_delay": 0.05}


@cache
def world_of_400_people() -> World:
    # Tests share one world read-only: each server copies the seed into its own store.
    return generate_world(400, seed=11)


def seeded_counts(world: World) -> dict[str, int]:
    return {name: count for name, count in world.record_counts()["zendesk"].items() if name in STREAMS}


def zendesk_connection(server: SandboxServer, **options: Any) -> ConnectionConfig:
    """The sandbox's Zendesk connection, with the export allowance raised and retry delays small enough for tests."""
    connection = next(c for c in sandbox_loophub_config(server).connections if c.system == "zendesk")
    return connection.model_copy(update={"options": {**connection.options, **TEST_OPTIONS, **options}})


@pytest.fixture
def admin() -> Iterator[Callable[[SandboxServer], httpx.Client]]:
    """The stand-in's `/_sandbox/` surface: what a person in the Zendesk UI (or a test) does."""
    clients: list[httpx.Client] = []

    def open_admin(server: SandboxServer) -> httpx.Client:
        clients.append(httpx.Client(base_url=server.url("zendesk"), timeout=30))
        return clients[-1]

    yield open_admin
    for client in clients:
        client.close()


def landed(engine: Engine) -> dict[tuple[str, str], tuple[str, bool, dict[str, Any]]]:
    """(object, source_id) -> (payload_hash, is_deleted, payload) of every Zendesk row in raw_records."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(RawRecord.object, RawRecord.source_id, RawRecord.payload_hash, RawRecord.is_deleted, RawRecord.payload).where(RawRecord.system == "zendesk")
        ).all()
    return {(row.object, row.source_id): (row.payload_hash, row.is_deleted, row.payload) for row in rows}


def counts_by_object(rows: dict[tuple[str, str], Any]) -> dict[str, int]:
    counts = dict.fromkeys(STREAMS, 0)
    for obj, _ in rows:
        counts[obj] += 1
    return counts


def start_program(*arguments: str) -> subprocess.Popen[str]:
    """`python -m connectors.zendesk ...` in the background (each start pays a few seconds of airbyte_cdk imports)."""
    return subprocess.Popen([sys.executable, "-m", "connectors.zendesk", *arguments], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def messages_of(program: subprocess.Popen[str]) -> tuple[list[AirbyteMessage], str]:
    """Every stdout line of a finished program parsed as an Airbyte message (a line that is not one fails), and stdout."""
    stdout, stderr = program.communicate(timeout=120)
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, stderr
    return [AirbyteMessageSerializer.load(orjson.loads(line)) for line in lines], stdout


def discovered(connection: ConnectionConfig) -> Any:
    source, config = build_source(connection)
    return source.discover(logging.getLogger("test"), config)


def write_config(folder: Path, config: dict[str, Any]) -> str:
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return str(path)


# --- as a program ------------------------------------------------------------------------------


def test_given_sandbox_when_running_spec_check_discover_read_as_a_program_then_every_line_is_an_airbyte_message(start_sandbox: Start, tmp_path: Path) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    connection = zendesk_connection(server)
    config = write_config(tmp_path, source_config(connection))
    # The read's catalog is discovered in-process so all four programs start at once (each pays ~5 s of imports);
    # the program's own discover must answer the same streams.
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(configured_catalog(discovered(connection), full_refresh=False))))
    spec, check, discover = start_program("spec"), start_program("check", "--config", config), start_program("discover", "--config", config)
    read = start_program("read", "--config", config, "--catalog", str(catalog_path))

    spec_messages, _ = messages_of(spec)
    schema = next(m.spec for m in spec_messages if m.type == Type.SPEC).connectionSpecification
    assert schema["properties"]["api_token"]["airbyte_secret"] is True
    assert {"base_url", "start_date", "max_retries", "incremental_exports_per_minute"} <= set(schema["properties"])

    check_messages, _ = messages_of(check)
    assert next(m.connectionStatus for m in check_messages if m.type == Type.CONNECTION_STATUS).status == Status.SUCCEEDED

    discover_messages, _ = messages_of(discover)
    catalog = next(m.catalog for m in discover_messages if m.type == Type.CATALOG)
    streams = {stream.name: stream for stream in catalog.streams}
    assert set(streams) == set(STREAMS)
    assert "plan_tier" in streams["users"].json_schema["properties"]["user_fields"]["properties"]  # a custom field, from /user_fields
    assert streams["tickets"].default_cursor_field == ["generated_timestamp"]

    read_messages, _ = messages_of(read)
    read_counts = dict.fromkeys(STREAMS, 0)
    for message in read_messages:
        if message.type == Type.RECORD:
            read_counts[message.record.stream] += 1
    assert read_counts == seeded_counts(world)
    assert {m.state.stream.stream_descriptor.name for m in read_messages if m.type == Type.STATE} == set(STREAMS)


def test_given_a_token_zendesk_does_not_accept_when_checking_then_failed_names_the_fix_without_the_secret(
    start_sandbox: Start, admin: Callable[[SandboxServer], httpx.Client], tmp_path: Path
) -> None:
    server = start_sandbox(world_of_400_people())
    admin(server).put("/_sandbox/settings", json={"allowed_secrets": [SANDBOX_TOKEN]}).raise_for_status()
    wrong = "zd-token-that-was-revoked-8431"
    config = write_config(tmp_path, source_config(zendesk_connection(server)) | {"api_token": wrong})

    messages, stdout = messages_of(start_program("check", "--config", config))

    status = next(m.connectionStatus for m in messages if m.type == Type.CONNECTION_STATUS)
    assert status.status == Status.FAILED
    assert "API token" in (status.message or "") and "email" in (status.message or "")
    assert wrong not in stdout


# --- landed through flows.sync -------------------------------------------------------------------


def test_given_a_new_account_when_syncing_then_raw_records_hold_exactly_the_seeded_records_and_a_second_sync_reads_none(
    start_sandbox: Start, migrated_engine: Engine
) -> None:
    world = world_of_400_people()
    connection = zendesk_connection(start_sandbox(world))

    first = sync_connection(migrated_engine, connection)
    after_first = landed(migrated_engine)
    second = sync_connection(migrated_engine, connection)

    assert first.status == "succeeded", first.error
    assert counts_by_object(after_first) == seeded_counts(world)
    assert second.status == "succeeded" and second.landing.records == 0
    assert landed(migrated_engine) == after_first


def test_given_edits_creates_and_deletes_in_zendesk_when_syncing_again_then_exactly_those_changes_land(
    start_sandbox: Start, admin: Callable[[SandboxServer], httpx.Client], migrated_engine: Engine
) -> None:
    world = world_of_400_people()
    server = start_sandbox(world)
    connection, ui = zendesk_connection(server), admin(server)
    sync_connection(migrated_engine, connection)
    before = landed(migrated_engine)
    end_users = [u for u in world.zendesk["users"] if u["role"] == "end-user"]
    open_tickets = [t for t in world.zendesk["tickets"] if t["status"] not in ("closed", "deleted")]
    edited_user, deleted_user = end_users[0]["id"], end_users[1]["id"]
    edited_org, deleted_org = world.zendesk["organizations"][0]["id"], world.zendesk["organizations"][1]["id"]
    noted_ticket, deleted_ticket = open_tickets[0]["id"], open_tickets[1]["id"]

    ui.patch(f"/_sandbox/records/users/{edited_user}", json={"name": "Renamed In Zendesk"}).raise_for_status()
    ui.delete(f"/_sandbox/records/users/{deleted_user}").raise_for_status()
    ui.patch(f"/_sandbox/records/organizations/{edited_org}", json={"notes": "renewal at risk"}).raise_for_status()
    ui.delete(f"/_sandbox/records/organizations/{deleted_org}").raise_for_status()
    ui.patch(f"/_sandbox/records/tickets/{noted_ticket}", json={"priority": "urgent", "comment": {"body": "called back", "public": False}}).raise_for_status()
    ui.delete(f"/_sandbox/records/tickets/{deleted_ticket}").raise_for_status()
    opened = ui.post("/_sandbox/records/tickets", json={"subject": "Invoice wrong", "body": "Please fix", "requester": {"name": "New Person", "email": "new.person@example.org"}})
    opened.raise_for_status()
    new_ticket, new_requester = opened.json()["id"], opened.json()["requester_id"]
    ui.post("/_sandbox/clock/advance", json={"seconds": 61}).raise_for_status()  # exports hide the last minute

    report = sync_connection(migrated_engine, connection)
    after = landed(migrated_engine)

    changed: dict[str, set[str]] = {name: set() for name in STREAMS}
    for (obj, source_id), row in after.items():
        if before.get((obj, source_id), (None,))[0] != row[0]:
            changed[obj].add(source_id)
    assert changed["users"] == {str(edited_user), str(deleted_user), str(new_requester)}
    assert changed["organizations"] == {str(edited_org), str(deleted_org)}
    assert changed["tickets"] == {str(noted_ticket), str(deleted_ticket), str(new_ticket)}
    assert sorted(after[("ticket_comments", c)][2]["ticket_id"] for c in changed["ticket_comments"]) == sorted([noted_ticket, new_ticket])
    assert {after[("ticket_metrics", m)][2]["ticket_id"] for m in changed["ticket_metrics"]} == {noted_ticket, new_ticket}
    assert changed["satisfaction_ratings"] == set()
    assert {name: counts.records for name, counts in report.landing.streams.items()} == {name: len(ids) for name, ids in changed.items()}
    deleted = {key for key, row in after.items() if row[1]}
    assert deleted == {("users", str(deleted_user)), ("organizations", str(deleted_org)), ("tickets", str(deleted_ticket))}
    assert after[("users", str(edited_user))][2]["name"] == "Renamed In Zendesk"


@pytest.mark.parametrize("recent_minutes", [2, 0])
def test_given_a_ticket_opened_seconds_ago_when_syncing_then_search_lands_what_the_export_still_hides(
    start_sandbox: Start, admin: Callable[[SandboxServer], httpx.Client], migrated_engine: Engine, recent_minutes: int
) -> None:
    server = start_sandbox(world_of_400_people())
    connection, ui = zendesk_connection(server, recent_minutes=recent_minutes), admin(server)
    sync_connection(migrated_engine, connection)
    opened = ui.post("/_sandbox/records/tickets", json={"subject": "Down again", "body": "Urgent", "requester": {"name": "Ann Other", "email": "ann.other@example.org"}})
    opened.raise_for_status()

    report = sync_connection(migrated_engine, connection)
    after = landed(migrated_engine)

    if recent_minutes:
        assert after[("tickets", str(opened.json()["id"]))][2]["subject"] == "Down again"
        assert ("users", str(opened.json()["requester_id"])) in after
    else:
        assert ("tickets", str(opened.json()["id"])) not in after  # the export alone sees it a minute later
    ui.post("/_sandbox/clock/advance", json={"seconds": 61}).raise_for_status()
    later = sync_connection(migrated_engine, connection)
    assert ("tickets", str(opened.json()["id"])) in landed(migrated_engine)
    # Once the export returns what Search already landed, the store holds the same: nothing changes twice.
    assert later.landing.streams["tickets"].updated == 0 if recent_minutes else later.landing.streams["tickets"].inserted == 1
    assert report.status == later.status == "succeeded"


def test_given_one_call_in_five_failing_when_syncing_then_raw_records_equal_a_clean_run(
    start_sandbox: Start, admin: Callable[[SandboxServer], httpx.Client], migrated_engine: Engine, another_database_url: str
) -> None:
    server = start_sandbox(world_of_400_people())
    connection = zendesk_connection(server)
    clean = sync_connection(migrated_engine, connection)
    faulty_engine = create_store_engine(another_database_url)
    try:
        upgrade_database(faulty_engine)
        ui = admin(server)
        ui.delete("/_sandbox/calls").raise_for_status()
        ui.put("/_sandbox/faults", json={"rate_limit_ratio": 0.1, "server_error_ratio": 0.1, "seed": 4}).raise_for_status()
        faulty = sync_connection(faulty_engine, connection)
        outcomes = ui.get("/_sandbox/calls").json()["outcomes"]
        faulty_rows = landed(faulty_engine)
    finally:
        faulty_engine.dispose()

    assert clean.status == "succeeded" and faulty.status == "succeeded", faulty.error
    assert outcomes.get("rate_limited", 0) > 0 and outcomes.get("server_error", 0) > 0
    as_set = lambda rows: {(obj, source_id, row[0]) for (obj, source_id), row in rows.items()}  # noqa: E731
    assert as_set(faulty_rows) == as_set(landed(migrated_engine))
