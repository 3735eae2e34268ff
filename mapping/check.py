"""Specs against the connectors' discovered JSON schemas: does every source path exist, and do the types fit?

`loophub mapping check` discovers each configured connection's streams and
hands their schemas here, keyed by (system, stream). A spec whose object no
connection serves is not checked; `unchecked_specs` names those.

A path walks `properties`. A step into an object that declares properties
must name one of them (a typo like `Emial` is caught even though the schemas
stay open with `additionalProperties`); a step into an object that declares
none (Zendesk's `via`, a custom-field bag with no definitions) is taken on
trust and its value is of unknown kind.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Any

from mapping.catalog import LoadedSpec, SpecCatalog, SpecProblem
from mapping.fieldtypes import chain_problems, field_type
from mapping.model import ENTITIES
from mapping.spec import FieldRule
from mapping.transforms import E164Args, Kind

Schemas = Mapping[tuple[str, str], Mapping[str, Any]]
_FORMAT_KINDS: dict[str, Kind] = {"date-time": "datetime", "date": "date"}
_PLAIN_KINDS: dict[str, Kind] = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean", "object": "object"}
_ANY: frozenset[Kind] = frozenset({"any"})


class UnknownPath(ValueError):
    """A source path the schema does not have; the message says where it stops and what was meant."""


def check_against_schemas(catalog: SpecCatalog, schemas: Schemas) -> list[SpecProblem]:
    """Problems of every effective spec whose (system, object) has a schema: unknown paths, type mismatches."""
    problems: list[SpecProblem] = []
    for loaded in catalog.specs.values():
        schema = schemas.get((loaded.spec.system, loaded.spec.object))
        if schema is not None:
            problems += _spec_problems(loaded, schema)
    return sorted(problems, key=lambda problem: (str(problem.file), problem.line or 0))


def unchecked_specs(catalog: SpecCatalog, schemas: Schemas) -> list[str]:
    """Names of the specs whose object has no schema (no connection of that system is configured)."""
    return sorted(name for name, loaded in catalog.specs.items() if (loaded.spec.system, loaded.spec.object) not in schemas)


def _spec_problems(loaded: LoadedSpec, schema: Mapping[str, Any]) -> list[SpecProblem]:
    model = ENTITIES[loaded.spec.entity]
    problems: list[SpecProblem] = []
    for name, rule in loaded.spec.fields.items():
        origin = loaded.field_origin(name)
        messages = _rule_problems(rule, schema, f"{loaded.spec.system} {loaded.spec.object}")
        kinds = _source_kinds(rule, schema)
        target = field_type(model, name)
        if target is not None and kinds is not None:
            messages += chain_problems(rule, target, kinds)
        for index, message in messages:
            location: tuple[str | int, ...] = ("fields", name) if index is None else ("fields", name, "transforms", index)
            problems.append(origin.problem(location, message))
    return problems


def _rule_problems(rule: FieldRule, schema: Mapping[str, Any], object_label: str) -> list[tuple[int | None, str]]:
    """Unknown paths among the rule's sources and the paths its transforms read (`to_e164` region_from)."""
    paths: list[tuple[int | None, str]] = [(None, path) for path in rule.sources]
    paths += [(index, path) for index, call in enumerate(rule.transforms) if isinstance(call.args, E164Args) for path in call.args.region_from]
    problems = []
    for index, path in paths:
        try:
            resolve(schema, path)
        except UnknownPath as error:
            problems.append((index, f"unknown source field {path!r} in {object_label}: {error}"))
    return problems


def _source_kinds(rule: FieldRule, schema: Mapping[str, Any]) -> frozenset[Kind] | None:
    """What the rule's source paths hold; None when none of them resolves (already reported as unknown)."""
    kinds: set[Kind] = set()
    for path in rule.sources:
        try:
            kinds |= schema_kinds(resolve(schema, path))
        except UnknownPath:
            continue
    return frozenset(kinds) if kinds else None


def resolve(schema: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """The schema of the value at a dotted path; raises UnknownPath. An open object's member is `{}` (anything)."""
    node: Mapping[str, Any] = schema
    walked: list[str] = []
    for step in path.split("."):
        types = _types(node)
        if "array" in types:
            # lookup_path does not step into lists: a path through one always reads nothing.
            raise UnknownPath(f"{'.'.join(walked)} is a list; a path cannot step into it (the custom_field transform reads lists of fields)")
        if types and "object" not in types:
            raise UnknownPath(f"{'.'.join(walked)} is {' or '.join(sorted(types))}, not an object with fields")
        declared: Mapping[str, Any] = node.get("properties") or {}
        if step in declared:
            node = declared[step]
        elif declared or node.get("additionalProperties") is False:
            raise UnknownPath(_unknown_step(walked, step, list(declared)))
        else:
            node = {}
        walked.append(step)
    return node


def schema_kinds(node: Mapping[str, Any]) -> frozenset[Kind]:
    """The kinds a value of this schema has: a date-time string is "datetime", a list the kind of its items."""
    variants = [*node.get("anyOf", []), *node.get("oneOf", [])]
    if variants:
        return frozenset().union(*(schema_kinds(variant) for variant in variants))
    kinds: set[Kind] = set()
    for name in _types(node):
        if name == "array":
            kinds |= schema_kinds(node["items"]) if isinstance(node.get("items"), Mapping) else _ANY
        elif name == "string":
            kinds.add(_FORMAT_KINDS.get(str(node.get("format")), "string"))
        else:
            kinds.add(_PLAIN_KINDS.get(name, "any"))
    return frozenset(kinds) or _ANY


def _types(node: Mapping[str, Any]) -> set[str]:
    """The non-null JSON types a schema names; an untyped schema with properties is an object."""
    declared = node.get("type")
    names = {declared} if isinstance(declared, str) else set(declared or [])
    if not names and "properties" in node:
        names.add("object")
    return names - {"null"}


def _unknown_step(walked: list[str], step: str, known: list[str]) -> str:
    where = f"{'.'.join(walked)} has" if walked else "the record has"
    # Case-insensitive: `email` for Salesforce's `Email` is the commonest slip.
    by_lower = {name.lower(): name for name in known}
    close = difflib.get_close_matches(step.lower(), list(by_lower), n=1, cutoff=0.6) or _same_start(step.lower(), list(by_lower))
    if close:
        return f"{where} no {step!r}; did you mean {'.'.join([*walked, by_lower[close[0]]])!r}?"
    shown = ", ".join(sorted(known)[:10]) + (", …" if len(known) > 10 else "")
    return f"{where} no {step!r} (it has {shown})"


def _same_start(step: str, known: list[str]) -> list[str]:
    """The name sharing the longest start with `step`, if four characters or more (`plann` → `plan_tier`)."""
    shared = {name: len(os.path.commonprefix([step, name])) for name in known}
    best = max(shared.values(), default=0)
    return [name for name, length in shared.items() if length == best][:1] if best >= 4 else []
