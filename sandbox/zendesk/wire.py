"""Zendesk's wire conventions: second-resolution timestamps, error bodies, absolute links.

Every handler raises `ZendeskError` for a failure and lets the endpoint
wrapper turn it into the vendor's JSON body, so error shapes live here only.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def zendesk_time(value: datetime) -> str:
    """`2024-01-01T00:00:00Z`: Zendesk stamps have second resolution and are always UTC."""
    # isoformat is much faster than strftime, and seeding formats ~100k stamps.
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def epoch(value: datetime) -> int:
    return int(value.timestamp())


def parse_time(value: str) -> datetime:
    """Parse a Zendesk stamp (or any ISO 8601 string) into an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_SCALARS = (str, int, float, bool, type(None))


def jsonable(value: Any) -> Any:
    """Seed values may hold datetimes and dates; Zendesk sends them as strings."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, datetime):
        return zendesk_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def stamp_epoch(value: Any) -> int:
    """The epoch second of a seeded or stored stamp (datetime or Zendesk string)."""
    if isinstance(value, datetime):
        return epoch(value)
    if isinstance(value, str) and value:
        return epoch(parse_time(value))
    return 0


class ZendeskError(Exception):
    """A failure answered with Zendesk's JSON error body."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("description") or body.get("error"))
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def not_found() -> ZendeskError:
    return ZendeskError(404, {"error": "RecordNotFound", "description": "Not found"})


def invalid_value(description: str, status: int = 400) -> ZendeskError:
    return ZendeskError(status, {"error": "InvalidValue", "description": description})


def too_many_values(parameter: str, limit: int = 100) -> ZendeskError:
    return ZendeskError(
        400,
        {
            "error": "TooManyValues",
            "description": f"Parameter {parameter} cannot specify more than {limit} values",
            "max_count": limit,
        },
    )


FieldErrors = dict[str, list[dict[str, str]]]


def record_invalid(details: FieldErrors) -> ZendeskError:
    return ZendeskError(
        422, {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    )


def field_error(field: str, description: str, error: str) -> FieldErrors:
    return {field: [{"description": description, "error": error}]}


def base_url(request: Request) -> str:
    """Scheme and host the client used: every absolute link is built from them."""
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


def link(request: Request, path: str, params: dict[str, Any] | None = None) -> str:
    """An absolute URL on this stand-in, e.g. a next page."""
    query = urlencode({key: value for key, value in (params or {}).items() if value is not None}, safe="[]:,")
    return f"{base_url(request)}{path}" + (f"?{query}" if query else "")


def encode_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_token(token: str) -> str:
    padded = token + "=" * (-len(token) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise invalid_value("Invalid cursor") from error


def int_param(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise invalid_value(f"{name} must be an integer") from error


def id_list(raw: str | None, parameter: str = "ids", limit: int = 100) -> list[int]:
    """Parse `?ids=1,2,3`; Zendesk caps these lists at 100."""
    if not raw:
        raise invalid_value(f"{parameter} is required")
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as error:
        raise invalid_value(f"{parameter} must be a comma-separated list of integers") from error
    if len(ids) > limit:
        raise too_many_values(parameter, limit)
    return ids
