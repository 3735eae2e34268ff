"""Helpers for tests that run loophub against a live sandbox."""

from __future__ import annotations

from pathlib import Path

from loophub.config import LoophubConfig, parse_config
from sandbox.config import sandbox_config_yaml
from sandbox.server import SandboxServer


def sandbox_loophub_config(server: SandboxServer, database_url: str | None = None) -> LoophubConfig:
    """The loophub configuration `loophub sandbox serve --write-config` would write for `server`."""
    return parse_config(sandbox_config_yaml(server, database_url), Path("sandbox-loophub.yaml"), environ={})
