"""What Salesforce checks on every write before it stores anything.

Unknown fields and values of the wrong JSON type fail the whole request
(`INVALID_FIELD`, `JSON_PARSER_ERROR`); read-only fields answer
`INVALID_FIELD_FOR_INSERT_UPDATE`; text longer than the field allows,
malformed or dangling lookups fail with their own codes. Required fields are
checked by the store after defaults are applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.ids import SALESFORCE_KEY_PREFIXES
from sandbox.salesforce.errors import RecordError, WriteFailed
from sandbox.salesforce.schema import FieldDef, ObjectDef
from sandbox.salesforce.values import ValueTypeError, coerce

ExistsCheck = Callable[[str, str], bool]
_OBJECTS_BY_PREFIX = {prefix: name for name, prefix in SALESFORCE_KEY_PREFIXES.items()}


def validate_write(definition: ObjectDef, values: Any, *, creating: bool, exists: ExistsCheck) -> dict[str, Any]:
    """The coerced changes a create (or update) makes, keyed by canonical field name; raises WriteFailed."""
    if not isinstance(values, dict):
        raise WriteFailed(
            [RecordError("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object value")]
        )
    unknown: list[str] = []
    locked: list[str] = []
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        if key == "attributes":
            continue
        field_def = definition.field(key)
        if field_def is None:
            unknown.append(key)
        elif not (field_def.createable if creating else field_def.updateable):
            locked.append(field_def.name)
        else:
            changes[field_def.name] = _coerce(field_def, raw)
    if unknown:
        raise WriteFailed(
            [RecordError("INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {definition.name}")]
        )
    if locked:
        message = (
            f"Unable to create/update fields: {', '.join(locked)}. Please check the security settings of this field "
            "and verify that it is read/write for your profile or permission set."
        )
        raise WriteFailed([RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", message, tuple(locked))])
    errors = [error for name, value in changes.items() if (error := _check(definition.fields[name], value, exists))]
    if errors:
        raise WriteFailed(errors)
    return changes


def _coerce(field_def: FieldDef, raw: Any) -> Any:
    try:
        value = coerce(field_def, raw)
    except ValueTypeError as error:
        raise WriteFailed([RecordError("JSON_PARSER_ERROR", str(error))]) from None
    # Salesforce stores an empty string as null for text and lookup fields.
    if value == "" and field_def.type not in ("boolean", "double", "currency", "percent", "int", "date", "datetime"):
        return None
    return value


def _check(field_def: FieldDef, value: Any, exists: ExistsCheck) -> RecordError | None:
    if value is None:
        return None
    if isinstance(value, str) and field_def.length and len(value) > field_def.length:
        return RecordError(
            "STRING_TOO_LONG",
            f"{field_def.label}: data value too large: {value[:40]} (max length={field_def.length})",
            (field_def.name,),
        )
    if field_def.type == "reference":
        return _check_reference(field_def, value, exists)
    return None


def _check_reference(field_def: FieldDef, value: str, exists: ExistsCheck) -> RecordError | None:
    if len(value) not in (15, 18) or not value.isalnum():
        return RecordError("MALFORMED_ID", f"{field_def.label}: id value of incorrect type: {value}", (field_def.name,))
    target = _OBJECTS_BY_PREFIX.get(value[:3])
    if target not in field_def.reference_to:
        return RecordError(
            "FIELD_INTEGRITY_EXCEPTION", f"{field_def.label}: id value of incorrect type: {value}", (field_def.name,)
        )
    if not exists(target, value):
        return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (field_def.name,))
    return None
