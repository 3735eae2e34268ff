"""Field values on the wire: Python values out to JSON and CSV, and JSON values in.

Records are stored as Python values (`datetime` in UTC, `date`, `float`,
`int`, `bool`, `str`, None). REST answers use Salesforce's own datetime form
(`2024-01-01T00:00:00.000+0000`); Bulk API 2.0 CSV uses `...000Z`, booleans
`true`/`false` and an empty cell for null.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sandbox.salesforce.schema import FieldDef

Record = dict[str, Any]
Getter = Callable[[Record], Any]


def format_datetime(value: datetime) -> str:
    """REST form: `2024-01-01T00:00:00.000+0000` (isoformat is the fast path; pages format thousands)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="milliseconds")[:-6] + "+0000"


def format_csv_datetime(value: datetime) -> str:
    """Bulk API 2.0 CSV form: `2024-01-01T00:00:00.000Z`."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_datetime(text: str) -> datetime | None:
    """Any ISO 8601 datetime Salesforce accepts (`Z`, `+0000`, `+00:00`, with or without milliseconds)."""
    if "T" not in text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_date(text: str) -> date | None:
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def address_getter(definition: FieldDef) -> Getter:
    """Reads a compound address field as the REST API returns it: a dict, or null when every part is empty."""
    parts = definition.components

    def address(record: Record) -> dict[str, Any] | None:
        values = {key: record.get(component) for key, component in parts}
        if all(value is None for value in values.values()):
            return None
        return {
            "city": values.get("city"),
            "country": values.get("country"),
            "geocodeAccuracy": None,
            "latitude": None,
            "longitude": None,
            "postalCode": values.get("postalCode"),
            "state": values.get("state"),
            "street": values.get("street"),
        }

    return address


def json_converter(definition: FieldDef) -> Callable[[Any], Any] | None:
    """How a stored non-null value becomes JSON, or None when it is already JSON-ready."""
    if definition.type == "datetime":
        return format_datetime
    if definition.type == "date":
        return date.isoformat
    return None


def csv_converter(definition: FieldDef) -> Callable[[Any], str]:
    """How a stored value becomes a Bulk API 2.0 CSV cell (null is an empty cell)."""
    if definition.type == "datetime":
        return lambda value: "" if value is None else format_csv_datetime(value)
    if definition.type == "date":
        return lambda value: "" if value is None else value.isoformat()
    if definition.type == "boolean":
        return lambda value: "" if value is None else ("true" if value else "false")
    return lambda value: "" if value is None else str(value)


class ValueTypeError(ValueError):
    """A JSON value that cannot become the field's type (Salesforce answers JSON_PARSER_ERROR)."""

    def __init__(self, definition: FieldDef, value: Any) -> None:
        kind = {"currency": "double", "percent": "double", "textarea": "string"}.get(definition.type, definition.type)
        if isinstance(value, str):
            token = "VALUE_STRING"
        elif isinstance(value, int | float):
            token = "VALUE_NUMBER"
        else:
            token = "START_OBJECT"
        detail = "or request may be missing a required field"
        super().__init__(f"Cannot deserialize instance of {kind} from {token} value {value} {detail}")


def coerce(definition: FieldDef, value: Any) -> Any:
    """Turn one JSON value into the stored Python value for `definition`, or raise ValueTypeError."""
    if value is None:
        return None
    kind = definition.type
    if kind == "boolean":
        return _to_bool(definition, value)
    if kind in ("double", "currency", "percent"):
        return _to_float(definition, value)
    if kind == "int":
        number = _to_float(definition, value)
        if not number.is_integer():
            raise ValueTypeError(definition, value)
        return int(number)
    if kind == "date":
        parsed_date = parse_date(value) if isinstance(value, str) else None
        if parsed_date is None:
            raise ValueTypeError(definition, value)
        return parsed_date
    if kind == "datetime":
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueTypeError(definition, value)
        return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        # Salesforce's deserialiser is lenient: a number sent for a text field becomes its text.
        return str(value)
    if not isinstance(value, str):
        raise ValueTypeError(definition, value)
    return value


def _to_bool(definition: FieldDef, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueTypeError(definition, value)


def _to_float(definition: FieldDef, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueTypeError(definition, value)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ValueTypeError(definition, value) from None
    else:
        raise ValueTypeError(definition, value)
    if not math.isfinite(number):
        raise ValueTypeError(definition, value)
    return number


def seed_value(definition: FieldDef, value: Any) -> Any:
    """A seed value from the World, normalised to what the store keeps (tolerates strings for dates)."""
    if value is None:
        return None
    if definition.type == "datetime" and isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if definition.type == "date" and isinstance(value, datetime):
        return value.date()
    if definition.type in ("double", "currency", "percent") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and definition.type in (
        "date",
        "datetime",
        "double",
        "currency",
        "percent",
        "int",
        "boolean",
    ):
        return coerce(definition, value)
    return value
