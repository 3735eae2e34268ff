"""How fast the stand-ins serve each vendor's bulk read path, so the sandbox is never a benchmark's bottleneck.

Starts `loophub sandbox serve` in its own process (the client here does not
share its interpreter), then reads every record of the largest objects the
way an integration's full pull would, with plain HTTP, and prints records/s.

    .venv/bin/python bench/sandbox_serving.py [--people 10000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx


def start_sandbox(people: int, workdir: Path) -> tuple[subprocess.Popen[str], dict[str, str], float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "loophub", "sandbox", "serve", "--people", str(people), "--write-config", "loophub.yaml"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert process.stdout is not None
    output = ""
    for line in process.stdout:
        output += line
        if line.startswith("Ready in"):
            break
    urls = dict(re.findall(r"^(salesforce|hubspot|zendesk)\s+(\S+)", output, flags=re.MULTILINE))
    if len(urls) != 3:
        process.kill()
        raise SystemExit(f"the sandbox did not start:\n{output}")
    return process, urls, time.perf_counter() - started


def salesforce_bulk(client: httpx.Client, base: str) -> tuple[int, int]:
    token = client.post(f"{base}/services/oauth2/token", data={"grant_type": "password", "client_id": "bench", "client_secret": "bench", "username": "bench@example.com", "password": "x"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    api = f"{token['instance_url']}/services/data/v62.0"
    fields = "Id, AccountId, FirstName, LastName, Email, Phone, MobilePhone, Title, OwnerId, SystemModstamp, IsDeleted"
    job = client.post(f"{api}/jobs/query", headers=headers, json={"operation": "queryAll", "query": f"SELECT {fields} FROM Contact"}).json()
    calls = 2
    while client.get(f"{api}/jobs/query/{job['id']}", headers=headers).json()["state"] != "JobComplete":
        calls += 1
    rows, locator = 0, ""
    while locator != "null":
        answer = client.get(f"{api}/jobs/query/{job['id']}/results", headers=headers, params={"maxRecords": 50000, **({"locator": locator} if locator else {})})
        calls += 1
        rows += answer.text.count("\n") - 1
        locator = answer.headers["Sforce-Locator"]
    return rows, calls


def salesforce_rest(client: httpx.Client, base: str) -> tuple[int, int]:
    token = client.post(f"{base}/services/oauth2/token", data={"grant_type": "password", "client_id": "bench", "client_secret": "bench", "username": "bench@example.com", "password": "x"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    page = client.get(f"{token['instance_url']}/services/data/v62.0/queryAll/", headers=headers, params={"q": "SELECT Id, AccountId, FirstName, LastName, Email, Phone, Title, SystemModstamp FROM Contact"}).json()
    rows, calls = len(page["records"]), 2
    while not page["done"]:
        page = client.get(f"{token['instance_url']}{page['nextRecordsUrl']}", headers=headers).json()
        rows, calls = rows + len(page["records"]), calls + 1
    return rows, calls


def hubspot_list(client: httpx.Client, base: str) -> tuple[int, int]:
    headers = {"Authorization": "Bearer bench"}
    properties = ["email", "firstname", "lastname", "phone", "company", "jobtitle", "lifecyclestage", "hubspot_owner_id"]
    rows, calls, after = 0, 0, None
    while True:
        params: dict[str, object] = {"limit": 100, "properties": properties, "associations": "companies"}
        if after:
            params["after"] = after
        page = client.get(f"{base}/crm/v3/objects/contacts", headers=headers, params=params).json()
        rows, calls = rows + len(page["results"]), calls + 1
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            return rows, calls


def zendesk_export(client: httpx.Client, base: str) -> tuple[int, int]:
    auth = ("bench@example.com/token", "bench")
    url: str | None = f"{base}/api/v2/incremental/tickets/cursor.json?start_time=0"
    rows = calls = 0
    while url:
        page = client.get(url, auth=auth).json()
        rows, calls = rows + len(page["tickets"]), calls + 1
        url = None if page["end_of_stream"] else page["after_url"]
    return rows, calls


def measure(name: str, read: Callable[[httpx.Client, str], tuple[int, int]], client: httpx.Client, base: str) -> None:
    started = time.perf_counter()
    rows, calls = read(client, base)
    elapsed = time.perf_counter() - started
    print(f"{name:<34} {rows:>8,} records {calls:>5} calls {elapsed:>7.2f} s {rows / elapsed:>10,.0f} records/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    with TemporaryDirectory() as workdir:
        process, urls, ready = start_sandbox(args.people, Path(workdir))
        print(f"sandbox with {args.people:,} people ready in {ready:.1f} s (generation included)")
        try:
            ca = str(Path(workdir) / ".sandbox" / "ca.pem")
            with httpx.Client(verify=ca, timeout=120) as client:
                measure("salesforce Bulk 2.0 query (Contact)", salesforce_bulk, client, urls["salesforce"])
                measure("salesforce REST queryAll (Contact)", salesforce_rest, client, urls["salesforce"])
                measure("hubspot list contacts (100/page)", hubspot_list, client, urls["hubspot"])
                measure("zendesk ticket export (1000/page)", zendesk_export, client, urls["zendesk"])
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
