"""The Airbyte protocol as the peer check needs it: run a source command, read its messages, build catalogs and state.

A source writes one JSON message a line on stdout (RECORD, STATE, LOG,
TRACE, CATALOG, CONNECTION_STATUS, SPEC). `run_command` keeps stdout and
stderr in files under the run folder, so a failed step can be read afterwards,
and summarises what came out in a `CommandResult`.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class CommandResult:
    """What one `source-x <command>` run printed, summarised."""

    command: str
    returncode: int
    seconds: float
    stdout_path: Path
    records: Counter[str] = field(default_factory=Counter)
    record_keys: dict[str, list[tuple[Any, Any]]] = field(default_factory=lambda: defaultdict(list))  # (pk, cursor)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)  # last STATE message per stream
    errors: list[str] = field(default_factory=list)  # TRACE errors and ERROR/FATAL logs, distinct, first line
    stream_errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # distinct, per stream
    stream_status: dict[str, str] = field(default_factory=dict)  # last STREAM_STATUS per stream
    warnings: list[str] = field(default_factory=list)
    catalog: dict[str, Any] | None = None
    connection_status: dict[str, Any] | None = None
    spec: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        if self.returncode != 0 or self.errors or self.stream_errors:
            return False
        if self.command == "check":
            return (self.connection_status or {}).get("status") == "SUCCEEDED"
        if self.command == "discover":
            return self.catalog is not None
        if self.command == "spec":
            return self.spec is not None
        return True

    def failure(self) -> str:
        """A one-paragraph reason this command did not succeed ('' when it did)."""
        if self.ok:
            return ""
        reasons = [f"{stream}: {errors[0]}" for stream, errors in self.stream_errors.items()]
        reasons += [error for error in self.errors if not error.startswith("During the sync, the following streams")]
        reasons = reasons[:6]
        if self.command == "check" and self.connection_status:
            reasons.insert(0, f"check {self.connection_status.get('status')}: {self.connection_status.get('message', '')}")
        if self.returncode != 0:
            reasons.append(f"exit code {self.returncode}")
        return "; ".join(reasons) or "no result message"


@dataclass(frozen=True)
class StreamKeys:
    """Where to find a record's primary key and cursor in a configured stream."""

    primary_key: list[str]
    cursor_field: list[str]


def run_command(
    script: Path,
    command: str,
    args: list[str],
    env: dict[str, str],
    folder: Path,
    label: str,
    keys: dict[str, StreamKeys] | None = None,
    timeout: float = 1800,
) -> CommandResult:
    """Run `script command args` in `folder`, stdout and stderr written to `folder/label.{out,err}`, and parse stdout."""
    stdout_path, stderr_path = folder / f"{label}.out.jsonl", folder / f"{label}.err.txt"
    started = time.monotonic()
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        try:
            # Run inside `folder`: the CDK saves each Bulk result to a uuid-named file in the working directory
            # (and leaves it behind when parsing fails), which must not land in the caller's work tree.
            command_line = [str(script), command, *args]
            returncode = subprocess.run(command_line, stdout=out, stderr=err, env=env, cwd=folder, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            returncode = -9
    result = CommandResult(command, returncode, time.monotonic() - started, stdout_path)
    if returncode == -9:
        result.errors.append(f"timed out after {timeout:.0f} s")
    with stdout_path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            _absorb(result, line, keys or {})
    return result


def _absorb(result: CommandResult, line: str, keys: dict[str, StreamKeys]) -> None:
    try:
        message = json.loads(line)
    except ValueError:
        return
    kind = message.get("type")
    if kind == "RECORD":
        record = message["record"]
        stream = record["stream"]
        result.records[stream] += 1
        if stream in keys:
            data = record.get("data", {})
            result.record_keys[stream].append(
                (_dig_all(data, keys[stream].primary_key), _dig(data, keys[stream].cursor_field))
            )
    elif kind == "STATE":
        state = message["state"]
        if state.get("type") == "STREAM":
            result.states[state["stream"]["stream_descriptor"]["name"]] = state
        else:
            result.states["__global__"] = state
    elif kind == "TRACE" and message["trace"].get("type") == "ERROR":
        error = message["trace"]["error"]
        text = _first_line(f"{error.get('message')} [{error.get('internal_message')}]")
        stream = (error.get("stream_descriptor") or {}).get("name")
        _add_distinct(result.stream_errors[stream] if stream else result.errors, text)
    elif kind == "TRACE" and message["trace"].get("type") == "STREAM_STATUS":
        status = message["trace"]["stream_status"]
        result.stream_status[status["stream_descriptor"]["name"]] = status["status"]
    elif kind == "LOG":
        log = message["log"]
        text = _first_line(log.get("message", ""))
        if log.get("level") in ("ERROR", "FATAL") and not text.startswith("Exception while syncing stream"):
            _add_distinct(result.errors, text)
        elif log.get("level") == "WARN":
            _add_distinct(result.warnings, text)
    elif kind == "CATALOG":
        result.catalog = message["catalog"]
    elif kind == "CONNECTION_STATUS":
        result.connection_status = message["connectionStatus"]
    elif kind == "SPEC":
        result.spec = message["spec"]


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:400]


def _add_distinct(items: list[str], text: str) -> None:
    if text not in items:
        items.append(text)


def _dig(data: dict[str, Any], path: list[str]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _dig_all(data: dict[str, Any], fields: list[str]) -> Any:
    values = tuple(data.get(name) for name in fields)
    return values[0] if len(values) == 1 else values


def configured_catalog(catalog: dict[str, Any], wanted: list[str]) -> tuple[dict[str, Any], dict[str, StreamKeys], list[str]]:
    """A configured catalog of the `wanted` streams (incremental where supported), their keys, and wanted streams missing."""
    by_name = {stream["name"]: stream for stream in catalog.get("streams", [])}
    streams, keys = [], {}
    for name in wanted:
        stream = by_name.get(name)
        if stream is None:
            continue
        incremental = "incremental" in stream.get("supported_sync_modes", [])
        cursor = stream.get("default_cursor_field") or []
        primary_key = stream.get("source_defined_primary_key") or [["id"]]
        configured: dict[str, Any] = {
            "stream": stream,
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": "append_dedup" if incremental else "overwrite",
            "primary_key": primary_key,
        }
        if incremental:
            configured["cursor_field"] = cursor
        streams.append(configured)
        keys[name] = StreamKeys([part[0] for part in primary_key], cursor if incremental else [])
    return {"streams": streams}, keys, [name for name in wanted if name not in by_name]


def state_messages(result: CommandResult) -> list[dict[str, Any]]:
    """The `--state` file content for the next read: the last state of every stream."""
    return list(result.states.values())


def cursor_seconds(value: Any) -> float | None:
    """A cursor value (epoch seconds or milliseconds, as a number or digits, or an ISO 8601 string) in epoch seconds."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        return number / 1000 if number > 100_000_000_000 else number
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return None


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, indent=1, default=str), encoding="utf-8")
    return path
