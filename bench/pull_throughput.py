"""Full-pull throughput of loophub's connectors against the official Airbyte sources, on the same sandbox.

Both run as standalone Airbyte sources (`read` printing messages on stdout)
in their own processes against one in-process sandbox, over the same
streams; figures include each process's start-up. The official sources run
from the peer check's venvs (`.venv-peers/`, created on first use).

    .venv/bin/python bench/pull_throughput.py [--people 10000] [--systems salesforce,hubspot,zendesk]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from flows.sources import source_config
from loophub.config import parse_config
from sandbox.config import sandbox_config_yaml
from sandbox.peercheck.airbyte import CommandResult, configured_catalog, run_command, write_json
from sandbox.peercheck.runner import STREAMS, connector_config, connector_env
from sandbox.peercheck.venvs import PEERS, ensure_venv, script_path
from sandbox.population import generate_world
from sandbox.server import SandboxServer

REPO = Path(__file__).resolve().parent.parent


def loophub_script(system: str, folder: Path) -> Path:
    """A console script for `python -m connectors.<system>`, so both sides are run the same way."""
    script = folder / f"loophub-source-{system}"
    script.write_text(f"#!/bin/sh\ncd {REPO}\nexec {sys.executable} -m connectors.{system} \"$@\"\n")
    script.chmod(0o755)
    return script


def pull(script: Path, config: dict, wanted: list[str], env: dict[str, str], folder: Path) -> CommandResult:
    folder.mkdir(parents=True, exist_ok=True)
    config_path = write_json(folder / "config.json", config)
    discover = run_command(script, "discover", ["--config", str(config_path)], env, folder, "discover")
    if discover.catalog is None:
        raise SystemExit(f"{script.name} discover failed: {discover.failure()}")
    catalog, keys, missing = configured_catalog(discover.catalog, wanted)
    if missing:
        print(f"  note: {script.name} has no stream {', '.join(missing)}")
    catalog_path = write_json(folder / "catalog.json", catalog)
    read = run_command(script, "read", ["--config", str(config_path), "--catalog", str(catalog_path)], env, folder, "read", keys)
    if not read.ok:
        raise SystemExit(f"{script.name} read failed: {read.failure()}")
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--systems", default="salesforce,hubspot,zendesk")
    parser.add_argument("--venv-dir", type=Path, default=REPO / ".venv-peers")
    args = parser.parse_args()
    systems = args.systems.split(",")
    world = generate_world(args.people, args.seed)
    print(f"{args.people:,} people; records seeded: " + json.dumps({s: sum(c.values()) for s, c in world.record_counts().items()}))
    print(f"{'system':<11} {'source':<34} {'records':>9} {'seconds':>8} {'records/s':>10} {'API calls':>13}")
    with tempfile.TemporaryDirectory(prefix="loophub-bench-") as workdir, SandboxServer(world) as server:
        connections = parse_config(sandbox_config_yaml(server), Path("bench.yaml"), environ={}).connections
        for system in systems:
            folder = Path(workdir) / system
            folder.mkdir(parents=True)
            env = connector_env(server, folder)
            wanted = list(STREAMS[system])
            peer = PEERS[system]
            ensure_venv(peer, args.venv_dir, log=lambda _message: None)
            connection = next(c for c in connections if c.system == system)
            sides = (
                ("loophub", loophub_script(system, folder), source_config(connection)),
                (f"{peer.package} {peer.version}", script_path(peer, args.venv_dir).resolve(), connector_config(system, world)),
            )
            rates = []
            for label, script, config in sides:
                server.control(system).calls.reset()
                result = pull(script, config, wanted, env, folder / f"{script.name}-run")
                records = sum(result.records.values())
                rates.append(records / result.seconds)
                calls = server.control(system).calls.snapshot()["total"]
                print(f"{system:<11} {label:<34} {records:>9,} {result.seconds:>8.1f} {rates[-1]:>10,.0f} {calls:>7,} calls")
            print(f"{system:<11} {'ratio loophub / official':<34} {'':>9} {'':>8} {rates[0] / rates[1]:>9.1f}x")

if __name__ == "__main__":
    main()
