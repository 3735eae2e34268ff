"""The app factory: `create_app(engine, config)` builds the whole API with no module-level state.

Everything a request needs (engine, session maker, key verifier, settings)
is built here and kept on `app.state.context`, so two apps on two databases
can live in one process, as the tests do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import Engine

from api.admin_config import ConfigHolder
from api.auth import KeyVerifier
from api.deps import ApiContext
from api.errors import install_error_handlers
from api.lookup import EmailLookup
from api.openapi_keys import document_key_schemes
from api.ratelimit import install_rate_limit
from api.routes import (
    admin_audit,
    admin_connections,
    admin_identity,
    admin_keys,
    admin_runs,
    admin_writeback,
    companies,
    kpis,
    profiles,
)
from loophub import __version__
from loophub.config import LoophubConfig
from store import session_factory

DESCRIPTION = """\
Golden people and companies merged from Salesforce, HubSpot and Zendesk.

**Auth**: every route needs an API key (`loophub keys create --scope read|admin --name NAME`),
sent as `X-API-Key: lh_…` or `Authorization: Bearer lh_…`. `admin` keys may also use `/v1/admin`.

**Pages**: listings return `{"items": [...], "next_cursor": "..."}`; pass `next_cursor` back as
`cursor` until it is `null`. **Errors**: `{"error": {"code": "...", "message": "..."}}`.
"""


def create_app(engine: Engine, config: LoophubConfig) -> FastAPI:
    settings = config.api
    email_lookup = EmailLookup(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await email_lookup.aclose()  # the lookup's own connections; a server run without lifespan events leaves them to exit

    app = FastAPI(title="loophub API", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    install_rate_limit(app, settings)
    verifier = KeyVerifier(engine, settings.key_cache_seconds, timedelta(seconds=settings.last_used_resolution_seconds))
    app.state.context = ApiContext(engine, session_factory(engine), verifier, settings, config.mapping.default_region, email_lookup)
    app.state.config = ConfigHolder(config)  # admin connection edits replace it; later requests read the new one
    install_error_handlers(app)
    routers = [area.router for area in (profiles, companies, kpis, admin_keys, admin_connections, admin_runs, admin_identity, admin_writeback, admin_audit)]
    for router in routers:
        app.include_router(router)
    document_key_schemes(app, routers)
    return app
