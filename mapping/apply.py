"""Apply a mapping spec to one raw record: the canonical record, or the reason it cannot be made.

Pure and deterministic: the same payload under the same specs always gives
the same record, which is what lets the map step skip what it has seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import ValidationError

from mapping.catalog import LoadedSpec, SpecCatalog
from mapping.fieldtypes import FieldType, field_type
from mapping.model import ENTITIES, CanonicalRecord, SourceRef
from mapping.spec import Condition, FieldRule
from mapping.transforms import DroppedValue, RecordContext, TransformError, lookup_path


class MappingFailure(ValueError):
    """A record that cannot be mapped; the message is the quarantine reason, in words for an admin."""


def select_spec(catalog: SpecCatalog, system: str, object_name: str, payload: Mapping[str, Any]) -> LoadedSpec:
    """The spec that takes this record: the only one for its object, or the one whose `where` matches."""
    candidates = catalog.for_object(system, object_name)
    if not candidates:
        raise MappingFailure(f"no mapping spec for {system} {object_name}; add mapping/specs/{system}/{object_name}.yaml or a file in mapping.files")
    for loaded in candidates:
        if loaded.spec.where is None or _holds(loaded.spec.where, payload):
            return loaded
    conditions = "; ".join(f"{loaded.name}: {loaded.spec.where.field}" for loaded in candidates if loaded.spec.where)
    raise MappingFailure(f"no spec's `where` takes this record ({conditions})")


def map_record(
    catalog: SpecCatalog,
    source: SourceRef,
    payload: Mapping[str, Any],
    *,
    source_updated_at: datetime | None = None,
    is_deleted: bool = False,
) -> CanonicalRecord:
    """The canonical form of one raw record; raises MappingFailure with the reason."""
    loaded = select_spec(catalog, source.system, source.object, payload)
    context = RecordContext(payload, catalog.default_region)
    data: dict[str, Any] = {}
    warnings: list[str] = []
    model = ENTITIES[loaded.spec.entity]
    for name, rule in loaded.spec.fields.items():
        values, from_list = _evaluate(name, rule, payload, context, warnings)
        target = cached_field_type(model, name)
        if target is not None and target.kind == "string":
            # Zendesk ids are numbers; a canonical id or text field holds them as text.
            values = [str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value for value in values]
        _assign(data, name, values, is_list=target is not None and target.is_list, from_list=from_list)
    envelope = {"source": source, "source_updated_at": source_updated_at, "is_deleted": is_deleted, "warnings": warnings}
    try:
        return model.model_validate({**data, **envelope})
    except ValidationError as error:
        raise MappingFailure(_explain(error)) from None


def _holds(condition: Condition, payload: Mapping[str, Any]) -> bool:
    value = lookup_path(payload, condition.field)
    if condition.within is not None:
        return value in condition.within
    return value not in (condition.not_within or [])


def _evaluate(
    name: str, rule: FieldRule, payload: Mapping[str, Any], context: RecordContext, warnings: list[str]
) -> tuple[list[Any], bool]:
    """The field's values after its transforms, and whether the source held a list (tags stay a list)."""
    raw = [rule.value] if rule.value is not None else [lookup_path(payload, path) for path in rule.sources]
    values = _present(raw)
    for call in rule.transforms:
        transform = call.transform
        try:
            if transform.whole_list:
                values = _present(transform.apply(values, call.args, context))
                continue
            results: list[Any] = []
            for value in values:
                try:
                    results.append(transform.apply(value, call.args, context))
                except DroppedValue as dropped:
                    warnings.append(f"{name}: {dropped}")
            values = _present(results)
        except TransformError as error:
            raise MappingFailure(f"{name}: {error}") from None
    if not values and rule.default is not None:
        values = [rule.default]
    # A list of values (tags) stays a list; a list of records (custom fields) gives the one value picked.
    return values, any(isinstance(value, list) and not any(isinstance(item, Mapping) for item in value) for value in raw)


def _present(values: list[Any]) -> list[Any]:
    """Values flattened one level (a list field, a split), without nulls and empty strings."""
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return [value for value in flat if value is not None and value != ""]


@cache
def cached_field_type(model: type[CanonicalRecord], name: str) -> FieldType | None:
    return field_type(model, name)


def _assign(data: dict[str, Any], name: str, values: list[Any], *, is_list: bool, from_list: bool) -> None:
    head, _, key = name.partition(".")
    if key:
        if values:
            data.setdefault(head, {})[key] = values if from_list or len(values) > 1 else values[0]
        return
    if is_list:
        data[name] = list(dict.fromkeys(_hashable(value) for value in values))
    elif values:
        data[name] = values[0]


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, dict | list) else str(value)


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(step) for step in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        shown = item.get("input")
        got = f" (got {shown!r})" if where and not isinstance(shown, dict) else ""
        parts.append(f"{where + ': ' if where else ''}{message}{got}")
    return "; ".join(parts)
