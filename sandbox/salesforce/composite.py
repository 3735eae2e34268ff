"""sObject Collections (`/composite/sobjects`) and the Composite resource (`/composite`).

Collections write up to 200 records a call with per-record results; with
`allOrNone` one failure rolls every write back and the others report
`ALL_OR_NONE_OPERATION_ROLLED_BACK`. `/composite` runs up to 25 subrequests
against this app's own routes (one API call for the whole batch), resolving
`@{referenceId.field}` references from earlier answers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message

from sandbox.salesforce.errors import (
    RecordError,
    SalesforceError,
    WriteFailed,
    json_body,
    method_not_allowed,
    not_found,
)
from sandbox.salesforce.rest import DATA, record_json, store_of
from sandbox.salesforce.store import SalesforceStore

MAX_COLLECTION = 200
MAX_SUBREQUESTS = 25
_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)
_ROLLED_BACK_COMPOSITE = "The transaction was rolled back since another operation in the same transaction failed."
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)\.([A-Za-z0-9_.\[\]]+)\}")


def _too_many(count: int) -> SalesforceError:
    return SalesforceError.of(
        400,
        "EXCEEDED_ID_LIMIT",
        f"record limit reached. cannot submit more than {MAX_COLLECTION} records into this call ({count})",
    )


def _write_one(store: SalesforceStore, raw: Any, updating: bool) -> dict[str, Any]:
    """Write one collection record; its per-record result."""
    record_id: str | None = None
    try:
        if not isinstance(raw, dict):
            raise WriteFailed([RecordError("JSON_PARSER_ERROR", "Each record must be a JSON object")])
        values = dict(raw)
        sobject = (values.pop("attributes", None) or {}).get("type")
        if not sobject:
            raise WriteFailed(
                [RecordError("INVALID_TYPE", "When using a collection, you must specify a type in attributes")]
            )
        if updating:
            record_id = values.pop("id", None) or values.pop("Id", None)
            if not record_id:
                raise WriteFailed([RecordError("MISSING_ARGUMENT", "Id not specified in an update call")])
            record = store.update(sobject, record_id, values)
        else:
            record = store.create(sobject, values)
        return {"id": record["Id"], "success": True, "errors": []}
    except WriteFailed as failure:
        result: dict[str, Any] = {"success": False, "errors": [e.collection_body() for e in failure.errors]}
        return {"id": record_id, **result} if updating else result


def _collection_results(
    store: SalesforceStore, records: list[Any], all_or_none: bool, updating: bool
) -> list[dict[str, Any]]:
    with store.transaction() as transaction:
        results = [_write_one(store, raw, updating) for raw in records]
    if all_or_none and not all(result["success"] for result in results):
        store.rollback(transaction)
        for result in results:
            if result["success"]:
                result.update(success=False, errors=[_ROLLED_BACK.collection_body()])
                if not updating:
                    result.pop("id")
    return results


async def write_collection(request: Request) -> Response:
    body = await json_body(request)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise SalesforceError.of(400, "JSON_PARSER_ERROR", "The request body must be an object with a records array")
    if len(records) > MAX_COLLECTION:
        raise _too_many(len(records))
    results = _collection_results(store_of(request), records, bool(body.get("allOrNone")), request.method == "PATCH")
    return JSONResponse(results)


def _ids(request: Request) -> list[str]:
    ids = [part.strip() for part in request.query_params.get("ids", "").split(",") if part.strip()]
    if not ids:
        raise SalesforceError.of(400, "MISSING_ARGUMENT", "ids parameter is required")
    if len(ids) > MAX_COLLECTION:
        raise _too_many(len(ids))
    return ids


async def read_collection(request: Request) -> Response:
    store = store_of(request)
    definition = store.object(request.path_params["sobject"])
    if definition is None:
        raise not_found()
    fields = [f.strip() for f in request.query_params.get("fields", "").split(",") if f.strip()]
    if not fields:
        raise SalesforceError.of(400, "MISSING_ARGUMENT", "fields parameter is required")
    unknown = [name for name in fields if definition.field(name) is None]
    if unknown:
        raise SalesforceError.of(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity '{definition.name}'")
    version = request.path_params["version"]
    out: list[dict[str, Any] | None] = []
    for record_id in _ids(request):
        record = store.get(definition.name, record_id)
        live = record is not None and not record.get("IsDeleted")
        out.append(record_json(definition, record, version, fields) if live and record is not None else None)
    return JSONResponse(out)


async def delete_collection(request: Request) -> Response:
    store = store_of(request)
    all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
    ids = _ids(request)
    with store.transaction() as transaction:
        results = [_delete_one(store, record_id) for record_id in ids]
    if all_or_none and not all(result["success"] for result in results):
        store.rollback(transaction)
        for result in results:
            if result["success"]:
                result.update(success=False, errors=[_ROLLED_BACK.collection_body()])
    return JSONResponse(results)


def _delete_one(store: SalesforceStore, record_id: str) -> dict[str, Any]:
    definition = next((d for d in store.schema.objects.values() if record_id.startswith(d.key_prefix)), None)
    try:
        if definition is None:
            raise WriteFailed([RecordError("MALFORMED_ID", f"malformed id {record_id}")])
        store.delete(definition.name, record_id)
    except WriteFailed as failure:
        return {"id": record_id, "success": False, "errors": [e.collection_body() for e in failure.errors]}
    return {"id": record_id, "success": True, "errors": []}


# -- /composite --------------------------------------------------------------------------------


def _resolve(value: Any, answers: dict[str, Any]) -> Any:
    """Replace `@{ref.path}` in strings (recursively) with values from earlier subrequest bodies."""
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            found: Any = answers.get(match.group(1))
            for step in re.findall(r"[^.\[\]]+", match.group(2)):
                if isinstance(found, list) and step.isdigit() and int(step) < len(found):
                    found = found[int(step)]
                elif isinstance(found, dict) and step in found:
                    found = found[step]
                else:
                    raise KeyError(match.group(0))
            return str(found)

        return _REFERENCE.sub(lookup, value)
    if isinstance(value, dict):
        return {key: _resolve(item, answers) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, answers) for item in value]
    return value


async def _dispatch(request: Request, method: str, url: str, body: Any) -> tuple[int, Any]:
    """Run one subrequest through this app's router (below the call counter and the session gate)."""
    path, _, query = url.partition("?")
    path = path.rstrip("/") or "/"
    payload = b"" if body is None else json.dumps(body).encode()
    headers = [(k, v) for k, v in request.scope["headers"] if k in (b"authorization", b"host")]
    headers.append((b"content-type", b"application/json"))
    scope = {**request.scope, "method": method.upper(), "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "headers": headers, "path_params": {}}  # fmt: skip
    delivered = False
    status, chunks = 500, []

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await request.app.router(scope, receive, send)
    except HTTPException as error:  # no route matched: the router raises instead of answering
        failure = method_not_allowed() if error.status_code == 405 else not_found()
        return failure.status, [e.rest_body() for e in failure.errors]
    raw = b"".join(chunks)
    return status, json.loads(raw) if raw else None


async def composite(request: Request) -> Response:
    body = await json_body(request)
    subrequests = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subrequests, list) or not subrequests or not all(isinstance(s, dict) for s in subrequests):
        raise SalesforceError.of(400, "JSON_PARSER_ERROR", "compositeRequest must be a non-empty array of objects")
    if len(subrequests) > MAX_SUBREQUESTS:
        message = f"Limit Exceeded: compositeRequest may not contain more than {MAX_SUBREQUESTS} subrequests"
        raise SalesforceError.of(400, "INVALID_BATCH_REQUEST", message)
    all_or_none = bool(body.get("allOrNone"))
    store = store_of(request)
    with store.transaction() as transaction:
        results = await _run_subrequests(request, subrequests, all_or_none)
    if all_or_none and any(result["httpStatusCode"] >= 400 for result in results):
        store.rollback(transaction)
        # The failing subrequest keeps its own error; every other one reports the rollback.
        results = [
            r if r["httpStatusCode"] >= 400 else _halted(r["referenceId"], _ROLLED_BACK_COMPOSITE) for r in results
        ]
    return JSONResponse({"compositeResponse": results})


async def _run_subrequests(
    request: Request, subrequests: list[dict[str, Any]], all_or_none: bool
) -> list[dict[str, Any]]:
    answers: dict[str, Any] = {}
    results: list[dict[str, Any]] = []
    for sub in subrequests:
        reference = str(sub.get("referenceId", ""))
        if all_or_none and any(result["httpStatusCode"] >= 400 for result in results):
            results.append(_halted(reference, _ROLLED_BACK_COMPOSITE))
            continue
        try:
            url = _resolve(str(sub.get("url", "")), answers)
            payload = _resolve(sub.get("body"), answers)
        except KeyError as missing:
            results.append(_halted(reference, f"Invalid reference specified. No value for {missing.args[0]} found."))
            continue
        status, answer = await _dispatch(request, str(sub.get("method", "GET")), url, payload)
        answers[reference] = answer
        created = status == 201 and isinstance(answer, dict) and "id" in answer
        headers = {"Location": f"{url.rstrip('/')}/{answer['id']}"} if created else {}
        results.append({"body": answer, "httpHeaders": headers, "httpStatusCode": status, "referenceId": reference})
    return results


def _halted(reference: str, message: str) -> dict[str, Any]:
    return {
        "body": [{"errorCode": "PROCESSING_HALTED", "message": message}],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": reference,
    }


def composite_routes() -> list[Route]:
    return [
        Route(f"{DATA}/composite/sobjects", write_collection, methods=["POST", "PATCH"]),
        Route(f"{DATA}/composite/sobjects", delete_collection, methods=["DELETE"]),
        Route(f"{DATA}/composite/sobjects/{{sobject}}", read_collection, methods=["GET"]),
        Route(f"{DATA}/composite", composite, methods=["POST"]),
    ]
