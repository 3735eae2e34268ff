"""`loophub db`: the store's schema."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from loophub.cli.context import console, state
from store import upgrade_database

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration (a no-op when the schema is current)."""
    cli = state(ctx)
    engine = cli.engine(ensure_schema=False)
    before, after = upgrade_database(engine)
    where = make_url(cli.database_url()).render_as_string(hide_password=True)
    if before == after:
        console.print(f"{where}: schema already at revision {after}; nothing to do")
    else:
        console.print(f"{where}: upgraded from {before or 'an empty database'} to revision {after}")
