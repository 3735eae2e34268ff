"""Association endpoints: v4 batch and per-object calls, and the v3 batch calls older readers use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.errors import HubSpotError, validation_error
from sandbox.hubspot.object_types import ObjectType, association_name, default_type_id, type_id_from_name
from sandbox.hubspot.params import batch_inputs, integer, json_body, next_link, path_type, query_int, store_of
from sandbox.hubspot.serialize import association_types_json, batch_json
from sandbox.hubspot.store import HubSpotStore

READ_LIMIT = 1_000
CREATE_LIMIT = 2_000
PAGE_LIMIT = 500


def _numeric(object_id: str) -> int | str:
    # v4 answers object ids as JSON numbers.
    return int(object_id) if object_id.isdigit() else object_id


def _pair(request: Request) -> tuple[ObjectType, ObjectType]:
    return path_type(request, "from_type"), path_type(request, "to_type")


def _no_associations(from_type: ObjectType, to_type: ObjectType, object_id: str) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
        "message": f"No {to_type.singular} is associated with {from_type.singular} {object_id}.",
        "context": {"fromObjectId": [object_id]},
    }


def _targets(store: HubSpotStore, from_type: ObjectType, object_id: str, to_type: ObjectType) -> list[tuple[str, list[int]]]:
    record = store.lookup(from_type.name, object_id)
    return store.live_targets(from_type.name, record.id, to_type.name) if record else []


async def v4_batch_read(request: Request) -> JSONResponse:
    """`POST /crm/v4/associations/{from}/{to}/batch/read`; objects with none are reported in `errors` (207)."""
    return await _batch_read(
        request,
        lambda from_type, to_type, targets: [
            {"toObjectId": _numeric(to_id), "associationTypes": association_types_json(types)} for to_id, types in targets
        ],
    )


async def v4_batch_create(request: Request) -> JSONResponse:
    """`POST /crm/v4/associations/{from}/{to}/batch/create`; missing records are reported in `errors` (207)."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    started = store.now()
    results, errors = [], []
    for item in batch_inputs(await json_body(request), CREATE_LIMIT):
        from_id, to_id = _ends(item)
        types = [integer(spec.get("associationTypeId", 0), "associationTypeId") for spec in item.get("types") or [] if isinstance(spec, dict)]
        try:
            for type_id in types or [default_type_id(from_type.name, to_type.name)]:
                source, target = store.associate(from_type.name, from_id, to_type.name, to_id, type_id)
        except HubSpotError as error:
            errors.append(error.batch_entry())
            continue
        results.append(_labels_between(from_type, source.id, to_type, target.id))
    return JSONResponse(batch_json(results, errors, started, store.now()), status_code=207 if errors else 201)


async def v4_batch_default(request: Request) -> JSONResponse:
    """`POST /crm/v4/associations/{from}/{to}/batch/associate/default`."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    started = store.now()
    results, errors = [], []
    type_id = default_type_id(from_type.name, to_type.name)
    for item in batch_inputs(await json_body(request), CREATE_LIMIT):
        from_id, to_id = _ends(item)
        try:
            store.associate(from_type.name, from_id, to_type.name, to_id, type_id)
        except HubSpotError as error:
            errors.append(error.batch_entry())
            continue
        results.append(_default_result(from_id, to_id, type_id))
    return JSONResponse(batch_json(results, errors, started, store.now()), status_code=207 if errors else 200)


async def v4_batch_archive(request: Request) -> Response:
    """`POST /crm/v4/associations/{from}/{to}/batch/archive`: `{"from": {"id"}, "to": [{"id"}]}` per input."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    for item in batch_inputs(await json_body(request), CREATE_LIMIT):
        from_id = str((item.get("from") or {}).get("id", "")) if isinstance(item, dict) else ""
        for target in item.get("to") or [] if isinstance(item, dict) else []:
            store.associations.remove(from_type.name, from_id, to_type.name, str(target.get("id", "")))
    return Response(status_code=204)


async def v4_list(request: Request) -> JSONResponse:
    """`GET /crm/v4/objects/{from}/{id}/associations/{to}` with `limit` (≤ 500) and `after` paging."""
    from_type, to_type = _pair(request)
    targets = _targets(store_of(request), from_type, request.path_params["object_id"], to_type)
    limit = query_int(request, "limit", PAGE_LIMIT, PAGE_LIMIT)
    start = integer(request.query_params.get("after") or 0, "after")
    chosen = targets[start : start + limit]
    body: dict[str, Any] = {
        "results": [{"toObjectId": _numeric(to_id), "associationTypes": association_types_json(types)} for to_id, types in chosen]
    }
    if start + limit < len(targets):
        following = str(start + limit)
        body["paging"] = {"next": {"after": following, "link": next_link(request, following)}}
    return JSONResponse(body)


async def v4_put_default(request: Request) -> JSONResponse:
    """`PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}`."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    started = store.now()
    from_id, to_id = request.path_params["object_id"], request.path_params["to_id"]
    type_id = default_type_id(from_type.name, to_type.name)
    store.associate(from_type.name, from_id, to_type.name, to_id, type_id)
    return JSONResponse(batch_json([_default_result(from_id, to_id, type_id)], [], started, store.now()))


async def v4_put_labelled(request: Request) -> JSONResponse:
    """`PUT /crm/v4/objects/{from}/{id}/associations/{to}/{toId}` with a list of association types."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    body = await json_body(request)
    specs = body if isinstance(body, list) else []
    type_ids = [integer(spec.get("associationTypeId", 0), "associationTypeId") for spec in specs if isinstance(spec, dict)]
    if not type_ids:
        raise validation_error("Invalid input JSON: the body must be a non-empty list of association types")
    for type_id in type_ids:
        source, target = store.associate(from_type.name, request.path_params["object_id"], to_type.name, request.path_params["to_id"], type_id)
    return JSONResponse(_labels_between(from_type, source.id, to_type, target.id), status_code=201)


async def v4_delete(request: Request) -> Response:
    from_type, to_type = _pair(request)
    store_of(request).associations.remove(from_type.name, request.path_params["object_id"], to_type.name, request.path_params["to_id"])
    return Response(status_code=204)


async def v3_batch_read(request: Request) -> JSONResponse:
    """`POST /crm/v3/associations/{from}/{to}/batch/read`: `to` as `[{"id", "type"}]`."""
    return await _batch_read(
        request,
        lambda from_type, to_type, targets: [
            {"id": to_id, "type": association_name(types[0], from_type.name, to_type.name)} for to_id, types in targets
        ],
    )


async def _batch_read(request: Request, render_to: Callable[[ObjectType, ObjectType, list[tuple[str, list[int]]]], list[Any]]) -> JSONResponse:
    """The batch read both API versions share; they differ only in how each `to` list is written."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    started = store.now()
    results, errors = [], []
    for item in batch_inputs(await json_body(request), READ_LIMIT):
        object_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        targets = _targets(store, from_type, object_id, to_type)
        if not targets:
            errors.append(_no_associations(from_type, to_type, object_id))
            continue
        results.append({"from": {"id": object_id}, "to": render_to(from_type, to_type, targets)})
    return JSONResponse(batch_json(results, errors, started, store.now()), status_code=207 if errors else 200)


async def v3_batch_create(request: Request) -> JSONResponse:
    """`POST /crm/v3/associations/{from}/{to}/batch/create` with `{"from", "to", "type": "contact_to_company"}`."""
    from_type, to_type = _pair(request)
    store = store_of(request)
    started = store.now()
    results, errors = [], []
    for item in batch_inputs(await json_body(request), CREATE_LIMIT):
        from_id, to_id = _ends(item)
        name = str(item.get("type") or "")
        type_id = type_id_from_name(name, from_type.name, to_type.name) if name else default_type_id(from_type.name, to_type.name)
        if not type_id:
            raise validation_error(f"Unknown association type '{name}' from {from_type.name} to {to_type.name}")
        try:
            store.associate(from_type.name, from_id, to_type.name, to_id, type_id)
        except HubSpotError as error:
            errors.append(error.batch_entry())
            continue
        results.append({"from": {"id": from_id}, "to": {"id": to_id}, "type": association_name(type_id, from_type.name, to_type.name)})
    return JSONResponse(batch_json(results, errors, started, store.now()), status_code=207 if errors else 201)


def _ends(item: object) -> tuple[str, str]:
    if not isinstance(item, dict) or not isinstance(item.get("from"), dict) or not isinstance(item.get("to"), dict):
        raise validation_error("Invalid input JSON: each input needs 'from': {'id'} and 'to': {'id'}")
    return str(item["from"].get("id", "")), str(item["to"].get("id", ""))


def _labels_between(from_type: ObjectType, from_id: str, to_type: ObjectType, to_id: str) -> dict[str, Any]:
    return {
        "fromObjectTypeId": from_type.type_id,
        "fromObjectId": _numeric(from_id),
        "toObjectTypeId": to_type.type_id,
        "toObjectId": _numeric(to_id),
        "labels": [],
    }


def _default_result(from_id: str, to_id: str, type_id: int) -> dict[str, Any]:
    return {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
    }


def association_routes() -> list[Route]:
    v4 = "/crm/v4/associations/{from_type}/{to_type}/batch"
    v4_object = "/crm/v4/objects/{from_type}/{object_id}/associations"
    v3 = "/crm/v3/associations/{from_type}/{to_type}/batch"
    return [
        Route(f"{v4}/read", v4_batch_read, methods=["POST"]),
        Route(f"{v4}/create", v4_batch_create, methods=["POST"]),
        Route(f"{v4}/associate/default", v4_batch_default, methods=["POST"]),
        Route(f"{v4}/archive", v4_batch_archive, methods=["POST"]),
        Route(f"{v4_object}/default/{{to_type}}/{{to_id}}", v4_put_default, methods=["PUT"]),
        Route(f"{v4_object}/{{to_type}}", v4_list, methods=["GET"]),
        Route(f"{v4_object}/{{to_type}}/{{to_id}}", v4_put_labelled, methods=["PUT"]),
        Route(f"{v4_object}/{{to_type}}/{{to_id}}", v4_delete, methods=["DELETE"]),
        Route(f"{v3}/read", v3_batch_read, methods=["POST"]),
        Route(f"{v3}/create", v3_batch_create, methods=["POST"]),
    ]
