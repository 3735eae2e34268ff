"""Hand-off against the sandbox: a signalled ticket becomes exactly one deal on its account, linked both ways, once.

Expected deals are computed from the World's tickets, the store's identity
(which organization is which account) and the CRMs' own records read through
their SDKs. The settings, ticket-signal and account-choice rules are pinned
without a sandbox at the end.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
import yaml
from pydantic import ValidationError
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from flows.writeback.handoff import (
    Placement,
    agent_url,
    choose_account,
    new_step,
    signal_of,
)
from flows.writeback.handoff_settings import HandoffPolicy
from flows.writeback.run import ApplyReport, apply_writeback, plan_writeback
from flows.writeback.settings import PolicySettings
from loophub.cli.context import CliState
from loophub.cli.writeback import writeback_command
from loophub.config import ConfigError, LoophubConfig, parse_config
from sandbox.config import sandbox_config_yaml
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope
from store.handoffs import (
    CrmCompany,
    HandoffEntry,
    HandoffRow,
    OwnerFact,
    TicketSignalFact,
    due_handoffs,
    handoffs,
    mark_failed,
    register,
    requeue_parked_handoffs,
)
from tests.flows.handoff_support import (
    HS_CREATE_ROUTE,
    PORTAL_ID,
    SF_CREATE_ROUTE,
    ZD_UPDATE_ROUTE,
    calls,
    expected_handoffs,
    handoff_policies,
    hubspot_deals,
    install_deal_fields,
    opportunities,
    ticket_comments,
    ticket_tags,
)
from tests.flows.writeback_support import Loop, loop_once, prepared_loop

NOW = datetime.now(UTC).replace(microsecond=0)
TAGS = {"upsell", "pricing", "billing"}  # billing too: a 300-person world has only a few upsell/pricing tickets
WINDOW = 30
LINK_MARK = "Sales hand-off by loophub"


@pytest.fixture
def loop(start_sandbox: Callable[[World], SandboxServer], database_url: str) -> Iterator[Loop]:
    with prepared_loop(start_sandbox, database_url) as prepared:
        install_deal_fields(prepared.vendors)
        yield prepared


def written_back(engine: Engine, config: LoophubConfig, when: datetime) -> ApplyReport:
    """One write-back run at `when`: plan, then apply."""
    return apply_writeback(engine, config, plan_writeback(engine, config, now=when), now=when)


def notes_linking(loop: Loop, ticket_id: str, link_part: str) -> list[dict[str, object]]:
    return [c for c in ticket_comments(loop.server, ticket_id) if link_part in str(c["body"])]


def salesforce_company(loop: Loop) -> Callable[[str], tuple[str | None, str]]:
    def read(account_id: str) -> tuple[str | None, str]:
        account = loop.vendors.account(account_id)
        return account.get("OwnerId"), account["Name"]

    return read


def test_given_signalled_tickets_when_written_back_then_each_gets_one_opportunity_on_its_account_linked_both_ways(loop: Loop) -> None:
    config = loop.with_policies(handoff_policies(signal_tags=sorted(TAGS), window_days=WINDOW))
    expected, skipped = expected_handoffs(loop.engine, loop.world, TAGS, NOW, WINDOW, "salesforce", salesforce_company(loop))
    assert len(expected) >= 8 and skipped, "the world must offer hand-offs and skips"

    plan = plan_writeback(loop.engine, config, now=NOW)
    report = apply_writeback(loop.engine, config, plan, now=NOW)

    assert {step.ticket_id for step in plan.handoffs if step.action == "create"} == set(expected)
    assert {step.ticket_id for step in plan.handoffs if step.action == "skip"} == skipped
    assert all(step.reason for step in plan.handoffs)
    assert (report.handoffs.counts["created"], report.handoffs.counts["noted"], report.errors) == (len(expected), len(expected), [])
    deals = opportunities(loop.vendors)
    assert Counter(d["Loophub_Ticket_Id__c"] for d in deals) == Counter(set(expected))  # one each, none for a skipped ticket
    for deal in deals:
        want = expected[deal["Loophub_Ticket_Id__c"]]
        assert (deal["AccountId"], deal["OwnerId"], deal["Name"]) == (want.account_id, want.owner_id, want.deal_name)
        assert (deal["StageName"], deal["CloseDate"]) == ("Prospecting", want.close_date.isoformat())
        assert deal["Loophub_Key__c"] == f"zendesk-ticket-{want.ticket_id}"
        assert deal["Loophub_Ticket_Url__c"].endswith(f"/agent/tickets/{want.ticket_id}")
        notes = notes_linking(loop, want.ticket_id, f"/lightning/r/Opportunity/{deal['Id']}/view")
        assert len(notes) == 1 and notes[0]["public"] is False, f"ticket {want.ticket_id}: {notes}"
        assert "loophub_handoff" in ticket_tags(loop.server, want.ticket_id)


def test_given_a_finished_hand_off_when_the_loop_runs_again_then_no_deal_is_created_and_no_note_added(loop: Loop) -> None:
    config = loop.with_policies(handoff_policies(signal_tags=sorted(TAGS), window_days=WINDOW))
    first = apply_writeback(loop.engine, config, plan_writeback(loop.engine, config))
    assert first.handoffs.counts["created"] > 0
    deals_before = opportunities(loop.vendors)
    creates, notes = calls(loop.server, "salesforce", SF_CREATE_ROUTE), calls(loop.server, "zendesk", ZD_UPDATE_ROUTE)

    loop_once(loop.engine, config)
    plan = plan_writeback(loop.engine, config)
    report = apply_writeback(loop.engine, config, plan)

    assert [step for step in plan.handoffs if step.writes] == []
    assert (calls(loop.server, "salesforce", SF_CREATE_ROUTE), calls(loop.server, "zendesk", ZD_UPDATE_ROUTE)) == (creates, notes)
    assert report.handoffs.counts["created"] == report.handoffs.counts["noted"] == 0
    assert len(opportunities(loop.vendors)) == len(deals_before)
    for deal in deals_before:
        assert len(notes_linking(loop, deal["Loophub_Ticket_Id__c"], LINK_MARK)) == 1
    with session_scope(loop.engine) as session:
        assert {row.status for row in handoffs(session)} == {"noted"}


def test_given_hubspot_as_target_when_written_back_then_each_deal_is_associated_with_its_company_and_owned_by_its_owner(loop: Loop) -> None:
    config = loop.with_policies(handoff_policies(signal_tags=sorted(TAGS), window_days=WINDOW, target="hubspot", hubspot_portal_id=PORTAL_ID))

    def read(company_id: str) -> tuple[str | None, str]:
        company = loop.vendors.company(company_id, ["name", "hubspot_owner_id"])
        return company.get("hubspot_owner_id") or None, company["name"]

    expected, _ = expected_handoffs(loop.engine, loop.world, TAGS, NOW, WINDOW, "hubspot", read)
    assert len(expected) >= 8

    report = written_back(loop.engine, config, NOW)

    assert report.errors == [] and calls(loop.server, "hubspot", HS_CREATE_ROUTE) == 1  # one batch for every deal
    deals = hubspot_deals(loop.vendors)
    assert Counter(d["loophub_ticket_id"] for d in deals) == Counter(set(expected))
    for deal in deals:
        want = expected[deal["loophub_ticket_id"]]
        assert (deal["companies"], deal.get("hubspot_owner_id") or None, deal["dealname"]) == ([want.account_id], want.owner_id, want.deal_name)
        assert (deal["dealstage"], deal["pipeline"], str(deal["closedate"])[:10]) == ("appointmentscheduled", "default", want.close_date.isoformat())
        assert deal["loophub_key"] == f"zendesk-ticket-{want.ticket_id}" and deal["loophub_ticket_url"].endswith(f"/agent/tickets/{want.ticket_id}")
        assert len(notes_linking(loop, want.ticket_id, f"https://app.hubspot.com/contacts/{PORTAL_ID}/record/0-3/{deal['id']}")) == 1


def test_given_default_settings_when_dry_run_then_last_months_signals_are_listed_and_with_the_policy_off_nothing_is_written(
    loop: Loop, tmp_path: Path
) -> None:
    policies = handoff_policies()  # the shipped signals and window, only switched on
    expected, _ = expected_handoffs(loop.engine, loop.world, {"upsell", "pricing"}, NOW, 30, "salesforce", salesforce_company(loop))
    assert expected, "the world must hold a recent upsell or pricing ticket"
    config_file = tmp_path / "loophub.yaml"
    url = loop.engine.url.render_as_string(hide_password=False)
    config_file.write_text(sandbox_config_yaml(loop.server, url) + yaml.safe_dump({"policies": policies}))
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(config_file=config_file)

    app.command("writeback")(writeback_command)

    printed = CliRunner().invoke(app, ["writeback", "--dry-run", "--json"], env={"COLUMNS": "200"})
    off = loop.with_policies(policies | {"handoff": {"enabled": False}})
    report = apply_writeback(loop.engine, off, plan_writeback(loop.engine, off))

    assert printed.exit_code == 0, printed.output
    listed = json.loads(printed.output)["handoffs"]
    assert {step["ticket_id"] for step in listed if step["action"] == "create"} == set(expected)
    assert all({"ticket", "action", "reason", "fields"} <= set(step) for step in listed)
    assert report.handoffs.counts["registered"] == 0 and calls(loop.server, "salesforce", SF_CREATE_ROUTE) == 0
    assert opportunities(loop.vendors) == []
    assert all(LINK_MARK not in str(c["body"]) for t in loop.world.zendesk["tickets"][:40] for c in ticket_comments(loop.server, str(t["id"])))
    with session_scope(loop.engine) as session:
        assert handoffs(session) == []


def test_given_a_run_that_died_around_its_notes_when_rerun_then_a_note_on_the_ticket_is_kept_and_a_missing_one_waits_then_is_sent(loop: Loop) -> None:
    config = loop.with_policies(handoff_policies(signal_tags=sorted(TAGS), window_days=WINDOW))
    first = written_back(loop.engine, config, NOW)
    assert first.handoffs.counts["noted"] >= 2
    with session_scope(loop.engine) as session:
        posted, missing = handoffs(session)[:2]
    # As if a run died after Zendesk took `posted`'s note but before the ledger said so, and after `missing`'s
    # note_sent_at was committed but before its note went out: its link is changed, so no comment on the ticket holds it.
    with session_scope(loop.engine) as session:
        session.execute(update(HandoffRow).where(HandoffRow.id == posted.id).values(status="created", noted_at=None))
        relinked = {"deal_url": f"{missing.deal_url}?again", "note_sent_at": NOW + timedelta(minutes=5)}
        session.execute(update(HandoffRow).where(HandoffRow.id == missing.id).values(status="created", noted_at=None, **relinked))
    notes_before = calls(loop.server, "zendesk", ZD_UPDATE_ROUTE)

    waiting = written_back(loop.engine, config, NOW + timedelta(minutes=5, seconds=30))  # 30 s after note_sent_at: may be on its way
    settled = written_back(loop.engine, config, NOW + timedelta(minutes=7))  # past note_settle_seconds (60 s)

    assert (waiting.handoffs.counts["note_found"], waiting.handoffs.counts["note_waiting"], waiting.handoffs.counts["noted"]) == (1, 1, 0)
    assert (settled.handoffs.counts["note_waiting"], settled.handoffs.counts["noted"]) == (0, 1)
    assert calls(loop.server, "zendesk", ZD_UPDATE_ROUTE) == notes_before + 1  # only the missing note went out, once
    assert len(notes_linking(loop, posted.ticket_id, posted.deal_url or "?")) == 1
    assert len(notes_linking(loop, missing.ticket_id, f"{missing.deal_url}?again")) == 1
    with session_scope(loop.engine) as session:
        assert {row.status for row in handoffs(session)} == {"noted"}


def test_given_the_deal_fields_missing_when_written_back_then_creates_fail_with_the_reason_and_succeed_once_they_exist(
    start_sandbox: Callable[[World], SandboxServer], database_url: str
) -> None:
    with prepared_loop(start_sandbox, database_url) as bare:  # nobody ran `loophub targets apply`
        config = bare.with_policies(handoff_policies(signal_tags=sorted(TAGS), window_days=WINDOW))
        refused = written_back(bare.engine, config, NOW)
        retry_plan = plan_writeback(bare.engine, config, now=NOW)
        install_deal_fields(bare.vendors)
        too_soon = written_back(bare.engine, config, NOW + timedelta(seconds=30))
        done = written_back(bare.engine, config, NOW + timedelta(minutes=2))  # past the outbox's first back-off (60 s)
        deals = opportunities(bare.vendors)

    failed = refused.handoffs.counts["failed"]
    assert failed >= 8 and len(refused.errors) == failed and refused.handoffs.counts["created"] == 0
    assert all(error["field"] == "(create Opportunity)" and "Loophub_Key__c" in str(error["message"]) for error in refused.errors)
    assert all(step.action == "resume" and "attempt 1 failed" in step.reason for step in retry_plan.handoffs if step.writes)
    assert too_soon.handoffs.counts["created"] == 0
    assert done.handoffs.counts["created"] == done.handoffs.counts["noted"] == failed == len(deals)


# -- without a sandbox ---------------------------------------------------------------------------------------------


def test_given_partial_handoff_settings_then_the_rest_keeps_its_defaults() -> None:
    given = {"enabled": True, "stages": {"salesforce": "Qualification"}, "link_fields": {"salesforce": {"ticket_url": None}}}
    policy = PolicySettings.model_validate({"handoff": given}).handoff

    assert (policy.stages.salesforce, policy.stages.hubspot) == ("Qualification", "appointmentscheduled")
    assert (policy.link_fields.salesforce.ticket_id, policy.link_fields.salesforce.ticket_url) == ("Loophub_Ticket_Id__c", None)
    assert policy.link_fields.hubspot.ticket_url == "loophub_ticket_url"
    assert (policy.signal_tags, policy.window_days, policy.target, policy.ticket_tag) == (["pricing", "upsell"], 30, "salesforce", "loophub_handoff")
    assert PolicySettings().handoff.enabled is True  # on like every policy; skipped until its fields exist (`targets apply`)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"stages": {"salesforce": "Closed Won"}}, "closed stage"),
        ({"deal_name": "{company} for {amount}"}, "unknown placeholder"),
        ({"note": "see the deal {deal_id}"}, "{deal_url}"),
        ({"enabled": True, "target": "hubspot"}, "hubspot_portal_id"),
        ({"signal_fields": {"colour": "red"}}, "unknown ticket field"),
        ({"signal_tags": [], "signal_fields": {}}, "signal_tags or signal_fields"),
        ({"link_fields": {"pipedrive": {"ticket_id": "x"}}}, "pipedrive"),
    ],
)
def test_given_bad_handoff_settings_then_they_are_refused_with_the_fix(given: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        HandoffPolicy.model_validate(given)


def test_given_a_bad_handoff_setting_in_loophub_yaml_then_the_error_names_file_line_and_fix() -> None:
    text = "version: 1\npolicies:\n  handoff:\n    enabled: true\n    stages:\n      salesforce: Closed Lost\n"

    with pytest.raises(ConfigError) as raised:
        parse_config(text, Path("loophub.yaml"), environ={})

    assert "loophub.yaml:6" in str(raised.value) and "open one" in str(raised.value)


def _ticket(tags: list[str], **values: object) -> TicketSignalFact:
    return TicketSignalFact("zendesk", "tickets", "1", "Seats", tags, "9", NOW, dict(values))


def test_given_tags_and_field_values_then_a_ticket_is_a_signal_when_a_tag_or_every_field_matches() -> None:
    policy = HandoffPolicy.model_validate({"signal_tags": ["Upsell"], "signal_fields": {"ticket_type": "question", "priority": ["high", "urgent"]}})

    assert signal_of(_ticket(["account", "UPSELL"]), policy) == "tagged upsell"
    assert signal_of(_ticket([], ticket_type="question", priority="urgent"), policy) == "ticket_type = question, priority = urgent"
    assert signal_of(_ticket([], ticket_type="question", priority="low"), policy) is None
    assert signal_of(_ticket(["billing"]), policy) is None


def test_given_several_crm_records_of_a_company_then_the_deal_goes_on_the_oldest_owned_one() -> None:
    day = timedelta(days=1)
    records = [
        CrmCompany("com_1", "001C", "Acme", None, NOW - 9 * day),  # oldest, but nobody owns it
        CrmCompany("com_1", "001B", "Acme", "005X", NOW - 2 * day),
        CrmCompany("com_1", "001A", "Acme", "005Y", NOW - 2 * day),  # as old as 001B: the lower id wins
        CrmCompany("com_1", "0010", "Acme", "005Z", None),
    ]

    assert choose_account(records).source_id == "001A"
    assert choose_account(list(reversed(records))).source_id == "001A"
    assert agent_url("https://acme.zendesk.com/api/v2/tickets/42.json", "42") == "https://acme.zendesk.com/agent/tickets/42"


def _entry(ticket_id: str, key: str) -> HandoffEntry:
    return HandoffEntry("zendesk", "tickets", ticket_id, "com_1", "salesforce", "Opportunity", "001A", None, key, {"Name": "x"}, {}, "why")


def test_given_a_ticket_already_in_the_ledger_then_it_is_not_registered_twice_and_the_database_refuses_a_second_row(migrated_engine: Engine) -> None:
    with session_scope(migrated_engine) as session:
        first = register(session, [_entry("1", "zendesk-ticket-1"), _entry("1", "zendesk-ticket-1")], NOW)
    with session_scope(migrated_engine) as session:
        again = register(session, [_entry("1", "zendesk-ticket-1"), _entry("2", "zendesk-ticket-2")], NOW)

    assert (first, again) == (1, 1)
    with pytest.raises(IntegrityError), session_scope(migrated_engine) as session:
        session.add(HandoffRow(**{name: getattr(_entry("1", "another-key"), name) for name in HandoffEntry.__slots__}, status="planned", attempts=0))
        session.flush()


def test_given_a_parked_hand_off_when_requeued_then_it_is_due_again_with_a_fresh_count(migrated_engine: Engine) -> None:
    with session_scope(migrated_engine) as session:
        register(session, [_entry("7", "zendesk-ticket-7")], NOW)
    with session_scope(migrated_engine) as session:
        mark_failed(session, handoffs(session)[0], "INVALID_FIELD: no such column", None, NOW)
    with session_scope(migrated_engine) as session:
        parked = [(row.status, row.attempts, row.last_error) for row in handoffs(session)]
        due_while_parked = due_handoffs(session, NOW + timedelta(days=1))
        requeued = requeue_parked_handoffs(session, NOW)
    with session_scope(migrated_engine) as session:
        due = [(row.ticket_id, row.status, row.attempts) for row in due_handoffs(session, NOW)]

    assert parked == [("parked", 1, "INVALID_FIELD: no such column")] and due_while_parked == []
    assert (requeued, due) == (1, [("7", "failed", 0)])


def test_given_a_signalled_ticket_then_its_step_names_the_account_its_active_owner_or_why_it_is_skipped() -> None:
    policy = HandoffPolicy.model_validate({"enabled": True, "target": "hubspot", "hubspot_portal_id": PORTAL_ID})
    placement = Placement(
        golden_of={("zendesk", "9"): "com_1", ("zendesk", "8"): "com_2"},
        accounts={"com_1": [CrmCompany("com_1", "101", "Acme", "77", NOW - timedelta(days=400))]},
        people={"77": OwnerFact("Ada Owner", active=False)},
        api_urls={("zendesk", "1"): "https://acme.zendesk.com/api/v2/tickets/1.json"},
    )

    step = new_step(policy, _ticket(["upsell"]), "tagged upsell", placement, NOW)
    skips = {
        "closed": new_step(policy, _ticket(["upsell"], status="closed"), "tagged upsell", placement, NOW),
        "no organization": new_step(policy, replace(_ticket(["upsell"]), company_source_id=None), "tagged upsell", placement, NOW),
        "not resolved": new_step(policy, replace(_ticket(["upsell"]), company_source_id="7"), "tagged upsell", placement, NOW),
        "has no HubSpot company": new_step(policy, replace(_ticket(["upsell"]), company_source_id="8"), "tagged upsell", placement, NOW),
    }

    assert (step.action, step.account_id, step.owner_id, step.idempotency_key) == ("create", "101", None, "zendesk-ticket-1")
    assert "inactive" in step.reason and "hubspot_owner_id" not in step.fields  # the CRM's default owner takes it
    assert step.fields["associations"] == {"companies": ["101"]} and step.fields["loophub_ticket_url"] == "https://acme.zendesk.com/agent/tickets/1"
    assert (step.fields["dealname"], step.fields["closedate"]) == ("Acme — Seats", (NOW + timedelta(days=30)).date().isoformat())
    assert {words: skip.action for words, skip in skips.items()} == dict.fromkeys(skips, "skip")
    assert all(words in skip.reason for words, skip in skips.items())
