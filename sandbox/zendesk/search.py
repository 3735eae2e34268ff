"""`/search.json`: Zendesk's query language over users, organizations and tickets.

Supported: `type:`, `key:value`, `key<value`, `key>value` (also `<=`, `>=`),
quoted values, trailing `*` wildcards, `-` negation, free text, `none`,
ordered comparisons on ticket status and priority, dates and relative times
(`created>4hours`) on `created`/`updated`, and custom field keys. Results are
offset-paged; asking past the 1,000th result is Zendesk's 422.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.zendesk.collection import Record
from sandbox.zendesk.store import TICKET_STATUS_ORDER, ZendeskStore
from sandbox.zendesk.wire import ZendeskError, parse_time

SEARCH_LIMIT = 1000
TYPES = {"user": "users", "organization": "organizations", "ticket": "tickets"}
PRIORITY_ORDER = ("low", "normal", "high", "urgent")
ORDERED = {"status": TICKET_STATUS_ORDER, "priority": PRIORITY_ORDER}
_TERM = re.compile(r"^(?P<negated>-?)(?P<key>[A-Za-z_][\w.]*?)(?P<op><=|>=|:<=|:>=|:<|:>|:|<|>)(?P<value>.+)$")
_RELATIVE = re.compile(r"^(?P<count>\d+)(?P<unit>minute|hour|day|week|month|year)s?$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000, "year": 31536000}
FREE_TEXT_FIELDS = ("name", "email", "subject", "description", "details", "notes", "external_id")
SORT_FIELDS = {
    "created_at": "created_at", "updated_at": "updated_at", "priority": "priority", "status": "status", "ticket_type": "type",
}  # fmt: skip
ALIASES = {"tag": "tags", "ticket_type": "type", "organization_id": "organization", "requester_id": "requester"}


def search_limit_exceeded() -> ZendeskError:
    return ZendeskError(
        422,
        {"error": "invalid", "description": "Invalid search: Requested response size was greater than Search Response Limits"},
    )


@dataclass(frozen=True)
class Term:
    key: str | None  # None for free text
    op: str  # ":", "<", ">", "<=", ">="
    value: str
    negated: bool


def parse_query(query: str) -> list[Term]:
    try:
        tokens = shlex.split(query)
    except ValueError:
        tokens = query.split()
    terms: list[Term] = []
    for token in tokens:
        match = _TERM.match(token)
        if match is None:
            negated = token.startswith("-") and len(token) > 1
            terms.append(Term(None, ":", token[1:] if negated else token, negated))
            continue
        key = match["key"].lower()
        op = match["op"].lstrip(":") or ":"
        terms.append(Term(ALIASES.get(key, key), op, match["value"].strip('"'), bool(match["negated"])))
    return terms


def _text_matches(candidate: Any, pattern: str) -> bool:
    if candidate is None:
        return pattern.lower() == "none"
    text, pattern = str(candidate).lower(), pattern.lower()
    if "*" in pattern:
        return fnmatch.fnmatchcase(text, pattern)
    return text == pattern


def _any_matches(candidates: Iterable[Any], pattern: str) -> bool:
    values = list(candidates)
    if not values:
        return pattern.lower() == "none"
    return any(_text_matches(value, pattern) for value in values)


def _moment(value: str, now: datetime) -> datetime | None:
    relative = _RELATIVE.match(value.lower())
    if relative:
        return now - timedelta(seconds=int(relative["count"]) * _UNIT_SECONDS[relative["unit"]])
    try:
        return parse_time(value)
    except ValueError:
        return None


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None or right is None:
        return False
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right, ":": left == right}[op]


class Matcher:
    """Decides whether one record satisfies every term of a query."""

    def __init__(self, store: ZendeskStore, now: datetime) -> None:
        self.store = store
        self.now = now

    def _user_refs(self, user_id: Any) -> list[Any]:
        user = self.store.users.get(user_id) if user_id is not None else None
        return [user_id, user.get("email"), user.get("name")] if user else []

    def _organization_refs(self, organization_id: Any) -> list[Any]:
        organization = self.store.organizations.get(organization_id) if organization_id is not None else None
        return [organization_id, organization.get("name")] if organization else []

    def _values(self, kind_name: str, record: Record, key: str) -> list[Any] | None:
        """The record's values for a search key, or None when the key does not apply to this type."""
        if key == "tags":
            return list(record.get("tags") or [])
        if key == "organization":
            return self._organization_refs(record.get("organization_id"))
        if kind_name == "tickets" and key in ("requester", "assignee", "submitter"):
            return self._user_refs(record.get(f"{key}_id"))
        if kind_name == "organizations" and key in ("domain", "domain_names"):
            return list(record.get("domain_names") or [])
        if kind_name == "tickets" and key.startswith("custom_field_"):
            field_id = key.removeprefix("custom_field_")
            return [entry.get("value") for entry in record.get("custom_fields") or [] if str(entry.get("id")) == field_id]
        for custom_key in ("user_fields", "organization_fields"):
            if key in (record.get(custom_key) or {}):
                return [record[custom_key][key]]
        if key in record and not isinstance(record[key], dict | list):
            return [record[key]]
        return None

    def _term_matches(self, kind_name: str, record: Record, term: Term) -> bool:
        if term.key is None:
            haystack = " ".join(str(record.get(name) or "") for name in FREE_TEXT_FIELDS)
            return term.value.lower().strip("*") in haystack.lower()
        if term.key in ("created", "updated", "solved", "due_date"):
            field = {"created": "created_at", "updated": "updated_at", "solved": "solved_at", "due_date": "due_at"}[term.key]
            moment, stamp = _moment(term.value, self.now), record.get(field)
            if not stamp or moment is None:
                return False
            return _compare(parse_time(stamp), term.op, moment)
        if term.key in ORDERED and term.op != ":" and kind_name == "tickets":
            order = ORDERED[term.key]
            value = record.get(term.key)
            return term.value in order and value in order and _compare(order.index(value), term.op, order.index(term.value))
        values = self._values(kind_name, record, term.key)
        if values is None:
            return False
        if term.op != ":":
            return any(_compare(value, term.op, _coerce(term.value, value)) for value in values)
        return _any_matches(values, term.value)

    def matches(self, kind_name: str, record: Record, terms: list[Term]) -> bool:
        return all(self._term_matches(kind_name, record, term) != term.negated for term in terms)


def _coerce(text: str, like: Any) -> Any:
    if isinstance(like, bool):
        return text.lower() == "true"
    if isinstance(like, int | float):
        try:
            return type(like)(text)
        except ValueError:
            return None
    return text


def _candidates(store: ZendeskStore, kind_name: str, terms: list[Term]) -> Iterable[Record]:
    """Index-backed shortcut for exact email / external_id lookups; otherwise every visible record."""
    for term in terms:
        exact = term.op == ":" and not term.negated and "*" not in term.value
        if exact and term.key == "email" and kind_name == "users":
            user = store.user_by_email(term.value)
            return [user] if user else []
        if exact and term.key == "external_id" and kind_name in ("users", "organizations"):
            record = store.by_external_id(kind_name, term.value)
            return [record] if record else []
    return store[kind_name].all_in_id_order()


def search(store: ZendeskStore, query: str, now: datetime, type_filter: str | None = None) -> list[tuple[str, Record]]:
    """Every (kind name, record) matching `query`, in id order within each type."""
    terms = parse_query(query)
    types = [TYPES[term.value.lower()] for term in terms if term.key == "type" and term.value.lower() in TYPES]
    if type_filter in TYPES:
        types = [TYPES[type_filter]]
    terms = [term for term in terms if term.key != "type"]
    matcher = Matcher(store, now)
    found: list[tuple[str, Record]] = []
    for kind_name in types or list(TYPES.values()):
        for record in _candidates(store, kind_name, terms):
            if store.is_visible(kind_name, record) and matcher.matches(kind_name, record, terms):
                found.append((kind_name, record))
    return found


def sort_results(results: list[tuple[str, Record]], sort_by: str | None, sort_order: str | None) -> list[tuple[str, Record]]:
    """Zendesk sorts by relevance by default; the stand-in uses id order there for stable pages."""
    if not sort_by:
        return results
    field = SORT_FIELDS.get(sort_by)
    if field is None:
        return results

    def key(row: tuple[str, Record]) -> tuple[bool, str, int]:
        value = row[1].get(field)
        return value is None, str(value or ""), row[1]["id"]

    return sorted(results, key=key, reverse=(sort_order or "desc").lower() == "desc")
