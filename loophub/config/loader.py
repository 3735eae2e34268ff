"""Reads loophub.yaml: YAML with line numbers, `${ENV_VAR}` references, Pydantic validation.

Every error points at the line it is about, so an admin can fix the file
without reading a traceback.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from loophub.config.errors import ConfigError, ConfigProblem
from loophub.config.models import LoophubConfig

DEFAULT_CONFIG_FILE = Path("loophub.yaml")
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SECRET_SECTIONS = ("credentials",)


class ConfigLocation(BaseSettings):
    """`LOOPHUB_CONFIG` names the file when `--config` does not."""

    model_config = SettingsConfigDict(env_prefix="LOOPHUB_", extra="ignore")

    config: Path | None = None


def config_path(explicit: Path | None = None) -> tuple[Path, bool]:
    """The file to read and whether the user named it (a named file must exist)."""
    if explicit is not None:
        return explicit, True
    from_env = ConfigLocation().config
    if from_env is not None:
        return from_env, True
    return DEFAULT_CONFIG_FILE, False


def load_config(explicit: Path | None = None, environ: Mapping[str, str] | None = None) -> LoophubConfig:
    """Load and validate loophub.yaml; without a file anywhere, the defaults (SQLite, no connections)."""
    path, named = config_path(explicit)
    if not path.exists():
        if named:
            raise ConfigError(path, [ConfigProblem(None, "", "file not found; create it from loophub.example.yaml or fix --config / LOOPHUB_CONFIG")])
        return LoophubConfig()
    return parse_config(path.read_text(encoding="utf-8"), path, os.environ if environ is None else environ)


def parse_config(text: str, path: Path, environ: Mapping[str, str]) -> LoophubConfig:
    tree = _read_yaml(text, path)
    problems: list[ConfigProblem] = []
    data = _resolve(tree, environ, problems, trail=())
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, [ConfigProblem(1, "", "the file must be a mapping of sections (database:, connections:, ...)")])
    try:
        config = LoophubConfig.model_validate(data)
    except ValidationError as error:
        problems += [_problem_from(item, tree) for item in error.errors()]
    if problems:
        raise ConfigError(path, sorted(problems, key=lambda problem: problem.line or 0))
    _remember_credential_sources(config, tree)
    config._origin = (path, tree)
    return config


def _read_yaml(text: str, path: Path) -> Any:
    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = f"not valid YAML: {error.problem or error.context}; check indentation, colons and quotes"
        raise ConfigError(path, [ConfigProblem(line, "", message)]) from None


def _resolve(node: Any, environ: Mapping[str, str], problems: list[ConfigProblem], trail: tuple[Any, ...]) -> Any:
    """Plain data with `${VAR}` replaced; a secret written literally is a problem, not a value."""
    if isinstance(node, CommentedMap):
        return {str(key): _resolve(value, environ, problems, (*trail, (node, key))) for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        return [_resolve(value, environ, problems, (*trail, (node, index))) for index, value in enumerate(node)]
    if not isinstance(node, str):
        return node
    in_secrets = any(key in _SECRET_SECTIONS for _, key in trail)
    if in_secrets and not _ENV_REFERENCE.fullmatch(node.strip()):
        problems.append(
            ConfigProblem(_line_of(trail), _dotted(trail), "a secret must not be written in the file; write ${ENV_VAR} and set that variable")
        )
        return node
    return _ENV_REFERENCE.sub(lambda match: _env_value(match, environ, problems, trail), node)


def _env_value(match: re.Match[str], environ: Mapping[str, str], problems: list[ConfigProblem], trail: tuple[Any, ...]) -> str:
    name, default = match.group(1), match.group(2)
    if name in environ:
        return environ[name]
    if default is not None:
        return default
    problems.append(ConfigProblem(_line_of(trail), _dotted(trail), f"environment variable {name} is not set; export {name}=... or give a default as ${{{name}:-value}}"))
    return ""


def _line_of(trail: tuple[Any, ...]) -> int | None:
    if not trail:
        return None
    container, key = trail[-1]
    position = container.lc.key(key) if isinstance(container, CommentedMap) else container.lc.item(key)
    return position[0] + 1


def _dotted(trail: tuple[Any, ...] | list[Any]) -> str:
    path = ""
    for step in trail:
        key = step[1] if isinstance(step, tuple) else step
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
    return path


def _walk(tree: Any, location: tuple[int | str, ...]) -> tuple[int | None, Any]:
    """The line of the deepest node of `location` that exists in the YAML tree, and that node."""
    line: int | None = 1
    node = tree
    for key in location:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line = node.lc.item(key)[0] + 1
        else:
            break
        node = node[key]
    return line, node


def _problem_from(item: Any, tree: Any) -> ConfigProblem:
    location = tuple(item["loc"])
    line, node = _walk(tree, location)
    return ConfigProblem(line, _dotted(list(location)), _explain(item, location, node))


def _explain(item: Any, location: tuple[int | str, ...], node: Any) -> str:
    kind, message = item["type"], item["msg"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(location[:-1])
        guess = difflib.get_close_matches(str(location[-1]), allowed, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown key {location[-1]!r}{hint} Allowed here: {', '.join(allowed)}"
    if kind == "missing":
        return f"required key {location[-1]!r} is missing"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    # Echo the value back only outside credentials: a mistyped secret is still a secret.
    shows_value = not isinstance(item.get("input"), dict | list) and not any(key in _SECRET_SECTIONS for key in location)
    got = f" (got {item['input']!r})" if shows_value else ""
    return f"{message}{got}"


def _allowed_keys(location: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = LoophubConfig
    for key in location:
        if isinstance(key, int):
            continue
        annotation = model.model_fields[str(key)].annotation
        inner = [arg for arg in getattr(annotation, "__args__", (annotation,)) if isinstance(arg, type) and issubclass(arg, BaseModel)]
        if not inner:
            return []
        model = inner[0]
    return sorted(model.model_fields)


def _remember_credential_sources(config: LoophubConfig, tree: Any) -> None:
    raw_connections = tree.get("connections") if isinstance(tree, CommentedMap) else None
    for connection, raw in zip(config.connections, raw_connections or [], strict=False):
        credentials = raw.get("credentials") or {}
        for key, value in credentials.items():
            match = _ENV_REFERENCE.fullmatch(str(value).strip())
            if match:
                connection._credential_sources[key] = match.group(1)
