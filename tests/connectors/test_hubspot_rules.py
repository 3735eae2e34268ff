"""The HubSpot connector's rules without a network: what a failure means, how the cursor moves, what settings say."""

from __future__ import annotations

import json

import pytest
import urllib3
from hubspot.crm.objects.exceptions import ApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException

from connectors.common import Classification, ConnectorError
from connectors.hubspot.cursor import Cursor, to_iso, to_ms
from connectors.hubspot.errors import classify
from connectors.hubspot.spec import parse_config


def answered(status: int, body: dict[str, object] | None = None, headers: dict[str, str] | None = None, kind: type[Exception] = ApiException) -> Exception:
    """The SDK's exception for an HTTP answer, as rest.py builds it (a fake response: no network involved)."""
    error = kind(status=status, reason="")
    error.body = json.dumps(body).encode() if body is not None else None
    error.headers = headers or {}
    return error


@pytest.mark.parametrize("policy", ["TEN_SECONDLY_ROLLING", "SECONDLY"])
def test_given_a_short_window_rate_limit_when_classified_then_it_is_retried(policy: str) -> None:
    verdict = classify(answered(429, {"category": "RATE_LIMITS", "policyName": policy, "message": "You have reached your limit."}))
    assert verdict.classification is Classification.RETRIABLE and not verdict.budget_exhausted


def test_given_the_daily_limit_when_classified_then_the_read_stops_as_budget_exhausted() -> None:
    verdict = classify(answered(429, {"category": "RATE_LIMITS", "policyName": "DAILY", "message": "You have reached your daily limit."}))
    assert verdict.budget_exhausted and verdict.classification is not Classification.RETRIABLE


@pytest.mark.parametrize("status", [423, 502, 503, 504])
def test_given_a_transient_status_when_classified_then_it_is_retried(status: int) -> None:
    assert classify(answered(status, {"message": "try again"}, kind=OwnersApiException)).classification is Classification.RETRIABLE


def test_given_a_retry_after_header_when_classified_then_the_wait_follows_it() -> None:
    assert classify(answered(429, {"policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": "3"})).wait_seconds == 3.0


def test_given_a_refused_token_when_classified_then_the_admin_is_told_which_setting_to_fix() -> None:
    verdict = classify(answered(401, {"message": "The access token provided is invalid. See https://developers.hubspot.com/auth"}))
    assert verdict.classification is Classification.CONFIGURATION
    assert "access_token" in verdict.user_message and "http" not in verdict.user_message


def test_given_a_validation_error_when_classified_then_it_is_fatal_with_hubspots_words_but_no_links_or_tokens() -> None:
    verdict = classify(answered(400, {"message": "Property x is bad for pat-na1-0123-secret, see https://knowledge.hubspot.com/x"}))
    assert verdict.classification is Classification.FATAL
    assert "Property x is bad" in verdict.user_message
    assert "pat-na1" not in verdict.user_message and "https://" not in verdict.user_message


def test_given_a_dropped_connection_when_classified_then_it_is_retried() -> None:
    assert classify(urllib3.exceptions.ProtocolError("Connection aborted.")).classification is Classification.RETRIABLE


def test_given_hubspot_instants_when_converted_then_milliseconds_are_exact() -> None:
    assert to_ms("2026-01-16T08:10:40.338Z") == 1768551040338
    assert to_iso(to_ms("2026-01-16T08:10:40.338Z") or 0) == "2026-01-16T08:10:40.338Z"
    assert to_ms("1768551040338") == 1768551040338 and to_ms(None) is None and to_ms("soon") is None


def test_given_a_cursor_when_records_share_its_instant_then_only_unseen_ones_are_admitted() -> None:
    cursor = Cursor.from_state({"updatedAt": to_iso(1_000), "updatedAt_ids": ["7"]}, "updatedAt")
    assert not cursor.admits(999, "1") and not cursor.admits(1_000, "7")
    assert cursor.admits(1_000, "8") and cursor.admits(1_001, "7")
    cursor.advance(1_000, "8")
    cursor.advance(1_002, "9")
    assert cursor.to_state("updatedAt") == {"updatedAt": to_iso(1_002), "updatedAt_ids": ["9"]}


def test_given_a_tie_walk_when_it_finishes_then_the_cursor_moves_past_the_shared_instant() -> None:
    cursor = Cursor(1_000, {"1", "2"})
    cursor.start_tie_walk()
    cursor.advance(1_000, "5")
    assert cursor.tie_after == "5" and cursor.ids == {"1", "2"}  # the walk remembers a position, not every id
    cursor.finish_tie_walk()
    assert (cursor.at_ms, cursor.ids, cursor.tie_after) == (1_001, set(), None)


def test_given_settings_with_a_bad_value_when_parsed_then_the_error_names_the_field_and_hides_the_token() -> None:
    with pytest.raises(ConnectorError) as raised:
        parse_config({"access_token": "pat-na1-very-secret", "max_retries": -1})
    assert raised.value.classification is Classification.CONFIGURATION
    assert "max_retries" in raised.value.user_message and "very-secret" not in raised.value.user_message
