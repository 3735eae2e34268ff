"""OpenAPI error entries of the admin routes, which also answer 409 and 422 with the common error body."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from api.schemas.common import ErrorOut, error_responses

ADMIN_ONLY = (401, 403, 429)
# Text that reaches the database: no control characters (PostgreSQL refuses NUL outright, and none belongs in a name or ref).
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
PrintableText = Annotated[str, StringConstraints(pattern=NO_CONTROL)]
# A filter value: a flow, status, system or action name.
NAME_PATTERN = r"^[A-Za-z0-9_.:-]+$"
_EXTRA = {
    409: "the request conflicts with the server's state (no editable loophub.yaml, a key revoking itself)",
    422: "well-formed but not applicable: a literal secret, a reference naming no record, an invalid configuration",
}


def admin_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error entries for `statuses` plus the ones every admin route can give."""
    wanted = sorted(set(statuses) | set(ADMIN_ONLY))
    described = error_responses(*(status for status in wanted if status not in _EXTRA))
    return described | {
        status: {"model": ErrorOut, "description": _EXTRA[status]}
        for status in wanted
        if status in _EXTRA
    }
