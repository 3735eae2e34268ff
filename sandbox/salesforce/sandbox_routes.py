"""Routes that are not Salesforce's own API: human edits, custom fields, knobs; plus the Tooling API's CustomField.

`/_sandbox/` routes are neither counted nor faulted. A human edit goes through
the same validation as the API and stamps LastModifiedDate and
SystemModstamp; `?system=true` on a PATCH imitates a system update that
bumps only SystemModstamp (why incremental readers must filter on it).
"""

from __future__ import annotations

import itertools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.ids import salesforce_id
from sandbox.salesforce.auth import AuthSettings
from sandbox.salesforce.bulk import BulkJobs
from sandbox.salesforce.describe import describe_field
from sandbox.salesforce.errors import SalesforceError, WriteFailed, json_body
from sandbox.salesforce.rest import DATA, record_json, sobject_of, store_of, write_failure
from sandbox.salesforce.schema import SchemaError

_SANDBOX_VERSION = "v62.0"
_CUSTOM_FIELD_IDS = itertools.count(1)


async def human_create(request: Request) -> Response:
    definition = sobject_of(request)
    try:
        record = store_of(request).create(definition.name, await json_body(request))
    except WriteFailed as failure:
        raise write_failure(failure) from None
    return JSONResponse(record_json(definition, record, _SANDBOX_VERSION), status_code=201)


async def human_update(request: Request) -> Response:
    definition = sobject_of(request)
    system_only = request.query_params.get("system", "").lower() in ("1", "true")
    try:
        record = store_of(request).update(
            definition.name, request.path_params["record_id"], await json_body(request), system_only=system_only
        )
    except WriteFailed as failure:
        raise write_failure(failure) from None
    return JSONResponse(record_json(definition, record, _SANDBOX_VERSION))


async def human_delete(request: Request) -> Response:
    definition = sobject_of(request)
    try:
        store_of(request).delete(definition.name, request.path_params["record_id"])
    except WriteFailed as failure:
        raise write_failure(failure) from None
    return Response(status_code=204)


async def dump_records(request: Request) -> Response:
    definition = sobject_of(request)
    records = store_of(request).records(definition.name)
    return JSONResponse([record_json(definition, record, _SANDBOX_VERSION) for record in records])


def _add_field(request: Request, sobject: str, spec: dict[str, Any]) -> dict[str, Any]:
    try:
        added = store_of(request).schema.add_custom_field(
            sobject,
            str(spec.get("name", "")),
            str(spec.get("type", "")),
            spec.get("label"),
            length=spec.get("length"),
            precision=spec.get("precision"),
            scale=spec.get("scale"),
            picklist=tuple(spec.get("picklist") or ()),
        )
    except SchemaError as error:
        raise SalesforceError.of(400, error.code, error.message) from None
    return describe_field(added)


async def add_field(request: Request) -> Response:
    spec = await json_body(request)
    if not isinstance(spec, dict):
        raise SalesforceError.of(400, "JSON_PARSER_ERROR", "body must be {name, type, label}")
    return JSONResponse(_add_field(request, request.path_params["sobject"], spec), status_code=201)


async def tooling_custom_field(request: Request) -> Response:
    """Tooling API: `POST /tooling/sobjects/CustomField {"FullName": "Account.X__c", "Metadata": {...}}`."""
    body = await json_body(request)
    full_name = str(body.get("FullName", "")) if isinstance(body, dict) else ""
    metadata = body.get("Metadata") if isinstance(body, dict) else None
    sobject, _, name = full_name.partition(".")
    if not name or not isinstance(metadata, dict):
        raise SalesforceError.of(400, "INVALID_INPUT", "FullName must be Object.Field__c and Metadata an object")
    values = ((metadata.get("valueSet") or {}).get("valueSetDefinition") or {}).get("value") or []
    spec = {
        "name": name,
        "type": metadata.get("type", ""),
        "label": metadata.get("label"),
        "length": metadata.get("length"),
        "precision": metadata.get("precision"),
        "scale": metadata.get("scale"),
        "picklist": [str(v.get("fullName") or v.get("label")) for v in values if isinstance(v, dict)],
    }
    _add_field(request, sobject, spec)
    field_id = salesforce_id("00N", next(_CUSTOM_FIELD_IDS))
    return JSONResponse({"id": field_id, "success": True, "errors": [], "warnings": [], "infos": []}, status_code=201)


async def configure_auth(request: Request) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise SalesforceError.of(400, "JSON_PARSER_ERROR", "body must be an object")
    tokens = body.get("refresh_tokens")
    settings = AuthSettings(
        clients=body.get("clients"),
        passwords=body.get("passwords"),
        refresh_tokens=set(tokens) if tokens is not None else None,
    )
    store_of(request).sessions.settings = settings
    return JSONResponse({"clients": settings.clients, "passwords": settings.passwords, "refresh_tokens": tokens})


async def expire_sessions(request: Request) -> Response:
    store_of(request).sessions.expire_all()
    return JSONResponse({"expired": True})


async def configure_limits(request: Request) -> Response:
    usage = store_of(request).usage
    if request.method == "PUT":
        body = await json_body(request)
        if not isinstance(body, dict):
            raise SalesforceError.of(400, "JSON_PARSER_ERROR", "body must be an object")
        if isinstance(body.get("daily_api_requests"), int):
            usage.daily_max = body["daily_api_requests"]
        if isinstance(body.get("used"), int):
            usage.set_used(body["used"])
    return JSONResponse({"daily_api_requests": usage.daily_max, "used": usage.used()})


def sandbox_routes(jobs: BulkJobs) -> list[Route]:
    async def configure_bulk(request: Request) -> Response:
        body = await json_body(request)
        polls = body.get("in_progress_polls") if isinstance(body, dict) else None
        if not isinstance(polls, int) or polls < 0:
            raise SalesforceError.of(400, "JSON_PARSER_ERROR", 'body must be {"in_progress_polls": <n >= 0>}')
        jobs.in_progress_polls = polls
        return JSONResponse({"in_progress_polls": polls})

    records = "/_sandbox/records/{sobject}"
    return [
        Route(records, human_create, methods=["POST"]),
        Route(records, dump_records, methods=["GET"]),
        Route(f"{records}/{{record_id}}", human_update, methods=["PATCH"]),
        Route(f"{records}/{{record_id}}", human_delete, methods=["DELETE"]),
        Route("/_sandbox/fields/{sobject}", add_field, methods=["POST"]),
        Route("/_sandbox/auth", configure_auth, methods=["PUT"]),
        Route("/_sandbox/sessions/expire", expire_sessions, methods=["POST"]),
        Route("/_sandbox/limits", configure_limits, methods=["GET", "PUT"]),
        Route("/_sandbox/bulk", configure_bulk, methods=["PUT"]),
        Route(f"{DATA}/tooling/sobjects/CustomField", tooling_custom_field, methods=["POST"]),
    ]
