"""Request helpers shared by the HubSpot routes: body, query lists, path types, paging links."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.object_types import ObjectType, resolve_type
from sandbox.hubspot.store import HubSpotStore


def store_of(request: Request) -> HubSpotStore:
    return request.app.state.store


def path_type(request: Request, key: str = "object_type") -> ObjectType:
    """The object type a path parameter names (plural, singular or type id); 400 if HubSpot would not know it."""
    return resolve_type(request.path_params[key])


async def json_body(request: Request) -> Any:
    """The request's JSON, or HubSpot's 400 for unreadable input."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise validation_error(f"Invalid input JSON on line {error.lineno}, column {error.colno}: {error.msg}") from None


def query_list(request: Request, name: str) -> list[str]:
    """A list parameter given repeated (`properties=a&properties=b`, as the SDK sends) and/or comma-separated."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def query_int(request: Request, name: str, default: int, maximum: int) -> int:
    """An integer parameter, capped at `maximum` the way HubSpot silently caps page sizes."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    value = integer(raw, name)
    if value < 1:
        raise validation_error(f"{name} must be at least 1, got {value}")
    return min(value, maximum)


def next_link(request: Request, after: str) -> str:
    """The absolute link to the next page, on the scheme and host the client used."""
    return str(request.url.include_query_params(after=after))


def batch_inputs(body: Any, maximum: int) -> list[Any]:
    """The `inputs` of a batch body, refused over HubSpot's size limit."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise validation_error("Invalid input JSON: a batch body needs an 'inputs' list")
    inputs = body["inputs"]
    if len(inputs) > maximum:
        raise validation_error(f"Too many inputs: {len(inputs)} given, at most {maximum} are allowed in one batch")
    return inputs


def integer(value: object, name: str) -> int:
    """An integer from a body or query value, or HubSpot's 400."""
    try:
        return int(str(value))
    except ValueError:
        raise validation_error(f"{name} must be an integer, got '{value}'") from None
