"""A malformed loophub.yaml is a clear message naming file, line and field; exit code 2; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_support import write_config

GOOD_CONNECTION = """\
connections:
  - name: hubspot
    system: hubspot
    credentials:
      access_token: ${HS_TOKEN}
"""


def assert_config_error(result, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"


def test_given_config_path_that_does_not_exist_when_listing_then_file_is_named(run_loophub, tmp_path: Path) -> None:
    result = run_loophub("--config", "missing.yaml", "connections", "list")

    assert_config_error(result, "missing.yaml", "file not found")


def test_given_config_env_var_pointing_nowhere_when_listing_then_file_is_named(run_loophub) -> None:
    result = run_loophub("connections", "list", env={"LOOPHUB_CONFIG": "nowhere.yaml"})

    assert_config_error(result, "nowhere.yaml", "file not found")


def test_given_yaml_syntax_error_when_listing_then_line_is_named(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, "connections:\n  - name: a\n    system: [hubspot\n")

    result = run_loophub("connections", "list")

    assert_config_error(result, "loophub.yaml:4", "not valid YAML")


def test_given_unknown_key_when_listing_then_line_and_close_match_are_named(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, "version: 1\ndatabase:\n  ur: sqlite:///x.db\n")

    result = run_loophub("connections", "list")

    assert_config_error(result, "loophub.yaml:3", "database.ur", "unknown key 'ur'", "did you mean 'url'")


def test_given_wrong_type_when_listing_then_field_path_and_expectation_are_named(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, GOOD_CONNECTION + "    options: 3\n")

    result = run_loophub("connections", "list", env={"HS_TOKEN": "token-value-123456"})

    assert_config_error(result, "loophub.yaml:6", "connections[0].options", "valid dictionary")


def test_given_unknown_system_when_listing_then_allowed_systems_are_listed(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, GOOD_CONNECTION.replace("system: hubspot", "system: hubspt"))

    result = run_loophub("connections", "list", env={"HS_TOKEN": "token-value-123456"})

    assert_config_error(result, "loophub.yaml:3", "connections[0].system", "'salesforce', 'hubspot' or 'zendesk'")


def test_given_missing_env_var_when_listing_then_variable_and_line_are_named(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, GOOD_CONNECTION)

    result = run_loophub("connections", "list")

    assert_config_error(result, "loophub.yaml:5", "connections[0].credentials.access_token", "HS_TOKEN is not set")


def test_given_secret_written_in_file_when_listing_then_refused_without_echoing_it(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, GOOD_CONNECTION.replace("${HS_TOKEN}", "pat-na1-very-secret"))

    result = run_loophub("connections", "list")

    assert_config_error(result, "loophub.yaml:5", "must not be written in the file")
    assert "pat-na1-very-secret" not in result.stderr + result.stdout


def test_given_several_problems_when_listing_then_all_are_reported_at_once(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, "database:\n  ur: x\nconnections:\n  - name: Bad Name\n    system: hubspot\n")

    result = run_loophub("connections", "list")

    assert_config_error(result, "loophub.yaml:2", "loophub.yaml:4", "connections[0].name", "connections[0].credentials")


def test_given_duplicate_connection_names_when_listing_then_refused(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, GOOD_CONNECTION + GOOD_CONNECTION.removeprefix("connections:\n"))

    result = run_loophub("connections", "list", env={"HS_TOKEN": "token-value-123456"})

    assert_config_error(result, "named 'hubspot'", "unique")


@pytest.mark.parametrize("credentials", ["      access_token: 12345\n", "      api_key: ${HS_TOKEN}\n"])
def test_given_bad_credentials_when_listing_then_value_is_never_echoed(run_loophub, tmp_path: Path, credentials: str) -> None:
    write_config(tmp_path, GOOD_CONNECTION.replace("      access_token: ${HS_TOKEN}\n", credentials))

    result = run_loophub("connections", "list", env={"HS_TOKEN": "token-value-123456"})

    assert result.returncode == 2
    assert "12345" not in result.stderr and "token-value-123456" not in result.stderr
