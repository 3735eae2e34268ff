"""The HubSpot streams as data: one row per CRM object, plus owners. Streams are built from these in a loop."""

from __future__ import annotations

from dataclasses import dataclass

LIST_PAGE_SIZE = 100  # HubSpot's maximum for GET /crm/v3/objects/{type}
SEARCH_PAGE_SIZE = 200  # and for POST /crm/v3/objects/{type}/search
BATCH_SIZE = 100  # batch read / create / update inputs per call
ASSOCIATION_BATCH_SIZE = 1_000  # v4 associations batch/read inputs per call
OWNERS_PAGE_SIZE = 500
# Past this many characters of `properties=` query, a list URL risks HubSpot's 414; search takes them in a POST body.
MAX_LIST_PROPERTY_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class CrmObject:
    """One CRM object type read as a stream.

    `modified_property` is HubSpot's change cursor for the type (epoch
    milliseconds in search filters); the record's `updatedAt` is the Airbyte
    cursor field and moves with it. `associations` are the types whose ids
    each record carries.
    """

    name: str  # the stream name and HubSpot's object type path
    modified_property: str
    associations: tuple[str, ...]
    property_group: str  # where the idempotency property is created
    primary_key: str = "id"
    cursor_field: str = "updatedAt"
    list_page_size: int = LIST_PAGE_SIZE
    search_page_size: int = SEARCH_PAGE_SIZE


CRM_OBJECTS: tuple[CrmObject, ...] = (
    CrmObject("contacts", "lastmodifieddate", ("companies",), "contactinformation"),
    CrmObject("companies", "hs_lastmodifieddate", ("contacts",), "companyinformation"),
    CrmObject("deals", "hs_lastmodifieddate", ("companies", "contacts"), "dealinformation"),
    CrmObject("tickets", "hs_lastmodifieddate", ("companies", "contacts"), "ticketinformation"),
)
CRM_BY_NAME = {crm_object.name: crm_object for crm_object in CRM_OBJECTS}


@dataclass(frozen=True, slots=True)
class OwnersEndpoint:
    """`GET /crm/v3/owners`: no change filter, so the whole list is read and filtered by `updatedAt`."""

    name: str = "owners"
    primary_key: str = "id"
    cursor_field: str = "updatedAt"
    page_size: int = OWNERS_PAGE_SIZE


OWNERS = OwnersEndpoint()

# HubSpot-defined default association type ids (from -> to), used when a create carries associations.
DEFAULT_ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
    ("contacts", "tickets"): 15,
    ("tickets", "contacts"): 16,
    ("companies", "tickets"): 25,
    ("tickets", "companies"): 26,
}
