"""Injected faults and Zendesk's real rate limits, seen by zenpy and by plain HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from zenpy import Zenpy

from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox.zendesk.faults import RATE_LIMITED_BODY
from sandbox.zendesk.seed import zendesk_world

AUTH = ("agent@example.com/token", "secret")


@pytest.fixture
def point_zenpy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Zenpy]]:
    """An unmodified zenpy aimed at a started sandbox's Zendesk stand-in."""

    def aim(server: SandboxServer, **options: Any) -> Zenpy:
        monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
        monkeypatch.setenv("ZENPY_FORCE_NETLOC", server.url("zendesk").removeprefix("http://"))
        return Zenpy(subdomain="loophub", email="agent@example.com", token="secret", disable_cache=True, **options)

    yield aim


def put(server: SandboxServer, path: str, body: dict[str, Any]) -> None:
    requests.put(server.url("zendesk") + path, json=body, timeout=10).raise_for_status()


def get(server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(server.url("zendesk") + path, params=params, auth=AUTH, timeout=10)


def start_of_next_minute(server: SandboxServer) -> None:
    """Move sandbox time to just after a minute boundary, so a burst of calls stays in one rate window."""
    now = server.clock.peek().timestamp()
    seconds = 60 - now % 60 + 0.05
    requests.post(server.url("zendesk") + "/_sandbox/clock/advance", json={"seconds": seconds}, timeout=10).raise_for_status()


def test_given_every_call_rate_limited_when_calling_then_429_carries_retry_after_and_zendesk_body(
    start_sandbox: Callable[[World], SandboxServer],
) -> None:
    server = start_sandbox(zendesk_world())
    put(server, "/_sandbox/faults", {"rate_limit_ratio": 1.0})

    first = get(server, "/api/v2/users.json")
    put(server, "/_sandbox/settings", {"injected_retry_after": 7})
    second = get(server, "/api/v2/users.json")

    assert first.status_code == 429 and first.json() == RATE_LIMITED_BODY
    assert first.headers["Retry-After"] == "1" and "X-Rate-Limit-Remaining" in first.headers
    assert second.headers["Retry-After"] == "7"
    assert server.control("zendesk").calls.snapshot()["outcomes"]["rate_limited"] == 2


def test_given_every_call_failing_when_calling_then_503_carries_zendesk_service_unavailable_body(
    start_sandbox: Callable[[World], SandboxServer],
) -> None:
    server = start_sandbox(zendesk_world())
    put(server, "/_sandbox/faults", {"server_error_ratio": 1.0})

    unavailable = get(server, "/api/v2/tickets.json")
    put(server, "/_sandbox/settings", {"server_error_status": 500})
    internal = get(server, "/api/v2/tickets.json")

    assert unavailable.status_code == 503 and unavailable.json()["error"] == "ServiceUnavailable"
    assert internal.status_code == 500
    assert server.control("zendesk").calls.snapshot()["by_route"]["GET /api/v2/tickets.json"]["server_error"] == 2


def test_given_20_percent_injected_faults_when_zenpy_reads_20_users_then_its_retries_get_them_all_and_the_log_counts_every_fault(
    start_sandbox: Callable[[World], SandboxServer], point_zenpy: Callable[..., Zenpy]
) -> None:
    server = start_sandbox(zendesk_world(users=20, organizations=1, tickets=0))
    user_ids = sorted(server.stand_ins["zendesk"].app.state.store.users.records)
    # Seed 13 draws one 429 and four 503s over these calls: both retry paths, one second of sleep.
    put(server, "/_sandbox/faults", {"rate_limit_ratio": 0.1, "server_error_ratio": 0.1, "seed": 13})
    # Zenpy retries 5xx through urllib3 only on the adapter it mounts for https://; over the
    # sandbox's plain http the same adapter (zenpy's own settings) is mounted by the caller.
    session = requests.Session()
    session.mount("http://", HTTPAdapter(**Zenpy.http_adapter_kwargs()))
    zenpy = point_zenpy(server, session=session)

    started = time.monotonic()
    names = [zenpy.users(id=user_id).name for user_id in user_ids]
    elapsed = time.monotonic() - started

    log = server.control("zendesk").calls.snapshot()
    rate_limited, server_errors = log["outcomes"].get("rate_limited", 0), log["outcomes"].get("server_error", 0)
    assert names == [f"Person {index:05d}" for index in range(20)]
    assert rate_limited >= 1 and server_errors >= 1
    assert log["total"] == 20 + rate_limited + server_errors, "every injected fault was one more call"
    assert elapsed >= rate_limited * 1.0, "zenpy slept Retry-After (1 s) after each 429"


def test_given_enforced_limits_when_an_11th_export_call_comes_in_a_minute_then_it_is_429_until_the_minute_turns(
    start_sandbox: Callable[[World], SandboxServer],
) -> None:
    server = start_sandbox(zendesk_world(users=3))
    put(server, "/_sandbox/faults", {"enforce_limits": True})
    start_of_next_minute(server)

    allowed = [get(server, "/api/v2/incremental/users/cursor.json", start_time=0) for _ in range(10)]
    refused = get(server, "/api/v2/incremental/users/cursor.json", start_time=0)
    other_endpoint = get(server, "/api/v2/users.json")
    requests.post(server.url("zendesk") + "/_sandbox/clock/advance", json={"seconds": 60}, timeout=10)
    next_minute = get(server, "/api/v2/incremental/users/cursor.json", start_time=0)

    assert [response.status_code for response in allowed] == [200] * 10
    assert allowed[-1].headers["Zendesk-RateLimit-incremental-exports"].startswith("total=10; remaining=0;")
    assert refused.status_code == 429 and refused.json() == RATE_LIMITED_BODY
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert other_endpoint.status_code == 200
    assert next_minute.status_code == 200
    assert server.control("zendesk").calls.snapshot()["outcomes"]["limit_exceeded"] == 1


def test_given_a_plan_limit_of_5_when_a_6th_call_comes_in_a_minute_then_it_is_429_with_remaining_zero(
    start_sandbox: Callable[[World], SandboxServer],
) -> None:
    server = start_sandbox(zendesk_world())
    put(server, "/_sandbox/faults", {"enforce_limits": True})
    put(server, "/_sandbox/settings", {"plan_limit": 5})
    start_of_next_minute(server)

    answers = [get(server, "/api/v2/users/me.json") for _ in range(6)]

    assert [response.status_code for response in answers] == [200] * 5 + [429]
    assert [response.headers["X-Rate-Limit-Remaining"] for response in answers] == ["4", "3", "2", "1", "0", "0"]
    assert answers[-1].headers["X-Rate-Limit"] == "5"
