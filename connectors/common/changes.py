"""The write side's vocabulary: planned changes in, one result per change out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RecordUpdate:
    """Set `fields` on an existing record, but only if the fields in `expected` still hold those values."""

    object: str
    record_id: str
    fields: Mapping[str, Any]
    expected: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordCreate:
    """Create a record once: a retry with the same `idempotency_key` finds the first one instead."""

    object: str
    fields: Mapping[str, Any]
    idempotency_key: str


Change = RecordUpdate | RecordCreate


class WriteOutcome(StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"  # the target changed since it was read: nothing written
    FAILED = "failed"  # the vendor refused; `message` says why


@dataclass(frozen=True, slots=True)
class WriteResult:
    change: Change
    outcome: WriteOutcome
    record_id: str | None = None
    message: str | None = None
    existed: bool = False  # a create whose idempotency key found an earlier record


class RecordWriter(Protocol):
    """Applies changes in the vendor's batch calls and answers for each one."""

    def apply(self, changes: Sequence[Change]) -> list[WriteResult]: ...
