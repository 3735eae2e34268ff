"""Users, organizations and tickets: list, show, show_many, create, update, delete, create_or_update."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.zendesk.collection import Record
from sandbox.zendesk.context import ZendeskContext, json_body
from sandbox.zendesk.pagination import list_page
from sandbox.zendesk.people import raise_if_not_object
from sandbox.zendesk.records import KINDS
from sandbox.zendesk.routing import api_route
from sandbox.zendesk.wire import ZendeskError, base_url, id_list, not_found
from sandbox.zendesk.writers import WRITERS, audit_json, rendered


def _visible_rows(context: ZendeskContext, kind_name: str, request: Request) -> list[Record]:
    store = context.store
    rows = [record for record in store[kind_name].all_in_id_order() if store.is_visible(kind_name, record)]
    external_id = request.query_params.get("external_id")
    if external_id is not None:
        rows = [record for record in rows if str(record.get("external_id")) == external_id]
    roles = request.query_params.getlist("role[]") or request.query_params.getlist("role")
    if kind_name == "users" and roles:
        rows = [record for record in rows if record.get("role") in roles]
    return rows


def _readable(context: ZendeskContext, kind_name: str, record_id: int) -> Record:
    record = context.store[kind_name].get(record_id)
    # Soft-deleted users stay readable (active false); deleted tickets and organizations are gone.
    if record is None or (kind_name != "users" and not context.store.is_visible(kind_name, record)):
        raise not_found()
    return record


def _answer(
    context: ZendeskContext, request: Request, kind_name: str, record: Record, audit: Record | None, status: int
) -> JSONResponse:
    body: dict[str, Any] = {KINDS[kind_name].singular: rendered(context.store, kind_name, record, base_url(request))}
    if audit is not None:
        body["audit"] = audit_json(audit)
    return JSONResponse(body, status_code=status)


def record_routes(context: ZendeskContext, kind_name: str) -> list[Route]:
    """The single-record endpoints of one type, at `/api/v2/{type}`."""
    kind = KINDS[kind_name]
    writer = WRITERS[kind_name]
    store = context.store
    id_param = f"{kind.singular}_id"  # the call log then reads like Zendesk's docs: /api/v2/users/{user_id}.json

    async def list_records(request: Request) -> Response:
        base = base_url(request)
        rows = _visible_rows(context, kind_name, request)
        return JSONResponse(list_page(request, rows, kind_name, lambda record: rendered(store, kind_name, record, base)))

    async def show(request: Request) -> Response:
        record = _readable(context, kind_name, request.path_params[id_param])
        return _answer(context, request, kind_name, record, None, 200)

    async def show_many(request: Request) -> Response:
        base = base_url(request)
        external_ids = request.query_params.get("external_ids")
        if external_ids and kind_name in store.external_ids:
            found = [store.by_external_id(kind_name, value) for value in external_ids.split(",")]
        else:
            found = [store[kind_name].get(record_id) for record_id in id_list(request.query_params.get("ids"))]
        records = [record for record in found if record is not None and store.is_visible(kind_name, record)]
        return JSONResponse({kind_name: [rendered(store, kind_name, record, base) for record in records]})

    async def create(request: Request) -> Response:
        data = raise_if_not_object((await json_body(request)).get(kind.singular), kind.singular)
        record, audit = writer.create(store, data, context.actor(request)["id"])
        return _answer(context, request, kind_name, record, audit, 201)

    async def update(request: Request) -> Response:
        body = await json_body(request)
        data = raise_if_not_object(body.get(kind.singular), kind.singular)
        record, audit = writer.update(store, request.path_params[id_param], data, context.actor(request)["id"])
        return _answer(context, request, kind_name, record, audit, 200)

    async def delete(request: Request) -> Response:
        record = writer.delete(store, request.path_params[id_param], context.actor(request)["id"])
        if kind_name == "users":
            return _answer(context, request, kind_name, record, None, 200)
        return Response(status_code=204)

    routes: list[Route] = [
        api_route(context, "GET", f"/{kind.path}.json", list_records),
        api_route(context, "GET", f"/{kind.path}/show_many.json", show_many),
        api_route(context, "GET", f"/{kind.path}/{{{id_param}:int}}.json", show),
        api_route(context, "POST", f"/{kind.path}.json", create),
        api_route(context, "PUT", f"/{kind.path}/{{{id_param}:int}}.json", update),
        api_route(context, "DELETE", f"/{kind.path}/{{{id_param}:int}}.json", delete),
    ]
    if writer.create_or_update is not None:
        routes.append(api_route(context, "POST", f"/{kind.path}/create_or_update.json", _create_or_update(context, kind_name)))
    return routes


def _create_or_update(context: ZendeskContext, kind_name: str) -> Any:
    kind = KINDS[kind_name]
    writer = WRITERS[kind_name]
    assert writer.create_or_update is not None
    upsert = writer.create_or_update

    async def create_or_update(request: Request) -> Response:
        data = raise_if_not_object((await json_body(request)).get(kind.singular), kind.singular)
        record, created = upsert(context.store, data)
        return _answer(context, request, kind_name, record, None, 201 if created else 200)

    return create_or_update


def me_routes(context: ZendeskContext) -> list[Route]:
    """`/users/me` and the per-type `search` shortcuts zenpy and connectors use."""

    async def me(request: Request) -> Response:
        return _answer(context, request, "users", context.actor(request), None, 200)

    async def users_search(request: Request) -> Response:
        return _lookup(request, "users")

    async def organizations_search(request: Request) -> Response:
        return _lookup(request, "organizations")

    def _lookup(request: Request, kind_name: str) -> Response:
        store = context.store
        params = request.query_params
        if "external_id" in params:
            found = [store.by_external_id(kind_name, params["external_id"])]
        elif kind_name == "organizations" and "name" in params:
            found = [store.organizations.get(store.organization_names.get(params["name"].lower(), -1))]
        elif kind_name == "users" and "query" in params:
            query = params["query"].strip().lower()
            found = [store.user_by_email(query)] if "@" in query else list(
                store.users.find(lambda user: query in str(user.get("name") or "").lower())
            )
        else:
            raise ZendeskError(400, {"error": "InvalidValue", "description": "query, external_id or name is required"})
        base = base_url(request)
        records = [record for record in found if record is not None and store.is_visible(kind_name, record)]
        return JSONResponse({kind_name: [rendered(store, kind_name, record, base) for record in records], "count": len(records)})

    return [
        api_route(context, "GET", "/users/me.json", me),
        api_route(context, "GET", "/users/search.json", users_search),
        api_route(context, "GET", "/organizations/search.json", organizations_search),
    ]


def related_routes(context: ZendeskContext) -> list[Route]:
    """Lists scoped to one record: an organization's users and tickets, a user's requested tickets."""
    store = context.store

    def scoped(kind_name: str, owner_kind: str, owner_param: str, field: str) -> Any:
        async def list_related(request: Request) -> Response:
            owner = _readable(context, owner_kind, request.path_params[owner_param])
            rows = [
                record
                for record in store[kind_name].all_in_id_order()
                if record.get(field) == owner["id"] and store.is_visible(kind_name, record)
            ]
            base = base_url(request)
            return JSONResponse(list_page(request, rows, kind_name, lambda record: rendered(store, kind_name, record, base)))

        list_related.__name__ = f"{owner_kind}_{kind_name}"
        return list_related

    return [
        api_route(context, "GET", "/organizations/{organization_id:int}/users.json",
                  scoped("users", "organizations", "organization_id", "organization_id")),
        api_route(context, "GET", "/organizations/{organization_id:int}/tickets.json",
                  scoped("tickets", "organizations", "organization_id", "organization_id")),
        api_route(context, "GET", "/users/{user_id:int}/tickets/requested.json",
                  scoped("tickets", "users", "user_id", "requester_id")),
    ]  # fmt: skip
