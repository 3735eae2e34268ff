"""What write-back must not do: overwrite a person's edit made after planning, fill a field that is not blank, retry forever."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hubspot.crm.properties import PropertyCreate

from flows.writeback.run import apply_writeback, plan_writeback
from flows.writeback.settings import SUPPORT_CONTEXT_FIELDS
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope
from store.writeback import outbox_rows, requeue_parked
from tests.flows.writeback_support import (
    HS_UPDATE_ROUTE,
    Loop,
    loop_once,
    prepared_loop,
    write_calls,
)


@pytest.fixture
def loop(start_sandbox: Callable[[World], SandboxServer], database_url: str) -> Iterator[Loop]:
    with prepared_loop(start_sandbox, database_url) as prepared:
        yield prepared


def test_given_a_human_edit_between_plan_and_apply_then_the_edit_is_kept_and_the_conflict_listed(loop: Loop) -> None:
    plan = plan_writeback(loop.engine, loop.config)
    sf_row = next(row for row in plan.rows if row.system == "salesforce" and row.field == "Loophub_Open_Tickets__c")
    hs_row = next(row for row in plan.rows if row.system == "hubspot" and row.field == "loophub_open_tickets")
    loop.vendors.sf.Account.update(sf_row.record_id, {"Loophub_Open_Tickets__c": 77})
    loop.vendors.hs.crm.companies.basic_api.update(hs_row.record_id, {"properties": {"loophub_open_tickets": "77"}})

    report = apply_writeback(loop.engine, loop.config, plan)

    assert float(loop.vendors.account(sf_row.record_id)["Loophub_Open_Tickets__c"]) == 77
    assert loop.vendors.company(hs_row.record_id, ["loophub_open_tickets"])["loophub_open_tickets"] == "77"
    listed = {(conflict["target"], conflict["field"]) for conflict in report.conflicts}
    assert (sf_row.target, sf_row.field) in listed and (hs_row.target, hs_row.field) in listed
    with session_scope(loop.engine) as session:
        statuses = {(row.system, row.record_id, row.field): (row.status, row.last_error) for row in outbox_rows(session)}
    for row in (sf_row, hs_row):
        status, error = statuses[(row.system, row.record_id, row.field)]
        assert status == "conflict" and error and row.field in error
    # Only the edited records conflicted; everything else was written.
    conflicted = {(c["target"]) for c in report.conflicts}
    assert conflicted == {sf_row.target, hs_row.target}
    assert report.count("applied") == len([row for row in plan.rows if row.target not in conflicted])


def test_given_fill_if_blank_when_a_field_already_holds_a_value_then_it_is_not_overwritten(loop: Loop) -> None:
    config = loop.with_policies({"support_context": {"fields": {measure: {"mode": "fill_if_blank"} for measure in SUPPORT_CONTEXT_FIELDS}}})
    row = next(row for row in plan_writeback(loop.engine, config).rows if row.system == "salesforce" and row.field == "Loophub_Support_Health__c")
    loop.vendors.sf.Account.update(row.record_id, {"Loophub_Support_Health__c": 12})
    loop_once(loop.engine, config)  # the next pull sees the value a person typed

    plan = plan_writeback(loop.engine, config)
    report = apply_writeback(loop.engine, config, plan)

    assert all(r.mode == "fill_if_blank" and r.current in (None, "") for r in plan.rows)
    assert not any(r.record_id == row.record_id and r.field == row.field for r in plan.rows)
    assert any(r.record_id == row.record_id for r in plan.rows)  # its blank fields are still filled
    assert float(loop.vendors.account(row.record_id)["Loophub_Support_Health__c"]) == 12
    assert report.count("applied") == len(plan.rows) and not report.conflicts
    assert plan_writeback(loop.engine, config).rows == []


def test_given_a_field_the_vendor_refuses_then_the_write_is_retried_with_backoff_and_parked_after_max_attempts(loop: Loop) -> None:
    hubspot_only = {measure: {"hubspot": None, "salesforce": None} for measure in SUPPORT_CONTEXT_FIELDS}
    hubspot_only["open_tickets"] = {"hubspot": "loophub_no_such_property", "salesforce": None}
    config = loop.with_policies({
        "support_context": {"targets": ["hubspot"], "fields": hubspot_only},
        "outbox": {"max_attempts": 3, "retry_base_seconds": 60, "retry_max_seconds": 3600},
    })  # fmt: skip
    start = datetime.now(UTC)
    plan = plan_writeback(loop.engine, config, now=start)
    assert plan.rows and {row.field for row in plan.rows} == {"loophub_no_such_property"}

    first = apply_writeback(loop.engine, config, plan, now=start)
    assert first.count("failed") == len(plan.rows) and first.count("applied") == 0
    with session_scope(loop.engine) as session:
        rows = outbox_rows(session)
    assert {(row.status, row.attempts) for row in rows} == {("failed", 1)}
    assert all(row.next_attempt_at == start + timedelta(seconds=60) for row in rows)
    assert all("loophub_no_such_property" in (row.last_error or "") for row in rows)

    # Within the back-off nothing is sent, even though the plan still wants the value.
    calls_before = write_calls(loop.server)
    early = apply_writeback(loop.engine, config, plan_writeback(loop.engine, config, now=start), now=start + timedelta(seconds=30))
    assert not early.outcomes and write_calls(loop.server) == calls_before

    second = apply_writeback(loop.engine, config, plan_writeback(loop.engine, config), now=start + timedelta(seconds=61))
    assert second.count("failed") == len(plan.rows)
    with session_scope(loop.engine) as session:
        assert {(row.attempts, row.next_attempt_at) for row in outbox_rows(session)} == {(2, start + timedelta(seconds=61 + 120))}

    third = apply_writeback(loop.engine, config, plan_writeback(loop.engine, config), now=start + timedelta(seconds=61 + 121))
    assert third.count("parked") == len(plan.rows) and all(error["parked"] for error in third.errors)
    with session_scope(loop.engine) as session:
        parked = outbox_rows(session, statuses=["parked"])
    assert len(parked) == len(plan.rows) and all(row.attempts == 3 and row.last_error for row in parked)

    # Parked is final for that value: later runs neither retry it nor queue it again.
    calls_before = write_calls(loop.server)
    later = apply_writeback(loop.engine, config, plan_writeback(loop.engine, config), now=start + timedelta(days=1))
    assert not later.outcomes and later.enqueued["still_parked"] == len(plan.rows)
    assert write_calls(loop.server) == calls_before
    assert loop.server.control("hubspot").calls.snapshot()["by_route"][HS_UPDATE_ROUTE]["calls"] > 0

    # The admin adds the property and queues the parked changes again: they go through.
    definition = PropertyCreate(name="loophub_no_such_property", label="Open tickets", type="number", field_type="number", group_name="companyinformation")
    loop.vendors.hs.crm.properties.core_api.create("companies", definition)
    with session_scope(loop.engine) as session:
        assert requeue_parked(session, start + timedelta(days=1)) == len(plan.rows)
    retried = apply_writeback(loop.engine, config, plan_writeback(loop.engine, config), now=start + timedelta(days=1))
    assert retried.count("applied") == len(plan.rows) and not retried.errors
    with session_scope(loop.engine) as session:
        assert {row.status for row in outbox_rows(session, statuses=["parked", "planned", "failed"])} == set()
