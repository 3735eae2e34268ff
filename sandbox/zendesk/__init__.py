"""The Zendesk Support (API v2) stand-in.

`create_app(world, control)` serves the account seeded from `world.zendesk` at
the root of its own host:port, over plain HTTP (zenpy is pointed at it with
`ZENPY_FORCE_SCHEME=http` and `ZENPY_FORCE_NETLOC=127.0.0.1:PORT`). State is
`app.state.store` (`ZendeskStore`); Zendesk's own knobs are `app.state.context.knobs`
and `GET/PUT /_sandbox/settings`.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.control import SandboxControl, control_routes
from sandbox.middleware import SandboxMiddleware
from sandbox.world import World
from sandbox.zendesk.api_bulk import bulk_routes, job_routes
from sandbox.zendesk.api_reads import account_routes, field_routes, search_routes, tag_routes, ticket_reads
from sandbox.zendesk.api_records import me_routes, record_routes, related_routes
from sandbox.zendesk.context import ZendeskContext
from sandbox.zendesk.faults import ZendeskFaults, ZendeskKnobs
from sandbox.zendesk.human import human_routes
from sandbox.zendesk.incremental import incremental_routes
from sandbox.zendesk.jobs import JobBoard
from sandbox.zendesk.store import ZendeskStore

__all__ = ["create_app", "ZendeskKnobs", "ZendeskStore"]


def _routes(context: ZendeskContext) -> list[Route]:
    # Fixed paths (me, search, show_many, create_many, ...) come before `{id}` paths of the same type.
    routes: list[Route] = [*account_routes(context), *me_routes(context), *job_routes(context)]
    for kind_name in ("users", "organizations", "tickets"):
        routes += bulk_routes(context, kind_name)
    routes += [*incremental_routes(context), *search_routes(context), *field_routes(context)]
    routes += [*ticket_reads(context), *tag_routes(context), *related_routes(context)]
    for kind_name in ("users", "organizations", "tickets"):
        routes += record_routes(context, kind_name)
    return routes


async def _not_found(request: Request, _: Exception) -> Response:
    if request.url.path.startswith("/_sandbox/"):
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse({"error": "InvalidEndpoint", "description": "Not found"}, status_code=404)


async def _method_not_allowed(_: Request, __: Exception) -> Response:
    return JSONResponse({"error": "InvalidEndpoint", "description": "Method not allowed"}, status_code=405)


def create_app(world: World, control: SandboxControl) -> Starlette:
    """The Zendesk stand-in for `world`, counted and faulted through `control`."""
    store = ZendeskStore(world, control.clock)
    knobs = ZendeskKnobs()
    faults = ZendeskFaults(control.clock, knobs)
    context = ZendeskContext(store=store, jobs=JobBoard(control.clock), control=control, knobs=knobs, faults=faults)
    app = Starlette(
        routes=[*_routes(context), *human_routes(context), *control_routes(control)],
        exception_handlers={404: _not_found, 405: _method_not_allowed},  # type: ignore[dict-item]
    )
    app.add_middleware(SandboxMiddleware, router=app.router, control=control, vendor=faults)
    app.state.store = store
    app.state.context = context
    app.state.faults = faults
    return app
