"""REST API routes: discovery, describe, single-record CRUD, limits.

Every handler works on `request.app.state.store`; errors are raised as
`SalesforceError` and rendered by the app's handler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime as http_date
from email.utils import parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.salesforce import describe as documents
from sandbox.salesforce.errors import SalesforceError, WriteFailed, entity_deleted, json_body, not_found
from sandbox.salesforce.faults import limits_body
from sandbox.salesforce.query import all_columns, json_renderer
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.store import SalesforceStore
from sandbox.salesforce.values import Record, format_datetime, parse_datetime

DATA = "/services/data/{version}"


def store_of(request: Request) -> SalesforceStore:
    store: SalesforceStore = request.app.state.store
    return store


def sobject_of(request: Request) -> ObjectDef:
    definition = store_of(request).object(request.path_params["sobject"])
    if definition is None:
        raise not_found()
    return definition


def write_failure(failure: WriteFailed) -> SalesforceError:
    """The HTTP answer to a refused single-record write."""
    codes = {error.code for error in failure.errors}
    status = 404 if codes & {"NOT_FOUND", "ENTITY_IS_DELETED"} else 400
    return SalesforceError(status, failure.errors)


def record_json(definition: ObjectDef, record: Record, version: str, fields: list[str] | None = None) -> dict[str, Any]:
    """A full record as `GET /sobjects/{Obj}/{id}` returns it."""
    return json_renderer(definition, all_columns(definition, fields), version)(record)


async def list_versions(_: Request) -> Response:
    return JSONResponse(documents.versions())


async def list_resources(request: Request) -> Response:
    return JSONResponse(documents.resources(request.path_params["version"]))


async def list_sobjects(request: Request) -> Response:
    return JSONResponse(documents.sobjects(store_of(request).schema, request.path_params["version"]))


async def sobject_basic_info(request: Request) -> Response:
    summary = documents.sobject_summary(sobject_of(request), request.path_params["version"])
    return JSONResponse({"objectDescribe": summary, "recentItems": []})


async def describe_sobject(request: Request) -> Response:
    return JSONResponse(documents.describe(sobject_of(request), request.path_params["version"]))


async def create_record(request: Request) -> Response:
    definition = sobject_of(request)
    body = await json_body(request)
    try:
        record = store_of(request).create(definition.name, body)
    except WriteFailed as failure:
        raise write_failure(failure) from None
    return JSONResponse({"id": record["Id"], "success": True, "errors": []}, status_code=201)


def _stored(request: Request, definition: ObjectDef) -> Record:
    record = store_of(request).get(definition.name, request.path_params["record_id"])
    if record is None:
        raise not_found()
    if record.get("IsDeleted"):
        raise entity_deleted()
    return record


def _header_date(request: Request, name: str) -> datetime | None:
    raw = request.headers.get(name)
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).astimezone(UTC)
    except (TypeError, ValueError):
        raise SalesforceError.of(400, "INVALID_HEADER_TYPE", f"Invalid {name} header: {raw}") from None


def _modified_after(record: Record, moment: datetime) -> bool:
    # HTTP dates have whole seconds; compare at that precision so a client echoing a record's own stamp passes.
    modified: datetime = record["LastModifiedDate"]
    return modified.replace(microsecond=0) > moment


async def get_record(request: Request) -> Response:
    definition = sobject_of(request)
    record = _stored(request, definition)
    since = _header_date(request, "If-Modified-Since")
    if since is not None and not _modified_after(record, since):
        return Response(status_code=304)
    fields = request.query_params.get("fields")
    names = [name.strip() for name in fields.split(",") if name.strip()] if fields else None
    for name in names or []:
        if definition.field(name) is None:
            raise SalesforceError.of(
                400,
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{definition.name}'. If you are attempting to "
                "use a custom field, be sure to append the '__c' after the custom field name. Please reference your "
                "WSDL or the describe call for the appropriate names.",
            )
    body = record_json(definition, record, request.path_params["version"], names)
    return JSONResponse(body, headers={"Last-Modified": http_date(record["LastModifiedDate"], usegmt=True)})


def _check_unmodified(request: Request, record: Record) -> None:
    since = _header_date(request, "If-Unmodified-Since")
    if since is not None and _modified_after(record, since):
        raise SalesforceError.of(
            412,
            "PRECONDITION_FAILED",
            f"The requested resource has been modified since {request.headers['If-Unmodified-Since']} "
            f"(LastModifiedDate {format_datetime(record['LastModifiedDate'])}).",
        )


async def update_record(request: Request) -> Response:
    definition = sobject_of(request)
    record = _stored(request, definition)
    _check_unmodified(request, record)
    body = await json_body(request)
    try:
        store_of(request).update(definition.name, record["Id"], body)
    except WriteFailed as failure:
        raise write_failure(failure) from None
    return Response(status_code=204)


async def delete_record(request: Request) -> Response:
    definition = sobject_of(request)
    record = _stored(request, definition)
    _check_unmodified(request, record)
    try:
        store_of(request).delete(definition.name, record["Id"])
    except WriteFailed as failure:
        raise write_failure(failure) from None
    return Response(status_code=204)


def _window(request: Request) -> tuple[datetime, datetime]:
    bounds = []
    for name in ("start", "end"):
        raw = request.query_params.get(name)
        parsed = parse_datetime(raw) if raw else None
        if parsed is None:
            raise SalesforceError.of(400, "MISSING_ARGUMENT", f"{name} parameter is missing or not a valid dateTime")
        bounds.append(parsed.replace(second=0, microsecond=0))  # Salesforce rounds the window to whole minutes
    return bounds[0], bounds[1]


def _changed(request: Request, deleted: bool) -> list[Record]:
    definition = sobject_of(request)
    start, end = _window(request)
    return [
        record
        for record in store_of(request).records(definition.name)
        if bool(record.get("IsDeleted")) == deleted and start <= record["SystemModstamp"] < end + timedelta(minutes=1)
    ]


async def updated_ids(request: Request) -> Response:
    records = _changed(request, deleted=False)
    _, end = _window(request)
    return JSONResponse({"ids": [r["Id"] for r in records], "latestDateCovered": format_datetime(end)})


async def deleted_ids(request: Request) -> Response:
    records = _changed(request, deleted=True)
    start, end = _window(request)
    deleted = [{"id": r["Id"], "deletedDate": format_datetime(r["SystemModstamp"])} for r in records]
    return JSONResponse(
        {
            "deletedRecords": deleted,
            "earliestDateAvailable": format_datetime(start),
            "latestDateCovered": format_datetime(end),
        }
    )


def limits_route(bulk_jobs_today: Callable[[], int]) -> Route:
    async def limits(request: Request) -> Response:
        return JSONResponse(limits_body(store_of(request).usage, bulk_jobs_today()))

    return Route(f"{DATA}/limits", limits, methods=["GET"])


def rest_routes() -> list[Route]:
    sobject = f"{DATA}/sobjects/{{sobject}}"
    return [
        Route("/services/data", list_versions, methods=["GET"]),
        Route(DATA, list_resources, methods=["GET"]),
        Route(f"{DATA}/sobjects", list_sobjects, methods=["GET"]),
        Route(sobject, sobject_basic_info, methods=["GET"]),
        Route(sobject, create_record, methods=["POST"]),
        Route(f"{sobject}/describe", describe_sobject, methods=["GET"]),
        Route(f"{sobject}/updated", updated_ids, methods=["GET"]),
        Route(f"{sobject}/deleted", deleted_ids, methods=["GET"]),
        Route(f"{sobject}/{{record_id}}", get_record, methods=["GET"]),
        Route(f"{sobject}/{{record_id}}", update_record, methods=["PATCH"]),
        Route(f"{sobject}/{{record_id}}", delete_record, methods=["DELETE"]),
    ]
