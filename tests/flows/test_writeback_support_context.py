"""Support context → CRM against the sandbox: the values written are the world's own figures, and the loop converges."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from flows.sync import sync_connection
from flows.writeback.run import apply_writeback, plan_writeback
from flows.writeback.targets import blocked_policies
from loophub.cli.context import CliState
from loophub.cli.writeback import writeback_command
from loophub.config import load_config
from sandbox.config import sandbox_config_yaml
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope
from store.canonical import CompanyRow
from store.echoes import is_echo
from store.identity import GoldenMember
from store.writeback import outbox_rows
from tests.flows.writeback_support import Loop, loop_once, prepared_loop, write_calls

NOW = datetime.now(UTC).replace(microsecond=0)
SF_FIELDS = {
    "open_tickets": "Loophub_Open_Tickets__c", "urgent_tickets": "Loophub_Urgent_Tickets__c", "last_ticket_at": "Loophub_Last_Ticket_At__c",
    "csat_90d": "Loophub_CSAT_90d__c", "first_response_hours": "Loophub_First_Response_Hours__c",
    "resolution_hours": "Loophub_Resolution_Hours__c", "support_health": "Loophub_Support_Health__c",
}  # fmt: skip
HS_FIELDS = {measure: name.removesuffix("__c").lower() for measure, name in SF_FIELDS.items()}
SAMPLE = 8


@pytest.fixture
def loop(start_sandbox: Callable[[World], SandboxServer], database_url: str) -> Iterator[Loop]:
    with prepared_loop(start_sandbox, database_url) as prepared:
        yield prepared


def expected_picture(world: World, organization_ids: set[int], now: datetime) -> dict[str, Any]:
    """The support measures of a company, computed here from the world's raw Zendesk records (the policy's docstring)."""
    tickets = [t for t in world.zendesk["tickets"] if t["organization_id"] in organization_ids]
    ids = {t["id"] for t in tickets}
    open_tickets = [t for t in tickets if t["status"] in ("new", "open", "pending", "hold")]
    urgent = sum(1 for t in open_tickets if t["priority"] in ("urgent", "high"))
    ratings = [r for r in world.zendesk["satisfaction_ratings"] if r["ticket_id"] in ids and now - timedelta(days=90) <= r["created_at"] <= now]
    good, bad = sum(r["score"] == "good" for r in ratings), sum(r["score"] == "bad" for r in ratings)
    metrics = [m for m in world.zendesk["ticket_metrics"] if m["ticket_id"] in ids]
    replies = [m["reply_time_in_minutes"]["calendar"] for m in metrics if m["reply_time_in_minutes"]["calendar"] is not None]
    resolutions = [m["full_resolution_time_in_minutes"]["calendar"] for m in metrics if m["full_resolution_time_in_minutes"]["calendar"] is not None]
    csat = round(100 * good / (good + bad), 1) if good + bad else None
    first = round(statistics.median(replies) / 60, 1) if replies else None
    health = 100.0 - min(45, 15 * urgent) - min(15, 3 * (len(open_tickets) - urgent))
    health -= min(30.0, (90 - csat) / 2) if csat is not None and csat < 90 else 0
    health -= 0 if first is None or first <= 4 else 5 if first <= 8 else 10 if first <= 24 else 15
    return {
        "open_tickets": len(open_tickets), "urgent_tickets": urgent,
        "last_ticket_at": max(t["created_at"] for t in tickets) if tickets else None, "csat_90d": csat,
        "first_response_hours": first, "resolution_hours": round(statistics.median(resolutions) / 60, 1) if resolutions else None,
        "support_health": int(max(0, min(100, round(health)))),
    }  # fmt: skip


def organisations_of_targets(loop: Loop, system: str, object_name: str) -> dict[str, set[int]]:
    """Each CRM company record → the Zendesk organisations of its golden company (loophub's identity, not its policy)."""
    with session_scope(loop.engine) as session:
        rows = session.execute(select(GoldenMember.golden_id, CompanyRow.system, CompanyRow.object, CompanyRow.source_id).join(CompanyRow, CompanyRow.id == GoldenMember.record_id).where(GoldenMember.entity == "company"))
        members: dict[str, list[tuple[str, str, str]]] = {}
        for golden_id, member_system, member_object, source_id in rows:
            members.setdefault(golden_id, []).append((member_system, member_object, source_id))
    found = {}
    for group in members.values():
        organisations = {int(source_id) for member_system, _, source_id in group if member_system == "zendesk"}
        for member_system, member_object, source_id in group:
            if (member_system, member_object) == (system, object_name) and organisations:
                found[source_id] = organisations
    return found


def same(value: Any, expected: Any) -> bool:
    """A value read back through an SDK (floats from Salesforce, strings from HubSpot) against the expected figure."""
    if expected is None:
        return value in (None, "")
    if isinstance(expected, datetime):
        text = str(value).replace("Z", "+00:00").replace("+0000", "+00:00")
        return datetime.fromisoformat(text).replace(microsecond=0) == expected.replace(microsecond=0)
    return float(value) == float(expected)


def test_given_a_resolved_sandbox_when_written_back_then_crm_fields_hold_the_worlds_support_figures(loop: Loop) -> None:
    plan = plan_writeback(loop.engine, loop.config, now=NOW)
    report = apply_writeback(loop.engine, loop.config, plan, now=NOW)

    assert plan.rows and report.count("applied") == len(plan.rows) and not report.errors
    checked = 0
    for system, object_name, fields, read in (
        ("salesforce", "Account", SF_FIELDS, lambda record_id: loop.vendors.account(record_id)),
        ("hubspot", "companies", HS_FIELDS, lambda record_id: loop.vendors.company(record_id, list(HS_FIELDS.values()))),
    ):
        targets = organisations_of_targets(loop, system, object_name)
        with_tickets = [record_id for record_id, orgs in sorted(targets.items()) if any(t["organization_id"] in orgs for t in loop.world.zendesk["tickets"])]
        assert len(with_tickets) >= SAMPLE, f"too few {system} companies with tickets to sample"
        for record_id in with_tickets[:SAMPLE]:
            expected, actual = expected_picture(loop.world, targets[record_id], NOW), read(record_id)
            for measure, name in fields.items():
                assert same(actual.get(name), expected[measure]), f"{system} {record_id} {name}: {actual.get(name)!r} != {expected[measure]!r}"
            checked += 1
    assert checked == 2 * SAMPLE


def test_given_no_outside_change_when_the_loop_runs_three_times_then_the_second_and_third_plan_nothing_and_write_nothing(loop: Loop) -> None:
    first = apply_writeback(loop.engine, loop.config, plan_writeback(loop.engine, loop.config))
    assert first.count("applied") > 0 and write_calls(loop.server) > 0

    for _ in range(2):
        loop_once(loop.engine, loop.config)
        calls_before = write_calls(loop.server)
        plan = plan_writeback(loop.engine, loop.config)
        report = apply_writeback(loop.engine, loop.config, plan)

        assert plan.rows == []
        assert write_calls(loop.server) == calls_before
        assert sum(report.write_calls.values()) == 0 and not report.outcomes


def test_given_a_write_when_run_again_before_the_next_pull_then_the_echo_ledger_makes_the_plan_empty(loop: Loop) -> None:
    plan = plan_writeback(loop.engine, loop.config)
    apply_writeback(loop.engine, loop.config, plan)
    row = plan.rows[0]

    assert plan_writeback(loop.engine, loop.config).rows == []
    with session_scope(loop.engine) as session:
        assert {r.status for r in outbox_rows(session)} == {"applied"}
        changed = {"properties": {row.field: str(row.new), "hs_lastmodifieddate": "x"}} if row.system == "hubspot" else {row.field: row.new, "SystemModstamp": "x"}
        assert is_echo(session, row.system, row.object, row.record_id, changed)
        assert not is_echo(session, row.system, row.object, row.record_id, {**changed, "Name": "Renamed by a person"})
        assert not is_echo(session, row.system, row.object, row.record_id, {row.field: "something else"})


def test_given_a_write_when_the_next_pull_brings_it_back_then_sync_counts_it_as_an_echo_not_an_outside_change(loop: Loop) -> None:
    plan = plan_writeback(loop.engine, loop.config)
    apply_writeback(loop.engine, loop.config, plan)
    written: dict[tuple[str, str], set[str]] = {}
    for row in plan.rows:
        written.setdefault((row.system, row.object), set()).add(row.record_id)
    person_edit = sorted(written[("salesforce", "Account")])[0]
    loop.vendors.sf.Account.update(person_edit, {"Name": "Renamed by a person"})

    for connection in loop.config.connections:
        if connection.system in ("salesforce", "hubspot"):
            report = sync_connection(loop.engine, connection)
            object_name = "Account" if connection.system == "salesforce" else "companies"
            counts = report.landing.streams[object_name]
            outside = 1 if connection.system == "salesforce" else 0
            assert counts.updated == len(written[(connection.system, object_name)])
            assert counts.echoes == counts.updated - outside


def test_given_the_cli_when_dry_run_as_json_then_it_prints_the_plan_and_writes_nothing(loop: Loop, tmp_path: Path) -> None:
    config_file = tmp_path / "loophub.yaml"
    config_file.write_text(sandbox_config_yaml(loop.server, str(loop.engine.url.render_as_string(hide_password=False))))
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(config_file=config_file)

    app.command("writeback")(writeback_command)
    calls_before = write_calls(loop.server)

    result = CliRunner().invoke(app, ["writeback", "--dry-run", "--json"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)  # warnings about skipped policies go to stderr
    config = load_config(config_file)
    expected = plan_writeback(loop.engine, config, blocked=blocked_policies(config))
    assert len(printed["rows"]) == len(expected.rows) > 0 and printed["skipped"] == expected.skipped
    assert "support_context" in printed["policies"] and "crm_context" in printed["skipped"]  # its Zendesk fields were never created
    assert {"system", "object", "record_id", "field", "current", "new", "policy", "reason", "mode"} <= set(printed["rows"][0])
    assert write_calls(loop.server) == calls_before
