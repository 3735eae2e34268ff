"""`loophub map` and `loophub mapping check|preview`, run as a user would against a synced sandbox."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests_support import write_config

from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World

PEOPLE, SEED = 60, 4
PLAN_TIER_OVERRIDE = "mapping:\n  specs:\n    zendesk/users:\n      fields:\n        attributes.plan_tier: user_fields.plan_tier\n"
StartSandbox = Callable[[World], SandboxServer]


def sandbox_world() -> tuple[World, list[dict[str, Any]]]:
    """The small world and its Zendesk users, read before the sandbox takes the world over."""
    world = generate_world(PEOPLE, seed=SEED)
    return world, [dict(user) for user in world.zendesk["users"]]


def synced(run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str, world: World) -> tuple[SandboxServer, int]:
    """A sandbox synced into the database; returns it and how many raw records the sync landed."""
    server = start_sandbox(world)
    write_config(tmp_path, sandbox_config_yaml(server, database_url))
    result = run_loophub("sync")
    assert result.returncode == 0, result.stdout + result.stderr
    return server, sum(int(count.replace(",", "")) for count in re.findall(r"\(([\d,]+) new", result.stdout))


def rows(stdout: str) -> dict[str, list[int]]:
    """The map table: row name → read, new, changed, unchanged, quarantined, warnings."""
    found = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if len(cells) == 7 and all(re.fullmatch(r"[\d,]+", cell) for cell in cells[1:]):
            found[cells[0]] = [int(cell.replace(",", "")) for cell in cells[1:]]
    return found


def ledger(stdout: str) -> tuple[int, int, int]:
    """raw, mapped, quarantined from the store line."""
    match = re.search(r"store: ([\d,]+) raw records = ([\d,]+) mapped \+ ([\d,]+) quarantined: every raw record accounted for", stdout)
    assert match, stdout
    raw, mapped, quarantined = (int(group.replace(",", "")) for group in match.groups())
    return raw, mapped, quarantined


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_given_a_synced_sandbox_when_mapped_twice_then_every_record_is_accounted_for_and_the_second_run_maps_nothing(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    _, landed = synced(run_loophub, tmp_path, start_sandbox, database_url, sandbox_world()[0])

    first = run_loophub("map")
    second = run_loophub("map")

    assert first.returncode == 0, first.stdout + first.stderr
    table = rows(first.stdout)
    assert table["total"][0] == landed == sum(row[0] for name, row in table.items() if name != "total")
    assert {"salesforce/Contact", "hubspot/contacts", "zendesk/users"} <= set(table)
    raw, mapped, quarantined = ledger(first.stdout)
    assert (raw, mapped, quarantined) == (landed, table["total"][1], table["total"][4])
    assert mapped + quarantined == raw
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing to map" in second.stdout and rows(second.stdout) == {}
    assert ledger(second.stdout) == ledger(first.stdout)


def test_given_a_rule_that_fails_on_every_end_user_when_mapped_then_the_run_goes_on_and_shows_why(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    world, users = sandbox_world()
    synced(run_loophub, tmp_path, start_sandbox, database_url, world)
    config = (tmp_path / "loophub.yaml").read_text()
    write_config(tmp_path, config + "mapping:\n  specs:\n    zendesk/users:\n      fields:\n        attributes.tz: {from: time_zone, transforms: [integer]}\n")
    end_user = next(user for user in users if user["role"] == "end-user")

    mapped = run_loophub("map")
    shown = run_loophub("mapping", "preview", "zendesk", "users", str(end_user["id"]), "--json")

    assert mapped.returncode == 0, mapped.stdout + mapped.stderr
    assert rows(mapped.stdout)["zendesk/users"][4] == sum(1 for user in users if user["role"] == "end-user")
    assert "Top quarantine reasons:" in mapped.stdout and "attributes.tz:" in mapped.stdout and "is not a number" in mapped.stdout
    raw, ok, quarantined = ledger(mapped.stdout)
    assert quarantined > 0 and ok + quarantined == raw
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert body["canonical"] is None and body["keys"] == [] and "is not a number" in body["reason"]


def test_given_the_shipped_specs_when_checked_against_the_sandbox_then_mapping_is_ok(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox
) -> None:
    server = start_sandbox(sandbox_world()[0])
    write_config(tmp_path, sandbox_config_yaml(server))

    result = run_loophub("mapping", "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"mapping OK: 18 specs checked against \d+ streams", result.stdout)


def test_given_an_override_naming_an_unknown_source_field_when_checked_then_loophub_yaml_and_its_line_are_named(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox
) -> None:
    server = start_sandbox(sandbox_world()[0])
    text = sandbox_config_yaml(server) + "mapping:\n  specs:\n    zendesk/users:\n      fields:\n        attributes.plan: user_fields.plann\n"
    write_config(tmp_path, text)

    result = run_loophub("mapping", "check")

    assert result.returncode == 2, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "plann" in line)
    assert line.strip().startswith(f"loophub.yaml:{line_of(text, 'user_fields.plann')}: fields.attributes.plan: ")
    assert "did you mean 'user_fields.plan_tier'?" in line


def test_given_an_override_with_an_unknown_transform_when_checked_then_its_line_is_named(run_loophub, tmp_path: Path) -> None:
    text = "mapping:\n  specs:\n    zendesk/users:\n      fields:\n        attributes.plan_tier:\n          from: user_fields.plan_tier\n          transforms: [titlecase]\n"
    write_config(tmp_path, text)

    result = run_loophub("mapping", "check", "--offline")

    assert result.returncode == 2
    assert f"loophub.yaml:{line_of(text, 'titlecase')}:" in result.stderr and "unknown transform 'titlecase'" in result.stderr
    assert "Traceback" not in result.stderr


def test_given_valid_specs_when_checked_offline_then_no_connection_is_asked(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, "connections:\n  - name: zendesk\n    system: zendesk\n    base_url: http://127.0.0.1:9\n"
                 "    credentials:\n      email: ${ZD_EMAIL}\n      api_token: ${ZD_TOKEN}\n    options:\n      subdomain: acme\n")  # fmt: skip

    result = run_loophub("mapping", "check", "--offline", env={"ZD_EMAIL": "a@example.com", "ZD_TOKEN": "t"})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "mapping OK: 18 specs valid" in result.stdout


def test_given_a_connection_that_cannot_be_reached_when_checked_then_it_is_named_without_secrets(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, "connections:\n  - name: zd-prod\n    system: zendesk\n    base_url: http://127.0.0.1:9\n"
                 "    credentials:\n      email: ${ZD_EMAIL}\n      api_token: ${ZD_TOKEN}\n    options:\n      subdomain: acme\n")  # fmt: skip

    result = run_loophub("mapping", "check", env={"ZD_EMAIL": "agent@example.com", "ZD_TOKEN": "zd-token-abcdef123456"})

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "✗ zd-prod: cannot discover its streams: Zendesk could not be reached" in output
    assert "zd-token-abcdef123456" not in output and "Traceback" not in output
    assert "not checked" in output and "zendesk/users" in output


def test_given_a_new_attribute_when_mapped_then_only_zendesk_users_are_remapped_and_preview_shows_it(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    world, users = sandbox_world()
    synced(run_loophub, tmp_path, start_sandbox, database_url, world)
    assert run_loophub("map").returncode == 0
    write_config(tmp_path, (tmp_path / "loophub.yaml").read_text() + PLAN_TIER_OVERRIDE)
    with_plan = [user for user in users if user["role"] == "end-user" and user["user_fields"].get("plan_tier")]
    assert with_plan, "the sandbox world should give some end-users a plan tier"

    remapped = run_loophub("map")
    shown = run_loophub("mapping", "preview", "zendesk", "users", str(with_plan[0]["id"]), "--json")
    table = run_loophub("mapping", "preview", "zendesk", "users", str(with_plan[0]["id"]))

    assert remapped.returncode == 0, remapped.stdout + remapped.stderr
    assert set(rows(remapped.stdout)) == {"zendesk/users", "total"}
    read, new, changed, _, quarantined, _ = rows(remapped.stdout)["zendesk/users"]
    assert (read, new, changed, quarantined) == (len(users), 0, len(with_plan), 0)
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert body["canonical"]["attributes"]["plan_tier"] == with_plan[0]["user_fields"]["plan_tier"]
    assert body["raw"]["user_fields"]["plan_tier"] == with_plan[0]["user_fields"]["plan_tier"]
    assert {"kind": "ref", "value": f"zendesk:users:{with_plan[0]['id']}", "weak": False} in body["keys"]
    assert body["reason"] is None
    assert table.returncode == 0, table.stderr
    assert "attributes.plan_tier" in table.stdout and "match keys" in table.stdout and "spec zendesk/users" in table.stdout


def test_given_an_id_not_in_the_store_when_previewed_then_the_error_names_what_was_looked_for(
    run_loophub, tmp_path: Path, start_sandbox: StartSandbox, database_url: str
) -> None:
    synced(run_loophub, tmp_path, start_sandbox, database_url, sandbox_world()[0])

    result = run_loophub("mapping", "preview", "zendesk", "users", "404404")

    assert result.returncode != 0
    assert "no raw record zendesk users '404404' in the store" in result.stderr
    assert "Traceback" not in result.stderr
