"""`loophub connections add|check` against a live sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from sandbox.config import sandbox_config_yaml
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from tests_support import write_config


def test_given_sandbox_connections_when_checked_then_each_connects(
    run_loophub, tmp_path: Path, start_sandbox: Callable[[World], SandboxServer]
) -> None:
    server = start_sandbox(generate_world(30, seed=4))
    write_config(tmp_path, sandbox_config_yaml(server))

    result = run_loophub("connections", "check")

    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("salesforce", "hubspot", "zendesk"):
        assert f"✓ {name}: connected" in result.stdout


def test_given_a_token_the_vendor_refuses_when_checked_then_the_problem_is_named_without_the_secret(
    run_loophub, tmp_path: Path, start_sandbox: Callable[[World], SandboxServer]
) -> None:
    server = start_sandbox(generate_world(30, seed=4))
    httpx.put(f"{server.url('hubspot')}/_sandbox/auth", json={"allowed_tokens": ["another-token"]}).raise_for_status()
    write_config(tmp_path, sandbox_config_yaml(server))

    result = run_loophub("connections", "check", "hubspot", env={"LOOPHUB_SANDBOX_HS_TOKEN": "pat-refused-token-123"})

    assert result.returncode == 1
    assert "✗ hubspot" in result.stdout and "access_token" in result.stdout
    assert "pat-refused-token-123" not in result.stdout + result.stderr


def test_given_env_var_names_when_adding_a_connection_then_file_keeps_references_and_comments(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, "# our loophub\nversion: 1  # keep me\n")

    result = run_loophub(
        "connections", "add", "hs-eu", "--system", "hubspot", "--credential", "access_token=HS_EU_TOKEN",
        env={"HS_EU_TOKEN": "pat-eu-secret-value"},
    )

    text = (tmp_path / "loophub.yaml").read_text()
    assert result.returncode == 0, result.stderr
    assert "access_token: ${HS_EU_TOKEN}" in text and "pat-eu-secret-value" not in text
    assert "# our loophub" in text and "# keep me" in text


def test_given_an_existing_name_when_adding_then_file_is_left_unchanged(run_loophub, tmp_path: Path) -> None:
    original = "connections:\n  - name: hs\n    system: hubspot\n    credentials:\n      access_token: ${T}\n"
    write_config(tmp_path, original)

    result = run_loophub("connections", "add", "hs", "--system", "hubspot", "--credential", "access_token=T", env={"T": "x"})

    assert result.returncode == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "loophub.yaml").read_text() == original
