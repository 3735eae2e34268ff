"""The streams as data: one row per Zendesk endpoint, read by the generic stream in streams.py.

Each row says where the records come from (path, JSON key, how pages are
followed), what identifies them (primary key), what orders their changes
(cursor field) and how a delete shows. The cursor of each stream is chosen
to be the value its export is ordered by, so the saved state and the query
mean the same thing:

- users: cursor export, ordered by change; cursor `updated_at`; deleted users
  come with `active: false`.
- organizations: time-based export (Zendesk has no cursor export for them);
  cursor `updated_at`; deleted ones carry `deleted_at`.
- tickets: cursor export; cursor `generated_timestamp` (epoch seconds), the
  export's own order, which moves on system updates too where `updated_at`
  may not; deleted tickets come with `status: "deleted"`.
- ticket_comments: the ticket events export with `include=comment_events`,
  one record per comment with its `ticket_id`; comments never change, so the
  cursor is `created_at`.
- satisfaction_ratings: cursor-paged list filtered by `start_time`; cursor `updated_at`.
- ticket_metrics: cursor-paged list with no server-side filter; the stream
  keeps only rows whose `updated_at` moved past the saved cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Json = dict[str, Any]

EXPORT_PAGE = 1000  # the most Zendesk's incremental exports return per page
LIST_PAGE = 100  # the most its cursor-paged lists return per page


class Paging(StrEnum):
    CURSOR_EXPORT = "cursor_export"  # ?start_time= once, then ?cursor=after_cursor until end_of_stream
    TIME_EXPORT = "time_export"  # ?start_time=end_time of the page before; a page's last second comes again
    CURSOR_LIST = "cursor_list"  # ?page[size]=&page[after]= by id; the whole list is walked every run


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One stream: where its records live and what its state means."""

    name: str
    path: str  # under /api/v2
    records_key: str  # the page's JSON key holding the items
    paging: Paging
    cursor_field: str
    primary_key: str = "id"
    page_size: int = EXPORT_PAGE
    params: Mapping[str, str] = field(default_factory=dict)
    start_param: str | None = "start_time"  # server-side lower bound in epoch seconds; None when the list has none
    deleted_at: Callable[[Json], str | None] | None = None  # a record's delete stamp, None while it lives
    explode: Callable[[list[Json]], Iterable[Json]] | None = None  # items -> records, when they differ
    custom_fields: str | None = None  # "user_fields": values live under that key, definitions at /{key}.json
    search_type: str | None = None  # Search's `type:` for the newest changes the export hides; None: not searchable

    @property
    def is_export(self) -> bool:
        return self.paging is not Paging.CURSOR_LIST


def _inactive_user(user: Json) -> str | None:
    return user.get("updated_at") if user.get("active") is False else None


def _deleted_ticket(ticket: Json) -> str | None:
    return ticket.get("updated_at") if ticket.get("status") == "deleted" else None


def _deleted_organization(organization: Json) -> str | None:
    return organization.get("deleted_at")


def comments_of(events: list[Json]) -> Iterable[Json]:
    """Ticket audits -> their comment child events, each with the ticket, time and via of its audit."""
    for audit in events:
        for child in audit.get("child_events") or ():
            if child.get("event_type") == "Comment" or child.get("type") == "Comment":
                comment = dict(child)
                comment["ticket_id"] = audit.get("ticket_id")
                comment["created_at"] = child.get("created_at") or audit.get("created_at")
                comment.setdefault("audit_id", audit.get("id"))
                yield comment


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("users", "incremental/users/cursor.json", "users", Paging.CURSOR_EXPORT, "updated_at",
             deleted_at=_inactive_user, custom_fields="user_fields", search_type="user"),
    Endpoint("organizations", "incremental/organizations.json", "organizations", Paging.TIME_EXPORT, "updated_at",
             deleted_at=_deleted_organization, custom_fields="organization_fields", search_type="organization"),
    Endpoint("tickets", "incremental/tickets/cursor.json", "tickets", Paging.CURSOR_EXPORT, "generated_timestamp",
             deleted_at=_deleted_ticket, search_type="ticket"),
    Endpoint("ticket_comments", "incremental/ticket_events.json", "ticket_events", Paging.TIME_EXPORT, "created_at",
             params={"include": "comment_events"}, explode=comments_of),
    Endpoint("satisfaction_ratings", "satisfaction_ratings.json", "satisfaction_ratings", Paging.CURSOR_LIST, "updated_at",
             page_size=LIST_PAGE),
    Endpoint("ticket_metrics", "ticket_metrics.json", "ticket_metrics", Paging.CURSOR_LIST, "updated_at",
             page_size=LIST_PAGE, start_param=None),
)  # fmt: skip

BY_NAME: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in ENDPOINTS}


@dataclass(frozen=True, slots=True)
class WriteTarget:
    """An object the writer can update and create, with its bulk paths and custom-field key."""

    name: str
    singular: str
    custom_fields: str | None  # users: user_fields {key: value}; tickets: custom_fields [{id, value}]
    batch_size: int = 100  # Zendesk's cap on create_many / update_many / show_many


WRITE_TARGETS: dict[str, WriteTarget] = {
    target.name: target
    for target in (
        WriteTarget("users", "user", "user_fields"),
        WriteTarget("organizations", "organization", "organization_fields"),
        WriteTarget("tickets", "ticket", "custom_fields"),
    )
}
