"""`loophub serve`: the REST API on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from loophub.cli.context import console, state


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 serves every interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the /v1 API (OpenAPI at /openapi.json, docs at /docs) until Ctrl-C."""
    import uvicorn

    from api.app import create_app

    cli = state(ctx)
    app = create_app(cli.engine(), cli.config())
    console.print(f"loophub API on http://{host}:{port} (docs at /docs); create a key with `loophub keys create`")
    # uvicorn's access log shows paths and query strings, never headers, so keys stay out of it.
    uvicorn.run(app, host=host, port=port, log_level="info")
