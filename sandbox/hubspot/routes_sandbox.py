"""`/_sandbox/` routes of the HubSpot stand-in: what a person in the HubSpot UI would do, and its knobs.

Not part of HubSpot's API: neither counted nor faulted. Tests and the demo
use them to change data behind a connector's back (edit, archive, merge) and
to tune the rate limits and the accepted tokens.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.faults import HubSpotFaults, RateLimits
from sandbox.hubspot.params import json_body, path_type, store_of
from sandbox.hubspot.routes_objects import full_record


def _properties(body: Any) -> Any:
    # A person types values only; accept `{"properties": {...}}` or the values themselves.
    return body.get("properties", body) if isinstance(body, dict) else body


async def create_record(request: Request) -> JSONResponse:
    object_type = path_type(request).name
    store = store_of(request)
    record = store.create(object_type, _properties(await json_body(request)))
    return JSONResponse(full_record(store, object_type, record), status_code=201)


async def edit_record(request: Request) -> JSONResponse:
    """An edit in the UI: the record is stamped modified even when the values typed equal the old ones."""
    object_type = path_type(request).name
    store = store_of(request)
    record = store.read(object_type, request.path_params["object_id"])
    changes = store.prepare_update(object_type, record, _properties(await json_body(request)))
    if not store.table(object_type).set_properties(record, changes, store.now()):
        store.table(object_type).stamp(record, store.now())
    return JSONResponse(full_record(store, object_type, record))


async def archive_record(request: Request) -> JSONResponse:
    archived = store_of(request).archive(path_type(request).name, request.path_params["object_id"])
    return JSONResponse({"archived": archived})


async def merge_records(request: Request) -> JSONResponse:
    object_type = path_type(request).name
    store = store_of(request)
    body = await json_body(request)
    if not isinstance(body, dict) or not body.get("primary") or not body.get("merged"):
        raise validation_error('body must be {"primary": id, "merged": id}')
    survivor = store.merge(object_type, str(body["primary"]), str(body["merged"]))
    return JSONResponse(full_record(store, object_type, survivor))


async def dump_records(request: Request) -> JSONResponse:
    """Every record of a type, archived ones included, with all properties; plus merged-away ids."""
    object_type = path_type(request).name
    store = store_of(request)
    table = store.table(object_type)
    records = sorted(table.records.values(), key=lambda record: (len(record.id), record.id))
    return JSONResponse({"results": [full_record(store, object_type, record) for record in records], "merged": dict(table.aliases)})


async def get_limits(request: Request) -> JSONResponse:
    faults: HubSpotFaults = request.app.state.faults
    return JSONResponse(asdict(faults.limits))


async def put_limits(request: Request) -> JSONResponse:
    """Change the enforced allowances, e.g. `{"ten_second_max": 100}` for a Starter portal."""
    faults: HubSpotFaults = request.app.state.faults
    body = await json_body(request)
    known = {field.name for field in fields(RateLimits)}
    if not isinstance(body, dict) or not set(body) <= known or not all(isinstance(v, int) and v > 0 for v in body.values()):
        raise validation_error(f"body must map some of {sorted(known)} to positive integers")
    faults.limits = RateLimits(**(asdict(faults.limits) | body))
    return JSONResponse(asdict(faults.limits))


async def put_auth(request: Request) -> JSONResponse:
    """`{"allowed_tokens": [...]}` accepts only those tokens; `null` accepts any non-empty token again."""
    body = await json_body(request)
    tokens = body.get("allowed_tokens") if isinstance(body, dict) else None
    if tokens is not None and not (isinstance(tokens, list) and all(isinstance(token, str) for token in tokens)):
        raise validation_error('body must be {"allowed_tokens": [str, ...] | null}')
    request.app.state.auth.allowed_tokens = set(tokens) if tokens is not None else None
    return JSONResponse({"allowed_tokens": sorted(tokens) if tokens is not None else None})


def sandbox_routes() -> list[Route]:
    return [
        Route("/_sandbox/records/{object_type}", dump_records, methods=["GET"]),
        Route("/_sandbox/records/{object_type}", create_record, methods=["POST"]),
        Route("/_sandbox/records/{object_type}/{object_id}", edit_record, methods=["PATCH"]),
        Route("/_sandbox/records/{object_type}/{object_id}", archive_record, methods=["DELETE"]),
        Route("/_sandbox/merge/{object_type}", merge_records, methods=["POST"]),
        Route("/_sandbox/limits", get_limits, methods=["GET"]),
        Route("/_sandbox/limits", put_limits, methods=["PUT"]),
        Route("/_sandbox/auth", put_auth, methods=["PUT"]),
    ]
