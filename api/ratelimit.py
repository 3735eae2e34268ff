"""Per-key rate limits (slowapi): one budget per API key across all routes, 429 with `Retry-After` beyond it.

The limit is checked by an app-wide dependency (it runs before the key is
verified, so a flood of bad keys is slowed down too). slowapi's middleware
is not used: it finds a route's handler in `app.routes`, which holds only
the included routers since FastAPI 0.150, so it would limit nothing.

The bucket is named by a digest of the presented key, never the key itself,
so the limiter's storage holds no secret; a request without a key is counted
by its client address. Buckets live in process memory: several server
processes each count on their own.

The buckets are kept in `SweptMemoryStorage`, limits' memory storage without
its expiry timer: that one starts a thread whenever its last one has ended
(every 10 ms on a busy server), and starting a thread waits for it to run,
which stalls the event loop for milliseconds on a loaded machine. A counter
past its window is already dropped when next read, so the timer only frees
memory; here a sweep done inline once a minute does that.
"""

from __future__ import annotations

import hashlib
import time

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from limits.storage import MemoryStorage
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from api.auth import presented_key
from api.errors import error_body
from api.settings import ApiSettings

SWEEP_SECONDS = 60.0


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory storage for fixed windows, with stale counters swept inline instead of by timer threads."""

    STORAGE_SCHEME = ["loophub-memory"]  # limits registers the scheme when the class is defined

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self.get(key)  # drops the counter when its window has passed
        self._sweep()
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = time.time() + expiry
        return self.storage.get(key, 0)

    def _sweep(self) -> None:
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        now = time.time()
        for key, expires in list(self.expirations.items()):
            if expires <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


def rate_key(request: Request) -> str:
    raw = presented_key(request.headers.get("x-api-key"), request.headers.get("authorization"))
    if raw is None:
        return f"address:{get_remote_address(request)}"
    return "key:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimitExceeded)
    message = f"rate limit of {exc.detail} for this API key exceeded; retry after the seconds in the Retry-After header"
    response = JSONResponse(error_body("rate_limited", message), status_code=429)
    # slowapi's own way of adding Retry-After and X-RateLimit-* for the limit that was hit.
    limiter: Limiter = request.app.state.limiter
    return limiter._inject_headers(response, request.state.view_rate_limit)  # type: ignore[no-any-return]


def install_rate_limit(app: FastAPI, settings: ApiSettings) -> None:
    """Count every API request against `settings.rate_limit`; nothing is installed when limits are off."""
    if settings.rate_limit is None:
        return
    # key_style="endpoint": the bucket is (key, this one function), so all routes share one budget per key.
    limiter = Limiter(key_func=rate_key, headers_enabled=True, storage_uri="loophub-memory://", key_style="endpoint")
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _rate_limited)

    @limiter.limit(settings.rate_limit)
    async def per_key_rate_limit(request: Request, response: Response) -> None:
        return None

    # Routers included after this inherit it; it runs before any route's own dependencies (the key check).
    app.router.dependencies.append(Depends(per_key_rate_limit))
