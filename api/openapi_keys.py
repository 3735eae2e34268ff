"""The API-key schemes in the OpenAPI document: both ways to send a key, on every operation that checks one.

FastAPI documents a security scheme when a route depends on it, and then
solves that dependency on every request. The key check (`api.deps.KeyCheck`)
reads both headers itself, so the schemes are added to the finished
document instead: to each operation whose dependencies include a key check,
as alternatives (either header will do).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import KeyCheck

KEY_SCHEMES: dict[str, dict[str, str]] = {
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An API key, `lh_…`."},
    "BearerKey": {"type": "http", "scheme": "bearer", "description": "The same API key as a bearer token: `Authorization: Bearer lh_…`."},
}


def _checks_key(dependant: Dependant) -> bool:
    return any(isinstance(sub.call, KeyCheck) or _checks_key(sub) for sub in dependant.dependencies)


def _keyed_operations(routers: Sequence[APIRouter]) -> Iterator[tuple[str, str]]:
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema and _checks_key(route.dependant):
                for method in route.methods:
                    yield route.path_format, method.lower()


def document_key_schemes(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Make `app.openapi()` list the key schemes and require one of them where a route of `routers` checks a key.

    The routers are the ones included in `app` without a further prefix, so a route's path is its path in the document.
    """
    build = app.openapi  # FastAPI's own: it caches the document and builds it again when routes change

    def openapi() -> dict[str, Any]:
        schema = build()
        components = schema.setdefault("components", {})
        if "securitySchemes" not in components:  # a document not seen yet
            components["securitySchemes"] = KEY_SCHEMES
            for path, method in _keyed_operations(routers):
                schema["paths"][path][method]["security"] = [{name: []} for name in KEY_SCHEMES]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
