"""The whole loop as an admin runs it: `loophub targets apply`, then `loophub loop`, read back through the vendors' SDKs.

Every policy is on with its shipped defaults. After one loop, support figures
sit on the CRM accounts, sales holds on exactly the companies with an open
urgent or high ticket, one deal per recent signalled ticket, linked both
ways, every record's golden id and counterpart ids, and each Zendesk
organization's sales context (the new deals counted). With no outside
change, the second and third loops write nothing. (Enrichment's values are
checked against the world in its policy's tests.)

`LOOPHUB_E2E_PEOPLE=10000` runs it on the 10,000-people sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from loophub.config import parse_config
from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine, session_scope
from store.models import Run
from tests.flows.crm_context_support import ORGANIZATION_FIELDS, golden_groups, open_holding_tickets, organizations, world_sales
from tests.flows.handoff_support import expected_handoffs, opportunities, ticket_comments
from tests.flows.test_writeback_crm_context import checkable
from tests.flows.test_writeback_crm_context import same as same_as
from tests.flows.test_writeback_cross_links import expected_links, read_links
from tests.flows.test_writeback_support_context import SF_FIELDS, expected_picture, organisations_of_targets, same
from tests.flows.writeback_support import Loop, vendors

PEOPLE = int(os.environ.get("LOOPHUB_E2E_PEOPLE", "300"))
SIGNAL_TAGS = {"upsell", "pricing"}
HANDOFF_WINDOW_DAYS = 30  # the shipped default
WRITE_ROUTES = ("/composite/sobjects", "/batch/update", "/batch/create", "/update_many.json", "/create_many.json")


def loophub(config_file: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "COLUMNS": "200"}
    command = [sys.executable, "-m", "loophub", "-c", str(config_file), *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=3600, check=False)


def write_calls(server: SandboxServer) -> int:
    """Vendor write calls so far, as the sandbox counted them."""
    total = 0
    for system in ("salesforce", "hubspot", "zendesk"):
        for route, counts in server.control(system).calls.snapshot()["by_route"].items():
            method, path = route.split(" ", 1)
            total += counts["calls"] if method in ("POST", "PATCH", "PUT") and path.endswith(WRITE_ROUTES) else 0
    return total


@pytest.fixture
def looped(start_sandbox: Callable[[World], SandboxServer], database_url: str, tmp_path: Path) -> Iterator[tuple[Loop, Path]]:
    """A sandbox after `targets apply` and one `loophub loop`."""
    world = generate_world(PEOPLE, seed=7)
    server = start_sandbox(world)
    config_file = tmp_path / "loophub.yaml"
    config_file.write_text(sandbox_config_yaml(server, database_url), encoding="utf-8")
    applied = loophub(config_file, "targets", "apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    first = loophub(config_file, "loop")
    assert first.returncode == 0, first.stdout + first.stderr
    engine = create_store_engine(database_url)
    try:
        with vendors(server) as access:
            config = parse_config(config_file.read_text(encoding="utf-8"), config_file, environ={})
            yield Loop(server, world, config, engine, access), config_file
    finally:
        engine.dispose()


def test_given_one_loop_then_every_policy_holds_its_values_and_the_loop_converges(looped: tuple[Loop, Path]) -> None:
    loop, config_file = looped
    [run] = writeback_runs(loop.engine)
    assert run.status == "succeeded" and not run.error and not run.counts["errors"]
    assert {key.split("/")[1] for key, counts in run.counts["outcomes"].items() if counts.get("applied")} == {
        "support_context", "crm_context", "suppression", "cross_links", "enrichment",
    }  # fmt: skip
    check_support_figures_and_holds(loop)
    check_one_deal_per_signalled_ticket(loop)
    check_cross_links(loop)
    check_crm_context(loop)

    # The first loop pulled its hand-offs' new deals before planning the fields they change, so nothing is left:
    # the second and third loops, with no outside change, make no write call.
    assert run.counts["deals_pulled"]["salesforce"] >= run.counts["handoffs"]["created"] > 0
    calls = write_calls(loop.server)
    for later in (2, 3):
        again = loophub(config_file, "loop")
        assert again.returncode == 0, again.stdout + again.stderr
        assert writeback_runs(loop.engine)[later - 1].counts["planned"] == 0, f"loop {later} planned writes"
    assert write_calls(loop.server) == calls


def writeback_runs(engine: Engine) -> list[Run]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Run).where(Run.flow == "writeback").order_by(Run.id)))


def check_crm_context(loop: Loop) -> None:
    """Owner, type, lifecycle, revenue, pipeline (the new hand-off deals included) and renewal on each Zendesk organization."""
    labels = {stage.id: stage.label for pipeline in loop.vendors.hs.crm.pipelines.pipelines_api.get_all("deals").results for stage in pipeline.stages}
    groups, now_held = checkable(loop), with_handoff_deals(loop)
    held = organizations(loop.vendors, sorted(int(i) for group in groups for i in group.ids("zendesk")))
    wrong = []
    for group in groups:
        expected = world_sales(now_held, group, labels, datetime.now(UTC))
        fields = group.profile["fields"]
        expected |= {"loophub_lifecycle": fields["lifecycle"]["value"], "loophub_renewal_date": fields["renewal_date"]["value"]}
        values = [held[int(organization)]["organization_fields"] for organization in group.ids("zendesk")]
        wrong += [(group.ids("zendesk"), key) for value in values for key, kind in ORGANIZATION_FIELDS.items() if not same_as(value.get(key), expected[key], kind)]
    assert groups and not wrong, f"{len(wrong)} organization fields differ, e.g. {wrong[:3]}"


def with_handoff_deals(loop: Loop) -> World:
    """The seeded world plus the opportunities loophub created in Salesforce (read through simple-salesforce): what the CRMs hold now."""
    created = [
        {"Name": o["Name"], "CloseDate": date.fromisoformat(o["CloseDate"]), "Amount": None, "StageName": o["StageName"], "AccountId": o["AccountId"], "IsDeleted": False}
        for o in opportunities(loop.vendors)
    ]
    assert created, "the loop handed off tickets, so Salesforce holds opportunities loophub created"
    return replace(loop.world, salesforce={**loop.world.salesforce, "Opportunity": [*loop.world.salesforce["Opportunity"], *created]})


def check_cross_links(loop: Loop) -> None:
    """Every account, contact, company, organization and end user carries its golden id and its counterparts' ids."""
    expected = expected_links(loop)
    actual = read_links(loop, expected)
    wrong = {ref: (actual.get(ref), value) for ref, value in expected.items() if actual.get(ref) != value}
    assert not wrong, f"{len(wrong)} of {len(expected)} records hold other links, e.g. {next(iter(wrong.items()))}"


def check_support_figures_and_holds(loop: Loop) -> None:
    """Support figures on every linked account; the sales hold on exactly the companies with an open urgent/high ticket."""
    now = datetime.now(UTC)
    fields = ", ".join(SF_FIELDS.values())
    accounts = {record["Id"]: record for record in loop.vendors.sf.query_all(f"SELECT Id, Loophub_Sales_Hold__c, {fields} FROM Account")["records"]}
    targets = organisations_of_targets(loop, "salesforce", "Account")
    assert targets
    for account_id, organisations in sorted(targets.items()):
        expected = expected_picture(loop.world, organisations, now)
        # CSAT is left out: its 90-day window moves between the loop and this check (its test pins the time).
        wrong = {name: (accounts[account_id][name], expected[measure]) for measure, name in SF_FIELDS.items()
                 if measure != "csat_90d" and not same(accounts[account_id][name], expected[measure])}  # fmt: skip
        assert not wrong, f"{account_id}: {wrong}"
    tickets = loop.world.zendesk["tickets"]
    held = {account for group in golden_groups(loop) for account in group.ids("salesforce") if open_holding_tickets(tickets, {int(i) for i in group.ids("zendesk")})}
    assert held and {account_id for account_id, record in accounts.items() if record["Loophub_Sales_Hold__c"]} == held


def check_one_deal_per_signalled_ticket(loop: Loop) -> None:
    """One opportunity per recent signalled ticket, on its account, owned by the account owner, with one note on the ticket."""

    def read_account(account_id: str) -> tuple[str | None, str]:
        account = loop.vendors.account(account_id)
        return account.get("OwnerId"), account["Name"]

    expected, _ = expected_handoffs(loop.engine, loop.world, SIGNAL_TAGS, datetime.now(UTC), HANDOFF_WINDOW_DAYS, "salesforce", read_account)
    deals = opportunities(loop.vendors)
    by_ticket = Counter(str(deal["Loophub_Ticket_Id__c"]) for deal in deals)
    assert expected and set(by_ticket) == set(expected) and set(by_ticket.values()) == {1}
    for deal in deals:
        ticket = str(deal["Loophub_Ticket_Id__c"])
        assert (deal["AccountId"], deal["OwnerId"]) == (expected[ticket].account_id, expected[ticket].owner_id)
        notes = [comment for comment in ticket_comments(loop.server, ticket) if deal["Id"] in (comment.get("body") or "")]
        assert len(notes) == 1 and notes[0]["public"] is False
