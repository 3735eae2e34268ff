"""`/v1/admin/connections`: the vendor accounts in loophub.yaml — list, add, change, check. Secrets are write-only.

A credential is given as the environment variable holding it and shown as
its key, that variable and whether it is set; no answer carries a value.
Changes go into the file the server was started with (comments kept) and
replace the running configuration, so later requests see them.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from api.admin_audit import admin_write, audit
from api.admin_config import ConfigDep
from api.admin_connections_file import (
    create_connection,
    env_references,
    update_connection,
)
from api.deps import AdminKey, ContextDep
from api.errors import NotFound
from api.schemas.admin_common import admin_responses
from api.schemas.admin_connections import (
    ConnectionCheckOut,
    ConnectionCreate,
    ConnectionList,
    ConnectionOut,
    ConnectionUpdate,
    CredentialOut,
)
from flows.sources import build_source
from loophub.config import ConnectionConfig, LoophubConfig
from loophub.errors import LoopError

router = APIRouter(prefix="/v1/admin/connections", tags=["admin"])
ConnectionName = Annotated[
    str,
    Path(
        max_length=100,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="the connection's name in loophub.yaml",
        examples=["zendesk"],
    ),
]
log = logging.getLogger("loophub.api.connections")


def connection_out(connection: ConnectionConfig) -> ConnectionOut:
    sources = connection.credential_sources
    credentials = [
        CredentialOut(
            key=key, env=sources.get(key), set=bool(secret.get_secret_value())
        )
        for key, secret in sorted(connection.credentials.items())
    ]
    return ConnectionOut(
        name=connection.name,
        system=connection.system,
        base_url=connection.base_url,
        options=dict(connection.options),
        credentials=credentials,
    )


def _named(config: LoophubConfig, name: str) -> ConnectionConfig:
    connection = config.connection(name)
    if connection is None:
        raise NotFound(f"no connection {name!r}; GET /v1/admin/connections lists them")
    return connection


def _audited(
    context: ContextDep,
    request: Request,
    key: AdminKey,
    action: str,
    name: str,
    detail: dict[str, Any],
) -> None:
    with admin_write(context) as session:
        audit(session, request, key, action, f"connection:{name}", detail)


@router.get("", response_model=ConnectionList, responses=admin_responses())
def list_connections(holder: ConfigDep, key: AdminKey) -> ConnectionList:
    """The connections the server runs with; credentials as key, variable and whether it is set."""
    return ConnectionList(
        items=[connection_out(connection) for connection in holder.config.connections]
    )


@router.post(
    "",
    response_model=ConnectionOut,
    status_code=201,
    responses=admin_responses(409, 422),
)
def post_connection(
    holder: ConfigDep,
    context: ContextDep,
    request: Request,
    key: AdminKey,
    body: ConnectionCreate,
) -> ConnectionOut:
    """Add a connection to loophub.yaml; every credential names an environment variable the server has set."""
    entry: dict[str, Any] = {"name": body.name, "system": body.system}
    if body.base_url is not None:
        entry["base_url"] = body.base_url
    entry["credentials"] = env_references(body.credentials)
    if body.options:
        entry["options"] = dict(body.options)
    config = holder.edit(create_connection(entry))
    _audited(
        context,
        request,
        key,
        "connection.create",
        body.name,
        {
            "system": body.system,
            "credentials": sorted(body.credentials),
            "options": sorted(body.options),
        },
    )
    return connection_out(_named(config, body.name))


@router.patch(
    "/{name}", response_model=ConnectionOut, responses=admin_responses(404, 409, 422)
)
def patch_connection(
    holder: ConfigDep,
    context: ContextDep,
    request: Request,
    key: AdminKey,
    name: ConnectionName,
    body: ConnectionUpdate,
) -> ConnectionOut:
    """Change a connection's base URL, options or credential variables; the answer never holds a credential value."""
    _named(holder.config, name)
    unset_base_url = "base_url" in body.model_fields_set and body.base_url is None
    change = update_connection(
        name,
        body.base_url,
        unset_base_url,
        body.options,
        env_references(body.credentials),
    )
    config = holder.edit(change)
    detail = {
        "base_url": "base_url" in body.model_fields_set,
        "options": sorted(body.options),
        "credentials": sorted(body.credentials),
    }
    _audited(context, request, key, "connection.update", name, detail)
    return connection_out(_named(config, name))


@router.post(
    "/{name}/check", response_model=ConnectionCheckOut, responses=admin_responses(404)
)
def check_connection(
    holder: ConfigDep,
    context: ContextDep,
    request: Request,
    key: AdminKey,
    name: ConnectionName,
) -> ConnectionCheckOut:
    """Ask the connection's source whether it can connect (`loophub connections check`); a refusal is an answer, not an error."""
    connection = _named(holder.config, name)
    ok, message = _check(connection)
    _audited(context, request, key, "connection.check", name, {"ok": ok})
    return ConnectionCheckOut(name=name, ok=ok, message=message)


def _check(connection: ConnectionConfig) -> tuple[bool, str | None]:
    try:
        source, source_config = build_source(connection)
        status = source.check(log, source_config)
    except LoopError as error:
        return False, error.user_message
    except Exception:
        log.exception("check of connection %s failed", connection.name)
        return (
            False,
            "the connector failed while checking; the server log has the details",
        )
    return status.status.value == "SUCCEEDED", status.message
