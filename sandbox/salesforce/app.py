"""Wiring: the Salesforce stand-in as one Starlette app.

Layers, outermost first: trailing-slash normalisation (Salesforce serves
`/query` and `/query/` alike, so one route template counts both),
`SandboxMiddleware` (call counts, faults, `Sforce-Limit-Info`), the session
gate (bearer token, API usage), then the routes.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.control import SandboxControl, control_routes
from sandbox.middleware import SandboxMiddleware
from sandbox.salesforce.auth import SessionGate, token_route
from sandbox.salesforce.bulk import BulkJobs, bulk_routes, jobs_today
from sandbox.salesforce.composite import composite_routes
from sandbox.salesforce.errors import SalesforceError, http_error_handler, salesforce_error_handler
from sandbox.salesforce.faults import SalesforceFaults
from sandbox.salesforce.rest import limits_route, rest_routes
from sandbox.salesforce.rest_query import QueryCursors, query_routes
from sandbox.salesforce.sandbox_routes import sandbox_routes
from sandbox.salesforce.store import SalesforceStore
from sandbox.world import World


class TrailingSlashNormaliser:
    """Routes `/x/` as `/x`, since Salesforce answers both and clients differ (simple-salesforce adds the slash)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["path"]) > 1 and scope["path"].endswith("/"):
            path = scope["path"].rstrip("/") or "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


def create_app(world: World, control: SandboxControl) -> Starlette:
    """The Salesforce stand-in for `world`; its state is `app.state.store` (a `SalesforceStore`)."""
    store = SalesforceStore(world, control.clock)
    jobs = BulkJobs()
    cursors = QueryCursors()
    routes = [
        token_route(store.sessions, store.user_ids_by_username()),
        *rest_routes(),
        limits_route(jobs_today(jobs, control.clock.peek)),
        *query_routes(cursors),
        *composite_routes(),
        *bulk_routes(jobs),
        *sandbox_routes(jobs),
        *control_routes(control),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={SalesforceError: salesforce_error_handler, HTTPException: http_error_handler},
    )
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.bulk_jobs = jobs
    app.state.query_cursors = cursors
    # add_middleware puts each new layer outside the previous one.
    app.add_middleware(SessionGate, sessions=store.sessions, control=control, record_usage=store.usage.record)
    app.add_middleware(SandboxMiddleware, router=app.router, control=control, vendor=SalesforceFaults(store.usage))
    app.add_middleware(TrailingSlashNormaliser)
    return app
