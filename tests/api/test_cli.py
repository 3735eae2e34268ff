"""`loophub keys create|list|revoke` and `loophub serve`, run as an admin would, in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]

    def output(self) -> str:
        """Everything the server printed, once it has stopped."""
        self.process.terminate()
        return self.process.communicate(timeout=30)[0]


@contextmanager
def serving(workdir: Path, *options: str) -> Iterator[Served]:
    """`loophub serve` with `options` in a subprocess on a free port, until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")}
    command = [sys.executable, "-m", "loophub", "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/openapi.json", trust_env=False)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.1)
        yield Served(url, process)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def served(workdir: Path) -> Iterator[str]:
    with serving(workdir) as server:
        yield server.url


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
    operations = [(path, method, operation) for path, item in spec["paths"].items() for method, operation in item.items()]
    assert operations and all(operation.get("security") == [{"ApiKeyHeader": []}, {"BearerKey": []}] for _, _, operation in operations), [
        (path, method) for path, method, operation in operations if "security" not in operation
    ]


def worker_processes(parent: int) -> int:
    """Live processes whose parent is `parent` (uvicorn's workers, and its process-spawning helper if any)."""
    children = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children += int(fields[1]) == parent and fields[0] != "Z"
    return children


def test_given_two_workers_when_served_then_two_processes_answer_with_the_same_key(workdir: Path) -> None:
    secret = created_secret(loophub(workdir, "keys", "create", "--name", "portal"))

    with serving(workdir, "--workers", "2", "--pool-size", "2") as server, httpx.Client(base_url=server.url, trust_env=False) as client:
        answers = [client.get("/v1/profiles", params={"email": "ada@acme.com"}, headers={"X-API-Key": secret}) for _ in range(6)]
        workers = worker_processes(server.process.pid)

    assert [answer.status_code for answer in answers] == [200] * 6
    assert all(answer.json() == {"items": [], "next_cursor": None} for answer in answers)
    assert workers >= 2


def test_given_serve_when_the_access_log_is_asked_for_then_requests_are_logged_and_by_default_they_are_not(workdir: Path) -> None:
    with serving(workdir) as quiet:
        httpx.get(f"{quiet.url}/v1/profiles", trust_env=False)
        quiet_output = quiet.output()
    with serving(workdir, "--access-log") as logged:
        httpx.get(f"{logged.url}/v1/profiles", trust_env=False)
        logged_output = logged.output()

    assert "Uvicorn running" in quiet_output and "GET /v1/profiles" not in quiet_output
    assert "GET /v1/profiles HTTP/1.1" in logged_output and "401" in logged_output
