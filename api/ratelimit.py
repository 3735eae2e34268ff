"""Per-key rate limits (slowapi): one budget per API key across all routes, 429 with `Retry-After` beyond it.

The limit is checked by an app-wide dependency (it runs before the key is
verified, so a flood of bad keys is slowed down too). slowapi's middleware
is not used: it finds a route's handler in `app.routes`, which holds only
the included routers since FastAPI 0.150, so it would limit nothing.

The bucket is named by a digest of the presented key, never the key itself,
so the limiter's storage holds no secret; a request without a key is counted
by its client address. Buckets live in process memory: several server
processes each count on their own.
"""

from __future__ import annotations

import hashlib

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from api.auth import presented_key
from api.errors import error_body
from api.settings import ApiSettings


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
    limiter = Limiter(key_func=rate_key, headers_enabled=True, storage_uri="memory://", key_style="endpoint")
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _rate_limited)

    @limiter.limit(settings.rate_limit)
    async def per_key_rate_limit(request: Request, response: Response) -> None:
        return None

    # Routers included after this inherit it; it runs before any route's own dependencies (the key check).
    app.router.dependencies.append(Depends(per_key_rate_limit))
