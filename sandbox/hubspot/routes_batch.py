"""Batch endpoints: `POST /crm/v3/objects/{type}/batch/{read|create|update|upsert|archive}`.

HubSpot takes at most 100 inputs. A bad value or a taken email refuses the
whole batch (400 / 409) before anything is written; ids that do not exist are
reported per batch in `errors` with a 207, the other inputs going through.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.errors import HubSpotError, validation_error
from sandbox.hubspot.params import batch_inputs, json_body, path_type, store_of
from sandbox.hubspot.routes_objects import association_inputs, full_record, link_created
from sandbox.hubspot.serialize import batch_json, record_json
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.tables import Properties, Record
from sandbox.hubspot.values import parse_bool

BATCH_LIMIT = 100


async def batch_read(request: Request) -> JSONResponse:
    """Records by id or `idProperty`; merged-away ids answer with the survivor, unknown ids go to `errors`."""
    object_type = path_type(request).name
    store = store_of(request)
    started = store.now()
    body = await json_body(request)
    inputs = batch_inputs(body, BATCH_LIMIT)
    id_property = body.get("idProperty") or None
    archived = parse_bool(request.query_params.get("archived"))
    properties = body.get("properties") or None
    results: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for item in inputs:
        wanted = str(_input_id(item))
        record = store.lookup(object_type, wanted, id_property, archived)
        if record is None:
            missing.append(wanted)
        elif record.id not in results:
            results[record.id] = record_json(store, object_type, record, properties)
    errors = [_not_found_error(store, object_type, missing)] if missing else []
    return _answer(list(results.values()), errors, started, store, 200)


async def batch_create(request: Request) -> JSONResponse:
    """All inputs are checked first; one bad input refuses the batch."""
    object_type = path_type(request).name
    store = store_of(request)
    started = store.now()
    inputs = batch_inputs(await json_body(request), BATCH_LIMIT)
    taken: dict[str, str] = {}
    prepared: list[tuple[Properties, list[tuple[str, str, int]]]] = []
    for item in inputs:
        if not isinstance(item, dict):
            raise validation_error("Invalid input JSON: each input must be an object")
        properties = store.prepare_create(object_type, item.get("properties"), taken=taken)
        prepared.append((properties, association_inputs(store, object_type, item.get("associations"))))
    results = []
    for properties, links in prepared:
        record = store.insert(object_type, properties)
        link_created(store, object_type, record, links)
        results.append(full_record(store, object_type, record))
    return _answer(results, [], started, store, 201)


async def batch_update(request: Request) -> JSONResponse:
    """Unknown ids are reported in `errors` (207); the others are updated."""
    object_type = path_type(request).name
    store = store_of(request)
    started = store.now()
    inputs = batch_inputs(await json_body(request), BATCH_LIMIT)
    taken: dict[str, str] = {}
    missing: list[str] = []
    prepared: list[tuple[Record, Properties]] = []
    for item in inputs:
        wanted = str(_input_id(item))
        record = store.lookup(object_type, wanted, item.get("idProperty") or None)
        if record is None:
            missing.append(wanted)
            continue
        prepared.append((record, store.prepare_update(object_type, record, item.get("properties"), taken=taken)))
    results = [full_record(store, object_type, store.apply_update(object_type, record, properties)) for record, properties in prepared]
    errors = [_not_found_error(store, object_type, missing)] if missing else []
    return _answer(results, errors, started, store, 200)


async def batch_upsert(request: Request) -> JSONResponse:
    """Create or update by a unique property (`idProperty`, e.g. email for contacts); each result says if it is `new`."""
    object_type = path_type(request).name
    store = store_of(request)
    started = store.now()
    inputs = batch_inputs(await json_body(request), BATCH_LIMIT)
    taken: dict[str, str] = {}
    plan: list[tuple[Record | None, Properties]] = []
    for item in inputs:
        if not isinstance(item, dict) or not item.get("id") or not item.get("idProperty"):
            raise validation_error("Invalid input JSON: each upsert input needs 'id' and 'idProperty'")
        id_property, wanted = str(item["idProperty"]), str(item["id"])
        record = store.lookup(object_type, wanted, id_property)
        raw = dict(item.get("properties") or {})
        if record is not None:
            plan.append((record, store.prepare_update(object_type, record, raw, taken=taken)))
        elif id_property == "hs_object_id":
            raise HubSpotError(400, "VALIDATION_ERROR", f"Cannot upsert by hs_object_id: object {wanted} does not exist")
        else:
            raw.setdefault(id_property, wanted)
            plan.append((None, store.prepare_create(object_type, raw, taken=taken)))
    results = []
    for record, properties in plan:
        is_new = record is None
        written = store.insert(object_type, properties) if record is None else store.apply_update(object_type, record, properties)
        results.append({**full_record(store, object_type, written), "new": is_new})
    return _answer(results, [], started, store, 200)


async def batch_archive(request: Request) -> Response:
    """204 always; ids that do not exist are ignored, as HubSpot does."""
    object_type = path_type(request).name
    store = store_of(request)
    for item in batch_inputs(await json_body(request), BATCH_LIMIT):
        store.archive(object_type, str(_input_id(item)))
    return Response(status_code=204)


def _input_id(item: object) -> object:
    if not isinstance(item, dict) or item.get("id") in (None, ""):
        raise validation_error("Invalid input JSON: Cannot build SimplePublicObjectId, some of required attributes are not set [id]")
    return item["id"]


def _not_found_error(store: HubSpotStore, object_type: str, missing: list[str]) -> dict[str, Any]:
    upper = store.table(object_type).object_type.upper_name
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": f"Could not get some {upper} objects, they may be deleted or not exist. Check that ids are valid.",
        "context": {"ids": missing},
    }


def _answer(results: list[Any], errors: list[dict[str, Any]], started: Any, store: HubSpotStore, status: int) -> JSONResponse:
    return JSONResponse(batch_json(results, errors, started, store.now()), status_code=207 if errors else status)


def batch_routes() -> list[Route]:
    base = "/crm/v3/objects/{object_type}/batch"
    return [
        Route(f"{base}/read", batch_read, methods=["POST"]),
        Route(f"{base}/create", batch_create, methods=["POST"]),
        Route(f"{base}/update", batch_update, methods=["POST"]),
        Route(f"{base}/upsert", batch_upsert, methods=["POST"]),
        Route(f"{base}/archive", batch_archive, methods=["POST"]),
    ]
