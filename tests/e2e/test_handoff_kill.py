"""Hand-off write-back killed with SIGKILL at varied moments, then rerun: one deal and one note per ticket, as a clean run.

Each of ten trials brings new signalled tickets (the admin widens the
signals or the window, so every trial has deals to create and notes to add),
starts `loophub writeback` in a subprocess and kills it: right after
Salesforce answered the create call (the deal exists, the ledger does not
know it yet), right after Zendesk took the notes (the notes exist, the
ledger does not know it), or after a random delay. A rerun a little later
(past the note settle time, as the loop's next run would be) finishes the
trial. The end state is compared with one clean run over an identical second
sandbox and store.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from flows.writeback.handoff_apply import HandoffReport
from flows.writeback.run import apply_writeback, plan_writeback
from sandbox.config import sandbox_config_yaml
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope, utc_now
from store.handoffs import handoffs
from tests.flows.handoff_support import (
    SF_CREATE_ROUTE,
    ZD_UPDATE_ROUTE,
    calls,
    handoff_policies,
    install_deal_fields,
    opportunities,
    ticket_comments,
    ticket_tags,
)
from tests.flows.writeback_support import Loop, prepared_loop

SIGNALS = ["upsell", "pricing"]
AREAS = ("billing", "api", "integrations", "login", "performance")
# Windows far (hours or more) from any ticket's age in this world, so a run a minute later sees the same tickets.
SHORT, LONG = 4, 39
TRIALS = [(SIGNALS + [area], window) for area in AREAS for window in (SHORT, LONG)]
MODES = ("after_create", "after_notes", "random")
LINK_MARK = "Sales hand-off by loophub"


def policies(tags: list[str], window: int) -> dict[str, Any]:
    return handoff_policies(signal_tags=tags, window_days=window)


def writeback_command(config: Path, database_url: str) -> tuple[list[str], dict[str, str]]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")}
    environment["LOOPHUB_DATABASE_URL"] = database_url
    return [sys.executable, "-m", "loophub", "--config", str(config), "writeback"], environment


def rerun(loop: Loop, config_policies: dict[str, Any]) -> HandoffReport:
    """The loop's next run, a minute later (past the note settle time), in-process."""
    config, later = loop.with_policies(config_policies), utc_now() + timedelta(seconds=61)
    return apply_writeback(loop.engine, config, plan_writeback(loop.engine, config, now=later), now=later).handoffs


def kill_when(process: subprocess.Popen[bytes], moment: Callable[[], bool], timeout: float = 300) -> bool:
    """SIGKILL `process` as soon as `moment()` holds; False when it finished first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if moment() or time.monotonic() > deadline:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.002)
    return False


def moment_for(mode: str, server: SandboxServer, rng: random.Random) -> Callable[[], bool]:
    creates, notes = calls(server, "salesforce", SF_CREATE_ROUTE), calls(server, "zendesk", ZD_UPDATE_ROUTE)
    if mode == "after_create":
        return lambda: calls(server, "salesforce", SF_CREATE_ROUTE) > creates
    if mode == "after_notes":
        return lambda: calls(server, "zendesk", ZD_UPDATE_ROUTE) > notes
    at = time.monotonic() + rng.uniform(1.0, 12.0)  # from the middle of start-up to the end of the writes
    return lambda: time.monotonic() >= at


def final_state(loop: Loop) -> dict[str, tuple[Any, ...]]:
    """Each handed-off ticket → its deal and notes, without what differs between two sandboxes (ids, hosts)."""
    state = {}
    for deal in opportunities(loop.vendors):
        ticket = deal["Loophub_Ticket_Id__c"]
        notes = [str(c["body"]) for c in ticket_comments(loop.server, ticket) if LINK_MARK in str(c["body"])]
        assert [f"/lightning/r/Opportunity/{deal['Id']}/view" in note for note in notes] == [True], f"ticket {ticket}: {notes}"
        state[ticket] = (
            deal["AccountId"], deal["OwnerId"], deal["Name"], deal["StageName"], deal["CloseDate"], deal["Loophub_Key__c"],
            urlparse(deal["Loophub_Ticket_Url__c"]).path, re.sub(r"https?://\S+", "<deal link>", notes[0]),
            "loophub_handoff" in ticket_tags(loop.server, ticket),
        )  # fmt: skip
    return state


def test_given_writeback_killed_ten_times_when_rerun_then_each_ticket_has_one_deal_and_one_note_as_a_clean_run(
    start_sandbox: Callable[[World], SandboxServer], tmp_path: Path, database_url: str, another_database_url: str
) -> None:
    rng = random.Random(20261203)
    with prepared_loop(start_sandbox, database_url) as killed, prepared_loop(start_sandbox, another_database_url) as clean:
        install_deal_fields(killed.vendors)
        install_deal_fields(clean.vendors)
        config_file = tmp_path / "loophub.yaml"
        command, environment = writeback_command(config_file, database_url)
        kills, recovered = 0, Counter[str]()
        for index, (tags, window) in enumerate(TRIALS):
            config_file.write_text(sandbox_config_yaml(killed.server, database_url) + yaml.safe_dump({"policies": policies(tags, window)}))
            moment = moment_for(MODES[index % len(MODES)], killed.server, rng)
            with open(tmp_path / f"trial-{index}.log", "wb") as log:
                process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
                was_killed = kill_when(process, moment)
            assert was_killed or process.returncode == 0, (tmp_path / f"trial-{index}.log").read_text()
            kills += was_killed
            report = rerun(killed, policies(tags, window))
            assert report.errors == [], report.errors
            recovered.update({name: report.counts[name] for name in ("created", "existing", "noted", "note_found")})

        final = policies(SIGNALS + list(AREAS), LONG)
        clean_report = rerun(clean, final)
        after_kills, after_clean = final_state(killed), final_state(clean)
        deals = opportunities(killed.vendors)
        with session_scope(killed.engine) as session:
            statuses = Counter(row.status for row in handoffs(session))

    assert kills >= 7, "most trials must kill a running write-back"
    assert recovered["existing"] + recovered["note_found"] >= 1, f"no kill landed between a vendor write and its ledger commit: {recovered}"
    assert max(Counter(d["Loophub_Key__c"] for d in deals).values()) == 1
    assert max(Counter(d["Loophub_Ticket_Id__c"] for d in deals).values()) == 1
    assert clean_report.counts["created"] == len(after_clean) >= 40
    assert statuses == Counter({"noted": len(after_clean)})
    assert after_kills == after_clean
