"""A write-back plan: rows of (target, field, current → new, policy, reason, mode), and how values compare.

A row exists only where a write would change something: the current value
(as last pulled, or as loophub last wrote it since) and the new value are
compared as the vendors mean them — HubSpot answers numbers as strings,
Salesforce answers integers as floats, both stamp instants with
milliseconds — so a system that already holds what loophub would write
plans nothing, and the loop converges to zero writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from store.writeback import OutboxEntry, PulledTarget

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from flows.writeback.handoff import HandoffStep
    from flows.writeback.settings import PolicySettings

# What a target field holds, as compared and as sent: whole numbers, one-decimal numbers, instants, days, text, flags.
Kind = Literal["count", "number", "datetime", "date", "text", "boolean"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The object each CRM's company record lives in: the records a company policy writes into.
TARGET_OBJECTS = {"salesforce": "Account", "hubspot": "companies"}
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One field of one target record that a policy wants changed."""

    system: str
    object: str
    record_id: str
    field: str
    current: Any  # as the vendor last showed it (sent back as the compare-and-set expectation)
    new: Any  # in the vendor's wire form
    policy: str
    reason: str
    mode: str
    golden_id: str | None = None

    @property
    def target(self) -> str:
        return f"{self.system}:{self.object}:{self.record_id}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def outbox_entry(self) -> OutboxEntry:
        return OutboxEntry(self.system, self.object, self.record_id, self.field, self.golden_id, self.policy, self.mode, self.reason, self.current, self.new)


@dataclass
class Plan:
    """What the enabled policies want written now; empty when every target already holds it."""

    created_at: datetime
    rows: list[PlanRow] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    companies: int = 0  # golden companies the policies looked at
    targets: int = 0  # CRM records they could write into
    handoffs: list[HandoffStep] = field(default_factory=list)  # deals to create from tickets, and tickets skipped (why)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # enabled policies left out: their target fields are not ready

    def as_json(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(),
            "policies": self.policies,
            "skipped": self.skipped,
            "companies": self.companies,
            "targets": self.targets,
            "rows": [row.as_json() for row in self.rows],
            "handoffs": [step.as_json() for step in self.handoffs],
        }


@dataclass(frozen=True, slots=True)
class TargetField:
    """A field a policy writes into, as an admin must define it (`loophub targets check|apply`)."""

    system: str
    object: str  # the stream name: Account, Contact, Opportunity, companies, contacts, deals, organizations, users, tickets
    name: str  # as the policy writes it: an API name, a property, or Zendesk's `organization_fields.<key>`
    kind: Kind
    label: str
    policy: str
    unique: bool = False  # an idempotency key: Salesforce External ID + Unique, HubSpot unique values


@dataclass
class PolicyPlan:
    """What one policy wants: its rows, and how many companies and target records it looked at."""

    rows: list[PlanRow] = field(default_factory=list)
    companies: int = 0
    targets: int = 0
    handoffs: list[HandoffStep] = field(default_factory=list)  # creates go through the hand-off ledger, not the outbox


@dataclass(frozen=True)
class Policy:
    """A write-back policy as the flow drives it: whether it is on, what it plans, which fields it needs."""

    name: str
    enabled: Callable[[PolicySettings], bool]
    plan: Callable[[Session, PolicySettings, datetime], PolicyPlan]
    target_fields: Callable[[PolicySettings], list[TargetField]]


def current_value(system: str, target: PulledTarget | None, name: str) -> Any:
    """A field's value as loophub last knew it: its own later write if any, else the pulled payload."""
    if target is None:
        return None
    if name in target.written:
        return target.written[name]
    if system == "hubspot":
        return (target.payload.get("properties") or {}).get(name)
    head, _, key = name.partition(".")
    if system == "zendesk" and key:  # `organization_fields.loophub_owner`: a custom field under its group
        return (target.payload.get(head) or {}).get(key)
    return target.payload.get(name)


def needs_write(mode: str, current: Any, new: Any, kind: Kind) -> bool:
    """Whether a field in `mode` holding `current` must be written to hold `new`."""
    if mode == "never":
        return False
    now, wanted = normalise(current, kind), normalise(new, kind)
    if mode == "fill_if_blank":
        return now is None and wanted is not None
    return now != wanted


def normalise(value: Any, kind: Kind) -> int | float | datetime | date | str | bool | None:
    """A value as comparable data: None for blank, numbers as numbers, instants as whole UTC seconds, text stripped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "datetime":
        return _instant(value)
    if kind == "date":
        return _day(value)
    if kind == "text":
        return str(value).strip()
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).strip().lower() in TRUE_WORDS
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number) if kind == "count" else round(number, 1)


def wire(value: Any, kind: Kind, system: str) -> Any:
    """A computed value as the vendor takes it (and echoes it back)."""
    if value is None:
        return None
    if kind == "count":
        return int(value)
    if kind == "number":
        return round(float(value), 1)
    if kind == "text":
        return str(value)
    if kind == "boolean":
        flag = bool(normalise(value, "boolean"))
        return ("true" if flag else "false") if system == "hubspot" else flag  # HubSpot answers every property as text
    if kind == "date":
        day = _day(value)
        assert day is not None, f"not a day: {value!r}"
        return day.isoformat()
    moment = _instant(value)
    assert moment is not None, f"not an instant: {value!r}"
    if system == "salesforce":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")  # the REST form the reader keeps
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # HubSpot's own stamp form


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) >= 10 and text[4] == "-":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    moment = _instant(value)  # HubSpot answers a date property as midnight UTC in milliseconds
    return moment.date() if moment else None


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = EPOCH + timedelta(milliseconds=float(value))
    else:
        text = str(value).strip()
        if text.lstrip("-").isdigit():
            moment = EPOCH + timedelta(milliseconds=float(text))
        else:
            text = text.replace("Z", "+00:00")
            if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():  # Salesforce's `+0000`
                text = f"{text[:-2]}:{text[-2:]}"
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return None
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)
