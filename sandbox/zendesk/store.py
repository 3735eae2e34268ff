"""The Zendesk account's state: every object type, its indexes and the ticket audit log.

Seeded from `world.zendesk`; writes (in `people.py` and `tickets.py`) stamp
times from the sandbox clock truncated to the second, as Zendesk does, and
draw new ids from `world.ids`.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.clock import SandboxClock
from sandbox.world import World
from sandbox.zendesk.collection import Collection, Record
from sandbox.zendesk.records import KINDS, Kind, normalised
from sandbox.zendesk.wire import epoch, stamp_epoch, zendesk_time

UNIQUE_EXTERNAL_ID = ("users", "organizations")
ACCOUNT_CREATED = "2020-01-01T00:00:00Z"  # the stamp of seeded records that come without one
TICKET_STATUS_ORDER = ("new", "open", "pending", "hold", "solved", "closed")


@dataclass(frozen=True)
class Stamp:
    """One write's time in the forms Zendesk needs: the string it shows and the epoch second it sorts by."""

    moment: datetime
    text: str
    second: int


class AuditLog:
    """Ticket audits in time order, the source of the ticket events export."""

    def __init__(self) -> None:
        self._entries: list[tuple[int, int, Record]] = []
        self._sequence = itertools.count(1)

    def __len__(self) -> int:
        return len(self._entries)

    def load(self, entries: list[tuple[int, Record]]) -> None:
        """Bulk-add seed audits (one sort instead of an insertion each)."""
        self._entries.extend((second, next(self._sequence), audit) for second, audit in entries)
        self._entries.sort()  # (second, unique sequence) decides; the audit dict is never compared

    def add(self, second: int, audit: Record) -> None:
        bisect.insort(self._entries, (second, next(self._sequence), audit))

    def since(self, start_second: int, cutoff: int) -> Iterator[tuple[int, Record]]:
        """Audits from `start_second` (inclusive) up to second `cutoff`, oldest first."""
        index = bisect.bisect_left(self._entries, start_second, key=lambda entry: entry[0])
        for position in range(index, len(self._entries)):
            second, _, audit = self._entries[position]
            if second > cutoff:
                return
            yield second, audit


class ZendeskStore:
    """All records of the stand-in account; `app.state.store` so tests can inspect it."""

    def __init__(self, world: World, clock: SandboxClock) -> None:
        self.ids = world.ids
        self.clock = clock
        self.lock = threading.RLock()
        self.collections: dict[str, Collection] = {name: Collection(name) for name in KINDS}
        self.audits = AuditLog()
        self.emails: dict[str, int] = {}
        self.external_ids: dict[str, dict[str, int]] = {name: {} for name in UNIQUE_EXTERNAL_ID}
        self.organization_names: dict[str, int] = {}
        self.comments_by_ticket: dict[int, list[int]] = {}
        self.metric_by_ticket: dict[int, int] = {}
        # Seeding allocates ~100k dicts for a 10,000-person world; the cyclic GC would rescan
        # the growing heap many times over (it tripled the start-up time), and none of it is garbage.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._seed(world.zendesk)
        finally:
            if gc_was_enabled:
                gc.enable()

    # --- access -----------------------------------------------------------------------

    def __getitem__(self, name: str) -> Collection:
        return self.collections[name]

    @property
    def users(self) -> Collection:
        return self.collections["users"]

    @property
    def organizations(self) -> Collection:
        return self.collections["organizations"]

    @property
    def tickets(self) -> Collection:
        return self.collections["tickets"]

    @property
    def comments(self) -> Collection:
        return self.collections["ticket_comments"]

    def field_keys(self, kind: Kind) -> list[str]:
        """Keys of the custom fields defined for users or organizations."""
        fields = self.collections[f"{kind.singular}_fields"]
        return [field["key"] for field in fields.all_in_id_order() if field.get("key")]

    def user_by_email(self, email: str | None) -> Record | None:
        user_id = self.emails.get((email or "").strip().lower())
        return self.users.get(user_id) if user_id is not None else None

    def by_external_id(self, kind_name: str, external_id: str | None) -> Record | None:
        record_id = self.external_ids[kind_name].get(str(external_id)) if external_id is not None else None
        return self.collections[kind_name].get(record_id) if record_id is not None else None

    def ticket_comments(self, ticket_id: int) -> list[Record]:
        return [self.comments.records[comment_id] for comment_id in self.comments_by_ticket.get(ticket_id, [])]

    def is_visible(self, kind_name: str, record: Record) -> bool:
        """Whether the record shows in lists and searches (deleted ones only show in exports)."""
        if kind_name == "tickets":
            return record["status"] != "deleted"
        if kind_name == "users":
            return bool(record.get("active", True))
        if kind_name == "organizations":
            return record.get("deleted_at") is None
        return True

    # --- writes' helpers -------------------------------------------------------------------

    def stamp(self) -> Stamp:
        moment = self.clock.now().replace(microsecond=0)
        return Stamp(moment, zendesk_time(moment), epoch(moment))

    def new_id(self, kind_name: str) -> int:
        """A fresh id; skips ids a hand-built seed took without asking the allocator."""
        collection = self.collections.get(kind_name)
        while True:
            candidate = self.ids.zendesk(kind_name)
            if collection is None or candidate not in collection:
                return candidate

    def save(self, kind_name: str, record: Record, stamp: Stamp) -> None:
        record["updated_at"] = stamp.text
        self.collections[kind_name].put(record, stamp.second)

    def index_email(self, user: Record, old_email: str | None = None) -> None:
        if old_email:
            self.emails.pop(old_email.lower(), None)
        if user.get("email") and user.get("active", True):
            self.emails[user["email"].lower()] = user["id"]

    def index_external_id(self, kind_name: str, record: Record, old: str | None = None) -> None:
        index = self.external_ids[kind_name]
        if old is not None:
            index.pop(str(old), None)
        if record.get("external_id") is not None and self.is_visible(kind_name, record):
            index[str(record["external_id"])] = record["id"]

    def index_organization_name(self, organization: Record, old_name: str | None = None) -> None:
        if old_name:
            self.organization_names.pop(old_name.lower(), None)
        if organization.get("name") and organization.get("deleted_at") is None:
            self.organization_names[organization["name"].lower()] = organization["id"]

    # --- seeding ------------------------------------------------------------------------

    def _seed(self, seed: dict[str, list[dict[str, Any]]]) -> None:
        for name, kind in KINDS.items():
            change_field = "created_at" if name == "ticket_comments" else "updated_at"
            # The change second comes from the seed's datetime, before it is turned into a string.
            rows = [(stamp_epoch(raw.get(change_field)), normalised(kind, raw)) for raw in seed.get(name, [])]
            for _, row in rows:
                # Field definitions are seeded without stamps; clients (the Airbyte source) filter on them.
                row["created_at"] = row.get("created_at") or ACCOUNT_CREATED
                if "updated_at" in row:
                    row["updated_at"] = row.get("updated_at") or row["created_at"]
            self.collections[name].load(rows)
        for user in self.users.records.values():
            self.index_email(user)
            self.index_external_id("users", user)
        for organization in self.organizations.records.values():
            self.index_external_id("organizations", organization)
            self.index_organization_name(organization)
        for metric in self.collections["ticket_metrics"].records.values():
            self.metric_by_ticket[metric["ticket_id"]] = metric["id"]
        self._seed_comments()

    def _seed_comments(self) -> None:
        """Index comments per ticket and give each its audit, as the ticket events export needs."""
        audits: list[tuple[int, Record]] = []
        for (second, _), comment in self.comments.changes_from(None, None, cutoff=1 << 62):
            self.comments_by_ticket.setdefault(comment["ticket_id"], []).append(comment["id"])
            if comment.get("audit_id") is None:
                comment["audit_id"] = self.ids.zendesk("ticket_audits")
            audit = {
                "id": comment["audit_id"],
                "ticket_id": comment["ticket_id"],
                "author_id": comment["author_id"],
                "created_at": comment["created_at"],
                "via": comment.get("via") or {"channel": "web", "source": {}},
                "metadata": {},
                "events": [comment_event(comment)],
            }
            audits.append((second, audit))
        self.audits.load(audits)


def comment_event(comment: Record) -> Record:
    """A comment as an audit's child event."""
    return {
        "id": comment["id"],
        "type": "Comment",
        "author_id": comment["author_id"],
        "body": comment["body"],
        "html_body": comment["html_body"],
        "plain_body": comment["plain_body"],
        "public": comment["public"],
        "attachments": comment["attachments"],
        "audit_id": comment["audit_id"],
    }
