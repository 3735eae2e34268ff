"""How `loophub serve` builds the app (api/serving.py) and the rate limiter's storage (api/ratelimit.py)."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

import api.ratelimit
from api.ratelimit import SweptMemoryStorage
from api.serving import ServeSettings, serving_app
from loophub.config import LoophubConfig


def test_given_a_pool_size_when_the_serving_app_is_built_then_its_engine_pools_that_many(database_url: str) -> None:
    config = LoophubConfig.model_validate({"version": 1, "database": {"url": database_url}})

    app = serving_app(config, pool_size=3)

    engine = app.state.context.engine
    try:
        assert engine.pool.size() == 3
    finally:
        engine.dispose()


def test_given_worker_environment_when_settings_are_read_then_the_pool_size_comes_from_it_and_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPHUB_SERVE_POOL_SIZE", "7")
    assert ServeSettings().pool_size == 7
    monkeypatch.setenv("LOOPHUB_SERVE_POOL_SIZE", "0")
    with pytest.raises(ValueError, match="pool_size"):
        ServeSettings()


def test_given_the_loophub_scheme_when_limits_builds_storage_then_it_counts_a_fixed_window_like_memory_storage() -> None:
    storage = storage_from_string("loophub-memory://")
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("3/minute")

    hits = [limiter.hit(limit, "key:a") for _ in range(4)]

    assert isinstance(storage, SweptMemoryStorage)
    assert hits == [True, True, True, False]
    assert limiter.hit(limit, "key:b")  # another key has its own budget
    assert limiter.get_window_stats(limit, "key:a").remaining == 0


def test_given_counters_past_their_window_when_the_sweep_is_due_then_they_are_dropped_without_a_timer_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.ratelimit, "SWEEP_SECONDS", 0.0)
    storage = SweptMemoryStorage()
    time.sleep(0.05)  # the one timer limits' own constructor starts has run and ended
    threads_before = threading.active_count()

    counts = [storage.incr("key:stale", expiry=0.01) for _ in range(3)]
    time.sleep(0.05)  # the stale counter's window passes
    storage.incr("key:fresh", expiry=60)
    for _ in range(200):
        storage.incr("key:fresh", expiry=60)

    assert counts == [1, 2, 3]
    assert "key:stale" not in storage.storage and "key:stale" not in storage.expirations
    assert storage.storage["key:fresh"] == 201
    assert threading.active_count() == threads_before
