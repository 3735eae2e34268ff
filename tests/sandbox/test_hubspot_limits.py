"""The HubSpot stand-in's tokens, usage headers, rate limits, injected faults and speed."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import hubspot
import pytest
from hubspot.crm.contacts.exceptions import ApiException
from urllib3.util.retry import Retry

from sandbox.control import CallLog, FaultSettings
from sandbox.hubspot.seeds import small_world
from sandbox.server import SandboxServer
from sandbox.world import World

TOKEN = "pat-na1-sandbox"
Start = Callable[[World], SandboxServer]


def settled_calls(server: SandboxServer) -> CallLog:
    """The HubSpot call log once the last call is recorded.

    SandboxMiddleware records a call after its answer has gone out, so a
    client can read the log a moment too early; wait until the count holds.
    """
    log = server.control("hubspot").calls
    previous = -1
    while log.snapshot()["total"] != previous:
        previous = log.snapshot()["total"]
        time.sleep(0.05)
    return log


def raw(server: SandboxServer, token: str | None = TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url("hubspot"), headers=headers)


def test_given_no_token_when_calling_then_401_with_hubspots_body_and_the_call_is_counted(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    with raw(server, token=None) as http:
        anonymous = http.get("/crm/v3/objects/contacts")
        legacy = http.get("/crm/v3/objects/contacts", params={"hapikey": "old-style-key"})

    assert anonymous.status_code == 401
    assert anonymous.json()["category"] == "INVALID_AUTHENTICATION"
    assert anonymous.json()["message"].startswith("Authentication credentials not found")
    assert legacy.status_code == 200
    assert settled_calls(server).snapshot()["outcomes"].get("session_expired") == 1


def test_given_an_allow_list_when_a_foreign_token_calls_then_401_and_the_listed_token_passes(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    httpx.put(f"{server.url('hubspot')}/_sandbox/auth", json={"allowed_tokens": [TOKEN]}).raise_for_status()

    with raw(server, token="someone-elses") as foreign, raw(server) as ours:
        assert foreign.get("/crm/v3/objects/contacts").status_code == 401
        assert ours.get("/crm/v3/objects/contacts").status_code == 200


def test_given_calls_when_answered_then_every_answer_carries_hubspots_rate_limit_headers(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    with raw(server) as http:
        first = http.get("/crm/v3/objects/contacts")
        second = http.post("/crm/v3/objects/contacts/search", json={})
        missing = http.get("/crm/v3/objects/contacts/404404")

    for answer in (first, second, missing):
        assert answer.headers["X-HubSpot-RateLimit-Max"] == "190"
        assert answer.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert answer.headers["X-HubSpot-RateLimit-Daily"] == "650000"
        assert "X-HubSpot-RateLimit-Secondly" in answer.headers
    assert int(second.headers["X-HubSpot-RateLimit-Remaining"]) == int(first.headers["X-HubSpot-RateLimit-Remaining"]) - 1
    assert int(second.headers["X-HubSpot-RateLimit-Daily-Remaining"]) == 649_998
    assert missing.status_code == 404 and missing.json()["category"] == "OBJECT_NOT_FOUND"


def test_given_enforced_limits_when_a_ten_second_window_is_used_up_then_429_until_the_window_passes(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    server.control("hubspot").set_faults(FaultSettings(enforce_limits=True))
    with raw(server) as http:
        answers = [http.get("/crm/v3/objects/contacts").status_code for _ in range(191)]
        refused = http.get("/crm/v3/objects/contacts")
        server.clock.advance(10)
        after_window = http.get("/crm/v3/objects/contacts")

    assert answers[:190] == [200] * 190 and answers[190] == 429
    body = refused.json()
    assert refused.status_code == 429 and body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert body["category"] == "RATE_LIMITS" and body["message"] == "You have reached your ten_secondly_rolling limit."
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert after_window.status_code == 200
    assert settled_calls(server).snapshot()["outcomes"]["limit_exceeded"] == 2


def test_given_enforced_limits_when_searching_more_than_five_times_a_second_then_the_sixth_is_refused(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    server.control("hubspot").set_faults(FaultSettings(enforce_limits=True))
    with raw(server) as http:
        statuses = [http.post("/crm/v3/objects/contacts/search", json={}).status_code for _ in range(6)]
        listing = http.get("/crm/v3/objects/contacts")
        server.clock.advance(1)
        later = http.post("/crm/v3/objects/contacts/search", json={})

    assert statuses == [200] * 5 + [429]
    assert listing.status_code == 200  # the search allowance is separate from the general one
    assert later.status_code == 200


def test_given_a_small_daily_allowance_when_it_is_spent_then_429_daily(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    httpx.put(f"{server.url('hubspot')}/_sandbox/limits", json={"daily_max": 3}).raise_for_status()
    server.control("hubspot").set_faults(FaultSettings(enforce_limits=True))
    with raw(server) as http:
        statuses = [http.get("/crm/v3/owners").status_code for _ in range(4)]
        refused = http.get("/crm/v3/owners")

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["policyName"] == "DAILY"


def test_given_20_percent_injected_faults_when_the_sdk_retries_then_it_reads_everything_and_the_counters_show_the_failures(
    start_sandbox: Start,
) -> None:
    server = start_sandbox(small_world(contacts=2_000))
    server.control("hubspot").set_faults(FaultSettings(rate_limit_ratio=0.1, server_error_ratio=0.1, seed=11))
    retry = Retry(total=12, backoff_factor=0, status_forcelist=(429, 502, 503), allowed_methods=None, raise_on_status=False)
    client = hubspot.Client.create(access_token=TOKEN, host=server.url("hubspot"), retry=retry)

    everything = client.crm.contacts.get_all(properties=["email"])

    assert len({record.id for record in everything}) == 2_000
    snapshot = settled_calls(server).snapshot()
    route = snapshot["by_route"]["GET /crm/v3/objects/{object_type}"]
    assert route.get("rate_limited", 0) > 0 and route.get("server_error", 0) > 0
    assert route["calls"] == 20 + route["rate_limited"] + route["server_error"]  # 20 pages plus every retried failure


def test_given_injected_faults_without_retry_when_calling_then_the_sdk_sees_hubspots_429_and_5xx_bodies(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=1))
    server.control("hubspot").set_faults(FaultSettings(rate_limit_ratio=0.5, server_error_ratio=0.5, seed=2))
    basic = hubspot.Client.create(access_token=TOKEN, host=server.url("hubspot")).crm.contacts.basic_api

    seen = set()
    for _ in range(8):
        with pytest.raises(ApiException) as raised:
            basic.get_page()
        seen.add(raised.value.status)
        assert raised.value.headers.get("X-HubSpot-RateLimit-Max") == "190"

    assert seen == {429, 502, 503}


def test_given_20000_contacts_when_paging_and_searching_deep_then_each_page_is_fast(start_sandbox: Start) -> None:
    server = start_sandbox(small_world(contacts=20_000, companies=2_000))
    with raw(server) as http:
        started = time.perf_counter()
        after, pages = None, 0
        while pages < 50:
            answer = http.get("/crm/v3/objects/contacts", params={"limit": 100, "after": after} if after else {"limit": 100}).json()
            pages += 1
            after = answer["paging"]["next"]["after"]
        listing_seconds = time.perf_counter() - started
        body = {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}],
                "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}], "limit": 200}  # fmt: skip
        started = time.perf_counter()
        for offset in range(0, 10_000, 200):
            page = http.post("/crm/v3/objects/contacts/search", json={**body, "after": str(offset)}).json()
        search_seconds = time.perf_counter() - started

    assert after == str(10_000_000_000 + 5_001)  # the cursor is the id of the 5,001st contact
    assert page["total"] == 20_000 and "paging" in page and page["paging"]["next"]["after"] == "10000"
    assert listing_seconds < 5 and search_seconds < 10, (listing_seconds, search_seconds)
