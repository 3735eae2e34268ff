"""`loophub keys`: API keys for the REST API — create (the secret is shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from loophub.cli.context import console, state
from loophub.errors import ErrorKind, LoopError

app = typer.Typer(help="API keys for `loophub serve`: create, list, revoke.", no_args_is_help=True)


class KeyNotFound(LoopError):
    kind = ErrorKind.CONFIG


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key, e.g. support-portal.", show_default=False)],
    scope: Annotated[str, typer.Option("--scope", help="read, or admin (admin implies read).")] = "read",
) -> None:
    """Create a key and print its secret once: only its hash is kept, so copy it now."""
    from store import session_scope
    from store.apikeys import SCOPES, create_key

    if scope not in SCOPES:
        raise typer.BadParameter(f"use one of {', '.join(SCOPES)}", param_hint="--scope")
    if not name.strip() or len(name.strip()) > 100:
        raise typer.BadParameter("give a name of 1 to 100 characters", param_hint="--name")
    with session_scope(state(ctx).engine()) as session:
        info, secret = create_key(session, name, scope)
    console.print(f"created key {info.id} ({info.name}, scope {info.scope}); its secret, shown only this once:")
    # Plain print, not Rich: the secret must come out whole and unstyled for copying and scripts.
    typer.echo(secret)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every key with its scope, creation, last use and revocation; never a secret."""
    from store import session_scope
    from store.apikeys import list_keys

    with session_scope(state(ctx).engine()) as session:
        keys = list_keys(session)
    table = Table(title="API keys")
    for column in ("id", "name", "prefix", "scope", "created", "last used", "revoked"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for key in keys:
        table.add_row(str(key.id), key.name, f"lh_{key.prefix}_…", key.scope, _when(key.created_at), _when(key.last_used_at), _when(key.revoked_at))
    console.print(table)


@app.command("revoke")
def revoke(ctx: typer.Context, key_id: Annotated[int, typer.Argument(help="The key's id, from `loophub keys list`.")]) -> None:
    """Revoke a key; a running server refuses it within its key cache time (api.key_cache_seconds)."""
    from store import session_scope
    from store.apikeys import revoke_key

    with session_scope(state(ctx).engine()) as session:
        info = revoke_key(session, key_id)
    if info is None:
        raise KeyNotFound(f"no API key {key_id}; `loophub keys list` shows the ids")
    console.print(f"key {info.id} ({info.name}) revoked")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"
