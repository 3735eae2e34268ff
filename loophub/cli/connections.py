"""`loophub connections`: the vendor accounts loophub talks to."""

from __future__ import annotations

import typer
from rich.table import Table

from loophub.cli.context import console, state
from loophub.config import ConnectionConfig

app = typer.Typer(help="List and manage connections.", no_args_is_help=True)


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
        console.print("No connections configured. Add them under `connections:` in loophub.yaml.")
        return
    table = Table("name", "system", "base URL", "credentials", "options")
    for connection in connections:
        options = ", ".join(f"{key}={value}" for key, value in connection.options.items()) or "-"
        table.add_row(connection.name, connection.system, connection.base_url or "(vendor default)", masked_credentials(connection), options)
    console.print(table)
