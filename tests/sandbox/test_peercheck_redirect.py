"""The peer check's URL redirect (sandbox/peercheck/redirect.py) and its pure helpers, without any network."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.peercheck import redirect
from sandbox.peercheck.airbyte import CommandResult, StreamKeys, configured_catalog, cursor_seconds
from sandbox.peercheck.runner import boundary_keys, compare

SANDBOX_ENV = {
    redirect.ENV_SALESFORCE: "https://127.0.0.1:8443",
    redirect.ENV_HUBSPOT: "http://127.0.0.1:8444",
    redirect.ENV_ZENDESK: "http://127.0.0.1:8445",
}


@pytest.mark.parametrize(
    ("url", "rewritten"),
    [
        ("https://login.salesforce.com/services/oauth2/token", "https://127.0.0.1:8443/services/oauth2/token"),
        ("https://test.salesforce.com/services/oauth2/token", "https://127.0.0.1:8443/services/oauth2/token"),
        ("https://LOGIN.Salesforce.com/services/oauth2/token", "https://127.0.0.1:8443/services/oauth2/token"),
        (
            "https://api.hubapi.com/crm/v3/objects/contacts?limit=100&archived=false",
            "http://127.0.0.1:8444/crm/v3/objects/contacts?limit=100&archived=false",
        ),
        ("https://api.hubapi.com", "http://127.0.0.1:8444/"),
        (
            "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?start_time=1700000000",
            "http://127.0.0.1:8445/api/v2/incremental/tickets/cursor.json?start_time=1700000000",
        ),
        ("https://sandbox.zendesk.com:443/api/v2/users/me", "http://127.0.0.1:8445/api/v2/users/me"),
    ],
)
def test_given_sandbox_urls_when_rewriting_a_vendor_url_then_scheme_host_and_port_are_the_sandbox(url, rewritten):
    assert redirect.rewrite_url(url, SANDBOX_ENV) == rewritten


@pytest.mark.parametrize(
    "url",
    [
        "https://zendesk.com/api/v2/users",  # no subdomain: not an account host
        "https://acme.zendesk.com.evil.example/api/v2/users",
        "https://na1.my.salesforce.com/services/data/v62.0/sobjects",  # instance hosts come from the token response
        "https://api.hubspot.com/crm/v3/objects/contacts",
        "http://127.0.0.1:8444/crm/v3/objects/contacts",  # already the sandbox: idempotent
        "ftp://login.salesforce.com/file",
        "not a url",
        "",
    ],
)
def test_given_sandbox_urls_when_rewriting_any_other_url_then_it_is_unchanged(url):
    assert redirect.rewrite_url(url, SANDBOX_ENV) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://login.salesforce.com/services/oauth2/token",
        "https://api.hubapi.com/crm/v3/owners/",
        "https://acme.zendesk.com/api/v2/users",
    ],
)
def test_given_no_redirect_variables_when_rewriting_then_every_url_is_unchanged(url):
    assert redirect.rewrite_url(url, {}) == url
    assert redirect.rewrite_url(url, {redirect.ENV_HUBSPOT: ""}) == url
    assert not redirect.active({})


def test_given_only_one_system_redirected_when_rewriting_then_the_others_stay_on_the_vendor():
    environ = {redirect.ENV_HUBSPOT: "http://127.0.0.1:9000"}
    assert redirect.rewrite_url("https://api.hubapi.com/crm/v3/owners", environ) == "http://127.0.0.1:9000/crm/v3/owners"
    assert redirect.rewrite_url("https://acme.zendesk.com/api/v2/users", environ) == "https://acme.zendesk.com/api/v2/users"


def test_given_a_sandbox_url_with_a_path_when_rewriting_then_the_path_is_prefixed():
    environ = {redirect.ENV_ZENDESK: "http://127.0.0.1:9000/zendesk/"}
    assert redirect.rewrite_url("https://acme.zendesk.com/api/v2/users", environ) == "http://127.0.0.1:9000/zendesk/api/v2/users"


def test_given_a_ca_bundle_when_a_request_goes_to_an_https_sandbox_url_then_it_is_trusted_there_only():
    environ = {**SANDBOX_ENV, redirect.ENV_CA_BUNDLE: "/tmp/ca.pem"}
    assert redirect.ca_bundle_for("https://127.0.0.1:8443/services/data/v62.0/sobjects", environ) == "/tmp/ca.pem"
    assert redirect.ca_bundle_for("https://127.0.0.1:8443", environ) == "/tmp/ca.pem"
    assert redirect.ca_bundle_for("https://127.0.0.1:84430/x", environ) is None
    assert redirect.ca_bundle_for("http://127.0.0.1:8444/crm/v3/owners", environ) is None
    assert redirect.ca_bundle_for("https://example.com/", environ) is None
    assert redirect.ca_bundle_for("https://127.0.0.1:8443/x", SANDBOX_ENV) is None


def _run_isolated(code: str, env: dict[str, str], tmp_path: Path) -> str:
    """Run `code` in a fresh interpreter that imports the redirect the way a peer venv's .pth does."""
    shutil.copy(redirect.__file__, tmp_path / "loophub_peer_redirect.py")
    full_env = {"PATH": "/usr/bin:/bin", **env, "PYTHONPATH": str(tmp_path)}
    script = "import loophub_peer_redirect\n" + code
    done = subprocess.run([sys.executable, "-c", script], env=full_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_given_the_redirect_module_imported_when_requests_prepares_a_vendor_url_then_it_targets_the_sandbox(tmp_path):
    pytest.importorskip("requests")
    code = (
        "import json, requests\n"
        "urls = [requests.Request('GET', u, params={'limit': 1}).prepare().url for u in\n"
        "        ('https://api.hubapi.com/crm/v3/owners', 'https://acme.zendesk.com/api/v2/users', 'https://example.com/x')]\n"
        "print(json.dumps(urls))\n"
    )
    urls = json.loads(_run_isolated(code, SANDBOX_ENV, tmp_path))
    assert urls == [
        "http://127.0.0.1:8444/crm/v3/owners?limit=1",
        "http://127.0.0.1:8445/api/v2/users?limit=1",
        "https://example.com/x?limit=1",
    ]


def test_given_no_redirect_variables_when_the_module_is_imported_then_requests_is_left_alone(tmp_path):
    pytest.importorskip("requests")
    code = (
        "import sys\n"
        "print('requests' in sys.modules)\n"
        "import requests\n"
        "print(requests.Request('GET', 'https://api.hubapi.com/crm/v3/owners').prepare().url)\n"
    )
    assert _run_isolated(code, {}, tmp_path).splitlines() == ["False", "https://api.hubapi.com/crm/v3/owners"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (1795458389, 1795458389.0),
        ("1795458389", 1795458389.0),
        (1795458389123, 1795458389.123),
        ("2026-11-23T05:26:55.669+0000", 1795411615.669),
        ("2026-11-23T05:26:55.669Z", 1795411615.669),
        ("2026-11-23T05:26:55Z", 1795411615.0),
        (None, None),
        ("soon", None),
    ],
)
def test_cursor_values_of_every_source_become_epoch_seconds(value, seconds):
    assert cursor_seconds(value) == (pytest.approx(seconds) if seconds is not None else None)


def test_given_a_lookback_when_computing_the_boundary_then_only_the_newest_records_may_be_read_again():
    records = [("a", "2026-01-01T00:00:00Z"), ("b", "2026-01-01T00:09:00Z"), ("c", "2026-01-01T00:10:00Z")]
    assert boundary_keys(records, incremental=True, lookback_seconds=0) == {"c"}
    assert boundary_keys(records, incremental=True, lookback_seconds=60) == {"b", "c"}
    assert boundary_keys(records, incremental=False, lookback_seconds=0) == {"a", "b", "c"}


def test_given_a_discovered_catalog_when_configuring_then_wanted_streams_are_incremental_where_supported():
    discovered = {
        "streams": [
            {"name": "users", "supported_sync_modes": ["full_refresh", "incremental"], "default_cursor_field": ["updated_at"],
             "source_defined_primary_key": [["id"]], "json_schema": {}},
            {"name": "tags", "supported_sync_modes": ["full_refresh"], "source_defined_primary_key": [["name"]], "json_schema": {}},
            {"name": "brands", "supported_sync_modes": ["full_refresh"], "json_schema": {}},
        ]
    }
    catalog, keys, missing = configured_catalog(discovered, ["users", "tags", "groups"])
    assert [(s["stream"]["name"], s["sync_mode"]) for s in catalog["streams"]] == [("users", "incremental"), ("tags", "full_refresh")]
    assert catalog["streams"][0]["cursor_field"] == ["updated_at"]
    assert keys["users"].primary_key == ["id"] and keys["tags"].cursor_field == []
    assert missing == ["groups"]


def _read(records: dict[str, list[tuple[object, object]]]) -> CommandResult:
    result = CommandResult("read", 0, 0.0, Path("unused"))
    for stream, rows in records.items():
        result.records[stream] = len(rows)
        result.record_keys[stream] = list(rows)
    return result


def test_given_reads_when_comparing_with_the_world_then_distinct_ids_decide_and_overlaps_are_noted():
    keys = {"ticket_comments": StreamKeys(["id"], ["created_at"]), "users": StreamKeys(["id"], ["updated_at"])}
    full = _read(
        {
            "ticket_comments": [(1, "2026-01-01T00:00:00Z"), (2, "2026-01-01T00:00:05Z"), (2, "2026-01-01T00:00:05Z")],
            "users": [(10, "2026-01-01T00:00:00Z")],
        }
    )
    incremental = _read({"ticket_comments": [(2, "2026-01-01T00:00:05Z")], "users": [(10, "2026-01-01T00:00:00Z")]})
    expected = {"ticket_comments": {"1", "2"}, "users": {"10", "11"}}
    comments, users = compare("zendesk", expected, keys, full, incremental)
    assert (comments.ok, comments.full, comments.distinct, comments.incremental, comments.boundary) == (True, 3, 2, 1, 1)
    assert "1 read twice" in comments.note
    assert not users.ok and "1 seeded records not read (e.g. 11)" in users.note
