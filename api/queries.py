"""The reads a route needs, in the API's terms: filters checked and normalised, ids resolved, errors raised.

SQL lives in store/api_reads.py and store/timeline_reads.py (and, for the
email lookup's fast path, api/lookup.py); this module decides which of those
reads answers a request and what a miss means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.errors import BadRequest, Gone, NotFound
from api.present import company_id_of
from mapping.normalize import normalize_domain, normalize_email, normalize_phone
from store import api_reads
from store.identity import GoldenRecord

ENTITY_NAMES = {"person": "profile", "company": "company"}
ENTITY_ROUTES = {"person": "/v1/profiles", "company": "/v1/companies"}


@dataclass(frozen=True, slots=True)
class ProfileFilters:
    """At most one lookup per request; none lists every profile."""

    email: str | None = None
    phone: str | None = None
    source: str | None = None
    q: str | None = None

    def given(self) -> dict[str, str]:
        return {name: value for name, value in (("email", self.email), ("phone", self.phone), ("source", self.source), ("q", self.q)) if value is not None}


def printable(name: str, value: str) -> str:
    """Control characters are never in an email, a phone, an id or a name (and PostgreSQL refuses NUL)."""
    if not value.isprintable():
        raise BadRequest(f"{name} holds a control character; send plain text")
    return value


def check_filters(filters: ProfileFilters) -> None:
    """400 for two lookups at once or a control character in one."""
    given = filters.given()
    if len(given) > 1:
        raise BadRequest(f"use one lookup at a time, not {' and '.join(sorted(given))}")
    for name, value in given.items():
        printable(name, value)


def email_match_key(raw: str) -> str:
    """The match key stored for any spelling of this address; 400 when it is not one."""
    email = normalize_email(raw)
    if email is None:
        raise BadRequest(f"email {raw!r} is not an email address")
    return email.match_key


def find_profiles(session: Session, filters: ProfileFilters, after: str | None, limit: int, region: str) -> list[GoldenRecord]:
    check_filters(filters)
    if filters.email is not None:
        return api_reads.golden_by_key(session, "person", "email", email_match_key(filters.email), after, limit)
    if filters.phone is not None:
        phone = normalize_phone(filters.phone, region)
        if phone is None:
            raise BadRequest(f"phone {filters.phone!r} is not a phone number (numbers without a country code are read as {region})")
        return api_reads.golden_by_key(session, "person", "phone", phone.e164, after, limit)
    if filters.source is not None:
        return api_reads.golden_by_key(session, "person", "ref", source_ref(filters.source), after, limit)
    if filters.q is not None:
        return api_reads.people_matching(session, filters.q, after, limit)
    return api_reads.golden_page(session, "person", after, limit)


def source_ref(value: str) -> str:
    system, _, rest = value.partition(":")
    object_name, _, source_id = rest.partition(":")
    if not (system and object_name and source_id):
        raise BadRequest(f"source {value!r} is not system:object:id, like salesforce:Contact:0035g00000AbCdE")
    return value


def find_companies(session: Session, domain: str | None, after: str | None, limit: int) -> list[GoldenRecord]:
    if domain is None:
        return api_reads.golden_page(session, "company", after, limit)
    found = normalize_domain(printable("domain", domain))
    if found is None:
        raise BadRequest(f"domain {domain!r} holds no domain name loophub can read")
    return api_reads.golden_by_key(session, "company", "domain", found.registrable, after, limit)


def load_golden(session: Session, entity: str, golden_id: str) -> tuple[GoldenRecord, str | None]:
    """The active golden record for `golden_id` and, when the id was merged away, that id; 404 or 410 otherwise."""
    name = ENTITY_NAMES[entity]
    if not golden_id.isprintable() or len(golden_id) > 64:
        raise NotFound(f"no {name} {golden_id[:64]!r}")
    record = api_reads.golden_records(session, [golden_id]).get(golden_id)
    if record is None:
        raise NotFound(f"no {name} {golden_id}")
    if record.entity != entity:
        raise NotFound(f"{golden_id} is not a {name}: see {ENTITY_ROUTES[record.entity]}/{golden_id}")
    if record.status == "retired":
        raise Gone(f"{name} {golden_id} was retired: all its source records were deleted")
    return record, (golden_id if record.golden_id != golden_id else None)


def companies_of(session: Session, people: Sequence[GoldenRecord]) -> dict[str, GoldenRecord]:
    """The golden companies the people's profiles name, in one query (plus one per merged-away company id)."""
    ids = {company_id for person in people if (company_id := company_id_of(person))}
    return api_reads.golden_records(session, ids) if ids else {}
