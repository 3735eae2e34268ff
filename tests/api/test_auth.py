"""API keys: who gets in, with which scope, how often; and how long a revoked key keeps working."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine

from api.auth import KeyVerifier
from store import session_scope
from store.apikeys import find_key, revoke_key
from tests.api.api_support import LiveApi, new_key, serving, with_api
from tests.api.conftest import LoopStore

RATE = 5


@pytest.fixture(scope="module")
def limited_api(loop_store: LoopStore) -> Iterator[LiveApi]:
    """The API with a low per-key limit; every test uses keys of its own, so their budgets never mix."""
    config = with_api(loop_store.config, rate_limit=f"{RATE}/minute")
    with serving(loop_store.engine, config) as url:
        api = LiveApi(url, loop_store.engine, config, new_key(loop_store.engine, "auth-read"), new_key(loop_store.engine, "auth-admin", "admin"))
        yield api
        api.client.close()


def revoked(engine: Engine, secret: str) -> None:
    with session_scope(engine) as session:
        key = find_key(session, secret)
        assert key is not None
        revoke_key(session, key.id)


def test_given_no_key_when_calling_then_401_with_www_authenticate(limited_api: LiveApi) -> None:
    response = httpx.get(f"{limited_api.url}/v1/profiles", trust_env=False)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized" and "X-API-Key" in response.json()["error"]["message"]


def test_given_an_unknown_or_revoked_key_when_calling_then_401_and_the_secret_is_not_echoed(limited_api: LiveApi) -> None:
    secret = new_key(limited_api.engine, "soon-revoked")
    revoked(limited_api.engine, secret)
    forged = "lh_00000000_" + "x" * 43

    unknown = limited_api.get("/v1/profiles", key=forged)
    gone = limited_api.get("/v1/profiles", key=secret)

    assert unknown.status_code == gone.status_code == 401
    assert "not known" in unknown.json()["error"]["message"]
    assert "revoked" in gone.json()["error"]["message"]
    assert forged not in unknown.text and secret not in gone.text


def test_given_a_read_key_when_calling_an_admin_route_then_403_and_an_admin_key_lists_keys_without_secrets(limited_api: LiveApi) -> None:
    as_reader = limited_api.get("/v1/admin/keys")
    as_admin = httpx.get(f"{limited_api.url}/v1/admin/keys", headers={"Authorization": f"Bearer {limited_api.admin_key}"}, trust_env=False)

    assert as_reader.status_code == 403 and as_reader.json()["error"]["code"] == "forbidden"
    assert as_admin.status_code == 200
    names = {key["name"] for key in as_admin.json()["items"]}
    assert {"auth-read", "auth-admin"} <= names
    assert limited_api.admin_key not in as_admin.text and limited_api.read_key not in as_admin.text and "hash" not in as_admin.text


def test_given_a_key_over_its_limit_when_calling_then_429_with_retry_after_and_other_keys_go_on(limited_api: LiveApi) -> None:
    busy, quiet = new_key(limited_api.engine, "busy"), new_key(limited_api.engine, "quiet")

    answers = [limited_api.get("/v1/profiles", key=busy, limit=1) for _ in range(RATE + 2)]
    refused = limited_api.get("/v1/companies", key=busy, limit=1)
    other = limited_api.get("/v1/profiles", key=quiet, limit=1)

    assert [answer.status_code for answer in answers] == [200] * RATE + [429, 429]
    assert [int(answer.headers["x-ratelimit-remaining"]) for answer in answers] == [*range(RATE - 1, -1, -1), 0, 0]
    assert {answer.headers["x-ratelimit-limit"] for answer in answers} == {str(RATE)}
    assert refused.status_code == 429  # one budget per key across routes
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["error"]["code"] == "rate_limited"
    assert other.status_code == 200


def test_given_a_cached_key_when_revoked_then_it_works_until_the_cache_expires_and_is_refused_after(loop_store: LoopStore) -> None:
    now = [1000.0]
    verifier = KeyVerifier(loop_store.engine, ttl_seconds=5, touch_every=timedelta(minutes=1), clock=lambda: now[0])
    secret = new_key(loop_store.engine, "cached")

    first = verifier.verify(secret)
    revoked(loop_store.engine, secret)
    now[0] += 4.9
    within = verifier.verify(secret)
    now[0] += 0.2
    after = verifier.verify(secret)

    assert first is not None and first.active and within is not None and within.active
    assert after is not None and not after.active
    with session_scope(loop_store.engine) as session:
        stored = find_key(session, secret)
    assert stored is not None and stored.last_used_at is not None  # written on first use, once


def test_given_an_expired_answer_then_one_caller_asks_the_database_and_the_others_get_the_last_answer_meanwhile(loop_store: LoopStore) -> None:
    now = [1000.0]
    verifier = KeyVerifier(loop_store.engine, ttl_seconds=5, touch_every=timedelta(minutes=1), clock=lambda: now[0])
    secret = new_key(loop_store.engine, "refreshed")
    assert verifier.remembered(secret) == (False, None)  # never seen: only the database can tell
    verifier.verify(secret)
    revoked(loop_store.engine, secret)
    now[0] += 6

    asks, meanwhile = verifier.remembered(secret), verifier.remembered(secret)
    refreshed = verifier.verify(secret)

    assert asks == (False, None)  # the first caller after expiry asks the database
    assert meanwhile[0] and meanwhile[1] is not None and meanwhile[1].active  # the others: the last answer, not a second lookup
    assert refreshed is not None and not refreshed.active
    known, key = verifier.remembered(secret)
    assert known and key is not None and not key.active  # the revocation now holds for everyone


def test_given_many_uses_within_a_minute_when_verified_then_last_used_is_written_once(loop_store: LoopStore) -> None:
    now = [0.0]
    verifier = KeyVerifier(loop_store.engine, ttl_seconds=0, touch_every=timedelta(minutes=1), clock=lambda: now[0])
    secret = new_key(loop_store.engine, "frequent")

    stamps = []
    for _ in range(3):
        verifier.verify(secret)
        with session_scope(loop_store.engine) as session:
            key = find_key(session, secret)
            assert key is not None
            stamps.append(key.last_used_at)

    assert stamps[0] is not None and stamps == [stamps[0]] * 3
