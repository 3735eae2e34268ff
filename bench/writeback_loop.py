"""Write-back at scale: write calls against the fewest possible, and how fast a new ticket reaches Salesforce.

Seeds the sandbox in-process, creates the policies' target fields
(`targets apply`), then runs `loophub loop --every 10s` in a subprocess, as
an admin would, against a fresh SQLite store. It prints:

- the first loop's time and its write calls per system, counted by the
  sandbox, against the minimum: for each system and object, the records
  written divided by the vendor's batch size, rounded up (SF 200, HubSpot
  and Zendesk 100); hand-off deals and ticket notes the same way. Goal:
  made ÷ minimum ≤ 1.05;
- freshness, once the second loop has pulled back the first one's writes:
  an urgent ticket is opened in Zendesk on an organisation whose
  Salesforce account loophub already writes to, and the account's
  `Loophub_Urgent_Tickets__c` is read through the Salesforce REST API every
  half second until it counts the new ticket. Goal: ≤ 30 s;
- the write calls of a later loop with no outside change (goal: 0).

    .venv/bin/python -m bench.writeback_loop [--people 10000] [--samples 3] [--every 10s]
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, func, select

from connectors.hubspot.endpoints import BATCH_SIZE as HUBSPOT_BATCH
from connectors.salesforce.endpoints import WRITE_BATCH_SIZE as SALESFORCE_BATCH
from flows.writeback.targets import apply_targets
from loophub.config import LoophubConfig, parse_config
from sandbox.config import SANDBOX_CREDENTIALS, sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from store import create_store_engine, session_scope, upgrade_database
from store.canonical import CompanyRow
from store.handoffs import HandoffRow
from store.identity import GoldenMember
from store.models import Run
from store.writeback import OutboxRow

BATCH = {"salesforce": SALESFORCE_BATCH, "hubspot": HUBSPOT_BATCH, "zendesk": 100}
URGENT_FIELD = "Loophub_Urgent_Tickets__c"
# Route keys of the sandbox's call counters that write (reads that use POST, like HubSpot search, are not here).
WRITE_ROUTES = ("/composite/sobjects", "/batch/update", "/batch/create", "/update_many.json", "/create_many.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--every", default="10s")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="loophub-bench-writeback-"))
    server = SandboxServer(generate_world(args.people, args.seed), certificate_dir=workdir / ".sandbox")
    server.start()
    try:
        _run(server, workdir, args)
    finally:
        server.stop()


def _run(server: SandboxServer, workdir: Path, args: argparse.Namespace) -> None:
    database = f"sqlite:///{workdir / 'loophub.db'}"
    config_file = workdir / "loophub.yaml"
    config_file.write_text(sandbox_config_yaml(server, database), encoding="utf-8")
    config = parse_config(config_file.read_text(encoding="utf-8"), config_file, environ={})
    engine = create_store_engine(database)
    upgrade_database(engine)
    created = apply_targets(config)
    print(f"{args.people:,} people; target fields: {created.count('created')} created")
    for system in BATCH:
        server.control(system).calls.reset()
    loop = _start_loop(config_file, args.every, workdir)
    try:
        started = time.monotonic()
        _wait_for_loops(engine, 1, timeout=3600)
        print(f"first loop: {time.monotonic() - started:.0f} s (Prefect server start included)")
        _report_write_calls(server, engine)
        # The second loop pulls back every record the first wrote (echoes, recognised as such); freshness is
        # measured from the third on, the steady state of a running loop.
        settling = time.monotonic()
        _wait_for_loops(engine, 2, timeout=3600)
        print(f"second loop (pulls back the first loop's writes): done {time.monotonic() - settling:.0f} s later")
        freshness = [_freshness(server, engine, config, sample) for sample in range(args.samples)]
        print(f"freshness, ticket opened in Zendesk → Salesforce account field: {', '.join(f'{s:.1f} s' for s in freshness)}"
              f" (median {statistics.median(freshness):.1f} s, goal ≤ 30 s)")  # fmt: skip
        done = _loops_finished(engine)
        _wait_for_loops(engine, done + 1, timeout=600)  # a loop that started after the last change and saw it all
        before = _write_calls(server)
        _wait_for_loops(engine, done + 2, timeout=600)
        print(f"write calls in a loop with no outside change: {sum(_write_calls(server).values()) - sum(before.values())}")
    finally:
        loop.send_signal(signal.SIGINT)  # as Ctrl-C: the loop stops its temporary Prefect server too
        try:
            loop.wait(timeout=120)
        except subprocess.TimeoutExpired:
            loop.kill()
        engine.dispose()


def _start_loop(config_file: Path, every: str, workdir: Path) -> subprocess.Popen[bytes]:
    log = (workdir / "loop.log").open("wb")
    command = [sys.executable, "-m", "loophub", "-c", str(config_file), "loop", "--every", every]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})


def _loops_finished(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Run).where(Run.flow == "loop", Run.finished_at.is_not(None))) or 0


def _wait_for_loops(engine: Engine, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _loops_finished(engine) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} loops finished in {timeout:.0f} s")
        time.sleep(0.5)


def _write_calls(server: SandboxServer) -> Counter[str]:
    calls: Counter[str] = Counter()
    for system in BATCH:
        for route, counts in server.control(system).calls.snapshot()["by_route"].items():
            method, path = route.split(" ", 1)
            if method in ("POST", "PATCH", "PUT") and path.endswith(WRITE_ROUTES):
                calls[system] += counts["calls"]
    return calls


def _report_write_calls(server: SandboxServer, engine: Engine) -> None:
    made, minimum = _write_calls(server), _minimum_calls(engine)
    for system in BATCH:
        print(f"  {system:<10} write calls {made[system]:>6,}  minimum {minimum[system]:>6,}")
    total_made, total_minimum = sum(made.values()), sum(minimum.values())
    ratio = total_made / total_minimum if total_minimum else float("nan")
    print(f"write calls made ÷ minimum batched calls: {total_made:,} ÷ {total_minimum:,} = {ratio:.3f} (goal ≤ 1.05)")


def _minimum_calls(engine: Engine) -> Counter[str]:
    """Per system: for each object, the distinct records updated in full batches; hand-off deals and notes the same way."""
    with session_scope(engine) as session:
        updated = session.execute(
            select(OutboxRow.system, OutboxRow.object, func.count(func.distinct(OutboxRow.record_id)))
            .where(OutboxRow.status == "applied")
            .group_by(OutboxRow.system, OutboxRow.object)
        ).all()
        created = session.execute(select(HandoffRow.target_system, func.count()).where(HandoffRow.deal_id.is_not(None)).group_by(HandoffRow.target_system)).all()
        noted = session.scalar(select(func.count()).select_from(HandoffRow).where(HandoffRow.noted_at.is_not(None))) or 0
    minimum: Counter[str] = Counter()
    for system, _object, records in [*updated, *((system, "deals", count) for system, count in created), ("zendesk", "tickets", noted)]:
        minimum[system] += math.ceil(records / BATCH[system])
    return minimum


def _freshness(server: SandboxServer, engine: Engine, config: LoophubConfig, sample: int) -> float:
    """Seconds from an urgent ticket opened in Zendesk to the count on the linked Salesforce account."""
    organization, account = _linked_pair(engine, sample)
    salesforce = _salesforce_session(server)
    before = _urgent_count(salesforce, server, account)
    zendesk = requests.Session()
    zendesk.auth = (f"{_default('zendesk', 'email')}/token", _default("zendesk", "api_token"))
    zendesk.verify, zendesk.trust_env = str(server.ca_path), False
    ticket = {"subject": f"Outage, sample {sample}", "comment": {"body": "Nothing loads."}, "priority": "urgent", "organization_id": int(organization)}
    opened = time.monotonic()
    zendesk.post(f"{server.url('zendesk')}/api/v2/tickets.json", json={"ticket": ticket}).raise_for_status()
    while _urgent_count(salesforce, server, account) != before + 1:
        if time.monotonic() - opened > 300:
            raise TimeoutError(f"account {account} did not count the new ticket within 300 s")
        time.sleep(0.5)
    return time.monotonic() - opened


def _linked_pair(engine: Engine, sample: int) -> tuple[str, str]:
    """A Zendesk organisation and a Salesforce account of one golden company (a different one per sample)."""
    with session_scope(engine) as session:
        members = session.execute(
            select(GoldenMember.golden_id, CompanyRow.system, CompanyRow.object, CompanyRow.source_id)
            .join(CompanyRow, CompanyRow.id == GoldenMember.record_id)
            .where(GoldenMember.entity == "company", CompanyRow.is_deleted.is_(False))
        ).all()
    by_golden: dict[str, dict[str, list[str]]] = {}
    for golden_id, system, object_name, source_id in members:
        by_golden.setdefault(golden_id, {}).setdefault(f"{system}:{object_name}", []).append(source_id)
    pairs = [(sorted(m["zendesk:organizations"])[0], sorted(m["salesforce:Account"])[0])
             for _, m in sorted(by_golden.items()) if "zendesk:organizations" in m and "salesforce:Account" in m]  # fmt: skip
    return pairs[sample * 7 % len(pairs)]


def _salesforce_session(server: SandboxServer) -> requests.Session:
    session = requests.Session()
    session.verify, session.trust_env = str(server.ca_path), False
    credentials = {key: _default("salesforce", key) for key in SANDBOX_CREDENTIALS["salesforce"]}
    token = session.post(f"{server.url('salesforce')}/services/oauth2/token", data={"grant_type": "password", **credentials}).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _urgent_count(session: requests.Session, server: SandboxServer, account: str) -> float:
    record: dict[str, Any] = session.get(f"{server.url('salesforce')}/services/data/v62.0/sobjects/Account/{account}").json()
    return float(record.get(URGENT_FIELD) or 0)


def _default(system: str, key: str) -> str:
    """The sandbox's built-in credential (the part after `:-` of its ${VAR:-default} reference)."""
    return SANDBOX_CREDENTIALS[system][key].split(":-", 1)[1]


if __name__ == "__main__":
    main()
