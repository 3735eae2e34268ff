"""Errors only the admin API answers with: a request that conflicts with the server's state, or that cannot be applied as asked."""

from __future__ import annotations

from api.errors import ApiError


class Conflict(ApiError):
    status, code = 409, "conflict"


class Unprocessable(ApiError):
    """Well-formed, but not something loophub can do (a literal secret, a reference naming nothing)."""

    status, code = 422, "invalid_request"
