"""`/_sandbox/` routes: what people do in the Zendesk UI, a state dump, and Zendesk's own knobs.

- `POST /_sandbox/records/tickets {"subject", "body", "requester": {"name", "email"}}` opens a ticket
  as a customer would (via web form, the requester found or created by email);
  other types are created as an agent would.
- `PATCH /_sandbox/records/{type}/{id}` edits as an agent (bumps updated_at; `comment` on tickets).
- `DELETE /_sandbox/records/{type}/{id}`; `GET /_sandbox/records/{type}[/{id}]` dumps, deleted included.
- `GET/PUT /_sandbox/settings`: `ZendeskKnobs` (plan limit, Retry-After of injected 429s, export rules, auth allow-list).

None of these are counted or faulted (the middleware skips `/_sandbox/`).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.zendesk.context import ZendeskContext
from sandbox.zendesk.faults import ZendeskKnobs
from sandbox.zendesk.records import KINDS, render
from sandbox.zendesk.tickets import resolve_requester
from sandbox.zendesk.wire import ZendeskError, base_url
from sandbox.zendesk.writers import WRITERS, rendered


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as error:
        raise ZendeskError(400, {"error": "body must be a JSON object"}) from error
    if not isinstance(body, dict):
        raise ZendeskError(400, {"error": "body must be a JSON object"})
    return body


def _customer_ticket(body: dict[str, Any]) -> dict[str, Any]:
    """A ticket as a customer's web form submits it: the body is the first public comment."""
    data = {key: value for key, value in body.items() if key not in ("body", "comment")}
    comment = body.get("comment")
    if not isinstance(comment, dict):
        comment = {"body": body.get("body") or body.get("description")}
    data["comment"] = {**comment, "public": True}
    data.setdefault("via", {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}})
    return data


def human_routes(context: ZendeskContext) -> list[Route]:
    store = context.store

    def writer_of(type_name: str) -> Any:
        if type_name not in WRITERS:
            raise ZendeskError(404, {"error": f"unknown record type {type_name!r}", "types": sorted(WRITERS)})
        return WRITERS[type_name]

    def guarded(handler: Any) -> Any:
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except ZendeskError as error:
                return error.response()

        return wrapped

    async def create(request: Request) -> Response:
        type_name = request.path_params["type"]
        writer = writer_of(type_name)
        body = await _body(request)
        actor_id = context.actor(request)["id"]
        if type_name == "tickets":
            body = _customer_ticket(body)
            resolve_requester(store, body)
            if body.get("requester_id") is not None:
                # The customer submits and writes the first comment themselves.
                actor_id = body["submitter_id"] = body["requester_id"]
        record, _ = writer.create(store, body, actor_id)
        return JSONResponse(rendered(store, type_name, record, base_url(request)), status_code=201)

    async def update(request: Request) -> Response:
        type_name = request.path_params["type"]
        changes = await _body(request)
        record, _ = writer_of(type_name).update(store, request.path_params["record_id"], changes, context.actor(request)["id"])
        return JSONResponse(rendered(store, type_name, record, base_url(request)))

    async def delete(request: Request) -> Response:
        type_name = request.path_params["type"]
        record = writer_of(type_name).delete(store, request.path_params["record_id"], context.actor(request)["id"])
        return JSONResponse(rendered(store, type_name, record, base_url(request)))

    async def dump(request: Request) -> Response:
        type_name = request.path_params["type"]
        if type_name not in KINDS:
            raise ZendeskError(404, {"error": f"unknown record type {type_name!r}", "types": sorted(KINDS)})
        kind, base = KINDS[type_name], base_url(request)
        records = [render(kind, record, base) | _deleted_marker(record) for record in store[type_name].all_in_id_order()]
        return JSONResponse({type_name: records, "count": len(records)})

    async def dump_one(request: Request) -> Response:
        type_name = request.path_params["type"]
        record = store[type_name].get(request.path_params["record_id"]) if type_name in KINDS else None
        if record is None:
            raise ZendeskError(404, {"error": "RecordNotFound"})
        return JSONResponse(render(KINDS[type_name], record, base_url(request)) | _deleted_marker(record))

    async def get_settings(_: Request) -> Response:
        return JSONResponse(context.knobs.model_dump())

    async def put_settings(request: Request) -> Response:
        try:
            knobs = ZendeskKnobs.model_validate(context.knobs.model_dump() | await _body(request))
        except ValidationError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        for name in ZendeskKnobs.model_fields:
            setattr(context.knobs, name, getattr(knobs, name))  # in place: the faults share this object
        return JSONResponse(context.knobs.model_dump())

    return [
        Route("/_sandbox/records/{type}", guarded(create), methods=["POST"]),
        Route("/_sandbox/records/{type}", guarded(dump), methods=["GET"]),
        Route("/_sandbox/records/{type}/{record_id:int}", guarded(update), methods=["PATCH"]),
        Route("/_sandbox/records/{type}/{record_id:int}", guarded(delete), methods=["DELETE"]),
        Route("/_sandbox/records/{type}/{record_id:int}", guarded(dump_one), methods=["GET"]),
        Route("/_sandbox/settings", guarded(get_settings), methods=["GET"]),
        Route("/_sandbox/settings", guarded(put_settings), methods=["PUT"]),
    ]


def _deleted_marker(record: dict[str, Any]) -> dict[str, Any]:
    if "deleted_at" in record:
        return {"deleted_at": record["deleted_at"]}
    return {}
