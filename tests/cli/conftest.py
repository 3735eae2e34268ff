"""Run the real `loophub` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunLoophub = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_loophub(tmp_path: Path) -> RunLoophub:
    """Call `loophub ARGS...` in tmp_path with a clean loophub environment plus `env`."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("LOOPHUB_")}
        environment.update(env or {})
        environment["COLUMNS"] = "200"
        return subprocess.run(
            [sys.executable, "-m", "loophub", *args],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
