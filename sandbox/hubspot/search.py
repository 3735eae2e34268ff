"""`POST /crm/v3/objects/{type}/search`: filters, sorts, full-text query and offset paging.

`filterGroups` are ORed, the filters inside a group ANDed (top-level `filters`,
as the official Airbyte connector sends them, form one more group).
Comparisons are numeric for number, date and datetime properties (instants as
epoch milliseconds, given either as digits or ISO) and case-insensitive string
comparisons otherwise. Like HubSpot, a query never yields more than 10,000
results: paging to `after` ≥ 10,000 answers 400.

A reader pages one query many times over, so the matching ids of a query are
cached until the table (or its properties) change: each later page costs a
slice, not a scan.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.params import integer
from sandbox.hubspot.schema import PropertyDef
from sandbox.hubspot.tables import ObjectTable, Record
from sandbox.hubspot.values import epoch_ms, to_number

MAX_LIMIT = 200
RESULT_WINDOW = 10_000
OPERATORS = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
}  # fmt: skip
_TOKEN = re.compile(r"[\w*]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Filter:
    """One compiled filter: the property's definition decides how values compare."""

    definition: PropertyDef
    operator: str
    value: Any = None
    high_value: Any = None
    values: tuple[Any, ...] = ()

    def matches(self, record: Record) -> bool:
        name = self.definition.name
        raw = record.properties.get(name)
        if self.operator == "HAS_PROPERTY":
            return raw is not None and raw != ""
        if self.operator == "NOT_HAS_PROPERTY":
            return raw is None or raw == ""
        if self.operator in {"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}:
            found = raw is not None and _contains_token(raw, str(self.value))
            return found if self.operator == "CONTAINS_TOKEN" else not found
        current = record.number(name, self.definition.type != "number") if self.definition.numeric else _fold(raw)
        return _compare(self.operator, current, self.value, self.high_value, self.values)


@dataclass(frozen=True, slots=True)
class Sort:
    definition: PropertyDef
    descending: bool


@dataclass(frozen=True, slots=True)
class SearchRequest:
    groups: tuple[tuple[Filter, ...], ...]
    sorts: tuple[Sort, ...]
    query: str
    properties: tuple[str, ...] | None
    limit: int
    after: int
    cache_key: str


def parse_search(body: object, table: ObjectTable) -> SearchRequest:
    """Validate a search body against the type's properties; HubSpot's 400 for anything wrong."""
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: the search body must be an object")
    raw_groups = [group.get("filters") or [] for group in body.get("filterGroups") or [] if isinstance(group, dict)]
    if body.get("filters"):
        raw_groups.append(body["filters"])
    groups = tuple(tuple(_filter(raw, table) for raw in group) for group in raw_groups if group)
    sorts = tuple(_sort(raw, table) for raw in body.get("sorts") or [])
    limit = integer(body.get("limit", 10), "limit")
    if limit < 0 or limit > MAX_LIMIT:
        raise validation_error(f"limit must be between 0 and {MAX_LIMIT}, got {limit}")
    after = integer(body.get("after") or 0, "after")
    if after >= RESULT_WINDOW:
        raise validation_error(
            f"after={after} is beyond the {RESULT_WINDOW:,} results a search can page through; narrow the filters instead"
        )
    properties = body.get("properties")
    query = str(body.get("query") or "").strip()
    key = json.dumps([body.get("filterGroups"), body.get("filters"), body.get("sorts"), query], sort_keys=True, default=str)
    return SearchRequest(groups, sorts, query, tuple(properties) if properties else None, limit, after, key)


class SearchEngine:
    """Runs searches over a table, remembering the matches of recent queries."""

    def __init__(self, capacity: int = 64) -> None:
        self._cache: OrderedDict[tuple[str, int, int, str], list[str]] = OrderedDict()
        self._capacity = capacity

    def run(self, table: ObjectTable, request: SearchRequest) -> tuple[int, list[Record], int | None]:
        """(total, the page's records, next `after` or None)."""
        matched = self._matches(table, request)
        window = matched[:RESULT_WINDOW]
        chosen = window[request.after : request.after + request.limit]
        following = request.after + request.limit
        next_after = following if following < len(matched) and request.limit > 0 else None
        return len(matched), [table.records[object_id] for object_id in chosen], next_after

    def _matches(self, table: ObjectTable, request: SearchRequest) -> list[str]:
        key = (table.object_type.name, table.version, table.registry.version, request.cache_key)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        records = [record for record in table.live() if _selected(record, request, table)]
        for sort in reversed(request.sorts):
            records = _sorted(records, sort)
        matched = [record.id for record in records]
        self._cache[key] = matched
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return matched


def _selected(record: Record, request: SearchRequest, table: ObjectTable) -> bool:
    if request.groups and not any(all(item.matches(record) for item in group) for group in request.groups):
        return False
    return not request.query or _query_matches(record, request.query, table)


def _query_matches(record: Record, query: str, table: ObjectTable) -> bool:
    # HubSpot's `query` looks for each word as a prefix of a word of the type's searchable properties.
    words = record.words(table.object_type.text_search_properties)
    return all(any(word.startswith(wanted) for word in words) for wanted in query.lower().split())


def _sorted(records: list[Record], sort: Sort) -> list[Record]:
    """Stable sort on one property, values missing last whatever the direction."""
    definition = sort.definition
    present = [record for record in records if record.properties.get(definition.name) not in (None, "")]
    missing = [record for record in records if record.properties.get(definition.name) in (None, "")]
    if definition.numeric:
        instant = definition.type != "number"
        present.sort(key=lambda record: record.number(definition.name, instant) or 0.0, reverse=sort.descending)
    else:
        present.sort(key=lambda record: str(record.properties[definition.name]).lower(), reverse=sort.descending)
    return present + missing


def _filter(raw: object, table: ObjectTable) -> Filter:
    if not isinstance(raw, dict) or not raw.get("propertyName") or not raw.get("operator"):
        raise validation_error("Invalid input JSON: Cannot build Filter, some of required attributes are not set [propertyName, operator]")
    name, operator = str(raw["propertyName"]), str(raw["operator"]).upper()
    definition = _property(table, name)
    if operator not in OPERATORS:
        raise validation_error(f"Unknown operator '{operator}' for property '{name}'; expected one of {', '.join(sorted(OPERATORS))}")
    if operator in {"IN", "NOT_IN"}:
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise validation_error(f"Operator {operator} on property '{name}' needs a non-empty 'values' list")
        return Filter(definition, operator, values=tuple(_operand(definition, value) for value in values))
    if operator in {"HAS_PROPERTY", "NOT_HAS_PROPERTY"}:
        return Filter(definition, operator)
    if "value" not in raw or raw["value"] is None:
        raise validation_error(f"Operator {operator} on property '{name}' needs a 'value'")
    if operator in {"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}:
        return Filter(definition, operator, str(raw["value"]).lower())
    high = raw.get("highValue")
    if operator == "BETWEEN" and high is None:
        raise validation_error(f"Operator BETWEEN on property '{name}' needs a 'highValue'")
    return Filter(definition, operator, _operand(definition, raw["value"]), _operand(definition, high) if high is not None else None)


def _operand(definition: PropertyDef, value: object) -> Any:
    if not definition.numeric:
        return _fold(value)
    number = to_number(value) if definition.type == "number" else epoch_ms(value)
    if number is None:
        raise validation_error(f"'{value}' is not a valid value for {definition.type} property '{definition.name}'")
    return number


def _sort(raw: object, table: ObjectTable) -> Sort:
    # Sorts come as {"propertyName", "direction"} or as bare names, "-name" meaning descending.
    if isinstance(raw, str):
        descending = raw.startswith("-")
        return Sort(_property(table, raw.lstrip("-")), descending)
    if isinstance(raw, dict) and raw.get("propertyName"):
        direction = str(raw.get("direction") or "ASCENDING").upper()
        return Sort(_property(table, str(raw["propertyName"])), direction == "DESCENDING")
    raise validation_error("Invalid input JSON: each sort needs a propertyName")


def _property(table: ObjectTable, name: str) -> PropertyDef:
    definition = table.registry.get(name)
    if definition is None:
        raise validation_error(f"Property '{name}' does not exist on object type {table.object_type.name}", context={"propertyName": [name]})
    return definition


def _compare(operator: str, current: Any, value: Any, high: Any, values: tuple[Any, ...]) -> bool:
    if operator == "NEQ":
        return current != value
    if operator == "NOT_IN":
        return current not in values
    if current is None:
        return False
    if operator == "EQ":
        return current == value
    if operator == "IN":
        return current in values
    if operator == "BETWEEN":
        return value <= current <= high
    return {"LT": current < value, "LTE": current <= value, "GT": current > value, "GTE": current >= value}[operator]


def _fold(value: object) -> str | None:
    return None if value is None else str(value).strip().lower()


def _contains_token(raw: str, wanted: str) -> bool:
    text = raw.lower()
    if "*" in wanted:
        return fnmatch.fnmatchcase(text, wanted) or any(fnmatch.fnmatchcase(token, wanted) for token in _TOKEN.findall(text))
    return wanted == text or wanted in _TOKEN.findall(text)

