"""Connections through the admin API: written into a copy of loophub.yaml, comments kept, secrets never shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loophub.config import parse_config
from tests.api.api_support import LiveApi, new_key, serving, with_api
from tests.api.conftest import LoopStore

SECRET = "zd-token-never-shown-7f3a9c"  # the value behind the env reference: must appear in no answer
COMMENT = "# the support desk, kept by every edit"


def yaml_text(zendesk_url: str) -> str:
    return f"""# loophub.yaml for the admin API tests
version: 1
connections:
  {COMMENT}
  - name: zendesk
    system: zendesk
    base_url: {zendesk_url}  # the sandbox
    credentials:
      email: ${{LOOPHUB_SANDBOX_ZD_EMAIL:-integration@sandbox.example}}
      api_token: ${{LOOPHUB_SANDBOX_ZD_TOKEN:-sandbox-api-token}}
    options:
      subdomain: sandbox
      incremental_exports_per_minute: '600'
"""


@pytest.fixture(scope="module")
def file_api(
    loop_store: LoopStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveApi, Path]]:
    """The API started from a temporary loophub.yaml (never the shared one), with the env vars the tests reference."""
    zendesk = loop_store.config.connection("zendesk")
    assert zendesk is not None and zendesk.base_url
    path = tmp_path_factory.mktemp("config") / "loophub.yaml"
    path.write_text(yaml_text(zendesk.base_url), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LH_ADMIN_TEST_ZD_TOKEN", SECRET)
        env.setenv("LH_ADMIN_TEST_ZD_EMAIL", "integration@sandbox.example")
        config = with_api(
            parse_config(path.read_text(encoding="utf-8"), path, {}),
            rate_limit="100000/minute",
        )
        assert config.origin() is not None
        with serving(loop_store.engine, config) as url:
            api = LiveApi(
                url,
                loop_store.engine,
                config,
                new_key(loop_store.engine, "conn-read"),
                new_key(loop_store.engine, "conn-admin", "admin"),
            )
            yield api, path
            api.client.close()


def call(
    api: LiveApi,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
) -> httpx.Response:
    return api.client.request(
        method, api.url + path, json=body, headers={"X-API-Key": key or api.admin_key}
    )


def new_connection(name: str, base_url: str) -> dict[str, Any]:
    credentials = {
        "email": {"env": "LH_ADMIN_TEST_ZD_EMAIL"},
        "api_token": {"env": "LH_ADMIN_TEST_ZD_TOKEN"},
    }
    return {
        "name": name,
        "system": "zendesk",
        "base_url": base_url,
        "options": {"subdomain": "sandbox"},
        "credentials": credentials,
    }


def test_given_an_env_reference_when_creating_listing_and_checking_then_no_answer_holds_the_secret(
    file_api: tuple[LiveApi, Path],
) -> None:
    api, path = file_api
    base_url = api.config.connection("zendesk").base_url  # type: ignore[union-attr]

    created = call(
        api,
        "POST",
        "/v1/admin/connections",
        new_connection("zendesk-two", str(base_url)),
    )
    listed = call(api, "GET", "/v1/admin/connections")
    checked = call(api, "POST", "/v1/admin/connections/zendesk-two/check")
    audit = call(api, "GET", "/v1/admin/audit")

    assert created.status_code == 201, created.text
    assert {
        "key": "api_token",
        "env": "LH_ADMIN_TEST_ZD_TOKEN",
        "set": True,
    } in created.json()["credentials"]
    assert [item["name"] for item in listed.json()["items"]] == [
        "zendesk",
        "zendesk-two",
    ]  # the running config was reloaded
    assert (
        checked.status_code == 200
        and checked.json()["name"] == "zendesk-two"
        and isinstance(checked.json()["ok"], bool)
    )
    assert "${LH_ADMIN_TEST_ZD_TOKEN}" in path.read_text(
        encoding="utf-8"
    ) and COMMENT in path.read_text(encoding="utf-8")
    for response in (created, listed, checked, audit):
        assert SECRET not in response.text


def test_given_the_sandbox_connection_when_checked_then_ok_with_the_connector_message_and_audited(
    file_api: tuple[LiveApi, Path],
) -> None:
    api, _ = file_api

    checked = call(api, "POST", "/v1/admin/connections/zendesk/check")
    audit = call(api, "GET", "/v1/admin/audit", None).json()["items"]

    assert checked.status_code == 200 and checked.json()["ok"] is True, checked.text
    entry = next(
        item
        for item in audit
        if item["action"] == "connection.check"
        and item["target"] == "connection:zendesk"
    )
    assert (
        entry["key_name"] == "conn-admin"
        and entry["detail"] == {"ok": True}
        and entry["client"] == "127.0.0.1"
    )


def test_given_a_literal_secret_when_creating_then_422_says_secrets_come_from_the_environment_and_the_file_is_untouched(
    file_api: tuple[LiveApi, Path],
) -> None:
    api, path = file_api
    before = path.read_text(encoding="utf-8")
    body = new_connection("zendesk-literal", "https://acme.zendesk.com") | {
        "credentials": {
            "email": {"env": "LH_ADMIN_TEST_ZD_EMAIL"},
            "api_token": "literal-token-4411",
        }
    }

    refused = call(api, "POST", "/v1/admin/connections", body)

    assert refused.status_code == 422
    assert (
        "environment" in refused.json()["error"]["message"]
        and "literal-token-4411" not in refused.text
    )
    assert path.read_text(encoding="utf-8") == before


def test_given_an_update_when_patching_then_comments_stay_and_credentials_are_not_echoed(
    file_api: tuple[LiveApi, Path],
) -> None:
    api, path = file_api

    patched = call(
        api,
        "PATCH",
        "/v1/admin/connections/zendesk",
        {
            "options": {"incremental_exports_per_minute": "300"},
            "credentials": {"api_token": {"env": "LH_ADMIN_TEST_ZD_TOKEN"}},
        },
    )
    text = path.read_text(encoding="utf-8")

    assert patched.status_code == 200, patched.text
    assert patched.json()["options"]["incremental_exports_per_minute"] == "300"
    assert {
        "key": "api_token",
        "env": "LH_ADMIN_TEST_ZD_TOKEN",
        "set": True,
    } in patched.json()["credentials"]
    assert SECRET not in patched.text
    assert (
        COMMENT in text
        and "# the sandbox" in text
        and "# loophub.yaml for the admin API tests" in text
    )
    assert "api_token: ${LH_ADMIN_TEST_ZD_TOKEN}" in text
    assert (
        call(api, "GET", "/v1/admin/audit").json()["items"][0]["action"]
        == "connection.update"
    )


def test_given_an_invalid_result_when_patching_then_422_names_the_line_and_the_file_is_untouched(
    file_api: tuple[LiveApi, Path],
) -> None:
    api, path = file_api
    before = path.read_text(encoding="utf-8")

    bad_url = call(
        api, "PATCH", "/v1/admin/connections/zendesk", {"base_url": "ftp://nowhere"}
    )
    unset_env = call(
        api,
        "PATCH",
        "/v1/admin/connections/zendesk",
        {"credentials": {"api_token": {"env": "LH_ADMIN_TEST_NEVER_SET"}}},
    )

    assert (
        bad_url.status_code == 422
        and "base_url must start with http" in bad_url.json()["error"]["message"]
    )
    assert f"{path}:" in bad_url.json()["error"]["message"]  # file:line
    assert (
        unset_env.status_code == 422
        and "LH_ADMIN_TEST_NEVER_SET is not set" in unset_env.json()["error"]["message"]
    )
    assert path.read_text(encoding="utf-8") == before


def test_given_an_unknown_connection_or_a_read_key_then_404_and_403(
    file_api: tuple[LiveApi, Path],
) -> None:
    api, _ = file_api

    assert (
        call(
            api, "PATCH", "/v1/admin/connections/nope", {"options": {"a": "b"}}
        ).status_code
        == 404
    )
    assert call(api, "POST", "/v1/admin/connections/nope/check").status_code == 404
    assert (
        call(api, "GET", "/v1/admin/connections", key=api.read_key).status_code == 403
    )
    assert (
        call(
            api,
            "POST",
            "/v1/admin/connections",
            new_connection("zendesk-three", "https://a.example"),
            key=api.read_key,
        ).status_code
        == 403
    )


def test_given_a_server_without_a_file_when_creating_then_409(
    live_api: LiveApi,
) -> None:
    body = new_connection("zendesk-nofile", "https://acme.zendesk.com") | {
        "credentials": {"email": {"env": "HOME"}, "api_token": {"env": "HOME"}}
    }

    refused = call(live_api, "POST", "/v1/admin/connections", body)

    assert (
        refused.status_code == 409
        and "loophub.yaml" in refused.json()["error"]["message"]
    )
