"""Survivorship: the one value a golden profile shows per field, and where it came from.

Members are canonical rows (plain dicts). A single-valued field picks one
value by its rule (`IdentitySettings.survivorship`); a multi-valued field
(emails, phones, domains) keeps every distinct value with all its holders.
Every pick is a total order over (rule criterion, recency, source ref), so
the same members in any order give the same profile, and a null or an empty
string is never a candidate, so it never wins over a value.

    profile = build_profile("person", [row_dict, ...], settings)
    profile["fields"]["title"] == {"value": "CTO", "source": {...}, "rule": "most_recent", ...}
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from identity.settings import IdentitySettings, SurvivorshipRule

SINGLE_FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("first_name", "last_name", "full_name", "title", "company_name", "lifecycle", "city", "country", "owner"),
    "company": (
        "name", "industry", "lifecycle", "company_type", "annual_revenue", "employees", "arr", "renewal_date",
        "city", "country", "owner",
    ),
}  # fmt: skip
MULTI_FIELDS: dict[str, tuple[str, ...]] = {"person": ("emails", "phones"), "company": ("domains", "phones")}

Ref = tuple[str, str, str]  # (system, object, source_id)
SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class Candidate:
    """One member's non-empty value for one field."""

    value: Any  # JSON-ready, as shown in the profile
    key: str  # comparison form: "Acme" and "acme " are the same value when counting and de-duplicating
    ref: Ref
    updated_at: datetime | None

    def source(self) -> dict[str, str]:
        return ref_dict(self.ref)


def build_profile(entity: str, members: Sequence[Mapping[str, Any]], settings: IdentitySettings) -> dict[str, Any]:
    """The golden profile of `members` (canonical rows of `entity`: "person" or "company")."""
    if entity not in SINGLE_FIELDS:
        raise ValueError(f"survivorship knows person and company, not {entity!r}")
    # A deleted record's values must not survive while a live member holds one; an all-deleted
    # cluster still shows what it last had rather than an empty profile.
    live = [m for m in members if not m.get("is_deleted")] or list(members)
    survivorship = settings.survivorship
    fields = {}
    for name in SINGLE_FIELDS[entity]:
        candidates = [c for m in live if (c := _single_candidate(name, m)) is not None]
        fields[name] = pick(candidates, rule_for(name, settings), survivorship.source_priority)
    profile: dict[str, Any] = {"fields": fields}
    for name in MULTI_FIELDS[entity]:
        candidates = [c for m in live for c in _multi_candidates(name, m)]
        profile[name] = collect(candidates, rule_for(name, settings), survivorship.source_priority)
    profile["sources"] = [ref_dict(ref) for ref in sorted({member_ref(m) for m in members})]
    profile["linked_ids"] = merge_linked_ids(live)
    return profile


def rule_for(field: str, settings: IdentitySettings) -> SurvivorshipRule:
    """The field's own rule if configured, else the default."""
    return settings.survivorship.fields.get(field, settings.survivorship.default_rule)


def pick(candidates: Sequence[Candidate], rule: SurvivorshipRule, priority: Sequence[str]) -> dict[str, Any]:
    """The surviving value of a single-valued field with its lineage; value None when no member has one."""
    ranked = rank(candidates, rule, priority)
    if not ranked:
        return {"value": None, "source": None, "rule": rule, "updated_at": None, "candidates": 0}
    best = ranked[0]
    return {
        "value": best.value,
        "source": best.source(),
        "rule": rule,
        "updated_at": best.updated_at.isoformat() if best.updated_at else None,
        "candidates": len(candidates),
    }


def collect(candidates: Sequence[Candidate], rule: SurvivorshipRule, priority: Sequence[str]) -> list[dict[str, Any]]:
    """Every distinct value of a multi-valued field with all its holders, best first by the field's rule."""
    entries: dict[str, dict[str, Any]] = {}
    for candidate in rank(candidates, rule, priority):
        entry = entries.setdefault(candidate.key, {"value": candidate.value, "sources": []})
        if candidate.source() not in entry["sources"]:
            entry["sources"].append(candidate.source())
    return list(entries.values())


def rank(candidates: Sequence[Candidate], rule: SurvivorshipRule, priority: Sequence[str]) -> list[Candidate]:
    """Candidates best first under `rule`; ties fall to recency, then to the source ref, so order never matters."""
    return sorted(candidates, key=_rule_key(rule, priority, candidates))


def _rule_key(rule: SurvivorshipRule, priority: Sequence[str], candidates: Sequence[Candidate]) -> Callable[[Candidate], SortKey]:
    if rule == "source_priority":
        order = {system: index for index, system in enumerate(priority)}
        # A system missing from the list ranks after every listed one.
        return lambda c: (order.get(c.ref[0], len(order)), *_recency(c))
    if rule == "most_complete":
        return lambda c: (-_completeness(c.value), *_recency(c))
    if rule == "most_frequent":
        # Count members, not occurrences: one record listing an address twice is one vote.
        holders = Counter(key for key, _ in {(c.key, c.ref) for c in candidates})
        return lambda c: (-holders[c.key], *_recency(c))
    return _recency


def _recency(candidate: Candidate) -> SortKey:
    return recency_key(candidate.updated_at, candidate.ref, candidate.key)


def recency_key(updated: datetime | None, ref: Ref, key: str = "") -> SortKey:
    """Newest first, undated last; then the ref and the value, the last resort for a stable order."""
    return (updated is None, -updated.timestamp() if updated else 0.0, ref, key)


def _completeness(value: Any) -> int:
    """Characters of text (whitespace collapsed); other kinds of value are all equally complete."""
    return len(" ".join(value.split())) if isinstance(value, str) else 0


def _single_candidate(field: str, member: Mapping[str, Any]) -> Candidate | None:
    if field == "owner":
        owner = member.get("owner_source_id")
        # An owner id means something only within its own system.
        value = {"system": str(member.get("system")), "id": str(owner)} if not _is_empty(owner) else None
    else:
        value = member.get(field)
    if _is_empty(value):
        return None
    return _candidate(value, member)


def _multi_candidates(field: str, member: Mapping[str, Any]) -> list[Candidate]:
    return [_candidate(value, member) for value in member.get(field) or () if not _is_empty(value)]


def _candidate(value: Any, member: Mapping[str, Any]) -> Candidate:
    shown = json_value(value)
    return Candidate(value=shown, key=_comparable(shown), ref=member_ref(member), updated_at=parse_time(member.get("source_updated_at")))


def merge_linked_ids(members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every member's counterpart ids in one map; where two disagree, the most recent member wins."""
    merged: dict[str, Any] = {}
    oldest_first = sorted(members, key=lambda m: recency_key(parse_time(m.get("source_updated_at")), member_ref(m)), reverse=True)
    for member in oldest_first:
        merged.update({str(k): json_value(v) for k, v in (member.get("linked_ids") or {}).items() if not _is_empty(v)})
    return dict(sorted(merged.items()))


def member_ref(member: Mapping[str, Any]) -> Ref:
    """A member's source ref as a sortable tuple."""
    return (str(member.get("system")), str(member.get("object")), str(member.get("source_id")))


def ref_dict(ref: Ref) -> dict[str, str]:
    return {"system": ref[0], "object": ref[1], "id": ref[2]}


def parse_time(value: Any) -> datetime | None:
    """A source timestamp as an aware datetime; the store keeps UTC without an offset."""
    if _is_empty(value):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise TypeError(f"source_updated_at must be a datetime or an ISO string, not {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def json_value(value: Any) -> Any:
    """A column value as JSON can carry it: dates as ISO strings, enums as their value, decimals as floats."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _comparable(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if isinstance(value, dict):
        return ":".join(f"{k}={value[k]}" for k in sorted(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format(float(value), ".15g")  # 5 and 5.0 are one value
    return str(value)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False
