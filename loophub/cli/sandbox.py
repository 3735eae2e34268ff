"""`loophub sandbox`: the local stand-ins for Salesforce, HubSpot and Zendesk."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from loophub.cli.context import console

app = typer.Typer(help="Run the local vendor stand-ins (for demos, tests and benchmarks).", no_args_is_help=True)


@app.command("serve")
def serve(
    people: Annotated[int, typer.Option(min=0, help="Synthetic people to seed.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic customer base.")] = 42,
    empty: Annotated[bool, typer.Option("--empty", help="Start with no records at all.")] = False,
    host: Annotated[str, typer.Option(help="Loopback address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65533, help="Salesforce on PORT, HubSpot on PORT+1, Zendesk on PORT+2 (0: free ports).")
    ] = 0,
    write_config: Annotated[
        Path | None, typer.Option("--write-config", help="Write a loophub.yaml whose connections point at the sandbox.")
    ] = None,
    truth: Annotated[Path | None, typer.Option(help="Write the ground truth (CSV) to this file.")] = None,
) -> None:
    """Generate the synthetic customer base and serve the three stand-ins until Ctrl-C."""
    # Imported here: product code never imports the sandbox, only this command does.
    from sandbox.config import sandbox_config_yaml
    from sandbox.population import generate_world
    from sandbox.server import SandboxServer
    from sandbox.world import World

    started = time.perf_counter()
    world = World.empty(seed) if empty else generate_world(people, seed)
    certificate_dir = (write_config.parent.resolve() / ".sandbox") if write_config else None
    server = SandboxServer(world, host=host, port=port, certificate_dir=certificate_dir)
    server.start()
    ready_seconds = time.perf_counter() - started
    for system in ("salesforce", "hubspot", "zendesk"):
        records = sum(world.record_counts()[system].values())
        console.print(f"{system:<11} {server.url(system):<28} {records:>8,} records")
    console.print(f"Salesforce CA certificate: {server.ca_path}")
    if write_config:
        write_config.write_text(sandbox_config_yaml(server), encoding="utf-8")
        console.print(f"Wrote {write_config}")
    if truth:
        world.write_truth(truth)
        console.print(f"Wrote the ground truth to {truth}")
    console.print(f"Ready in {ready_seconds:.1f} s. Ctrl-C stops the sandbox.")
    server.serve_forever()
