"""Salesforce's error bodies, raised as exceptions and rendered in one place.

The REST API answers errors as a JSON list: `[{"message", "errorCode",
"fields"?}]`; sObject Collections report per-record errors as
`{"statusCode", "message", "fields"}`. Handlers raise `SalesforceError`; the
app's exception handler renders it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


@dataclass(frozen=True)
class RecordError:
    """One error about one record (a failed write)."""

    code: str
    message: str
    fields: tuple[str, ...] = ()

    def rest_body(self) -> dict[str, Any]:
        """The REST form, as single-record calls answer it."""
        body: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields:
            body["fields"] = list(self.fields)
        return body

    def collection_body(self) -> dict[str, Any]:
        """The sObject Collections form."""
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields)}


class WriteFailed(Exception):
    """A write that Salesforce would refuse; carries its per-record errors."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


@dataclass
class SalesforceError(Exception):
    """An error answer: HTTP status plus one or more Salesforce errors."""

    status: int
    errors: list[RecordError] = field(default_factory=list)

    @classmethod
    def of(cls, status: int, code: str, message: str, fields: tuple[str, ...] = ()) -> SalesforceError:
        return cls(status, [RecordError(code, message, fields)])

    def response(self) -> JSONResponse:
        return JSONResponse([error.rest_body() for error in self.errors], status_code=self.status)


def not_found() -> SalesforceError:
    return SalesforceError.of(404, "NOT_FOUND", "The requested resource does not exist")


def entity_deleted() -> SalesforceError:
    return SalesforceError.of(404, "ENTITY_IS_DELETED", "entity is deleted")


def method_not_allowed() -> SalesforceError:
    return SalesforceError.of(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed for this resource")


def malformed_json(detail: str) -> SalesforceError:
    return SalesforceError.of(400, "JSON_PARSER_ERROR", detail)


async def json_body(request: Request) -> Any:
    """The request body as JSON, or Salesforce's JSON_PARSER_ERROR."""
    raw = await request.body()
    if not raw.strip():
        raise malformed_json("The request body is empty; a JSON body is required.")
    try:
        return json.loads(raw)
    except ValueError as error:
        raise malformed_json(f"Unexpected character in the request body: {error}") from None


async def salesforce_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, SalesforceError)
    return exc.response()


async def http_error_handler(_: Request, exc: Exception) -> Response:
    """404 and 405 from routing, in Salesforce's shape."""
    failure = method_not_allowed() if getattr(exc, "status_code", 404) == 405 else not_found()
    return failure.response()
