"""The effective mapping specs: the shipped files, extra files, and loophub.yaml overrides, validated as a whole.

Every problem found is reported at once, each with the file and line it is
about, so an admin can fix a spec without reading code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from loophub.errors import ErrorKind, LoopError
from mapping.fieldtypes import chain_problems, field_type
from mapping.model import ENTITIES
from mapping.spec import FieldRule, MappingSettings, MappingSpec

SHIPPED_SPECS = Path(__file__).parent / "specs"


@dataclass(frozen=True, slots=True)
class SpecProblem:
    file: Path
    line: int | None
    where: str  # dotted path inside the file, e.g. fields.emails.transforms[0]
    message: str

    def render(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{place}: {self.where + ': ' if self.where else ''}{self.message}"


class MappingSpecError(LoopError):
    """The mapping specs cannot be used; every problem is listed with its file and line."""

    kind = ErrorKind.CONFIG

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        heading = f"the mapping has {len(problems)} problem{'s' if len(problems) != 1 else ''}:"
        super().__init__("\n".join([heading, *("  " + problem.render() for problem in problems)]), kind=ErrorKind.CONFIG)


@dataclass(frozen=True, slots=True)
class Located:
    """A YAML tree and where in it a spec starts, to turn a field path into a line number."""

    file: Path
    tree: Any
    prefix: tuple[str | int, ...] = ()

    def line(self, *location: str | int) -> int | None:
        line, node = None, self.tree
        for key in (*self.prefix, *location):
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line = node.lc.item(key)[0] + 1
            else:
                break
            node = node[key]
        return line

    def problem(self, location: tuple[str | int, ...], message: str) -> SpecProblem:
        where = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in location).lstrip(".")
        return SpecProblem(self.file, self.line(*location), where, message)


@dataclass
class LoadedSpec:
    """An effective spec, with where it and each of its fields were written (for error lines)."""

    name: str  # "zendesk/users"
    spec: MappingSpec
    origin: Located
    field_origins: dict[str, Located] = field(default_factory=dict)

    def field_origin(self, name: str) -> Located:
        return self.field_origins.get(name, self.origin)


@dataclass
class SpecCatalog:
    """All effective specs, looked up by system and object."""

    specs: dict[str, LoadedSpec]
    default_region: str

    def for_object(self, system: str, object_name: str) -> list[LoadedSpec]:
        return [loaded for loaded in self.specs.values() if loaded.spec.system == system and loaded.spec.object == object_name]

    def objects(self) -> list[tuple[str, str]]:
        return sorted({(loaded.spec.system, loaded.spec.object) for loaded in self.specs.values()})

    def object_version(self, system: str, object_name: str) -> str:
        """What a raw record of this object was mapped under: its specs' versions and the default region."""
        versions = sorted(loaded.spec.version for loaded in self.for_object(system, object_name))
        return hashlib.sha256("+".join([*versions, self.default_region]).encode()).hexdigest()[:32]


def load_catalog(settings: MappingSettings | None = None, origin: tuple[Path, Any] | None = None) -> SpecCatalog:
    """The shipped specs, then `settings.files`, then `settings.specs` overrides; raises MappingSpecError."""
    settings = settings or MappingSettings()
    problems: list[SpecProblem] = []
    specs: dict[str, LoadedSpec] = {}
    for path, name in _spec_files([SHIPPED_SPECS, *settings.files]):
        loaded = _load_spec_file(path, name, problems)
        if loaded is not None:
            specs[name] = loaded
    config = Located(*origin, ("mapping", "specs")) if origin else Located(Path("loophub.yaml"), None)
    for name, override in settings.specs.items():
        if name not in specs:
            known = ", ".join(sorted(specs))
            problems.append(config.problem((name,), f"no mapping spec is named {name!r}; known: {known}"))
            continue
        problems += _apply_override(specs[name], override, Located(config.file, config.tree, (*config.prefix, name)))
    for loaded in specs.values():
        problems += _semantic_problems(loaded)
    problems += _overlap_problems(specs.values())
    if problems:
        raise MappingSpecError(problems)
    return SpecCatalog(specs, settings.default_region)


def _spec_files(roots: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, spec name) for each YAML file: `<root>/<system>/<object>.yaml` is named "system/object"."""
    found: dict[str, Path] = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(root.glob("*/*.yaml"))
        for path in files:
            found[f"{path.parent.name}/{path.stem}"] = path
    return [(path, name) for name, path in found.items()]


def _load_spec_file(path: Path, name: str, problems: list[SpecProblem]) -> LoadedSpec | None:
    located = Located(path, None)
    try:
        tree = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(SpecProblem(path, None, "", f"cannot read the file: {error.strerror}"))
        return None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problems.append(SpecProblem(path, mark.line + 1 if mark else None, "", f"not valid YAML: {error.problem}"))
        return None
    located = Located(path, tree)
    try:
        spec = MappingSpec.model_validate(tree)
    except ValidationError as error:
        problems += [located.problem(tuple(item["loc"]), _message(item)) for item in error.errors()]
        return None
    return LoadedSpec(name, spec, located)


def _apply_override(loaded: LoadedSpec, override: Any, located: Located) -> list[SpecProblem]:
    problems = []
    fields: dict[str, FieldRule] = dict(loaded.spec.fields)
    for field_name, rule in override.fields.items():
        if rule is not None:
            fields[field_name] = rule
            loaded.field_origins[field_name] = located
        elif fields.pop(field_name, None) is None:
            mapped = ", ".join(sorted(fields))
            problems.append(located.problem(("fields", field_name), f"{loaded.name} maps no field {field_name!r}, so there is nothing to remove; it maps: {mapped}"))
    update: dict[str, Any] = {"fields": fields}
    if override.where is not None:
        update["where"] = override.where
    loaded.spec = loaded.spec.model_copy(update=update)
    return problems


def _semantic_problems(loaded: LoadedSpec) -> list[SpecProblem]:
    spec = loaded.spec
    model = ENTITIES.get(spec.entity)
    if model is None:
        return [loaded.origin.problem(("entity",), f"unknown entity {spec.entity!r}; one of: {', '.join(ENTITIES)}")]
    problems: list[SpecProblem] = []
    for name, rule in spec.fields.items():
        origin = loaded.field_origin(name)
        target = field_type(model, name)
        if target is None:
            allowed = ", ".join([*model.mapped_fields()])
            problems.append(origin.problem(("fields", name), f"{spec.entity} has no field {name!r}; fields: {allowed} (or attributes.<name>)"))
            continue
        for index, message in chain_problems(rule, target, None):
            location: tuple[str | int, ...] = ("fields", name) if index is None else ("fields", name, "transforms", index)
            problems.append(origin.problem(location, message))
    return problems


def _overlap_problems(specs: Iterable[LoadedSpec]) -> list[SpecProblem]:
    by_object: dict[tuple[str, str], list[LoadedSpec]] = {}
    for loaded in specs:
        by_object.setdefault((loaded.spec.system, loaded.spec.object), []).append(loaded)
    problems = []
    for (system, object_name), group in by_object.items():
        if len(group) > 1 and any(loaded.spec.where is None for loaded in group):
            names = ", ".join(loaded.name for loaded in group)
            problems += [
                loaded.origin.problem(("object",), f"{system} {object_name} has several specs ({names}); each needs a `where` that tells them apart")
                for loaded in group
                if loaded.spec.where is None
            ]
    return problems


def _message(item: Mapping[str, Any]) -> str:
    if item["type"] == "extra_forbidden":
        return f"unknown key {item['loc'][-1]!r}"
    if item["type"] == "missing":
        return f"required key {item['loc'][-1]!r} is missing"
    return str(item["msg"]).removeprefix("Value error, ")
