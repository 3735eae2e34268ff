"""`loophub targets check|apply`, run as an admin would against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hubspot
from hubspot.crm.properties import PropertyCreate
from tests_support import write_config

from flows.writeback import support_context
from flows.writeback.settings import PolicySettings
from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World

StartSandbox = Callable[[World], SandboxServer]
SUPPORT_FIELDS = {(f.system, f.object, f.name) for f in support_context.target_fields(PolicySettings())}


def prepared(tmp_path: Path, start_sandbox: StartSandbox, database_url: str, drop: str | None = None) -> SandboxServer:
    """A small sandbox and a loophub.yaml for it (without the `drop` system's connection when given)."""
    server = start_sandbox(generate_world(40, seed=5))
    text = sandbox_config_yaml(server, database_url)
    if drop:
        head, _, rest = text.partition(f"  - name: {drop}\n")
        _, _, tail = rest.partition("  - name: ")
        text = head + ("  - name: " + tail if tail else "")
    write_config(tmp_path, text)
    return server


def tooling_calls(server: SandboxServer) -> int:
    return server.control("salesforce").calls.calls("/services/data/{version}/tooling/sobjects/CustomField", "POST")


def property_creates(server: SandboxServer) -> int:
    return server.control("hubspot").calls.calls("/crm/v3/properties/", "POST")


def states(output: str, key: str) -> dict[tuple[str, str, str], Any]:
    """Each field's `key` (state, outcome) from a `--json` answer, by (system, object, name)."""
    return {(entry["system"], entry["object"], entry["name"]): entry[key] for entry in json.loads(output)["fields"]}


def test_given_a_fresh_sandbox_when_checked_applied_and_applied_again_then_fields_are_created_once_and_the_check_turns_clean(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    server = prepared(tmp_path, start_sandbox, database_url)

    before = run_loophub("targets", "check")
    before_json = run_loophub("targets", "check", "--json")
    applied = run_loophub("targets", "apply", "--json")
    after = run_loophub("targets", "check")
    creates_after_first = (tooling_calls(server), property_creates(server))
    again = run_loophub("targets", "apply")

    assert before.returncode == 1 and "Loophub_Support_Health__c" in before.stdout and "missing" in before.stdout
    assert before_json.returncode == 1
    assert {key: state for key, state in states(before_json.stdout, "state").items() if key in SUPPORT_FIELDS} == dict.fromkeys(SUPPORT_FIELDS, "missing")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    outcomes = states(applied.stdout, "outcome")
    assert {outcomes[key] for key in SUPPORT_FIELDS} == {"created"}
    assert after.returncode == 0, after.stdout
    assert "missing" not in after.stdout and "present" in after.stdout.splitlines()[-1]
    assert creates_after_first[0] == sum(1 for key, state in outcomes.items() if key[0] == "salesforce" and state == "created") > 0
    assert again.returncode == 0 and "created" not in again.stdout.splitlines()[-1]
    assert (tooling_calls(server), property_creates(server)) == creates_after_first


def test_given_print_salesforce_when_applied_then_definitions_are_printed_and_nothing_is_created_in_salesforce(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    server = prepared(tmp_path, start_sandbox, database_url)

    printed = run_loophub("targets", "apply", "--print-salesforce")
    checked = run_loophub("targets", "check", "--json")

    assert printed.returncode == 0, printed.stdout + printed.stderr
    assert "Add these fields in Salesforce Setup" in printed.stdout
    assert "Account · Loophub_Open_Tickets__c · Number(18, 0)" in printed.stdout
    assert "Account · Loophub_CSAT_90d__c · Number(16, 1)" in printed.stdout
    assert "Account · Loophub_Last_Ticket_At__c · DateTime" in printed.stdout
    assert tooling_calls(server) == 0 and property_creates(server) > 0
    after = states(checked.stdout, "state")
    assert checked.returncode == 1
    assert {after[key] for key in SUPPORT_FIELDS if key[0] == "salesforce"} == {"missing"}
    assert {after[key] for key in SUPPORT_FIELDS if key[0] == "hubspot"} == {"present"}


def test_given_a_property_of_the_wrong_type_when_checked_and_applied_then_it_is_reported_and_apply_fails_on_it(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    server = prepared(tmp_path, start_sandbox, database_url)
    sdk = hubspot.Client.create(access_token="pat-sandbox-token", host=server.url("hubspot"))
    sdk.crm.properties.core_api.create("companies", PropertyCreate(name="loophub_support_health", label="Health", type="string", field_type="text", group_name="companyinformation"))

    checked = run_loophub("targets", "check", "--json")
    applied = run_loophub("targets", "apply", "--json")

    assert checked.returncode == 1
    entry = next(entry for entry in json.loads(checked.stdout)["fields"] if entry["name"] == "loophub_support_health")
    assert entry["state"] == "wrong_type" and "string (text)" in entry["detail"] and "whole numbers" in entry["detail"]
    assert applied.returncode == 1
    outcomes = states(applied.stdout, "outcome")
    assert outcomes[("hubspot", "companies", "loophub_support_health")] == "failed"
    assert {outcomes[key] for key in SUPPORT_FIELDS - {("hubspot", "companies", "loophub_support_health")}} == {"created"}


def test_given_no_salesforce_connection_when_applied_then_its_fields_are_skipped_and_the_check_is_clean(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    server = prepared(tmp_path, start_sandbox, database_url, drop="salesforce")

    applied = run_loophub("targets", "apply", "--json")
    checked = run_loophub("targets", "check")

    assert applied.returncode == 0, applied.stdout + applied.stderr
    outcomes = states(applied.stdout, "outcome")
    assert {outcomes[key] for key in SUPPORT_FIELDS if key[0] == "salesforce"} == {"skipped"}
    assert checked.returncode == 0 and "no connection" in checked.stdout
    assert server.control("salesforce").calls.snapshot()["total"] == 0
