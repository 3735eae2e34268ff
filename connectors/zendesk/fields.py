"""How a planned change's field names map onto Zendesk's JSON, for reading current values and building payloads.

Names a `RecordUpdate` / `RecordCreate` may use:

- a top-level attribute: `name`, `email`, `notes`, `tags`, `status`, ...;
- a custom field as a dotted path: `user_fields.plan_tier` (users),
  `organization_fields.account_tier` (organizations), or `custom_fields.<id>`
  (tickets, by ticket field id); a nested dict under `user_fields` /
  `organization_fields` is accepted too and merged key by key;
- `comment` on tickets: a string becomes an internal note
  (`{"body": ..., "public": false}`); a dict is sent as given. Comments are
  added, never compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.zendesk.endpoints import Json, WriteTarget

NOT_COMPARED = frozenset({"comment"})


def current_value(target: WriteTarget, record: Json, name: str) -> Any:
    """The value `name` has in a record as Zendesk returned it."""
    head, _, rest = name.partition(".")
    if rest and head == target.custom_fields == "custom_fields":
        wanted = rest
        return next((entry.get("value") for entry in record.get("custom_fields") or () if str(entry.get("id")) == wanted), None)
    if rest and head == target.custom_fields:
        return (record.get(head) or {}).get(rest)
    return record.get(name)


def same_value(expected: Any, current: Any) -> bool:
    """Equal as the planner would judge it: blank is blank (None, "" and [] alike), tags in any order, numbers by value."""
    if _blank(expected) and _blank(current):
        return True
    if isinstance(expected, list) and isinstance(current, list) and all(isinstance(v, str) for v in expected + current):
        return sorted(expected) == sorted(current)
    if isinstance(expected, int | float) and isinstance(current, str | int | float) and not isinstance(expected, bool):
        try:
            return float(current) == float(expected)
        except ValueError:
            return False
    return bool(expected == current)


def conflicts(target: WriteTarget, record: Json, expected: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """Names of the expected fields whose value changed since the plan was made to something other than `wanted`.

    A field that already holds the wanted value is no conflict: a rerun after a write whose answer was lost.
    """
    changed = []
    for name, value in expected.items():
        if name in NOT_COMPARED:
            continue
        current = current_value(target, record, name)
        if not same_value(value, current) and not (name in wanted and same_value(wanted[name], current)):
            changed.append(name)
    return changed


def payload(target: WriteTarget, fields: Mapping[str, Any]) -> Json:
    """Zendesk's JSON for a change's fields (custom fields folded under their key, comments shaped)."""
    item: Json = {}
    for name, value in fields.items():
        head, _, rest = name.partition(".")
        if head == "comment" and target.name == "tickets":
            item["comment"] = {"body": value, "public": False} if isinstance(value, str) else dict(value)
        elif rest and head == target.custom_fields == "custom_fields":
            item.setdefault("custom_fields", []).append({"id": int(rest) if rest.isdigit() else rest, "value": value})
        elif head == target.custom_fields and target.custom_fields != "custom_fields":
            values = item.setdefault(head, {})
            values.update({rest: value} if rest else dict(value or {}))
        else:
            item[name] = value
    return item


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []
