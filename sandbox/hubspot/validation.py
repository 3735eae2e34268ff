"""Checks and normalises the property values of a write, the way HubSpot does.

All problems of one input are collected and reported in one 400, in
HubSpot's "Property values were not valid: [...]" message. Values are stored
as HubSpot returns them: strings, instants as ISO with milliseconds, dates as
`YYYY-MM-DD`, an empty value as null.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.hubspot.errors import HubSpotError, validation_error
from sandbox.hubspot.schema import PropertyDef, PropertyRegistry
from sandbox.hubspot.values import iso_ms, parse_instant, to_number

Properties = dict[str, str | None]


def normalise_write(registry: PropertyRegistry, properties: object, *, allow_read_only: bool = False) -> Properties:
    """The properties of a create or update, checked against the type's definitions."""
    if properties is None:
        return {}
    if not isinstance(properties, dict):
        raise validation_error("Invalid input JSON: properties must be an object of property names to values")
    problems: list[dict[str, Any]] = []
    normalised: Properties = {}
    for name, raw in properties.items():
        definition = registry.get(name)
        if definition is None:
            problems.append(_problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
        elif definition.read_only and not allow_read_only:
            problems.append(_problem(name, "READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set.'))
        else:
            value, problem = normalise_value(definition, raw)
            if problem is not None:
                problems.append(problem)
            else:
                normalised[name] = value
    if problems:
        raise HubSpotError(
            400,
            "VALIDATION_ERROR",
            "Property values were not valid: " + json.dumps(problems, separators=(",", ":")),
            errors=[
                {"message": problem["message"], "code": problem["error"], "context": {"propertyName": [problem["name"]]}}
                for problem in problems
            ],
        )
    return normalised


def normalise_value(definition: PropertyDef, raw: object) -> tuple[str | None, dict[str, Any] | None]:
    """(stored value, None) or (None, the problem) for one property value."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, None
    kind = definition.type
    if kind == "number":
        number = to_number(raw)
        if number is None:
            return None, _problem(definition.name, "INVALID_DECIMAL", f"{raw} was not a valid number.")
        return format_number(number), None
    if kind == "bool":
        text = str(raw).strip().lower()
        if text not in {"true", "false"}:
            return None, _problem(definition.name, "INVALID_BOOLEAN", f"{raw} was not a valid boolean.")
        return text, None
    if kind in {"datetime", "date"}:
        instant = parse_instant(raw)
        if instant is None:
            return None, _problem(definition.name, "INVALID_DATE", f"{raw} was not a valid date.")
        return (iso_ms(instant) if kind == "datetime" else instant.date().isoformat()), None
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    if kind == "enumeration" and definition.check_options and definition.options:
        allowed = {value for value, _ in definition.options}
        unknown = [part for part in text.split(";") if part not in allowed]
        if unknown:
            return None, _problem(
                definition.name,
                "INVALID_OPTION",
                f"{unknown[0]} was not one of the allowed options: [{', '.join(sorted(allowed))}]",
            )
    return text, None


def format_number(number: float) -> str:
    """HubSpot answers whole numbers without a decimal point."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _problem(name: str, error: str, message: str) -> dict[str, Any]:
    return {"isValid": False, "message": message, "error": error, "name": name, "localizedErrorMessage": message}
