"""Connections written into loophub.yaml by the admin API, keeping the admin's comments and layout.

The file is read in round-trip mode, changed in place, validated as a whole
with the server's environment (every `${VAR}` must be set), and only written
when valid: a rejected change leaves the file as it was.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from api.admin_errors import Unprocessable
from loophub.config import ConfigError, LoophubConfig, parse_config

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRETS_FROM_ENV = 'secrets come from the environment, never from the request: send {"env": "VAR_NAME"} and set VAR_NAME where the server runs'


def env_references(credentials: Mapping[str, Any]) -> dict[str, str | None]:
    """Each credential as the `${VAR}` loophub.yaml holds (None removes it); 422 for a literal value, which is never echoed."""
    references: dict[str, str | None] = {}
    for key, given in credentials.items():
        if given is None:
            references[key] = None
            continue
        variable = (
            given.get("env")
            if isinstance(given, Mapping) and set(given) == {"env"}
            else None
        )
        if not isinstance(variable, str):
            raise Unprocessable(
                f"credential {key!r} is not an environment reference; {SECRETS_FROM_ENV}"
            )
        if not ENV_NAME.match(variable):
            raise Unprocessable(
                f"credential {key!r}: {variable[:60]!r} is not an environment variable name (letters, digits and _, not starting with a digit)"
            )
        references[key] = f"${{{variable}}}"
    return references


def create_connection(entry: dict[str, Any]) -> Callable[[Path], LoophubConfig]:
    """A change appending `entry` (credentials already as `${VAR}`) to `connections:`."""

    def change(tree: CommentedMap) -> None:
        connections = tree.get("connections")
        if connections is None:
            connections = tree["connections"] = CommentedSeq()
        if any(
            isinstance(item, Mapping) and item.get("name") == entry["name"]
            for item in connections
        ):
            raise Unprocessable(
                f"a connection named {entry['name']!r} already exists; change it with PATCH /v1/admin/connections/{entry['name']}"
            )
        connections.append(CommentedMap(entry))

    return lambda path: _rewrite(path, change)


def update_connection(
    name: str,
    base_url: str | None,
    unset_base_url: bool,
    options: Mapping[str, Any],
    credentials: Mapping[str, str | None],
) -> Callable[[Path], LoophubConfig]:
    """A change to one connection: a new base URL (or none), options and credential references merged key by key (None removes)."""

    def change(tree: CommentedMap) -> None:
        entry = next(
            (
                item
                for item in tree.get("connections") or []
                if isinstance(item, CommentedMap) and item.get("name") == name
            ),
            None,
        )
        if entry is None:
            raise Unprocessable(
                f"connection {name!r} is in the server's configuration but no longer in the file; restart the server"
            )
        if unset_base_url:
            entry.pop("base_url", None)
        elif base_url is not None:
            entry["base_url"] = base_url
        _merge(entry, "options", options)
        _merge(entry, "credentials", credentials)

    return lambda path: _rewrite(path, change)


def _merge(entry: CommentedMap, section: str, changes: Mapping[str, Any]) -> None:
    if not changes:
        return
    target = entry.get(section)
    if not isinstance(target, CommentedMap):
        target = entry[section] = CommentedMap()
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    if not target:
        del entry[section]


def _rewrite(path: Path, change: Callable[[CommentedMap], None]) -> LoophubConfig:
    yaml = YAML(typ="rt")
    tree = yaml.load(path.read_text(encoding="utf-8"))
    if not isinstance(tree, CommentedMap):
        raise Unprocessable(
            f"{path} is not a mapping of sections; fix the file by hand first"
        )
    change(tree)
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    try:
        config = parse_config(buffer.getvalue(), path, os.environ)
    except ConfigError as error:
        raise Unprocessable(f"the change was not saved: {error.user_message}") from None
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return config
