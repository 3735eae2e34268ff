"""A million golden people on PostgreSQL for `bench.api_latency`, loaded with COPY.

Each person is what a resolved one-record cluster leaves in the store: a raw
record, its canonical `people` row, the email match key, the golden member and
the golden record with a survivorship-shaped profile naming a golden company.
Emails and golden ids are pure functions of the person's number, so the load
generator knows every answer without reading the database.

Rows are written as COPY text lines built from templates: json.dumps and
psycopg's per-row adaptation cost more than the database's own work at this
size. No value holds a tab, newline or backslash, so no COPY escaping is needed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg

from mapping.normalize import normalize_email

FIRST_NAMES = (
    "ada",
    "alan",
    "grace",
    "edsger",
    "barbara",
    "donald",
    "frances",
    "john",
    "katherine",
    "linus",
    "margaret",
    "niklaus",
)
LAST_NAMES = (
    "lovelace",
    "turing",
    "hopper",
    "dijkstra",
    "liskov",
    "knuth",
    "allen",
    "backus",
    "johnson",
    "torvalds",
    "hamilton",
    "wirth",
)
TITLES = (
    "VP Sales",
    "Support Lead",
    "CTO",
    "Account Executive",
    "Head of Operations",
    "Engineer",
)
PEOPLE_PER_COMPANY = 50
CHUNK = 20_000  # rows per COPY write: large enough to amortise, small enough to keep memory flat
STAMP = datetime(2026, 11, 2, 9, 30, tzinfo=UTC).isoformat()


def golden_id_of(entity: str, number: int) -> str:
    """A stable stand-in for `identity.golden_ids.new_golden_id`: the same shape, derived from the number."""
    digest = hashlib.blake2b(f"{entity}:{number}".encode(), digest_size=10).hexdigest()
    return f"{'per' if entity == 'person' else 'com'}_{digest}"


def email_of(number: int) -> str:
    """Person `number`'s address, already normalised (the match key value)."""
    first, last = _name(number)
    return f"{first}.{last}.{number}@{_domain(number // PEOPLE_PER_COMPANY)}"


def _name(number: int) -> tuple[str, str]:
    return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[
        (number // len(FIRST_NAMES)) % len(LAST_NAMES)
    ]


def _domain(company: int) -> str:
    return f"company{company}.com"


def _person_profile(number: int) -> str:
    first, last = _name(number)
    source = (
        f'{{"system": "salesforce", "object": "Contact", "id": "003{number:012d}"}}'
    )

    def cell(value: str) -> str:
        return f'{{"value": "{value}", "source": {source}, "rule": "most_recent", "updated_at": "{STAMP}", "candidates": 1}}'

    fields = {"first_name": first.title(), "last_name": last.title(), "full_name": f"{first.title()} {last.title()}",
              "title": TITLES[number % len(TITLES)], "city": "London", "country": "GB"}  # fmt: skip
    body = ", ".join(f'"{name}": {cell(value)}' for name, value in fields.items())
    company = golden_id_of("company", number // PEOPLE_PER_COMPANY)
    return (
        f'{{"fields": {{{body}}}, "emails": [{{"value": "{email_of(number)}", "sources": [{source}]}}], '
        f'"phones": [{{"value": "+4420794{number % 100000:05d}", "sources": [{source}]}}], "sources": [{source}], '
        f'"linked_ids": {{}}, "company": {{"golden_id": "{company}"}}}}'
    )


def _company_profile(company: int) -> str:
    name = f'{{"value": "Company {company} Ltd", "source": {{"system": "salesforce", "object": "Account", "id": "001{company:012d}"}}, "rule": "most_recent", "updated_at": "{STAMP}", "candidates": 1}}'
    return f'{{"fields": {{"name": {name}}}, "domains": [{{"value": "{_domain(company)}", "sources": []}}], "phones": [], "sources": [], "linked_ids": {{}}}}'


def _raw_line(number: int) -> str:
    record_id = number + 1
    payload = json.dumps({"Id": f"003{number:012d}", "Email": email_of(number)})
    return f"{record_id}\tsalesforce\tContact\t003{number:012d}\t{payload}\t{STAMP}\tf\t{number:064x}\t{STAMP}\n"


def _person_line(number: int) -> str:
    first, last = _name(number)
    record_id = number + 1
    return (
        f"{record_id}\tsalesforce\tContact\t003{number:012d}\t{STAMP}\tf\t{STAMP}\t{{}}\t[]\t{record_id}\t{number:064x}\t{STAMP}\t"
        f'contact\t{first.title()}\t{last.title()}\t{first.title()} {last.title()}\t["{email_of(number)}"]\t[]\t{TITLES[number % len(TITLES)]}\t'
        f"Company {number // PEOPLE_PER_COMPANY} Ltd\t{_domain(number // PEOPLE_PER_COMPANY)}\t001{number // PEOPLE_PER_COMPANY:012d}\t\\N\tcustomer\tLondon\tGB\t{{}}\n"
    )


def _match_key_line(number: int) -> str:
    return f"{number + 1}\tperson\t{number + 1}\temail\t{email_of(number)}\tf\n"


def _member_line(number: int) -> str:
    return f"person\t{number + 1}\t{golden_id_of('person', number)}\t{number:064x}\t{STAMP}\n"


def _golden_person_line(number: int) -> str:
    return f"{golden_id_of('person', number)}\tperson\tactive\t\\N\t{_person_profile(number)}\t1\t{STAMP}\t{STAMP}\n"


def _golden_company_line(company: int) -> str:
    return f"{golden_id_of('company', company)}\tcompany\tactive\t\\N\t{_company_profile(company)}\t0\t{STAMP}\t{STAMP}\n"


TABLES: tuple[tuple[str, str, Callable[[int], str], bool], ...] = (
    # (table, columns, line of row n, one row per company rather than per person)
    ("raw_records", "id, system, object, source_id, payload, source_updated_at, is_deleted, payload_hash, pulled_at", _raw_line, False),
    ("people", ("id, system, object, source_id, source_updated_at, is_deleted, created_at, attributes, warnings, raw_record_id, "
     "content_hash, changed_at, kind, first_name, last_name, full_name, emails, phones, title, company_name, company_domain, "
     "company_source_id, owner_source_id, lifecycle, city, country, linked_ids"), _person_line, False),
    ("match_keys", "id, entity, record_id, kind, value, is_weak", _match_key_line, False),
    ("golden_members", "entity, record_id, golden_id, content_hash, resolved_at", _member_line, False),
    ("golden_records", "golden_id, entity, status, merged_into, profile, member_count, created_at, updated_at", _golden_person_line, False),
    ("golden_records", "golden_id, entity, status, merged_into, profile, member_count, created_at, updated_at", _golden_company_line, True),
)  # fmt: skip
SEQUENCES = ("raw_records", "people", "match_keys")


def _chunks(line: Callable[[int], str], count: int) -> Iterator[bytes]:
    for start in range(0, count, CHUNK):
        yield "".join(
            line(number) for number in range(start, min(count, start + CHUNK))
        ).encode()


def load_people(conninfo: str, people: int) -> None:
    """COPY `people` golden people (and their companies) into an empty, migrated database, then ANALYZE it."""
    companies = (people + PEOPLE_PER_COMPANY - 1) // PEOPLE_PER_COMPANY
    for number in (0, people - 1):
        found = normalize_email(email_of(number))
        # The stored key must be what the API computes from the address, or every lookup misses.
        assert found is not None and found.match_key == email_of(number), (
            f"{email_of(number)} is not its own match key"
        )
    with psycopg.connect(conninfo) as connection:
        with connection.cursor() as cursor:
            for table, columns, line, per_company in TABLES:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for chunk in _chunks(line, companies if per_company else people):
                        copy.write(chunk)
            for table in SEQUENCES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")


def loaded_people(conninfo: str) -> int:
    """How many golden people a kept database holds (0 when it is empty)."""
    with psycopg.connect(conninfo) as connection:
        row = connection.execute(
            "SELECT count(*) FROM golden_records WHERE entity = 'person'"
        ).fetchone()
    return int(row[0]) if row else 0
