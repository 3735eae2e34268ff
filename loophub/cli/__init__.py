"""The `loophub` command. Each sub-command lives in its own module and holds argument handling and output only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from loophub import __version__
from loophub.cli import connections, db, demo, identity, keys, loop, mapping, sandbox, serve, targets, writeback
from loophub.cli.context import CliState, error_console
from loophub.cli.sync import sync
from loophub.errors import LoopError

app = typer.Typer(
    name="loophub",
    help="Close the loop between sales and service: sync Salesforce, HubSpot and Zendesk, merge, write back.",
    no_args_is_help=True,
    # Locals in a traceback can hold secrets; loophub's own errors are printed as plain messages instead.
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)
app.add_typer(db.app, name="db")
app.add_typer(connections.app, name="connections")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(mapping.app, name="mapping")
app.command("demo")(demo.demo_command)
app.command("loop")(loop.loop_command)
app.command("sync")(sync)
app.command("map")(mapping.map_command)
app.command("resolve")(identity.resolve_command)
app.add_typer(identity.profiles_app, name="profiles")
app.add_typer(identity.review_app, name="review")
app.command("writeback")(writeback.writeback_command)
app.add_typer(targets.app, name="targets")
app.command("link")(identity.link_command)
app.command("unlink")(identity.unlink_command)
app.add_typer(keys.app, name="keys")
app.command("serve")(serve.serve_command)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"loophub {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Path to loophub.yaml (default: $LOOPHUB_CONFIG, then ./loophub.yaml).", show_default=False),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = CliState(config_file=config)


def main() -> None:
    """Entry point: loophub's own errors become a message and an exit code, never a traceback."""
    try:
        app()
    except LoopError as error:
        error_console.print(f"[bold red]error:[/] {escape(error.user_message)}", highlight=False, soft_wrap=True)
        sys.exit(error.exit_code)
