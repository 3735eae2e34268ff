"""`loophub resolve`, `profiles show|explain`, `review`, `link` and `unlink`, run as an admin would on a synced, mapped sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from tests_support import write_config

from mapping.normalize import normalize_email
from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine, session_scope
from store.canonical import MatchKey, PersonRow
from store.identity import GoldenMember

StartSandbox = Callable[[World], SandboxServer]


def prepared(run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str) -> None:
    server = start_sandbox(generate_world(150, seed=8))
    write_config(tmp_path, sandbox_config_yaml(server, database_url))
    for command in ("sync", "map"):
        result = run_loophub(command)
        assert result.returncode == 0, result.stdout + result.stderr


def golden_of(database_url: str) -> dict[int, str]:
    engine = create_store_engine(database_url)
    with session_scope(engine) as session:
        found = dict(session.execute(select(GoldenMember.record_id, GoldenMember.golden_id).where(GoldenMember.entity == "person")).all())
    engine.dispose()
    return found


def test_given_a_mapped_sandbox_when_resolved_then_a_profile_is_found_alike_by_id_email_and_phone(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    prepared(run_loophub, tmp_path, start_sandbox, database_url)

    resolved = run_loophub("resolve")

    assert resolved.returncode == 0, resolved.stderr
    assert "person" in resolved.stdout and "company" in resolved.stdout
    engine = create_store_engine(database_url)
    with session_scope(engine) as session:
        # A person with both an email and a phone key, resolved into some golden record.
        record_id, email = session.execute(select(MatchKey.record_id, MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "email", MatchKey.is_weak.is_(False))).first()
        phone = session.scalars(select(MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "phone", MatchKey.record_id == record_id)).first()
        raw_phone = session.scalars(select(PersonRow.phones).where(PersonRow.id == record_id)).first()
    engine.dispose()
    golden_id = golden_of(database_url)[record_id]
    by_id = json.loads(run_loophub("profiles", "show", golden_id, "--json").stdout)
    by_email = json.loads(run_loophub("profiles", "show", "--email", email.upper(), "--json").stdout)

    assert by_id["golden_id"] == golden_id
    assert golden_id in json.dumps(by_email)
    assert email in {normalize_email(item["value"]).match_key for item in by_id["profile"]["emails"]}
    if phone and raw_phone:
        spaced = phone[:3] + " " + phone[3:6] + " " + phone[6:]
        assert golden_id in run_loophub("profiles", "show", "--phone", spaced, "--json").stdout
    explained = run_loophub("profiles", "explain", golden_id)
    assert explained.returncode == 0, explained.stderr
    assert golden_id in explained.stdout
    missing = run_loophub("profiles", "show", "per_doesnotexist")
    assert missing.returncode != 0 and "no golden record" in missing.stderr


def test_given_an_unlink_and_a_link_when_resolved_with_full_then_both_hold(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    prepared(run_loophub, tmp_path, start_sandbox, database_url)
    assert run_loophub("resolve").returncode == 0
    golden = golden_of(database_url)
    engine = create_store_engine(database_url)
    with session_scope(engine) as session:
        refs = {row.id: f"{row.system}:{row.object}:{row.source_id}" for row in session.scalars(select(PersonRow))}
    engine.dispose()
    groups: dict[str, list[int]] = {}
    for record_id, golden_id in sorted(golden.items()):
        groups.setdefault(golden_id, []).append(record_id)
    together = next(members for members in groups.values() if len(members) >= 2)
    apart = [members[0] for members in groups.values() if len(members) == 1][:2]

    unlinked = run_loophub("unlink", refs[together[0]], refs[together[1]], "--reason", "two people")
    linked = run_loophub("link", refs[apart[0]], refs[apart[1]], "--reason", "one person")
    bad = run_loophub("link", "salesforce:Contact:nope", refs[apart[0]])
    full = run_loophub("resolve", "--full")

    assert (unlinked.returncode, linked.returncode, full.returncode) == (0, 0, 0), unlinked.stderr + linked.stderr + full.stderr
    assert bad.returncode == 2 and "no person record salesforce:Contact:nope" in bad.stderr
    after = golden_of(database_url)
    assert after[together[0]] != after[together[1]]
    assert after[apart[0]] == after[apart[1]]
    review = run_loophub("review", "list")
    assert review.returncode == 0 and "review queue" in review.stdout
