"""Assembles the HubSpot stand-in: routes, token check, call counting and faults."""

from __future__ import annotations

from starlette.applications import Starlette

from sandbox.control import SandboxControl, control_routes
from sandbox.hubspot.auth import AuthSettings, TokenAuthMiddleware
from sandbox.hubspot.errors import HubSpotError, hubspot_error_handler
from sandbox.hubspot.faults import HubSpotFaults
from sandbox.hubspot.routes_associations import association_routes
from sandbox.hubspot.routes_batch import batch_routes
from sandbox.hubspot.routes_metadata import metadata_routes
from sandbox.hubspot.routes_objects import object_routes
from sandbox.hubspot.routes_sandbox import sandbox_routes
from sandbox.hubspot.search import SearchEngine
from sandbox.hubspot.store import HubSpotStore
from sandbox.middleware import SandboxMiddleware
from sandbox.world import World


def create_app(world: World, control: SandboxControl) -> Starlette:
    """The HubSpot stand-in over `world.hubspot`; state at `app.state.store`, faults at `app.state.faults`."""
    routes = [
        *control_routes(control),
        *sandbox_routes(),
        # Batch paths before object paths: `/batch/read` must not be taken for an object id.
        *batch_routes(),
        *object_routes(),
        *association_routes(),
        *metadata_routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={HubSpotError: hubspot_error_handler})
    app.router.redirect_slashes = False  # HubSpot answers both spellings; a redirect would be counted as a call
    faults = HubSpotFaults(control)
    auth = AuthSettings()
    app.state.store = HubSpotStore(world, control.clock.now)
    app.state.search = SearchEngine()
    app.state.faults = faults
    app.state.auth = auth
    app.state.control = control
    # Added last = outermost: calls are counted (401s included) before the token check runs.
    app.add_middleware(TokenAuthMiddleware, settings=auth)
    app.add_middleware(SandboxMiddleware, router=app.router, control=control, vendor=faults)
    return app
