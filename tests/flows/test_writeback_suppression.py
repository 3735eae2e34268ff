"""Sales hold: the hold rules, the settings, and the sandbox end to end (set, lift, raise, converge).

End to end, the flags the CRMs hold are compared with holds computed here
from the seeded world's Zendesk tickets and read back through the
Salesforce and HubSpot SDKs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from flows.writeback.run import apply_writeback, plan_writeback
from flows.writeback.settings import PolicySettings
from flows.writeback.suppression import (
    HoldTarget,
    hold_needs_write,
    hold_reason,
    holding_tickets,
    plan_suppression,
)
from flows.writeback.suppression_settings import SuppressionPolicy
from loophub.config import ConfigError, parse_config
from sandbox.server import SandboxServer
from sandbox.world import World
from store.writeback import CompanyMember, PulledTarget, TicketFact
from tests.flows.crm_context_support import (
    HOLD_FIELD_SF,
    HOLD_PROPERTY_HS,
    Group,
    golden_groups,
    install_hold_fields,
    open_holding_tickets,
    sales_loop,
)
from tests.flows.writeback_support import Loop, loop_once, only

NOW = datetime.now(UTC).replace(microsecond=0)
SUPPRESSION = {"suppression": {"include_contacts": True}}


# -- the rules, without a sandbox -------------------------------------------------------------------------------

MEMBERS = [
    CompanyMember("com_a", "zendesk", "organizations", "1"), CompanyMember("com_a", "salesforce", "Account", "001A"),
    CompanyMember("com_a", "hubspot", "companies", "9"), CompanyMember("com_b", "zendesk", "organizations", "2"),
    CompanyMember("com_b", "salesforce", "Account", "001B"),
]  # fmt: skip


def ticket(source_id: str, organization: str, status: str, priority: str | None, days_ago: int = 1) -> TicketFact:
    return TicketFact("zendesk", source_id, organization, status, priority, NOW - timedelta(days=days_ago))


def test_given_tickets_then_only_open_urgent_or_high_ones_of_a_member_organization_hold_the_company() -> None:
    tickets = [
        ticket("10", "1", "open", "urgent", days_ago=1), ticket("11", "1", "on_hold", "high", days_ago=5),
        ticket("12", "1", "solved", "urgent"), ticket("13", "1", "open", "normal"), ticket("14", "2", "closed", "high"),
        ticket("15", "77", "new", "urgent"),  # an organization of no golden company
    ]  # fmt: skip

    holds = holding_tickets(SuppressionPolicy(), MEMBERS, tickets)

    assert {golden: [t.source_id for t in held] for golden, held in holds.items()} == {"com_a": ["11", "10"]}  # oldest first
    assert list(holding_tickets(SuppressionPolicy(priorities=["urgent"]), MEMBERS, tickets)) == ["com_a"]
    reason = hold_reason(SuppressionPolicy(), holds["com_a"])
    assert reason.startswith("on hold: 2 open urgent/high tickets") and "zendesk #10 (urgent, open)" in reason and "#11" in reason
    assert "and 2 more" in hold_reason(SuppressionPolicy(), [ticket(str(i), "1", "open", "high") for i in range(7)])
    assert hold_reason(SuppressionPolicy(), []).endswith("hold lifted")


@pytest.mark.parametrize(
    ("mode", "current", "held", "expected"),
    [
        ("overwrite", None, False, False),  # blank already says "not on hold": a fresh install writes no false
        ("overwrite", "", False, False),
        ("overwrite", None, True, True),
        ("overwrite", "false", True, True),  # HubSpot answers flags as text
        ("overwrite", "true", True, False),
        ("overwrite", True, False, True),  # lifted
        ("overwrite", False, False, False),
        ("fill_if_blank", None, True, True),
        ("fill_if_blank", "false", True, False),
        ("never", None, True, False),
    ],
)
def test_given_a_flag_and_a_hold_then_a_write_is_needed_only_to_change_it(mode: str, current: Any, held: bool, expected: bool) -> None:
    assert hold_needs_write(mode, current, held) is expected


def test_given_targets_then_held_companies_and_their_contacts_are_flagged_in_each_crms_form_and_blank_ones_left_alone() -> None:
    policy = SuppressionPolicy(include_contacts=True, fields={"contact": {"hubspot": None}})
    targets = [
        HoldTarget("com_a", "salesforce", "Account", "001A", "company"), HoldTarget("com_a", "hubspot", "companies", "9", "company"),
        HoldTarget("com_a", "salesforce", "Contact", "003A", "contact"), HoldTarget("com_a", "hubspot", "contacts", "5", "contact"),
        HoldTarget("com_b", "salesforce", "Account", "001B", "company"), HoldTarget("com_b", "salesforce", "Contact", "003B", "contact"),
    ]  # fmt: skip
    pulled = {(t.system, t.object, t.source_id): PulledTarget({}, NOW, {}) for t in targets}
    pulled[("salesforce", "Contact", "003B")] = PulledTarget({"Loophub_Sales_Hold__c": True}, NOW, {})  # held before, no longer

    rows = plan_suppression(policy, targets, {"com_a": [ticket("10", "1", "open", "urgent")]}, pulled)

    assert [(r.record_id, r.field, r.new) for r in rows] == [
        ("9", "loophub_sales_hold", "true"), ("001A", "Loophub_Sales_Hold__c", True), ("003A", "Loophub_Sales_Hold__c", True),
        ("003B", "Loophub_Sales_Hold__c", False),
    ]  # fmt: skip
    assert all("zendesk #10" in row.reason for row in rows[:3]) and rows[-1].reason.endswith("hold lifted")


def test_given_partial_settings_then_the_rest_keeps_its_defaults_and_a_bad_mode_names_file_and_line(tmp_path: Path) -> None:
    policy = PolicySettings.model_validate({"suppression": {"fields": {"company": {"salesforce": "Do_Not_Sell__c"}}}}).suppression

    company = policy.fields.company
    assert (company.salesforce, company.hubspot, company.mode) == ("Do_Not_Sell__c", "loophub_sales_hold", "overwrite")
    assert policy.fields.contact.salesforce == HOLD_FIELD_SF and not policy.include_contacts and policy.ticket_systems == ["zendesk"]
    with pytest.raises(ValidationError):
        PolicySettings.model_validate({"suppression": {"fields": {"account": {}}}})
    text = "version: 1\npolicies:\n  suppression:\n    include_contacts: true\n    fields:\n      contact:\n        mode: sometimes\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, tmp_path / "loophub.yaml", environ={})
    assert f"{tmp_path / 'loophub.yaml'}:7:" in str(raised.value) and "policies.suppression.fields.contact.mode" in str(raised.value)


# -- against the sandbox ----------------------------------------------------------------------------------------


@pytest.fixture
def loop(start_sandbox: Callable[[World], SandboxServer], database_url: str) -> Iterator[Loop]:
    with sales_loop(start_sandbox, database_url, install_hold_fields) as prepared:
        yield prepared


def flags(loop: Loop) -> dict[tuple[str, str], Any]:
    """Every CRM company and contact's flag as the vendors answer it now."""
    found: dict[tuple[str, str], Any] = {}
    for sobject in ("Account", "Contact"):
        for record in loop.vendors.sf.query_all(f"SELECT Id, {HOLD_FIELD_SF} FROM {sobject}")["records"]:
            found[(sobject, record["Id"])] = record[HOLD_FIELD_SF]
    for object_type in ("companies", "contacts"):
        api = getattr(loop.vendors.hs.crm, object_type)
        for record in api.get_all(properties=[HOLD_PROPERTY_HS]):
            found[(object_type, record.id)] = record.properties.get(HOLD_PROPERTY_HS)
    return found


def expected_holds(loop: Loop, tickets: list[dict[str, Any]]) -> dict[tuple[str, str], bool]:
    """Each CRM company record and contact → whether its golden company has an open urgent/high Zendesk ticket."""
    expected: dict[tuple[str, str], bool] = {}
    held_companies: dict[str, bool] = {}
    for group in golden_groups(loop):
        held = bool(open_holding_tickets(tickets, {int(i) for i in group.ids("zendesk")}))
        expected |= {("Account", i): held for i in group.ids("salesforce")} | {("companies", i): held for i in group.ids("hubspot")}
        held_companies |= {i: held for system in ("salesforce", "hubspot") for i in group.ids(system)}
    for contact in loop.world.salesforce["Contact"]:
        if not contact["IsDeleted"] and contact["AccountId"] in held_companies:
            expected[("Contact", contact["Id"])] = held_companies[contact["AccountId"]]
    for link in loop.world.hubspot["associations"]:
        if (link["from_type"], link["to_type"]) == ("contacts", "companies") and link["to_id"] in held_companies:
            expected[("contacts", link["from_id"])] = held_companies[link["to_id"]]
    return expected


def agree(actual: Any, held: bool) -> bool:
    return str(actual).lower() == "true" if held else actual in (None, "", False, "false")


def test_given_urgent_tickets_when_written_back_then_exactly_their_companies_and_contacts_are_on_hold(loop: Loop) -> None:
    off = plan_writeback(loop.engine, loop.with_policies(only({"suppression": {"enabled": False, "include_contacts": True}})), now=NOW)
    config = loop.with_policies(only(SUPPRESSION))
    plan = plan_writeback(loop.engine, config, now=NOW)
    report = apply_writeback(loop.engine, config, plan)

    assert "suppression" not in off.policies and not [row for row in off.rows if row.policy == "suppression"]
    assert plan.rows and {row.policy for row in plan.rows} == {"suppression"} and report.count("applied") == len(plan.rows) and not report.errors
    assert {str(row.new).lower() for row in plan.rows} == {"true"}  # a fresh install writes no false
    expected, actual = expected_holds(loop, loop.world.zendesk["tickets"]), flags(loop)
    wrong = {key: (actual.get(key), held) for key, held in expected.items() if not agree(actual.get(key), held)}
    assert not wrong
    held_kinds = {kind for (kind, _), held in expected.items() if held}
    assert held_kinds == {"Account", "companies", "Contact", "contacts"} and sum(expected.values()) == len(plan.rows)
    assert 0 < sum(1 for (kind, _), held in expected.items() if kind == "Account" and held) < sum(1 for kind, _ in expected if kind == "Account")
    for row in plan.rows:
        group = next(g for g in golden_groups(loop) if g.golden_id == row.golden_id)
        for holding in open_holding_tickets(loop.world.zendesk["tickets"], {int(i) for i in group.ids("zendesk")})[:5]:
            assert f"#{holding['id']}" in row.reason


def held_and_free(loop: Loop) -> tuple[Group, list[dict[str, Any]], Group, dict[str, Any]]:
    """A held company with its holding tickets, and a free one with a customer of its organization."""
    tickets = loop.world.zendesk["tickets"]
    crm = [g for g in golden_groups(loop) if g.ids("zendesk") and g.ids("salesforce") and g.ids("hubspot")]
    held = next(g for g in crm if open_holding_tickets(tickets, {int(i) for i in g.ids("zendesk")}))
    free = next(g for g in crm if not open_holding_tickets(tickets, {int(i) for i in g.ids("zendesk")}) and _customer(loop, g))
    return held, open_holding_tickets(tickets, {int(i) for i in held.ids("zendesk")}), free, _customer(loop, free) or {}


def _customer(loop: Loop, group: Group) -> dict[str, Any] | None:
    organizations = {int(i) for i in group.ids("zendesk")}
    return next((u for u in loop.world.zendesk["users"] if u.get("organization_id") in organizations and u.get("role") == "end-user" and u.get("email")), None)


def test_given_holding_tickets_solved_and_a_new_urgent_one_when_the_loop_runs_then_holds_lift_and_rise_and_then_converge(loop: Loop) -> None:
    config = loop.with_policies(only(SUPPRESSION))
    apply_writeback(loop.engine, config, plan_writeback(loop.engine, config, now=NOW))
    held, holding, free, customer = held_and_free(loop)
    with httpx.Client(base_url=loop.server.url("zendesk"), verify=str(loop.server.ca_path), timeout=30) as ui:  # as people in Zendesk's UI
        for solved in holding:
            ui.patch(f"/_sandbox/records/tickets/{solved['id']}", json={"status": "solved"}).raise_for_status()
        requester = {"name": customer["name"], "email": customer["email"]}
        opened = ui.post("/_sandbox/records/tickets", json={"subject": "Outage", "body": "Nothing loads", "priority": "urgent", "requester": requester})
        opened.raise_for_status()
    loop.server.control("zendesk").clock.advance(120)  # Zendesk's exports hide the last minute
    loop_once(loop.engine, config)

    plan = plan_writeback(loop.engine, config, now=NOW)
    apply_writeback(loop.engine, config, plan)

    changed = {(row.system, row.record_id): row for row in plan.rows if row.object in ("Account", "companies")}
    for system in ("salesforce", "hubspot"):
        assert all(changed[(system, i)].new in (False, "false") and changed[(system, i)].reason.endswith("hold lifted") for i in held.ids(system))
        assert all(changed[(system, i)].new in (True, "true") and f"#{opened.json()['id']}" in changed[(system, i)].reason for i in free.ids(system))
    now_held = {("Account", i): False for i in held.ids("salesforce")} | {("companies", i): False for i in held.ids("hubspot")}
    now_held |= {("Account", i): True for i in free.ids("salesforce")} | {("companies", i): True for i in free.ids("hubspot")}
    actual = flags(loop)
    assert all(agree(actual[key], on_hold) for key, on_hold in now_held.items())

    loop.server.control("zendesk").clock.advance(120)
    loop_once(loop.engine, config)
    assert [row for row in plan_writeback(loop.engine, config, now=NOW).rows if row.policy == "suppression"] == []
