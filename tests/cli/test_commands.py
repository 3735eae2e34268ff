"""The commands a new install offers: --help, --version, db upgrade, connections list."""

from __future__ import annotations

from pathlib import Path

from loophub import __version__
from store import head_revision
from tests_support import write_config


def test_when_asking_for_help_then_commands_are_listed(run_loophub) -> None:
    result = run_loophub("--help")

    assert result.returncode == 0
    for command in ("db", "connections"):
        assert command in result.stdout


def test_when_asking_for_version_then_package_version_is_printed(run_loophub) -> None:
    result = run_loophub("--version")

    assert result.returncode == 0
    assert result.stdout.strip() == f"loophub {__version__}"


def test_given_empty_database_when_upgraded_twice_then_second_is_a_no_op(run_loophub, database_url: str) -> None:
    env = {"LOOPHUB_DATABASE_URL": database_url}

    first = run_loophub("db", "upgrade", env=env)
    second = run_loophub("db", "upgrade", env=env)

    assert first.returncode == 0, first.stderr
    assert f"upgraded from an empty database to revision {head_revision()}" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout


def test_given_no_config_and_no_env_when_upgrading_then_sqlite_file_in_working_directory_is_used(run_loophub, tmp_path: Path) -> None:
    result = run_loophub("db", "upgrade")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "loophub.db").exists()


def test_given_database_url_in_config_when_env_is_unset_then_config_url_is_used(run_loophub, tmp_path: Path) -> None:
    write_config(tmp_path, f"database:\n  url: sqlite:///{tmp_path / 'from-config.db'}\n")

    result = run_loophub("db", "upgrade")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-config.db").exists()
    assert not (tmp_path / "loophub.db").exists()


def test_given_password_in_database_url_when_upgrading_then_it_is_not_printed(run_loophub, tmp_path: Path) -> None:
    result = run_loophub("db", "upgrade", env={"LOOPHUB_DATABASE_URL": "postgresql://loophub:s3cr3t-pw@127.0.0.1:1/none"})

    assert result.returncode != 0
    assert "s3cr3t-pw" not in result.stdout + result.stderr


def test_given_connections_when_listed_then_secrets_are_masked(run_loophub, tmp_path: Path) -> None:
    write_config(
        tmp_path,
        "connections:\n  - name: zendesk\n    system: zendesk\n    base_url: http://127.0.0.1:9\n"
        "    credentials:\n      email: ${ZD_EMAIL}\n      api_token: ${ZD_TOKEN}\n    options:\n      subdomain: acme\n",
    )

    result = run_loophub("connections", "list", env={"ZD_EMAIL": "agent@example.com", "ZD_TOKEN": "zd-token-abcdef123456"})

    assert result.returncode == 0, result.stderr
    assert "zendesk" in result.stdout and "http://127.0.0.1:9" in result.stdout
    assert "$ZD_TOKEN" in result.stdout
    assert "zd-token-abcdef123456" not in result.stdout
    assert "agent@example.com" not in result.stdout
