"""`loophub sandbox serve`: starts the stand-ins, prints where they are, writes a usable loophub.yaml."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from loophub.config import load_config


def start_serving(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "loophub", "sandbox", "serve", *args],
        cwd=tmp_path,
        env=environment | {"COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 90
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Ready in"):
            return process, lines
    process.kill()
    raise AssertionError("the sandbox never said it was ready:\n" + "".join(lines))


def test_given_people_and_write_config_when_serving_then_config_points_at_live_stand_ins(tmp_path: Path) -> None:
    process, lines = start_serving(tmp_path, "--people", "60", "--seed", "3", "--write-config", "loophub.yaml", "--truth", "truth.csv")
    try:
        urls = dict(re.findall(r"^(salesforce|hubspot|zendesk)\s+(\S+)", "".join(lines), flags=re.MULTILINE))
        config = load_config(tmp_path / "loophub.yaml")

        assert {connection.name: connection.base_url for connection in config.connections} == urls
        hubspot = httpx.get(f"{urls['hubspot']}/crm/v3/objects/contacts?limit=1", headers={"Authorization": "Bearer x"})
        assert hubspot.status_code == 200 and hubspot.json()["results"]
        salesforce_ca = config.connection("salesforce").options["ca_bundle"]  # type: ignore[union-attr]
        versions = httpx.get(f"{urls['salesforce']}/services/data/", verify=salesforce_ca)
        assert versions.status_code == 200
        truth_rows = (tmp_path / "truth.csv").read_text().splitlines()
        assert truth_rows[0] == "system,object,source_id,person_id,company_id" and len(truth_rows) > 60
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0


def test_given_empty_when_serving_then_no_records_are_seeded(tmp_path: Path) -> None:
    process, lines = start_serving(tmp_path, "--empty")
    try:
        counts = re.findall(r"(\d[\d,]*) records", "".join(lines))
        assert counts == ["0", "0", "0"]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
