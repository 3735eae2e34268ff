"""Static typing of field rules: what kind of value a canonical field holds, and what a chain of transforms gives.

Used by spec loading (a chain that cannot work, a field the entity lacks, a
vocabulary word that does not exist) and by `loophub mapping check` (source
paths against the connectors' discovered JSON schemas).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from mapping.model import CanonicalRecord
from mapping.spec import FieldRule
from mapping.transforms import Kind, MapValuesArgs

# Dict-valued canonical fields take sub-keys: `attributes.plan_tier`, `linked_ids.salesforce:Account`.
OPEN_FIELDS = ("attributes", "linked_ids")
_PLAIN_KINDS: dict[Any, Kind] = {str: "string", float: "number", int: "integer", bool: "boolean", datetime: "datetime", date: "date"}
# What a field of one kind accepts without an explicit transform.
_ACCEPTS: dict[Kind, frozenset[Kind]] = {
    "string": frozenset({"string", "number", "integer"}),
    "number": frozenset({"number", "integer"}),
    "integer": frozenset({"integer"}),
    "boolean": frozenset({"boolean"}),
    "datetime": frozenset({"datetime"}),
    "date": frozenset({"date", "datetime"}),
    "object": frozenset({"object"}),
    "any": frozenset({"string", "number", "integer", "boolean", "datetime", "date", "object", "any"}),
}


@dataclass(frozen=True, slots=True)
class FieldType:
    kind: Kind
    is_list: bool = False
    vocabulary: type[StrEnum] | None = None


def field_type(model: type[CanonicalRecord], name: str) -> FieldType | None:
    """The type of a canonical field a spec may write; None when the entity has no such field."""
    head, _, rest = name.partition(".")
    if rest:
        return FieldType("any") if head in OPEN_FIELDS and head in model.model_fields else None
    if name not in model.mapped_fields() or name in OPEN_FIELDS:
        return None
    annotation = model.model_fields[name].annotation
    is_list = typing.get_origin(annotation) is list
    inner = typing.get_args(annotation)[0] if is_list else annotation
    if isinstance(inner, types.UnionType) or typing.get_origin(inner) is typing.Union:
        inner = next(arg for arg in typing.get_args(inner) if arg is not type(None))
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return FieldType("string", is_list, inner)
    return FieldType(_PLAIN_KINDS.get(inner, "any"), is_list)


def chain_problems(rule: FieldRule, target: FieldType, source_kinds: frozenset[Kind] | None) -> list[tuple[int | None, str]]:
    """What cannot work in `rule` writing a field of type `target`: (transform index or None, message).

    `source_kinds` are the kinds the source paths hold (from a discovered
    schema); None when unknown, which skips the first transform's input check.
    """
    problems: list[tuple[int | None, str]] = []
    kinds = source_kinds if rule.value is None else frozenset({_kind_of_constant(rule.value)})
    for index, call in enumerate(rule.transforms):
        transform = call.transform
        if kinds is not None and "any" not in kinds and not kinds <= transform.accepts:
            got = ", ".join(sorted(kinds - transform.accepts))
            problems.append((index, f"type mismatch: {transform.name} takes {_words(transform.accepts)}, gets {got}"))
        kinds = frozenset({transform.returns})
        if isinstance(call.args, MapValuesArgs) and target.vocabulary is not None:
            problems += [(index, message) for message in _vocabulary_problems(call.args, target.vocabulary)]
    if kinds is not None and "any" not in kinds and not kinds <= _ACCEPTS[target.kind]:
        got = ", ".join(sorted(kinds - _ACCEPTS[target.kind]))
        hint = _hint(target.kind)
        problems.append((None, f"type mismatch: the field holds {target.kind}, the rule gives {got}{hint}"))
    return problems


def _vocabulary_problems(args: MapValuesArgs, vocabulary: type[StrEnum]) -> list[str]:
    allowed = {member.value for member in vocabulary}
    targets = [value for value in args.values.values() if value is not None]
    if "default" in args.model_fields_set and args.default is not None:
        targets.append(args.default)
    unknown = sorted({str(value) for value in targets} - allowed)
    if not unknown:
        return []
    return [f"{', '.join(map(repr, unknown))} not in the shared vocabulary; use one of: {', '.join(sorted(allowed))}"]


def _kind_of_constant(value: Any) -> Kind:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "any"


def _words(kinds: frozenset[Kind]) -> str:
    return " or ".join(sorted(kinds))


def _hint(kind: Kind) -> str:
    fixes = {"number": "number", "integer": "integer", "datetime": "datetime (or epoch_ms / epoch_s)", "date": "date", "boolean": "boolean"}
    return f"; add the {fixes[kind]} transform" if kind in fixes else ""
