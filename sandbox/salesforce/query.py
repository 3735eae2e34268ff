"""Binding a parsed SOQL query to the schema, running it over the store, and rendering rows.

`plan_query` resolves every field once (unknown names answer INVALID_FIELD,
unknown objects INVALID_TYPE, mistyped literals INVALID_FIELD, as the real
API does), and compiles WHERE into a predicate and ORDER BY into sort keys,
so running a query is one pass over the object's records plus a sort.
Rendering uses per-column converters chosen at plan time.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.schema import ID_TYPES, NUMBER_TYPES, TEXT_TYPES, FieldDef, ObjectDef
from sandbox.salesforce.soql import (
    BoolOp,
    Comparison,
    Condition,
    FieldPath,
    InList,
    Like,
    Literal,
    Not,
    SoqlError,
    SoqlQuery,
    parse,
)
from sandbox.salesforce.store import SalesforceStore, normalise_id
from sandbox.salesforce.values import Record, address_getter, csv_converter, json_converter

Predicate = Callable[[Record], bool]
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_LITERAL_KIND = {"boolean": "boolean", "date": "date", "datetime": "datetime"}


@dataclass(frozen=True)
class Column:
    """One selected (or filtered, or sorted) field: where its value comes from and how it is written."""

    path: str  # canonical: `Name`, `Account.Name`
    field: FieldDef
    value: Callable[[Record], Any]  # the stored Python value (a dict for addresses)
    relationship: str | None = None
    parent: ObjectDef | None = None
    parent_record: Callable[[Record], Record | None] | None = None


@dataclass
class QueryPlan:
    sobject: ObjectDef
    columns: list[Column]
    count_only: bool
    predicate: Predicate | None
    sort_keys: list[tuple[Callable[[Record], Any], bool, bool]]  # (key, descending, nulls_last)
    limit: int | None
    offset: int

    def run(self, store: SalesforceStore, include_deleted: bool) -> list[Record]:
        """The matching records, sorted, after OFFSET and LIMIT."""
        rows: Iterable[Record] = store.records(self.sobject.name)
        if not include_deleted and self.sobject.has_is_deleted:
            rows = (row for row in rows if not row.get("IsDeleted"))
        if self.predicate is not None:
            rows = filter(self.predicate, rows)
        selected = list(rows)
        for key, descending, nulls_last in reversed(self.sort_keys):
            selected = _sorted(selected, key, descending, nulls_last)
        end = None if self.limit is None else self.offset + self.limit
        return selected[self.offset : end]


def _sorted(rows: list[Record], key: Callable[[Record], Any], descending: bool, nulls_last: bool) -> list[Record]:
    """A stable sort on one key, with nulls placed apart (stable passes compose into multi-key order)."""
    nulls = [row for row in rows if key(row) is None]
    values = sorted((row for row in rows if key(row) is not None), key=key, reverse=descending)
    return values + nulls if nulls_last else nulls + values


def plan_soql(store: SalesforceStore, text: str) -> QueryPlan:
    """Parse and bind `text`; raises SalesforceError(400) the way Salesforce refuses a query."""
    try:
        return plan_query(store, parse(text))
    except SoqlError as error:
        raise SalesforceError.of(400, error.code, str(error)) from None


def plan_query(store: SalesforceStore, query: SoqlQuery) -> QueryPlan:
    """Bind a parsed query to the schema; raises SoqlError (INVALID_TYPE, INVALID_FIELD, ...) or SalesforceError."""
    sobject = store.object(query.sobject)
    if sobject is None:
        raise SoqlError(
            "INVALID_TYPE",
            f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, be sure "
            "to append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
            "appropriate names.",
            query.text,
            query.sobject_pos,
        )
    binder = _Binder(store, sobject, query.text)
    columns: list[Column] = []
    seen: set[str] = set()
    for path in query.fields:
        column = binder.column(path)
        if column.path.lower() in seen:
            raise SoqlError("MALFORMED_QUERY", f"duplicate field selected: {column.path}", query.text, path.pos)
        seen.add(column.path.lower())
        columns.append(column)
    if query.offset is not None and query.offset > 2000:
        raise SalesforceError.of(400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000")
    return QueryPlan(
        sobject=sobject,
        columns=columns,
        count_only=query.count_only,
        predicate=binder.condition(query.where) if query.where is not None else None,
        sort_keys=[(binder.sort_key(key.field), key.descending, key.nulls_last) for key in query.order_by],
        limit=query.limit,
        offset=query.offset or 0,
    )


class _Binder:
    def __init__(self, store: SalesforceStore, sobject: ObjectDef, text: str) -> None:
        self.store = store
        self.sobject = sobject
        self.text = text

    def fail(self, detail: str, pos: int) -> SoqlError:
        return SoqlError("INVALID_FIELD", detail, self.text, pos)

    def column(self, path: FieldPath) -> Column:
        parts = path.name.split(".")
        if len(parts) == 2 and parts[0].lower() == self.sobject.name.lower() and self._relationship(parts[0]) is None:
            parts = parts[1:]  # `Account.Name FROM Account`: the object name used as a qualifier
        if len(parts) == 1:
            field = self._field(self.sobject, parts[0], path.pos)
            getter = address_getter(field) if field.type == "address" else _plain_getter(field.name)
            return Column(field.name, field, getter)
        if len(parts) > 2:
            raise self._bad_relationship(parts[1], path.pos)
        reference = self._relationship(parts[0])
        if reference is None:
            raise self._bad_relationship(parts[0], path.pos)
        parent = self.store.object(reference.reference_to[0])
        assert parent is not None
        field = self._field(parent, parts[1], path.pos)
        parent_record = _parent_lookup(self.store.tables[parent.name], reference.name)
        inner = address_getter(field) if field.type == "address" else _plain_getter(field.name)

        def value(record: Record) -> Any:
            found = parent_record(record)
            return None if found is None else inner(found)

        return Column(
            f"{reference.relationship_name}.{field.name}",
            field,
            value,
            reference.relationship_name,
            parent,
            parent_record,
        )

    def _field(self, sobject: ObjectDef, name: str, pos: int) -> FieldDef:
        field = sobject.field(name)
        if field is None:
            raise self.fail(
                f"No such column '{name}' on entity '{sobject.name}'. If you are attempting to use a custom field, be "
                "sure to append the '__c' after the custom field name. Please reference your WSDL or the describe "
                "call for the appropriate names.",
                pos,
            )
        return field

    def _relationship(self, name: str) -> FieldDef | None:
        lowered = name.lower()
        return next(
            (f for f in self.sobject.fields.values() if f.relationship_name and f.relationship_name.lower() == lowered),
            None,
        )

    def _bad_relationship(self, name: str, pos: int) -> SoqlError:
        return self.fail(
            f"Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
            "relationship, be sure to append the '__r' after the custom relationship name. Please reference your "
            "WSDL or the describe call for the appropriate names.",
            pos,
        )

    def filterable(self, path: FieldPath, verb: str) -> Column:
        column = self.column(path)
        if not column.field.filterable:
            raise self.fail(f"field '{column.field.name}' can not be {verb} in a query call", path.pos)
        return column

    def sort_key(self, path: FieldPath) -> Callable[[Record], Any]:
        column = self.filterable(path, "sorted")
        return _normaliser(column)

    def condition(self, node: Condition) -> Predicate:
        if isinstance(node, BoolOp):
            parts = [self.condition(operand) for operand in node.operands]
            if node.op == "AND":
                return lambda record: all(part(record) for part in parts)
            return lambda record: any(part(record) for part in parts)
        if isinstance(node, Not):
            inner = self.condition(node.operand)
            return lambda record: not inner(record)
        if isinstance(node, Like):
            return self._like(node)
        if isinstance(node, InList):
            return self._in_list(node)
        return self._comparison(node)

    def _comparison(self, node: Comparison) -> Predicate:
        column = self.filterable(node.field, "filtered")
        key = _normaliser(column)
        target = self._literal(column, node.value)
        if node.op == "=":
            return lambda record: key(record) == target
        if node.op == "!=":
            return lambda record: key(record) != target
        compare = _ORDERING[node.op]
        if target is None:
            return lambda record: False

        def ordered(record: Record) -> bool:
            value = key(record)
            return value is not None and compare(value, target)

        return ordered

    def _in_list(self, node: InList) -> Predicate:
        column = self.filterable(node.field, "filtered")
        key = _normaliser(column)
        targets = {self._literal(column, literal) for literal in node.values}
        if node.negated:
            return lambda record: key(record) not in targets
        return lambda record: key(record) in targets

    def _like(self, node: Like) -> Predicate:
        column = self.filterable(node.field, "filtered")
        if column.field.type not in TEXT_TYPES:
            raise self.fail(f"invalid operator on {column.field.type} field: LIKE", node.pattern.pos)
        matcher = like_regex(node.pattern.value).fullmatch
        get = column.value
        return lambda record: (value := get(record)) is not None and matcher(value) is not None

    def _literal(self, column: Column, literal: Literal) -> Any:
        """The literal as a value comparable with `_normaliser(column)`; type-checked like Salesforce does."""
        field = column.field
        if literal.kind == "null":
            return None
        expected = _expected_kind(field)
        if literal.kind != expected:
            quoted = "be enclosed in quotes" if expected == "string" else "not be enclosed in quotes"
            type_name = {"number": "double" if field.type != "int" else "integer", "datetime": "dateTime"}.get(
                expected, expected
            )
            raise self.fail(
                f"value of filter criterion for field '{field.name}' must be of type {type_name} and should {quoted}",
                literal.pos,
            )
        if field.type in ID_TYPES:
            if len(literal.value) not in (15, 18) or not literal.value.isalnum():
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {literal.value}", self.text, literal.pos
                )
            return normalise_id(literal.value)
        if field.type in TEXT_TYPES:
            return literal.value.casefold()
        return literal.value


def _expected_kind(field: FieldDef) -> str:
    if field.type in NUMBER_TYPES:
        return "number"
    return _LITERAL_KIND.get(field.type, "string")


def _plain_getter(name: str) -> Callable[[Record], Any]:
    return lambda record: record.get(name)


def _parent_lookup(table: dict[str, Record], foreign_key: str) -> Callable[[Record], Record | None]:
    def parent(record: Record) -> Record | None:
        parent_id = record.get(foreign_key)
        return table.get(parent_id) if parent_id else None

    return parent


def _normaliser(column: Column) -> Callable[[Record], Any]:
    """Values as SOQL compares them: text case-insensitively, booleans as themselves, the rest as stored."""
    get = column.value
    if column.field.type in TEXT_TYPES:
        return lambda record: None if (value := get(record)) is None else value.casefold()
    return get


def like_regex(pattern: str) -> re.Pattern[str]:
    """A LIKE pattern (`%` any run, `_` one character, `\\%`/`\\_` literal) as a case-insensitive regex."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


# -- rendering -----------------------------------------------------------------------------------


def json_renderer(sobject: ObjectDef, columns: list[Column], version: str) -> Callable[[Record], dict[str, Any]]:
    """A function that renders one record as a REST row: `attributes` first, parent fields nested."""
    base = f"/services/data/{version}/sobjects/"
    type_name = sobject.name
    emitters: list[tuple[str, Callable[[Record], Any]]] = []
    groups: dict[str, list[Column]] = {}
    for column in columns:
        if column.relationship is None:
            emitters.append((column.path, _json_value(column)))
        elif column.relationship in groups:
            groups[column.relationship].append(column)
        else:
            groups[column.relationship] = [column]
            emitters.append((column.relationship, _nested(column, groups[column.relationship], base)))

    def render(record: Record) -> dict[str, Any]:
        row: dict[str, Any] = {"attributes": {"type": type_name, "url": base + type_name + "/" + record["Id"]}}
        for key, emit in emitters:
            row[key] = emit(record)
        return row

    return render


def _json_value(column: Column) -> Callable[[Record], Any]:
    get, convert = column.value, json_converter(column.field)
    if convert is None:
        return get
    return lambda record: None if (value := get(record)) is None else convert(value)


def _nested(first: Column, group: list[Column], base: str) -> Callable[[Record], Any]:
    """The parent object of a relationship, with the selected fields (the group fills up while planning)."""
    assert first.parent is not None and first.parent_record is not None
    parent_type, lookup = first.parent.name, first.parent_record

    def value(record: Record) -> dict[str, Any] | None:
        found = lookup(record)
        if found is None:
            return None
        out: dict[str, Any] = {"attributes": {"type": parent_type, "url": base + parent_type + "/" + found["Id"]}}
        for column in group:
            out[column.field.name] = _json_value(column)(record)
        return out

    return value


def all_columns(sobject: ObjectDef, names: Iterable[str] | None = None) -> list[Column]:
    """Columns for every field of `sobject` (or the named ones), as a record GET returns them."""
    fields = (
        [sobject.fields[n] for n in sobject.fields] if names is None else [f for n in names if (f := sobject.field(n))]
    )
    return [Column(f.name, f, address_getter(f) if f.type == "address" else _plain_getter(f.name)) for f in fields]


def csv_renderer(columns: list[Column]) -> tuple[list[str], Callable[[Record], list[str]]]:
    """The CSV header and a row function for Bulk API 2.0 results."""
    cells = [(column.value, csv_converter(column.field)) for column in columns]

    def row(record: Record) -> list[str]:
        return [convert(get(record)) for get, convert in cells]

    return [column.path for column in columns], row


__all__ = ["Column", "QueryPlan", "all_columns", "csv_renderer", "json_renderer", "plan_query", "plan_soql"]
