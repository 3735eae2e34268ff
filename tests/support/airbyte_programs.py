"""Running a connector as a standalone Airbyte source, as Airbyte would, and reading what it prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type

REPO = Path(__file__).resolve().parents[2]


def start_connector(system: str, *arguments: str) -> subprocess.Popen[str]:
    """`python -m connectors.<system> ...` in the background (each start pays ~4 s of airbyte_cdk imports)."""
    command = [sys.executable, "-m", f"connectors.{system}", *arguments]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def messages_of(program: subprocess.Popen[str]) -> list[AirbyteMessage]:
    """Every stdout line of a finished program, each parsed as an Airbyte message (a line that is not one fails)."""
    stdout, stderr = program.communicate(timeout=120)
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, stderr
    return [AirbyteMessageSerializer.load(orjson.loads(line)) for line in lines]


def of_type(messages: list[AirbyteMessage], kind: Type) -> list[AirbyteMessage]:
    return [message for message in messages if message.type == kind]
