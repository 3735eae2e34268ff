"""The streams as data: one row per sObject, and the limits every call respects.

Every stream reads the same way (SOQL on `SystemModstamp`, REST `queryAll`
or Bulk API 2.0 `queryAll`), so a row only says what differs: the object,
its key and cursor, whether soft deletes exist to be read. An object named in
the `objects` setting but absent from the table gets the standard row.
"""

from __future__ import annotations

from dataclasses import dataclass

REST_PAGE_SIZE = 2000  # the most a REST query page holds (Sforce-Query-Options batchSize=200..2000)
BULK_PAGE_SIZE = 50_000  # rows per Bulk API 2.0 results page (maxRecords)
CHECKPOINT_EVERY = 2000  # records between two STATE messages, so landing commits in batches of this size
WRITE_BATCH_SIZE = 200  # sObject Collections accept at most 200 records a call

# Field types that cannot be selected as plain columns: Bulk refuses compound fields (their components are
# selected instead) and base64 blobs. Both read paths skip them, so REST and Bulk records have one shape.
UNSELECTABLE_TYPES = frozenset({"address", "location", "base64"})


@dataclass(frozen=True, slots=True)
class SObjectEndpoint:
    """How one sObject is read: its key, its change cursor, and whether `queryAll` brings its deletes."""

    name: str
    primary_key: str = "Id"
    cursor_field: str = "SystemModstamp"  # bumped by system updates too, unlike LastModifiedDate
    soft_deletes: bool = True  # IsDeleted exists: deleted rows come back from queryAll as tombstones


ENDPOINTS: tuple[SObjectEndpoint, ...] = (
    SObjectEndpoint("Account"),
    SObjectEndpoint("Contact"),
    SObjectEndpoint("Lead"),
    SObjectEndpoint("Opportunity"),
    SObjectEndpoint("Case"),
    SObjectEndpoint("User", soft_deletes=False),  # users are deactivated, never deleted
)
DEFAULT_OBJECTS: tuple[str, ...] = tuple(endpoint.name for endpoint in ENDPOINTS)
_BY_NAME = {endpoint.name.lower(): endpoint for endpoint in ENDPOINTS}


def endpoint_for(name: str) -> SObjectEndpoint:
    """The table's row for `name`, or the standard row for an object the table does not list."""
    return _BY_NAME.get(name.lower()) or SObjectEndpoint(name)
