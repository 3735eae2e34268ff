"""Bulk writes (create_many, update_many, create_or_update_many, destroy_many) and job statuses.

Each bulk call takes up to 100 items and answers 200 with a queued job status;
per-item failures land in the job's results, never fail the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.zendesk.collection import Record
from sandbox.zendesk.context import ZendeskContext, json_body
from sandbox.zendesk.jobs import job_json
from sandbox.zendesk.records import KINDS
from sandbox.zendesk.routing import api_route
from sandbox.zendesk.wire import ZendeskError, base_url, id_list, invalid_value, not_found, too_many_values
from sandbox.zendesk.writers import WRITERS

MAX_BULK = 100
Operation = Callable[[dict[str, Any]], tuple[Record, str]]  # item -> (record, "create" | "update" | "delete")
ACTION_STATUS = {"create": "Created", "update": "Updated", "delete": "Deleted"}


def _error_details(error: ZendeskError) -> str:
    details = error.body.get("details")
    if isinstance(details, dict):
        return " ".join(entry.get("description", "") for entries in details.values() for entry in entries)
    return str(error.body.get("description") or error.body.get("error"))


def _run(kind_name: str, verb: str, items: list[dict[str, Any]], operation: Operation) -> list[dict[str, Any]]:
    """Apply `operation` to every item; one result per item, failures included."""
    singular = KINDS[kind_name].singular.title()
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        echo = {key: item[key] for key in ("email", "external_id") if kind_name == "users" and item.get(key)}
        try:
            record, action = operation(item)
        except ZendeskError as error:
            error_name = singular + "".join(part.title() for part in verb.split("_")) + "Error"  # e.g. UserCreateError
            failure = {"index": index, "error": error_name, "details": _error_details(error)}
            if isinstance(item.get("id"), int):
                failure["id"] = item["id"]
            results.append(failure | {"status": "Failed", "success": False} | echo)
            continue
        status = ACTION_STATUS[action]
        results.append({"index": index, "id": record["id"], "action": action, "success": True, "status": status} | echo)
    return results


def _items(body: dict[str, Any], kind_name: str) -> list[dict[str, Any]]:
    items = body.get(kind_name)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise invalid_value(f"Parameter {kind_name} is required and must be a list of objects")
    if len(items) > MAX_BULK:
        raise too_many_values(kind_name, MAX_BULK)
    return items


def _update_items(request: Request, body: dict[str, Any], kind_name: str) -> list[dict[str, Any]]:
    """`{"users": [{"id", ...}]}`, or `?ids=` with one `{"user": {...}}` applied to each."""
    singular = KINDS[kind_name].singular
    if "ids" in request.query_params:
        changes = body.get(singular)
        if not isinstance(changes, dict):
            raise invalid_value(f"Parameter {singular} is required")
        return [changes | {"id": record_id} for record_id in id_list(request.query_params["ids"], "ids", MAX_BULK)]
    return _items(body, kind_name)


def bulk_routes(context: ZendeskContext, kind_name: str) -> list[Route]:
    """`create_many`, `update_many`, `destroy_many` (and users' `create_or_update_many`) of one type."""
    kind = KINDS[kind_name]
    writer = WRITERS[kind_name]
    store = context.store

    def answer(request: Request, verb: str, results: list[dict[str, Any]]) -> Response:
        job = context.jobs.submit(f"bulk_{verb}_{kind_name}", results)
        return JSONResponse({"job_status": job_json(job, base_url(request))})

    async def create_many(request: Request) -> Response:
        items = _items(await json_body(request), kind_name)
        actor_id = context.actor(request)["id"]
        results = _run(kind_name, "create", items, lambda item: (writer.create(store, item, actor_id)[0], "create"))
        return answer(request, "create", results)

    async def update_many(request: Request) -> Response:
        body = await json_body(request)
        items = _update_items(request, body, kind_name)
        actor_id = context.actor(request)["id"]

        def update(item: dict[str, Any]) -> tuple[Record, str]:
            record_id = item.get("id")
            if record_id is None and item.get("external_id") is not None and kind_name in store.external_ids:
                record_id = (store.by_external_id(kind_name, item["external_id"]) or {}).get("id")
            if not isinstance(record_id, int):
                raise not_found()
            changes = {key: value for key, value in item.items() if key != "id"}
            return writer.update(store, record_id, changes, actor_id)[0], "update"

        return answer(request, "update", _run(kind_name, "update", items, update))

    async def destroy_many(request: Request) -> Response:
        raw = request.query_params.get("ids")
        if raw is None and kind_name in store.external_ids and "external_ids" in request.query_params:
            externals = request.query_params["external_ids"].split(",")
            ids = [(store.by_external_id(kind_name, value) or {}).get("id", -1) for value in externals]
        else:
            ids = id_list(raw, "ids", MAX_BULK)
        actor_id = context.actor(request)["id"]
        items = [{"id": record_id} for record_id in ids]
        results = _run(kind_name, "delete", items, lambda item: (writer.delete(store, item["id"], actor_id), "delete"))
        return answer(request, "delete", results)

    routes: list[Route] = [
        api_route(context, "POST", f"/{kind.path}/create_many.json", create_many),
        api_route(context, "PUT", f"/{kind.path}/update_many.json", update_many),
        api_route(context, "DELETE", f"/{kind.path}/destroy_many.json", destroy_many),
    ]
    upsert = writer.create_or_update
    if kind_name == "users" and upsert is not None:

        async def create_or_update_many(request: Request) -> Response:
            items = _items(await json_body(request), kind_name)

            def create_or_update(item: dict[str, Any]) -> tuple[Record, str]:
                record, created = upsert(store, item)
                return record, "create" if created else "update"

            return answer(request, "create_or_update", _run(kind_name, "create_or_update", items, create_or_update))

        routes.append(api_route(context, "POST", f"/{kind.path}/create_or_update_many.json", create_or_update_many))
    return routes


def job_routes(context: ZendeskContext) -> list[Route]:
    """`GET /job_statuses`, `/job_statuses/{id}`, `/job_statuses/show_many?ids=`."""

    async def show(request: Request) -> Response:
        # The default convertor would keep the optional ".json" in the id.
        job = context.jobs.poll(request.path_params["job_id"].removesuffix(".json"))
        if job is None:
            raise not_found()
        return JSONResponse({"job_status": job_json(job, base_url(request))})

    async def show_many(request: Request) -> Response:
        raw = request.query_params.get("ids", "")
        job_ids = [job_id for job_id in raw.split(",") if job_id]
        if not job_ids:
            raise invalid_value("ids is required")
        if len(job_ids) > MAX_BULK:
            raise too_many_values("ids", MAX_BULK)
        base = base_url(request)
        jobs = [job for job_id in job_ids if (job := context.jobs.poll(job_id)) is not None]
        return JSONResponse({"job_statuses": [job_json(job, base) for job in jobs]})

    async def list_jobs(request: Request) -> Response:
        base = base_url(request)
        return JSONResponse({"job_statuses": [job_json(job, base) for job in context.jobs.recent()]})

    return [
        api_route(context, "GET", "/job_statuses.json", list_jobs),
        api_route(context, "GET", "/job_statuses/show_many.json", show_many),
        api_route(context, "GET", "/job_statuses/{job_id}.json", show),
    ]
