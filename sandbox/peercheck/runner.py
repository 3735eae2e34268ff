"""Run each official Airbyte source against the sandbox and compare what it reads with the world's ground truth.

Per system: write the connector's config, then `spec`, `check`, `discover`,
a full `read` of the streams that correspond to the stand-in's objects
(incremental where the source supports it), and a second `read` with the
state the first one ended on. Every command's stdout/stderr, the config,
catalog, state, the stand-in's call log and the redirected URLs land in
`<run_dir>/<system>/`.

Verdicts, per stream:
- the full read must return exactly the seeded records: its distinct primary
  keys equal the ids of the world's records (so their number equals
  `world.record_counts()`); RECORD messages may exceed it where the vendor's
  time-based export pages overlap (Zendesk repeats a page's last second);
- the incremental read may only re-read *boundary* records: those of the full
  read whose cursor lies within the source's look-back of the newest cursor
  value it saw (a source that ignores the state re-reads everything and fails).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.peercheck import redirect
from sandbox.peercheck.airbyte import (
    CommandResult,
    StreamKeys,
    configured_catalog,
    cursor_seconds,
    run_command,
    state_messages,
    write_json,
)
from sandbox.peercheck.venvs import PEERS, Peer, ensure_venv, script_path
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World

Log = Callable[[str], None]

# Airbyte stream -> the world's object it must reproduce.
STREAMS: dict[str, dict[str, str]] = {
    "salesforce": {name: name for name in ("Account", "Contact", "Lead", "Opportunity", "Case", "User")},
    "hubspot": {name: name for name in ("contacts", "companies", "deals", "tickets", "owners")},
    "zendesk": {
        name: name
        for name in ("users", "organizations", "tickets", "ticket_comments", "satisfaction_ratings", "ticket_metrics")
    },
}
SALESFORCE_LOOKBACK = timedelta(minutes=10)  # the source's default `lookback_window` (PT10M), set explicitly below
# How far before the newest cursor value an incremental read may legitimately start again.
LOOKBACK_SECONDS = {"salesforce": SALESFORCE_LOOKBACK.total_seconds(), "hubspot": 0.0, "zendesk": 1.0}

# Credentials the stand-ins accept (any non-empty value; these match sandbox/config.py).
SALESFORCE_CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "refresh_token": "sandbox-refresh-token"}
HUBSPOT_TOKEN = "pat-sandbox-token"
ZENDESK_LOGIN = {"email": "integration@sandbox.example", "api_token": "sandbox-api-token"}


@dataclass
class StreamOutcome:
    system: str
    stream: str
    expected: int
    full: int | None  # RECORD messages of the full read
    distinct: int | None  # distinct primary keys among them
    incremental: int | None
    boundary: int | None  # how many records the incremental read was allowed to re-read
    ok: bool
    note: str = ""


@dataclass
class SystemOutcome:
    system: str
    peer: Peer
    folder: Path
    steps: dict[str, CommandResult] = field(default_factory=dict)
    streams: list[StreamOutcome] = field(default_factory=list)
    failure: str = ""
    seconds: float = 0.0
    clock_advanced: float = 0.0  # seconds the shared sandbox clock was moved before the incremental read

    @property
    def ok(self) -> bool:
        return not self.failure and all(stream.ok for stream in self.streams)


def earliest_seed_time(world: World) -> datetime:
    """The oldest timestamp on any seeded record (the sources' start_date must not be later)."""
    moments = [
        value
        for records in (world.salesforce, world.hubspot, world.zendesk)
        for rows in records.values()
        for row in rows
        for value in row.values()
        if isinstance(value, datetime)
    ]
    return min(moments)


def start_date(world: World) -> str:
    """Midnight UTC of the day before the oldest seed record, in the sources' `YYYY-MM-DDTHH:mm:ssZ`."""
    day = (earliest_seed_time(world) - timedelta(days=1)).date()
    return f"{day.isoformat()}T00:00:00Z"


def connector_config(system: str, world: World) -> dict[str, Any]:
    """The config.json each official source gets (hosts come from the redirect, not from the config)."""
    start = start_date(world)
    if system == "salesforce":
        return {
            **SALESFORCE_CLIENT,
            "auth_type": "Client",
            "is_sandbox": False,  # login.salesforce.com (test.salesforce.com when true); both are redirected
            "start_date": start,
            "lookback_window": "PT10M",
        }
    if system == "hubspot":
        return {
            "start_date": start,
            "credentials": {"credentials_title": "Private App Credentials", "access_token": HUBSPOT_TOKEN},
        }
    if system == "zendesk":
        # Any subdomain: https://sandbox.zendesk.com is redirected as a whole, so no path tricks are needed.
        return {"subdomain": "sandbox", "start_date": start, "credentials": {"credentials": "api_token", **ZENDESK_LOGIN}}
    raise ValueError(f"unknown system {system!r}")


def expected_ids(world: World, system: str) -> dict[str, set[str]]:
    """Per stream, the ids of the seeded records it must reproduce (`len` of each is `world.record_counts()`)."""
    records = {"salesforce": world.salesforce, "hubspot": world.hubspot, "zendesk": world.zendesk}[system]
    id_field = "Id" if system == "salesforce" else "id"
    return {stream: {str(row[id_field]) for row in records.get(obj, [])} for stream, obj in STREAMS[system].items()}


def connector_env(server: SandboxServer, folder: Path) -> dict[str, str]:
    """The subprocess environment: this one minus Python/venv leaks, plus the redirect variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LOOPHUB_PEER_") and key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env.update(
        {
            redirect.ENV_SALESFORCE: server.url("salesforce"),
            redirect.ENV_HUBSPOT: server.url("hubspot"),
            redirect.ENV_ZENDESK: server.url("zendesk"),
            redirect.ENV_CA_BUNDLE: str(server.ca_path),
            redirect.ENV_LOG: str(folder / "redirects.log"),
        }
    )
    return env


def check_system(server: SandboxServer, world: World, peer: Peer, venv_dir: Path, run_dir: Path, log: Log) -> SystemOutcome:
    """spec, check, discover, full read, incremental read of one official source; compared with the world."""
    system = peer.system
    folder = (run_dir / system).resolve()  # absolute: the source runs with this as its working directory
    folder.mkdir(parents=True, exist_ok=True)
    outcome = SystemOutcome(system, peer, folder)
    started = time.monotonic()
    env = connector_env(server, folder)
    script = script_path(peer, venv_dir).resolve()
    config = write_json(folder / "config.json", connector_config(system, world))
    wanted = list(STREAMS[system])

    def step(label: str, command: str, args: list[str], keys: dict[str, StreamKeys] | None = None) -> CommandResult:
        log(f"  {system}: {label} ...")
        result = run_command(script, command, args, env, folder, label, keys)
        outcome.steps[label] = result
        log(f"  {system}: {label} {'ok' if result.ok else 'FAILED'} in {result.seconds:.1f} s")
        return result

    try:
        for label, command, args in (("spec", "spec", []), ("check", "check", ["--config", str(config)])):
            if not step(label, command, args).ok:
                outcome.failure = f"{label} failed: {outcome.steps[label].failure()}"
                return outcome
        discover = step("discover", "discover", ["--config", str(config)])
        if not discover.ok or discover.catalog is None:
            outcome.failure = f"discover failed: {discover.failure()}"
            return outcome
        catalog, keys, missing = configured_catalog(discover.catalog, wanted)
        if missing:
            outcome.failure = f"discover lists no stream {', '.join(missing)}"
        catalog_path = write_json(folder / "catalog.json", catalog)
        read_args = ["--config", str(config), "--catalog", str(catalog_path)]
        full = step("read-full", "read", read_args, keys)
        state_path = write_json(folder / "state.json", state_messages(full))
        if system == "zendesk":
            outcome.clock_advanced = settle_export_clock(server, full, keys)
            if outcome.clock_advanced:
                log(f"  zendesk: sandbox clock advanced {outcome.clock_advanced:.0f} s so the saved cursors are a minute old")
        incremental = step("read-incremental", "read", [*read_args, "--state", str(state_path)], keys)
        write_json(folder / "state-after-incremental.json", state_messages(incremental))
        outcome.streams = compare(system, expected_ids(world, system), keys, full, incremental)
        failed = [f"{label}: {result.failure()}" for label, result in outcome.steps.items() if not result.ok]
        if failed and not outcome.failure:
            outcome.failure = "; ".join(failed)
    finally:
        write_json(folder / "sandbox-calls.json", server.control(system).calls.snapshot())
        outcome.seconds = time.monotonic() - started
    return outcome


def settle_export_clock(server: SandboxServer, full: CommandResult, keys: dict[str, StreamKeys]) -> float:
    """Advance the shared sandbox clock when a saved cursor is under a minute old; returns the seconds moved.

    Zendesk refuses an export `start_time` younger than a minute (and hides the
    last minute), and the incremental read starts from the saved cursors. Seed
    data lies at least five minutes in the past, so with a fresh world this
    never moves the clock; it matters only when records were written just
    before the full read.
    """
    newest = max(
        (seconds for stream in keys for _, cursor in full.record_keys.get(stream, []) if (seconds := cursor_seconds(cursor))),
        default=None,
    )
    if newest is None:
        return 0.0
    gap = newest + 61 - server.clock.peek().timestamp()
    if gap <= 0:
        return 0.0
    server.clock.advance(gap)
    return gap


def compare(
    system: str,
    expected: dict[str, set[str]],
    keys: dict[str, StreamKeys],
    full: CommandResult,
    incremental: CommandResult,
) -> list[StreamOutcome]:
    """Per stream: the full read must hold exactly the seeded ids; the incremental read only boundary records."""
    outcomes = []
    for stream, want in expected.items():
        if stream not in keys:
            outcome = StreamOutcome(system, stream, len(want), None, None, None, None, False, "not in the discovered catalog")
            outcomes.append(outcome)
            continue
        read_keys = [str(key) for key, _ in full.record_keys.get(stream, [])]
        distinct = set(read_keys)
        allowed = boundary_keys(full.record_keys.get(stream, []), bool(keys[stream].cursor_field), LOOKBACK_SECONDS[system])
        unexpected = [key for key, _ in incremental.record_keys.get(stream, []) if key not in allowed]
        notes = []
        if missing := sorted(want - distinct):
            notes.append(f"{len(missing)} seeded records not read (e.g. {missing[0]})")
        if extra := sorted(distinct - want):
            notes.append(f"{len(extra)} records the world does not hold (e.g. {extra[0]})")
        if len(read_keys) > len(distinct):
            notes.append(f"{len(read_keys) - len(distinct)} read twice (time-based export pages overlap by design)")
        notes += _stream_failures(stream, full, incremental)
        if unexpected:
            notes.append(f"{len(unexpected)} incremental records outside the boundary (e.g. {unexpected[0]})")
        if not keys[stream].cursor_field:
            notes.append("full refresh only")
        errors = full.stream_errors.get(stream) or incremental.stream_errors.get(stream)
        ok = distinct == want and not unexpected and not errors
        outcomes.append(
            StreamOutcome(
                system, stream, len(want), len(read_keys), len(distinct), incremental.records.get(stream, 0),
                len(allowed), ok, "; ".join(notes),
            )
        )
    return outcomes


def _stream_failures(stream: str, full: CommandResult, incremental: CommandResult) -> list[str]:
    """What went wrong with `stream` in either read: its first error, or a status other than COMPLETE."""
    problems: dict[str, list[str]] = {}
    for label, result in (("full", full), ("incremental", incremental)):
        if result.stream_errors.get(stream):
            problem = f"error: {result.stream_errors[stream][0]}"
        elif result.stream_status.get(stream, "COMPLETE") != "COMPLETE":
            problem = f"ended {result.stream_status[stream]}"
        else:
            continue
        problems.setdefault(problem, []).append(label)
    return [f"{' and '.join(labels)} read {problem}" for problem, labels in problems.items()]


def boundary_keys(records: list[tuple[Any, Any]], incremental: bool, lookback_seconds: float) -> set[Any]:
    """Primary keys an incremental read may re-read: records whose cursor is within the look-back of the newest."""
    if not incremental:
        return {key for key, _ in records}
    cursors = [(key, cursor_seconds(cursor)) for key, cursor in records]
    known = [seconds for _, seconds in cursors if seconds is not None]
    if not known:
        return set()
    newest = max(known)
    return {key for key, seconds in cursors if seconds is not None and seconds >= newest - lookback_seconds}


def run_peercheck(people: int, systems: list[str], venv_dir: Path, run_dir: Path, seed: int, log: Log) -> list[SystemOutcome]:
    """Prepare the venvs, start a sandbox on a fresh world of `people`, and check each system in turn."""
    peers = [PEERS[system] for system in systems]
    for peer in peers:
        ensure_venv(peer, venv_dir, log)
    log(f"generating a world of {people} people (seed {seed})")
    world = generate_world(people, seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    world.write_truth(run_dir / "truth.csv")
    write_json(run_dir / "record_counts.json", world.record_counts())
    outcomes = []
    with SandboxServer(world, certificate_dir=run_dir / "tls") as server:
        log("sandbox: " + ", ".join(f"{system} {server.url(system)}" for system in systems))
        for peer in peers:
            outcomes.append(check_system(server, world, peer, venv_dir, run_dir, log))
    return outcomes
