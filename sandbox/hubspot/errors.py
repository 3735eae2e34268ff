"""HubSpot's error bodies, raised as one exception type and rendered in one place.

Every HubSpot error answer has the same envelope:
`{"status":"error","message":...,"correlationId":...,"category":...}` plus,
for some, a `context` of string lists. Handlers raise `HubSpotError`; the app
turns it into that body with the right status code.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


def correlation_id() -> str:
    """A fresh id like the ones HubSpot puts on every error (support quotes it back)."""
    return str(uuid.uuid4())


def error_body(message: str, category: str | None = None, context: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    """HubSpot's error envelope."""
    body: dict[str, Any] = {"status": "error", "message": message, "correlationId": correlation_id()}
    if category is not None:
        body["category"] = category
    if context:
        body["context"] = context
    body.update(extra)
    return body


class HubSpotError(Exception):
    """An error HubSpot would answer with; `status` is the HTTP status code."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        context: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.context = context
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.category, self.context, **self.extra)

    def batch_entry(self) -> dict[str, Any]:
        """The shape of one entry in a batch answer's `errors` list."""
        entry: dict[str, Any] = {"status": "error", "category": self.category, "message": self.message}
        entry["context"] = self.context or {}
        return entry


def validation_error(message: str, **extra: Any) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message, **extra)


def not_found(object_id: str) -> HubSpotError:
    # HubSpot's own wording, double space included.
    return HubSpotError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.", {"id": [object_id]})


def conflict(existing_id: str, noun: str = "Contact") -> HubSpotError:
    return HubSpotError(409, "CONFLICT", f"{noun} already exists. Existing ID: {existing_id}", {"id": [existing_id]})


async def hubspot_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Starlette exception handler rendering `HubSpotError`."""
    assert isinstance(exc, HubSpotError)
    return JSONResponse(exc.body(), status_code=exc.status)
