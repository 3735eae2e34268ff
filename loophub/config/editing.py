"""Changes to loophub.yaml made by commands, keeping the admin's comments and layout."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from loophub.config.errors import ConfigError, ConfigProblem
from loophub.config.loader import parse_config
from loophub.config.models import LoophubConfig


def add_connection(path: Path, entry: dict[str, Any]) -> LoophubConfig:
    """Append a connection to `path` (created when missing); the file is only written if the result is valid."""
    yaml = YAML(typ="rt")
    tree = yaml.load(path.read_text(encoding="utf-8")) if path.exists() else None
    if tree is None:
        tree = CommentedMap([("version", 1)])
    if not isinstance(tree, CommentedMap):
        raise ConfigError(path, [ConfigProblem(1, "", "the file must be a mapping of sections to add a connection")])
    connections = tree.get("connections")
    if connections is None:
        connections = tree["connections"] = CommentedSeq()
    if any(isinstance(item, dict) and item.get("name") == entry["name"] for item in connections):
        raise ConfigError(path, [ConfigProblem(None, "connections", f"a connection named {entry['name']!r} already exists")])
    connections.append(CommentedMap(entry))
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    text = buffer.getvalue()
    config = parse_config(text, path, os.environ)
    path.write_text(text, encoding="utf-8")
    return config
