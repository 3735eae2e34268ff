"""`loophub serve`: the REST API on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from loophub.cli.context import console, state


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 serves every interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64,
            help="Server processes. Each keeps its own rate-limit counters and key cache, and sees connection edits made through "
            "another only after a restart.",
        ),
    ] = 1,  # fmt: skip
    pool_size: Annotated[
        int, typer.Option(min=1, max=200, help="Database connections each process keeps open (it may open as many again in a burst).")
    ] = 10,
    access_log: Annotated[bool, typer.Option(help="Log every request (method, path and query string, never headers) at some CPU cost per request.")] = False,
) -> None:
    """Serve the /v1 API (OpenAPI at /openapi.json, docs at /docs) until Ctrl-C."""
    import uvicorn

    from api.serving import app_from_environment, serving_app

    cli = state(ctx)
    config = cli.config()
    cli.engine()  # an empty database gets its schema here, once, before any worker starts
    console.print(f"loophub API on http://{host}:{port} (docs at /docs); create a key with `loophub keys create`")
    # uvloop and httptools (both dependencies) are picked by uvicorn's "auto" defaults.
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "access_log": access_log}
    if workers == 1:
        uvicorn.run(serving_app(config, pool_size), **options)
        return
    # Worker processes start fresh and build their own app from the environment (api/serving.py).
    origin = config.origin()
    if origin is not None:
        os.environ["LOOPHUB_CONFIG"] = str(origin[0].resolve())
    os.environ["LOOPHUB_SERVE_POOL_SIZE"] = str(pool_size)
    uvicorn.run(f"{app_from_environment.__module__}:{app_from_environment.__name__}", factory=True, workers=workers, **options)
