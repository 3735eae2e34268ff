"""CRM object endpoints: list, read, create, update, archive, search and merge (`/crm/v3/objects/{type}...`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.object_types import resolve_type, target_type_for
from sandbox.hubspot.params import integer, json_body, next_link, path_type, query_int, query_list, store_of
from sandbox.hubspot.search import SearchEngine, parse_search
from sandbox.hubspot.serialize import inline_associations, record_json
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.tables import Record
from sandbox.hubspot.values import parse_bool

LIST_LIMIT = 100


async def list_objects(request: Request) -> JSONResponse:
    """`GET /crm/v3/objects/{type}`: a page of records in id order; `after` is the next record's id."""
    object_type = path_type(request).name
    store = store_of(request)
    limit = query_int(request, "limit", 10, LIST_LIMIT)
    archived = parse_bool(request.query_params.get("archived"))
    records, following = store.table(object_type).page(request.query_params.get("after") or None, limit, archived)
    properties = query_list(request, "properties") or None
    to_types = _association_types(request)
    body: dict[str, Any] = {"results": [_record(store, object_type, record, properties, to_types) for record in records]}
    if following is not None:
        body["paging"] = {"next": {"after": following, "link": next_link(request, following)}}
    return JSONResponse(body)


async def get_object(request: Request) -> JSONResponse:
    """`GET /crm/v3/objects/{type}/{id}`: by id (a merged-away id answers with the survivor) or by `idProperty`."""
    object_type = path_type(request).name
    store = store_of(request)
    record = store.read(
        object_type,
        request.path_params["object_id"],
        request.query_params.get("idProperty"),
        parse_bool(request.query_params.get("archived")),
    )
    properties = query_list(request, "properties") or None
    return JSONResponse(_record(store, object_type, record, properties, _association_types(request)))


async def create_object(request: Request) -> JSONResponse:
    """`POST /crm/v3/objects/{type}`: 201 with the new record; 409 for a contact whose email is taken."""
    object_type = path_type(request).name
    store = store_of(request)
    body = await json_body(request)
    links = association_inputs(store, object_type, body.get("associations") if isinstance(body, dict) else None)
    record = store.create(object_type, body.get("properties") if isinstance(body, dict) else None)
    link_created(store, object_type, record, links)
    return JSONResponse(full_record(store, object_type, record), status_code=201)


async def update_object(request: Request) -> JSONResponse:
    """`PATCH /crm/v3/objects/{type}/{id}`: changed values stamp the record modified."""
    object_type = path_type(request).name
    store = store_of(request)
    body = await json_body(request)
    properties = body.get("properties") if isinstance(body, dict) else None
    record = store.update(object_type, request.path_params["object_id"], properties, request.query_params.get("idProperty"))
    return JSONResponse(full_record(store, object_type, record))


async def archive_object(request: Request) -> Response:
    """`DELETE /crm/v3/objects/{type}/{id}`: 204 whether or not the record existed, as HubSpot answers."""
    store_of(request).archive(path_type(request).name, request.path_params["object_id"])
    return Response(status_code=204)


async def search_objects(request: Request) -> JSONResponse:
    """`POST /crm/v3/objects/{type}/search`."""
    object_type = path_type(request).name
    store = store_of(request)
    search_request = parse_search(await json_body(request), store.table(object_type))
    engine: SearchEngine = request.app.state.search
    total, records, next_after = engine.run(store.table(object_type), search_request)
    properties = list(search_request.properties) if search_request.properties else None
    body: dict[str, Any] = {"total": total, "results": [record_json(store, object_type, record, properties) for record in records]}
    if next_after is not None:
        body["paging"] = {"next": {"after": str(next_after)}}
    return JSONResponse(body)


async def merge_objects(request: Request) -> JSONResponse:
    """`POST /crm/v3/objects/{type}/merge`: the primary survives; the other id resolves to it from now on."""
    object_type = path_type(request).name
    store = store_of(request)
    body = await json_body(request)
    if not isinstance(body, dict) or not body.get("primaryObjectId") or not body.get("objectIdToMerge"):
        raise validation_error("Invalid input JSON: Cannot build PublicMergeInput, some of required attributes are not set [primaryObjectId, objectIdToMerge]")
    survivor = store.merge(object_type, str(body["primaryObjectId"]), str(body["objectIdToMerge"]))
    return JSONResponse(full_record(store, object_type, survivor))


def full_record(store: HubSpotStore, object_type: str, record: Record) -> dict[str, Any]:
    """A record with every property it holds (what HubSpot answers to writes)."""
    return record_json(store, object_type, record, list(record.properties))


def association_inputs(store: HubSpotStore, object_type: str, raw: object) -> list[tuple[str, str, int]]:
    """The `associations` of a create, checked before anything is written: (to type, to id, type id)."""
    if not raw:
        return []
    if not isinstance(raw, list):
        raise validation_error("Invalid input JSON: associations must be a list")
    links: list[tuple[str, str, int]] = []
    for item in raw:
        to_id = str((item.get("to") or {}).get("id", "")) if isinstance(item, dict) else ""
        for spec in (item.get("types") or []) if isinstance(item, dict) else []:
            type_id = integer(spec.get("associationTypeId", 0), "associationTypeId")
            to_type = target_type_for(type_id, object_type)
            if to_type is None or store.lookup(to_type, to_id) is None:
                raise validation_error(f"Invalid association: type {type_id} from {object_type} to object {to_id!r}")
            links.append((to_type, to_id, type_id))
    return links


def link_created(store: HubSpotStore, object_type: str, record: Record, links: list[tuple[str, str, int]]) -> None:
    for to_type, to_id, type_id in links:
        store.associate(object_type, record.id, to_type, to_id, type_id)


def _association_types(request: Request) -> list[str]:
    return [resolve_type(name).name for name in query_list(request, "associations")]


def _record(store: HubSpotStore, object_type: str, record: Record, properties: list[str] | None, to_types: list[str]) -> dict[str, Any]:
    body = record_json(store, object_type, record, properties)
    if to_types:
        associations = inline_associations(store, object_type, record, to_types)
        if associations:
            body["associations"] = associations
    return body


def object_routes() -> list[Route]:
    """Specific paths first: `search`, `merge` and `batch` must win over `{object_id}`."""
    base = "/crm/v3/objects/{object_type}"
    return [
        Route(f"{base}/search", search_objects, methods=["POST"]),
        Route(f"{base}/merge", merge_objects, methods=["POST"]),
        Route(base, list_objects, methods=["GET"]),
        Route(base, create_object, methods=["POST"]),
        Route(f"{base}/{{object_id}}", get_object, methods=["GET"]),
        Route(f"{base}/{{object_id}}", update_object, methods=["PATCH"]),
        Route(f"{base}/{{object_id}}", archive_object, methods=["DELETE"]),
    ]
