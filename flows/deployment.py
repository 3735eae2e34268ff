"""Prefect deployments of the flows, from loophub.yaml: `python -m flows.deployment [--config loophub.yaml]`.

One `sync` deployment per connection (`sync/<connection>`), so workers can
run different connections' syncs at the same time, plus `loop/loophub`,
`map/loophub` and `resolve/loophub`. Workers on a process pool run the code
from this checkout (the deployments point at it), so they must run on this
machine with this virtualenv: see flows/README.md, "Running on a Prefect server".
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loophub.config import config_path as default_config_path
from loophub.config import load_config

REPO = Path(__file__).resolve().parent.parent
ENTRYPOINTS = {
    "sync": "flows/pipeline.py:sync_flow",
    "loop": "flows/pipeline.py:loop_flow",
    "map": "flows/pipeline.py:map_flow",
    "resolve": "flows/pipeline.py:resolve_flow",
}
DEFAULT_POOL = "loophub"
DEFAULT_NAME = "loophub"


@dataclass(frozen=True)
class Planned:
    """One deployment to create: flow, deployment name, parameters, an optional interval in seconds."""

    flow: str
    name: str
    parameters: dict[str, Any]
    interval: float | None = None

    @property
    def full_name(self) -> str:
        return f"{self.flow}/{self.name}"


def plan(config_file: Path | None, database_url: str | None, loop_every: float | None = None) -> list[Planned]:
    """The deployments for the connections in `config_file`; parameters are plain values, resolved here.

    The config path is made absolute (flow runs start in the checkout, not here). The database URL is
    passed only when given, or when it would otherwise be the default SQLite file of this directory: a
    URL from loophub.yaml or LOOPHUB_DATABASE_URL is left for the flow run to resolve, so a password in
    it never becomes a deployment parameter shown by the Prefect UI.
    """
    path, _ = default_config_path(config_file)
    config = load_config(path)
    config_arg = str(path.resolve()) if path.exists() else None
    if database_url is None and config.database is None and not os.environ.get("LOOPHUB_DATABASE_URL"):
        database_url = f"sqlite:///{Path.cwd().resolve() / 'loophub.db'}"
    common = {"config_path": config_arg, "database_url": database_url}
    planned = [Planned("sync", connection.name, {"connection_name": connection.name, **common}) for connection in config.connections]
    planned += [Planned("loop", DEFAULT_NAME, common, loop_every), Planned("map", DEFAULT_NAME, common), Planned("resolve", DEFAULT_NAME, common)]
    return planned


def deploy(planned: list[Planned], pool: str) -> list[str]:
    """Create (or update) the deployments on `pool`, all in one call; returns their full names."""
    from prefect import deploy as prefect_deploy
    from prefect import flow as prefect_flow

    deployments = [
        # Source is this checkout: a process worker's flow run imports the flow from here.
        prefect_flow.from_source(source=str(REPO), entrypoint=ENTRYPOINTS[item.flow]).to_deployment(
            name=item.name,
            parameters=item.parameters,
            interval=item.interval,
            description=f"loophub {item.flow} ({'connection ' + item.name if item.flow == 'sync' else 'all connections'})",
            tags=["loophub", item.flow],
            # One run of each deployment at a time: two syncs of one connection would share its API
            # allocation and saved state. (A `loop` run syncs in-process and is not held by this limit.)
            concurrency_limit=1,
        )
        for item in planned
    ]
    # No image to build or push: a process pool runs the code in place. The warning that suggests
    # `.serve` for local development does not apply; the pool is the point.
    prefect_deploy(*deployments, work_pool_name=pool, build=False, push=False, print_next_steps_message=False, ignore_warnings=True)
    return [item.full_name for item in planned]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.deployment", description=__doc__.splitlines()[0])
    parser.add_argument("--config", "-c", type=Path, help="loophub.yaml (default: $LOOPHUB_CONFIG, then ./loophub.yaml)")
    parser.add_argument("--pool", default=DEFAULT_POOL, help=f"process work pool (default: {DEFAULT_POOL})")
    parser.add_argument("--database-url", help="store URL for the flow runs (default: what loophub.yaml or the workers' env say)")
    parser.add_argument("--loop-every", type=float, metavar="SECONDS", help="schedule loop/loophub at this interval")
    args = parser.parse_args(argv)
    planned = plan(args.config, args.database_url, args.loop_every)
    deploy(planned, args.pool)  # Prefect prints the table of what it created or updated
    print(f"run one with: prefect deployment run {planned[0].full_name}   (workers: prefect worker start --pool {args.pool})")


if __name__ == "__main__":
    main()
