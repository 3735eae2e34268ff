"""Portal metadata: properties (v3 and legacy v2), schemas, owners and pipelines."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.object_types import SEEDED_TYPES, ObjectType, find_type
from sandbox.hubspot.params import json_body, next_link, path_type, query_int, store_of
from sandbox.hubspot.pipelines import PIPELINES, PIPELINES_CREATED, pipeline_json
from sandbox.hubspot.schema import PropertyRegistry, custom_property, property_json, property_v2_json, standard_properties
from sandbox.hubspot.values import iso_ms, parse_bool

OWNERS_LIMIT = 500


async def list_properties(request: Request) -> JSONResponse:
    """`GET /crm/v3/properties/{type}`: `{"results": [...]}` (archived properties: none are kept)."""
    registry = store_of(request).registries[path_type(request).name]
    if parse_bool(request.query_params.get("archived")):
        return JSONResponse({"results": []})
    return JSONResponse({"results": [property_json(definition) for definition in registry.all()]})


async def get_property(request: Request) -> JSONResponse:
    registry = store_of(request).registries[path_type(request).name]
    name = request.path_params["name"]
    definition = registry.get(name)
    if definition is None:
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Unable to find property {name} for object type {path_type(request).name}")
    return JSONResponse(property_json(definition))


async def create_property(request: Request) -> JSONResponse:
    """`POST /crm/v3/properties/{type}`: a custom property, 409 if the name is taken."""
    store = store_of(request)
    registry = store.registries[path_type(request).name]
    definition = registry.add(custom_property(await json_body(request), store.now()))
    return JSONResponse(property_json(definition), status_code=201)


async def legacy_properties(request: Request) -> JSONResponse:
    """`GET /properties/v2/{type}/properties`: a plain list; any object name gets at least the system properties.

    The official Airbyte connector asks this for every stream in discover
    (line_items, products, quotes, engagements, ...) and needs a non-empty list.
    """
    name = request.path_params["object_type"]
    object_type = find_type(name)
    if object_type is None:
        unknown = ObjectType(name, name.removesuffix("s"), "", "hs_lastmodifieddate", ())
        return JSONResponse([property_v2_json(definition, unknown) for definition in standard_properties(unknown)])
    registry: PropertyRegistry = store_of(request).registries[object_type.name]
    return JSONResponse([property_v2_json(definition, object_type) for definition in registry.all()])


async def list_schemas(_: Request) -> JSONResponse:
    """`GET /crm/v3/schemas`: custom object schemas; the sandbox portal has none."""
    return JSONResponse({"results": []})


async def get_schema(request: Request) -> JSONResponse:
    """`GET /crm/v3/schemas/{type}` for the standard types (there are no custom ones)."""
    name = request.path_params["object_type"]
    object_type = find_type(name)
    if object_type is None or object_type.name not in SEEDED_TYPES:
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Unable to find object type {name}")
    registry = store_of(request).registries[object_type.name]
    stamp = iso_ms(PIPELINES_CREATED)
    body: dict[str, Any] = {
        "id": object_type.type_id,
        "objectTypeId": object_type.type_id,
        "fullyQualifiedName": object_type.type_id,
        "name": object_type.name,
        "labels": {"singular": object_type.label, "plural": object_type.name.title()},
        "primaryDisplayProperty": object_type.primary_display_property,
        "requiredProperties": [],
        "searchableProperties": list(object_type.text_search_properties),
        "secondaryDisplayProperties": [],
        "properties": [property_json(definition) for definition in registry.all()],
        "associations": [],
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }
    return JSONResponse(body)


async def list_owners(request: Request) -> JSONResponse:
    """`GET /crm/v3/owners` (and `/crm/v3/owners/`, as the SDK calls it): `limit`, `after`, `email`, `archived`."""
    owners = store_of(request).owners
    limit = query_int(request, "limit", 100, OWNERS_LIMIT)
    page, following = owners.page(
        request.query_params.get("after") or None,
        limit,
        parse_bool(request.query_params.get("archived")),
        request.query_params.get("email") or None,
    )
    body: dict[str, Any] = {"results": page}
    if following is not None:
        body["paging"] = {"next": {"after": following, "link": next_link(request, following)}}
    return JSONResponse(body)


async def get_owner(request: Request) -> JSONResponse:
    owner_id = request.path_params["owner_id"]
    owner = store_of(request).owners.get(
        owner_id, request.query_params.get("idProperty") or "id", parse_bool(request.query_params.get("archived"))
    )
    if owner is None:
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Owner {owner_id} not found", {"id": [owner_id]})
    return JSONResponse(owner)


async def list_pipelines(request: Request) -> JSONResponse:
    """`GET /crm/v3/pipelines/{deals|tickets}` with every stage."""
    object_type = path_type(request)
    pipelines = PIPELINES.get(object_type.name)
    if pipelines is None:
        raise HubSpotError(400, "VALIDATION_ERROR", f"Object type {object_type.name} has no pipelines")
    return JSONResponse({"results": [pipeline_json(pipeline, order) for order, pipeline in enumerate(pipelines)]})


async def get_pipeline(request: Request) -> JSONResponse:
    object_type = path_type(request)
    wanted = request.path_params["pipeline_id"]
    for order, pipeline in enumerate(PIPELINES.get(object_type.name, ())):
        if pipeline.id == wanted:
            return JSONResponse(pipeline_json(pipeline, order))
    raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Unable to find pipeline {wanted} for {object_type.name}")


def metadata_routes() -> list[Route]:
    return [
        Route("/crm/v3/properties/{object_type}", list_properties, methods=["GET"]),
        Route("/crm/v3/properties/{object_type}", create_property, methods=["POST"]),
        Route("/crm/v3/properties/{object_type}/{name}", get_property, methods=["GET"]),
        Route("/properties/v2/{object_type}/properties", legacy_properties, methods=["GET"]),
        Route("/crm/v3/schemas", list_schemas, methods=["GET"]),
        Route("/crm/v3/schemas/{object_type}", get_schema, methods=["GET"]),
        Route("/crm/v3/owners", list_owners, methods=["GET"]),
        Route("/crm/v3/owners/", list_owners, methods=["GET"]),
        Route("/crm/v3/owners/{owner_id}", get_owner, methods=["GET"]),
        Route("/crm/v3/pipelines/{object_type}", list_pipelines, methods=["GET"]),
        Route("/crm/v3/pipelines/{object_type}/{pipeline_id}", get_pipeline, methods=["GET"]),
    ]
