"""`loophub keys create|list|revoke` and `loophub serve`, run as an admin would, in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests_support import write_config


@pytest.fixture
def workdir(tmp_path: Path, database_url: str) -> Path:
    write_config(tmp_path, f"version: 1\ndatabase:\n  url: {database_url}\napi:\n  key_cache_seconds: 0\n")
    return tmp_path


def loophub(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")} | {"COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "loophub", *args], check=False, cwd=workdir, env=environment, capture_output=True, text=True, timeout=120)


def created_secret(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_given_keys_created_when_listed_and_revoked_then_secrets_show_once_and_revocation_is_listed(workdir: Path) -> None:
    reader = created_secret(loophub(workdir, "keys", "create", "--name", "support-portal", "--scope", "read"))
    admin = created_secret(loophub(workdir, "keys", "create", "--name", "ops", "--scope", "admin"))

    listed = loophub(workdir, "keys", "list")
    revoked = loophub(workdir, "keys", "revoke", "1")
    after = loophub(workdir, "keys", "list")
    missing = loophub(workdir, "keys", "revoke", "99")
    bad_scope = loophub(workdir, "keys", "create", "--name", "x", "--scope", "owner")

    assert reader.startswith("lh_") and admin.startswith("lh_") and reader != admin and len(reader) > 40
    assert listed.returncode == 0 and "support-portal" in listed.stdout and "ops" in listed.stdout
    assert reader not in listed.stdout and admin not in listed.stdout
    assert reader.split("_")[1] in listed.stdout  # the public prefix tells keys apart
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    support_row = next(line for line in after.stdout.splitlines() if "support-portal" in line)
    assert "UTC" in support_row.split("│")[-2]  # the revoked column now holds a time
    assert missing.returncode == 2 and "no API key 99" in missing.stderr
    assert bad_scope.returncode == 2 and "read, admin" in bad_scope.stderr


@pytest.fixture
def served(workdir: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")}
    process = subprocess.Popen([sys.executable, "-m", "loophub", "serve", "--port", str(port)], cwd=workdir, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/openapi.json", trust_env=False)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_given_loophub_serve_when_called_with_a_created_key_then_it_answers_and_a_revoked_key_is_refused(workdir: Path, served: str) -> None:
    secret = created_secret(loophub(workdir, "keys", "create", "--name", "portal"))

    with httpx.Client(base_url=served, trust_env=False) as client:
        accepted = client.get("/v1/profiles", headers={"Authorization": f"Bearer {secret}"})
        loophub(workdir, "keys", "revoke", "1")
        refused = client.get("/v1/profiles", headers={"X-API-Key": secret})
        spec = client.get("/openapi.json").json()

    assert accepted.status_code == 200 and accepted.json() == {"items": [], "next_cursor": None}
    assert refused.status_code == 401  # key_cache_seconds is 0 here: revocation is immediate
    assert {"ApiKeyHeader", "BearerKey"} <= set(spec["components"]["securitySchemes"])
