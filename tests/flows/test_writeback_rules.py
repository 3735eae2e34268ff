"""The write-back rules without a sandbox: value comparison per mode, the health formula, settings defaults, the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from flows.writeback.plan import needs_write, normalise, wire
from flows.writeback.settings import PolicySettings
from flows.writeback.support_context import support_health, support_picture
from store import session_scope
from store.echoes import changed_fields
from store.writeback import (
    MetricFact,
    OutboxEntry,
    RatingFact,
    TicketFact,
    due_changes,
    enqueue,
    mark_applied,
    outbox_rows,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("mode", "current", "new", "kind", "expected"),
    [
        ("overwrite", "3", 3, "count", False),  # HubSpot answers numbers as strings
        ("overwrite", 3.0, 3, "count", False),  # Salesforce answers integers as floats
        ("overwrite", "87.5", 87.5, "number", False),
        ("overwrite", "2026-12-01T10:00:00.000+0000", "2026-12-01T10:00:00.000Z", "datetime", False),
        ("overwrite", "1764583200000", "2025-12-01T10:00:00.000Z", "datetime", False),  # epoch milliseconds
        ("overwrite", None, 0, "count", True),
        ("overwrite", 4, None, "count", True),  # a measure that became unknown is cleared
        ("overwrite", "", None, "number", False),
        ("fill_if_blank", "", 5, "count", True),
        ("fill_if_blank", 12, 5, "count", False),
        ("fill_if_blank", None, None, "count", False),
        ("never", None, 5, "count", False),
    ],
)
def test_given_a_current_and_a_new_value_then_a_write_is_needed_only_when_they_differ_as_the_mode_says(
    mode: str, current: object, new: object, kind: str, expected: bool
) -> None:
    assert needs_write(mode, current, new, kind) is expected  # type: ignore[arg-type]


def test_given_an_instant_then_each_vendor_gets_its_own_wire_form() -> None:
    moment = datetime(2026, 12, 1, 10, 0, 5, 123456, tzinfo=UTC)

    assert wire(moment, "datetime", "salesforce") == "2026-12-01T10:00:05.000+0000"
    assert wire(moment, "datetime", "hubspot") == "2026-12-01T10:00:05.000Z"
    assert normalise(wire(moment, "datetime", "salesforce"), "datetime") == moment.replace(microsecond=0)


@pytest.mark.parametrize(
    ("open_tickets", "urgent", "csat", "first_response", "expected"),
    [
        (0, 0, None, None, 100),
        (2, 1, None, None, 82),  # 100 − 15 − 3
        (10, 5, None, None, 40),  # urgent capped at 45, other open at 15
        (0, 0, 50.0, None, 80),  # (90 − 50) / 2
        (0, 0, 0.0, None, 70),  # CSAT penalty capped at 30
        (0, 0, 95.0, 3.0, 100),
        (0, 0, None, 6.0, 95),
        (0, 0, None, 30.0, 85),
        (20, 20, 0.0, 100.0, 10),
    ],
)
def test_given_support_measures_then_the_health_score_follows_the_documented_formula(
    open_tickets: int, urgent: int, csat: float | None, first_response: float | None, expected: int
) -> None:
    assert support_health(open_tickets, urgent, csat, first_response) == expected


def test_given_tickets_ratings_and_metrics_then_the_picture_counts_open_urgent_and_the_csat_window() -> None:
    tickets = [
        TicketFact("zendesk", "1", "9", "open", "urgent", NOW - timedelta(days=2)),
        TicketFact("zendesk", "2", "9", "pending", "low", NOW - timedelta(days=1)),
        TicketFact("zendesk", "3", "9", "solved", "high", NOW - timedelta(days=200)),
    ]
    ratings = [
        RatingFact("zendesk", "3", "good", NOW - timedelta(days=10)),
        RatingFact("zendesk", "3", "bad", NOW - timedelta(days=100)),  # outside 90 days
        RatingFact("zendesk", "2", "offered", NOW - timedelta(days=1)),  # asked, not answered
    ]
    metrics = [MetricFact("zendesk", "1", 60, None), MetricFact("zendesk", "2", 180, None), MetricFact("zendesk", "3", 600, 1200)]

    picture = support_picture(tickets, ratings, metrics, NOW, 90)

    assert (picture.open_tickets, picture.urgent_tickets, picture.last_ticket_at) == (2, 1, NOW - timedelta(days=1))
    assert (picture.csat_90d, picture.first_response_hours, picture.resolution_hours) == (100.0, 3.0, 20.0)
    assert picture.support_health == 100 - 15 - 3


def test_given_a_partial_field_setting_then_the_rest_keeps_its_defaults_and_typos_are_refused() -> None:
    settings = PolicySettings.model_validate({"support_context": {"fields": {"csat_90d": {"mode": "fill_if_blank"}, "support_health": {"salesforce": "Health__c"}}}})

    fields = settings.support_context.fields
    assert (fields.csat_90d.salesforce, fields.csat_90d.hubspot, fields.csat_90d.mode) == ("Loophub_CSAT_90d__c", "loophub_csat_90d", "fill_if_blank")
    assert (fields.support_health.salesforce, fields.support_health.hubspot) == ("Health__c", "loophub_support_health")
    assert fields.open_tickets.mode == "overwrite" and settings.support_context.enabled
    with pytest.raises(ValidationError):
        PolicySettings.model_validate({"support_context": {"fields": {"open_tickets": {"mode": "sometimes"}}}})
    with pytest.raises(ValidationError):
        PolicySettings.model_validate({"support_context": {"fields": {"opne_tickets": {"mode": "never"}}}})


def _entry(record_id: str, new: object) -> OutboxEntry:
    return OutboxEntry("hubspot", "companies", record_id, "loophub_open_tickets", "com_1", "support_context", "overwrite", "why", None, new)


def test_given_a_new_plan_then_the_outbox_keeps_one_open_row_per_target_field_and_supersedes_the_rest(migrated_engine: Engine) -> None:
    with session_scope(migrated_engine) as session:
        first = enqueue(session, 1, [_entry("1", 3), _entry("2", 4)], NOW)
    with session_scope(migrated_engine) as session:
        second = enqueue(session, 2, [_entry("1", 5)], NOW)
        rows = {(row.record_id, row.status): row.new_value for row in outbox_rows(session)}
        due = due_changes(session, NOW)
        mark_applied(session, due, NOW)
    with session_scope(migrated_engine) as session:
        statuses = {row.record_id: row.status for row in outbox_rows(session)}

    assert (first.added, second.added, second.refreshed, second.superseded) == (2, 0, 1, 1)
    assert rows == {("1", "planned"): 5, ("2", "superseded"): 4}
    assert [change.record_id for change in due] == ["1"]
    assert statuses == {"1": "applied", "2": "superseded"}


def test_given_two_pulls_then_changed_fields_are_named_as_the_write_back_names_them() -> None:
    before = {"id": 7, "name": "Acme", "organization_fields": {"tier": "gold", "loophub_owner": None}, "properties": {"phone": "1"}}
    after = {"id": 7, "name": "Acme", "organization_fields": {"tier": "gold", "loophub_owner": "Ann"}, "properties": {"phone": "2", "city": "X"}}

    assert changed_fields(before, after) == {"organization_fields.loophub_owner": "Ann", "properties": {"phone": "2", "city": "X"}}
    assert changed_fields(after, after) == {}
