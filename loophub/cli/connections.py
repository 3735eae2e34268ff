"""`loophub connections`: the vendor accounts loophub talks to."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from loophub.cli.context import console, state
from loophub.config import ConnectionConfig, config_path
from loophub.errors import ErrorKind, LoopError

app = typer.Typer(help="List, add and check connections.", no_args_is_help=True)


def masked_credentials(connection: ConnectionConfig) -> str:
    """Each credential as its key, the variable it comes from and a masked value: never the secret itself."""
    sources = connection.credential_sources
    shown = []
    for key, secret in sorted(connection.credentials.items()):
        value = secret.get_secret_value()
        masked = "****" + value[-2:] if len(value) >= 12 else "****"
        shown.append(f"{key}={masked} (from ${sources[key]})" if key in sources else f"{key}={masked}")
    return "\n".join(shown) or "-"


@app.command("list")
def list_connections(ctx: typer.Context) -> None:
    """Show the connections in loophub.yaml, secrets masked."""
    connections = state(ctx).config().connections
    if not connections:
        console.print("No connections configured. Add one with `loophub connections add` or under `connections:` in loophub.yaml.")
        return
    table = Table("name", "system", "base URL", "credentials", "options")
    for connection in connections:
        options = ", ".join(f"{key}={value}" for key, value in connection.options.items()) or "-"
        table.add_row(connection.name, connection.system, connection.base_url or "(vendor default)", masked_credentials(connection), options)
    console.print(table)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name like 'salesforce-prod'.")],
    system: Annotated[str, typer.Option(help="salesforce, hubspot or zendesk.")],
    credential: Annotated[
        list[str] | None,
        typer.Option(help="KEY=ENV_VAR: the credential KEY is read from environment variable ENV_VAR (repeat).", show_default=False),
    ] = None,
    option: Annotated[list[str] | None, typer.Option(help="KEY=VALUE connector option (repeat).", show_default=False)] = None,
    base_url: Annotated[str | None, typer.Option(help="Override the vendor's address (e.g. the sandbox).")] = None,
) -> None:
    """Add a connection to loophub.yaml. Secrets stay in the environment: the file names their variables."""
    from loophub.config.editing import add_connection

    entry: dict[str, Any] = {"name": name, "system": system}
    if base_url:
        entry["base_url"] = base_url
    entry["credentials"] = {key: f"${{{variable}}}" for key, variable in _pairs(credential, "--credential")}
    if option:
        entry["options"] = dict(_pairs(option, "--option"))
    path, _ = config_path(state(ctx).config_file)
    add_connection(Path(path), entry)
    console.print(f"Added connection {name!r} to {path}. Check it with `loophub connections check {name}`.")


@app.command("check")
def check(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Connection names (default: all).", show_default=False)] = None,
) -> None:
    """Ask each connection's source whether it can connect, and say what is wrong in words."""
    from flows.sources import build_source

    connections = state(ctx).config().connections
    selected = [connection for connection in connections if not names or connection.name in names]
    missing = set(names or []) - {connection.name for connection in connections}
    if missing:
        raise LoopError(f"unknown connection {', '.join(sorted(missing))}", kind=ErrorKind.CONFIG)
    failures = 0
    for connection in selected:
        source, config = build_source(connection)
        status = source.check(logging.getLogger("loophub.check"), config)
        if status.status.value == "SUCCEEDED":
            console.print(f"[green]✓[/] {connection.name}: connected")
        else:
            failures += 1
            console.print(f"[red]✗[/] {connection.name}: {status.message}", soft_wrap=True)
    if failures:
        raise typer.Exit(1)


def _pairs(items: list[str] | None, flag: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items or []:
        key, separator, value = item.partition("=")
        if not separator or not key or not value:
            raise LoopError(f"{flag} takes KEY=VALUE, got {item!r}", kind=ErrorKind.CONFIG)
        pairs.append((key.strip(), value.strip()))
    return pairs
