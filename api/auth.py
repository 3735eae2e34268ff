"""API-key verification with a short in-process cache.

A key arrives as `X-API-Key: lh_…` or `Authorization: Bearer lh_…`. Its
SHA-256 is looked up in `api_keys` (see store/apikeys.py for why a fast hash
is right here). The answer — the key, or that there is none — is kept for
`key_cache_seconds`, so a busy client costs no query per request; the price
is that a revocation takes effect within that many seconds (and one lookup),
not at once: when an answer expires, one request refreshes it while the
key's other requests keep the last answer.
An unknown secret is remembered as unknown for as long, so a key tried
before it was created works only once that time has passed. The last-used
time is written at most once per `last_used_resolution_seconds`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from store import session_scope, utc_now
from store.apikeys import KeyInfo, find_key, hash_key, touch_key

MAX_CACHED_KEYS = 10_000  # bounded, so a flood of made-up keys cannot grow memory without end


@dataclass(frozen=True, slots=True)
class _Cached:
    key: KeyInfo | None
    expires: float


class KeyVerifier:
    """Turns a presented secret into the key it belongs to (or None), asking the database at most once per TTL."""

    def __init__(self, engine: Engine, ttl_seconds: float, touch_every: timedelta, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        self._touch_every = touch_every
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._refreshing: set[str] = set()  # digests whose expired answer one request is asking the database about
        self._lock = threading.Lock()

    def remembered(self, raw_key: str) -> tuple[bool, KeyInfo | None]:
        """(True, the key or None for an unknown secret) when the cache can answer; (False, None) when the caller must `verify`.

        It never touches the database, so an async route can call it on the event loop and hand only a miss to a thread.
        After an answer expires, the first caller is told to verify; until that finishes, the others get the last
        answer instead of each asking the database too (a busy client would otherwise send a burst of lookups every
        `ttl` seconds). So a revocation takes effect within the TTL plus one lookup.
        """
        digest, now = hash_key(raw_key), self._clock()
        with self._lock:
            cached = self._cache.get(digest)
            if cached is None:
                return False, None
            if cached.expires > now or digest in self._refreshing:
                return True, cached.key
            self._refreshing.add(digest)
        return False, None

    def verify(self, raw_key: str) -> KeyInfo | None:
        """The key, revoked ones included (the caller says why it refuses them); None for an unknown secret."""
        digest, now = hash_key(raw_key), self._clock()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and cached.expires > now:
            return cached.key
        try:
            key = self._load(raw_key)
        finally:
            with self._lock:
                self._refreshing.discard(digest)
        if self._ttl > 0:
            with self._lock:
                if len(self._cache) >= MAX_CACHED_KEYS:
                    self._cache.clear()
                self._cache[digest] = _Cached(key, now + self._ttl)
        return key

    def _load(self, raw_key: str) -> KeyInfo | None:
        with session_scope(self._engine) as session:
            key = find_key(session, raw_key)
            now = utc_now()
            stale = key is not None and (key.last_used_at is None or key.last_used_at < now - self._touch_every)
            if key is not None and key.active and stale:
                touch_key(session, key.id, now, self._touch_every)
        return key


def presented_key(x_api_key: str | None, authorization: str | None) -> str | None:
    """The secret from either header; `X-API-Key` wins when both are sent."""
    if x_api_key:
        return x_api_key.strip() or None
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return None
