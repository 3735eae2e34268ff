"""Shapes every area shares: a source ref, a surviving value with its lineage, an error."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SOURCE_EXAMPLE = {"system": "salesforce", "object": "Contact", "id": "0035g00000AbCdEAAV"}


class SourceRef(BaseModel):
    """A record in a vendor system, as `system:object:id` names it."""

    model_config = ConfigDict(json_schema_extra={"examples": [SOURCE_EXAMPLE]})

    system: str
    object: str
    id: str


class FieldValue(BaseModel):
    """A golden field's surviving value, the record it came from and the survivorship rule that chose it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"value": "VP Sales", "source": SOURCE_EXAMPLE, "rule": "most_recent", "updated_at": "2026-11-02T09:30:00+00:00", "candidates": 2}]}
    )

    value: Any = None
    source: SourceRef | None = None
    rule: str | None = None
    updated_at: str | None = None
    candidates: int = 0


class KeptValue(BaseModel):
    """One of several values a golden record keeps (every email, phone, domain), with every record holding it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "ada@acme.example", "sources": [SOURCE_EXAMPLE]}]})

    value: str
    sources: list[SourceRef] = Field(default_factory=list)


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable: bad_request, unauthorized, forbidden, not_found, gone, rate_limited, invalid_request, internal")
    message: str = Field(description="what is wrong and what to do, for a person")


class ErrorOut(BaseModel):
    """Every error answer."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {"code": "not_found", "message": "no profile per_00000000000000000000"}}]})

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give."""
    described = {
        400: "bad input: a malformed cursor, filter or id",
        401: "no API key, or an unknown or revoked one",
        403: "the key lacks the scope this route needs",
        404: "no such record",
        410: "the record existed but is retired (all its source records were deleted)",
        429: "rate limit exceeded; see Retry-After",
    }
    return {status: {"model": ErrorOut, "description": described[status]} for status in statuses}
