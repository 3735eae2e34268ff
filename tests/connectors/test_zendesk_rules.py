"""The Zendesk connector's rules that need no network: paginators, the classifier, field mapping, the export limiter."""

from __future__ import annotations

import pytest
import requests
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded

from connectors.common import Classification
from connectors.common.paging import RepeatedPageToken
from connectors.zendesk.client import ExportLimiter
from connectors.zendesk.endpoints import BY_NAME, WRITE_TARGETS, comments_of
from connectors.zendesk.errors import classify
from connectors.zendesk.fields import conflicts, payload
from connectors.zendesk.pages import CursorExportPages, CursorListPages, TimeExportPages, zendesk_stamp
from connectors.zendesk.spec import parse_config

T0 = 1_700_000_000


def response(status: int, body: bytes = b"{}", headers: dict[str, str] | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code, answer._content = status, body
    answer.headers.update(headers or {})
    return answer


def api_error(status: int, body: bytes = b"{}", headers: dict[str, str] | None = None) -> APIException:
    return APIException(body.decode(), response=response(status, body, headers))


# --- paginators ---------------------------------------------------------------------------


def test_given_no_state_when_reading_a_cursor_export_then_it_starts_at_start_time_and_follows_after_cursor() -> None:
    pages = CursorExportPages(BY_NAME["users"], {}, start_time=T0)
    assert pages.request() == (None, {"start_time": T0, "per_page": 1000})
    records = pages.take({"users": [{"id": 1}], "after_cursor": "c1", "end_of_stream": False})
    assert records == [{"id": 1}] and not pages.done
    assert pages.request()[1]["cursor"] == "c1"
    pages.take({"users": [], "after_cursor": "c1", "end_of_stream": True})
    assert pages.done and pages.state == {"cursor": "c1"}


def test_given_saved_cursor_when_reading_a_cursor_export_then_it_resumes_from_the_cursor() -> None:
    pages = CursorExportPages(BY_NAME["tickets"], {"cursor": "saved"}, start_time=0)
    assert pages.request()[1] == {"cursor": "saved", "per_page": 1000}


def test_given_a_cursor_export_repeating_its_cursor_when_paging_then_it_stops_instead_of_looping() -> None:
    pages = CursorExportPages(BY_NAME["users"], {}, start_time=0)
    pages.take({"users": [{"id": 1}], "after_cursor": "same", "end_of_stream": False})
    with pytest.raises(RepeatedPageToken):
        pages.take({"users": [{"id": 1}], "after_cursor": "same", "end_of_stream": False})


def test_given_time_export_pages_overlapping_on_their_last_second_when_reading_then_repeats_are_dropped() -> None:
    endpoint = BY_NAME["organizations"]
    pages = TimeExportPages(endpoint, {}, start_time=T0)
    at = zendesk_stamp
    first = pages.take({"organizations": [{"id": 1, "updated_at": at(T0 + 5)}, {"id": 2, "updated_at": at(T0 + 9)}], "end_time": T0 + 9, "end_of_stream": False})
    assert [r["id"] for r in first] == [1, 2]
    assert pages.request()[1]["start_time"] == T0 + 9
    second = pages.take({"organizations": [{"id": 2, "updated_at": at(T0 + 9)}, {"id": 3, "updated_at": at(T0 + 9)}], "end_time": T0 + 9, "end_of_stream": True})
    assert [r["id"] for r in second] == [3]
    assert pages.state == {"start_time": T0 + 9, "boundary_ids": [2, 3]}


def test_given_saved_boundary_when_a_boundary_record_changed_again_then_it_is_read_again() -> None:
    pages = TimeExportPages(BY_NAME["organizations"], {"start_time": T0, "boundary_ids": [7]}, start_time=0)
    records = pages.take(
        {"organizations": [{"id": 7, "updated_at": zendesk_stamp(T0)}, {"id": 7, "updated_at": zendesk_stamp(T0 + 90)}], "end_time": T0 + 90, "end_of_stream": True}
    )
    assert [r["updated_at"] for r in records] == [zendesk_stamp(T0 + 90)]


def test_given_saved_cursor_when_walking_a_list_then_only_newer_rows_come_and_the_cursor_moves_at_the_end() -> None:
    endpoint = BY_NAME["ticket_metrics"]
    old = zendesk_stamp(T0)
    pages = CursorListPages(endpoint, {"updated_at": old, "boundary_ids": [1]}, start_time=0)
    assert "start_time" not in pages.request()[1]  # the metrics list has no server-side filter
    first = pages.take({"ticket_metrics": [{"id": 1, "updated_at": old}, {"id": 2, "updated_at": old}, {"id": 3, "updated_at": zendesk_stamp(T0 - 5)}],
                        "meta": {"has_more": True, "after_cursor": "a"}, "links": {"next": "http://x/next"}})  # fmt: skip
    assert [r["id"] for r in first] == [2]
    assert pages.state == {"updated_at": old, "boundary_ids": [1]}  # not moved mid-walk
    assert pages.request() == ("http://x/next", None)
    pages.take({"ticket_metrics": [{"id": 4, "updated_at": zendesk_stamp(T0 + 60)}], "meta": {"has_more": False}, "links": {"next": None}})
    assert pages.done and pages.state == {"updated_at": zendesk_stamp(T0 + 60), "boundary_ids": [4]}


def test_given_saved_cursor_when_listing_ratings_then_start_time_narrows_the_list_server_side() -> None:
    pages = CursorListPages(BY_NAME["satisfaction_ratings"], {"updated_at": zendesk_stamp(T0)}, start_time=0)
    assert pages.request()[1] == {"page[size]": 100, "start_time": T0}


def test_given_ticket_audits_when_exploding_then_one_record_per_comment_with_its_ticket() -> None:
    audits = [{"id": 10, "ticket_id": 5, "created_at": "2024-01-01T00:00:00Z",
               "child_events": [{"id": 11, "event_type": "Comment", "body": "hi"}, {"id": 12, "event_type": "Change", "status": "open"}]}]  # fmt: skip
    assert list(comments_of(audits)) == [{"id": 11, "event_type": "Comment", "body": "hi", "ticket_id": 5, "created_at": "2024-01-01T00:00:00Z", "audit_id": 10}]


# --- classify ---------------------------------------------------------------------------


def test_given_429_with_retry_after_when_classifying_then_retriable_after_that_wait() -> None:
    verdict = classify(api_error(429, b'{"error":"APIRateLimitExceeded"}', {"Retry-After": "7"}))
    assert verdict.classification is Classification.RETRIABLE and verdict.wait_seconds == 7


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_given_server_error_when_classifying_then_retriable(status: int) -> None:
    assert classify(api_error(status)).classification is Classification.RETRIABLE


def test_given_401_when_classifying_then_configuration_naming_the_credentials() -> None:
    verdict = classify(api_error(401, b'{"error":"Couldn\'t authenticate you"}'))
    assert verdict.classification is Classification.CONFIGURATION and "API token" in verdict.user_message


def test_given_422_when_classifying_then_fatal_with_zendesks_words_and_no_url() -> None:
    body = b'{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email: see https://x.zendesk.com/a is taken"}]}}'
    verdict = classify(api_error(422, body))
    assert verdict.classification is Classification.FATAL
    assert "Email:" in verdict.user_message and "https://" not in verdict.user_message


def test_given_spent_wait_budget_when_classifying_then_budget_exhausted() -> None:
    assert classify(RatelimitBudgetExceeded("spent")).budget_exhausted


def test_given_connection_refused_when_classifying_then_retriable() -> None:
    assert classify(requests.ConnectionError("refused")).classification is Classification.RETRIABLE


# --- fields, config, limiter ---------------------------------------------------------


def test_given_dotted_custom_fields_and_a_note_when_building_payloads_then_they_nest_as_zendesk_expects() -> None:
    assert payload(WRITE_TARGETS["users"], {"user_fields.plan_tier": "gold", "name": "A"}) == {"user_fields": {"plan_tier": "gold"}, "name": "A"}
    ticket = payload(WRITE_TARGETS["tickets"], {"custom_fields.360": "x", "comment": "see account"})
    assert ticket == {"custom_fields": [{"id": 360, "value": "x"}], "comment": {"body": "see account", "public": False}}


def test_given_expected_values_when_comparing_then_blank_is_blank_and_changes_are_named() -> None:
    record = {"name": "Ada", "notes": None, "tags": ["b", "a"], "user_fields": {"plan_tier": "gold"}}
    target = WRITE_TARGETS["users"]
    assert conflicts(target, record, {"notes": "", "tags": ["a", "b"], "user_fields.plan_tier": "gold"}, {}) == []
    assert conflicts(target, record, {"name": "Ada L.", "user_fields.plan_tier": None}, {}) == ["name", "user_fields.plan_tier"]
    # A field already holding the planned value is no conflict (a rerun after a write whose answer was lost).
    assert conflicts(target, record, {"name": "Ada L.", "user_fields.plan_tier": None}, {"name": "Ada", "user_fields.plan_tier": "gold"}) == []


def test_given_neither_token_nor_oauth_when_parsing_config_then_configuration_error_names_the_fix() -> None:
    with pytest.raises(Exception) as caught:
        parse_config({"subdomain": "acme", "email": "a@b.c"})
    assert "api_token" in str(caught.value) and "oauth_token" in str(caught.value)


def test_given_budget_of_two_a_minute_when_a_third_export_comes_then_it_waits_for_the_window() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = ExportLimiter(2, clock=lambda: now[0], sleep=sleep)
    limiter.wait_turn()
    now[0] = 10.0
    limiter.wait_turn()
    now[0] = 20.0
    assert limiter.wait_turn() == pytest.approx(40.0)
    assert waits == [pytest.approx(40.0)]

