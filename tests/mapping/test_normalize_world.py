"""Every normaliser over the sandbox's synthetic world: the generator's noise is what they must tame.

The world's records carry no reliable country of their own (that is the
country normaliser's job, not these), so the true cast is captured while the
world is generated and gives each phone its region. Run with `-s` to see the
measured share of matched people and each normaliser's throughput.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

import sandbox.population as population
from mapping.normalize import (
    companies,
    company_name_key,
    domains,
    names,
    normalize_domain,
    normalize_email,
    normalize_phone,
    parse_person_name,
)
from sandbox.population import generate_world
from sandbox.population.model import Cast
from sandbox.world import World

PEOPLE = 2000
NOW = datetime(2026, 1, 1, tzinfo=UTC)
MIN_MATCHED_SHARE = 0.99


@dataclass(frozen=True, slots=True)
class PersonSource:
    """Where one vendor object keeps a person's name, addresses and phones."""

    system: str
    object: str
    emails: tuple[str, ...] = ()
    first: str | None = None
    last: str | None = None
    full: str | None = None
    phones: tuple[str, ...] = ()


PERSON_SOURCES = (
    PersonSource("salesforce", "User", ("Email",), "FirstName", "LastName"),
    PersonSource("salesforce", "Contact", ("Email",), "FirstName", "LastName", phones=("Phone", "MobilePhone")),
    PersonSource("salesforce", "Lead", ("Email",), "FirstName", "LastName", phones=("Phone",)),
    PersonSource("hubspot", "owners", ("email",), "firstName", "lastName"),
    PersonSource(
        "hubspot", "contacts", ("email", "hs_additional_emails"), "firstname", "lastname",
        phones=("phone", "mobilephone"),
    ),
    PersonSource("zendesk", "users", ("email",), full="name", phones=("phone",)),
)
COMPANY_PHONES = (("salesforce", "Account", "Phone"), ("hubspot", "companies", "phone"))
COMPANY_NAMES = (
    ("salesforce", "Account", "Name"), ("salesforce", "Lead", "Company"), ("hubspot", "companies", "name"),
    ("hubspot", "contacts", "company"), ("zendesk", "organizations", "name"),
)
DOMAIN_FIELDS = (
    ("salesforce", "Account", "Website"), ("salesforce", "Lead", "Website"), ("hubspot", "companies", "domain"),
    ("hubspot", "companies", "website"), ("hubspot", "contacts", "website"),
)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    system: str
    source_id: str
    person_id: str
    emails: tuple[str, ...]
    name: tuple[str | None, str | None, str | None]  # full, first, last
    phones: tuple[str, ...]


@pytest.fixture(scope="module")
def world_and_cast() -> tuple[World, Cast]:
    captured: dict[str, Cast] = {}
    render_salesforce = population.render_salesforce

    def spy(build: Any) -> None:
        captured["cast"] = build.cast
        render_salesforce(build)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(population, "render_salesforce", spy)
        world = generate_world(PEOPLE, seed=7, now=NOW)
    return world, captured["cast"]


def test_every_phone_in_the_world_parses_to_its_true_number(world_and_cast: tuple[World, Cast]) -> None:
    world, cast = world_and_cast
    people = {person.key: person for person in cast.people}
    companies_by_key = {company.key: company for company in cast.companies}
    checked = placeholders = 0
    for record in _person_records(world):
        person = people.get(record.person_id)
        for raw in record.phones:
            assert person is not None, f"{record.system} {record.source_id} has a phone but is no customer"
            phone = normalize_phone(raw, person.country.code)
            assert phone is not None, f"{raw!r} ({person.country.code}) did not parse"
            true_numbers = {person.phone.e164, person.company.phone.e164}
            if person.mobile:
                true_numbers.add(person.mobile.e164)
            assert phone.e164 in true_numbers, f"{raw!r} read as {phone.e164}"
            checked, placeholders = checked + 1, placeholders + phone.is_placeholder
    for system, object_name, field in COMPANY_PHONES:
        for record, truth in _rows_with_truth(world, system, object_name):
            raw = _field(record, field)
            if raw:
                company = companies_by_key[truth.company_id]
                phone = normalize_phone(raw, company.country.code)
                assert phone is not None and phone.e164 == company.phone.e164, raw
                checked, placeholders = checked + 1, placeholders + phone.is_placeholder
    print(f"\nphones: {checked} parsed to their true E.164 number, {placeholders} flagged as placeholders")
    assert checked > 1000


def test_every_email_in_the_world_normalises(world_and_cast: tuple[World, Cast]) -> None:
    world, _ = world_and_cast
    addresses = [address for record in _person_records(world) for address in record.emails]
    normalised = [normalize_email(address) for address in addresses]
    assert all(normalised), [raw for raw, email in zip(addresses, normalised, strict=True) if email is None][:5]
    roles = sum(email.is_role for email in normalised if email)
    free = sum(email.is_free_mail for email in normalised if email)
    print(f"\nemails: {len(addresses)} normalised, {roles} role addresses, {free} at free-mail providers")
    assert 0 < roles < len(addresses) * 0.05
    assert free > len(addresses) * 0.05


def test_every_company_name_and_website_normalises(world_and_cast: tuple[World, Cast]) -> None:
    world, cast = world_and_cast
    known_domains = {domain for company in cast.companies for domain in company.domains}
    brand_keys = {company.key: company_name_key(company.brand) for company in cast.companies}
    names_seen = names_on_brand_key = 0
    for system, object_name, field in COMPANY_NAMES:
        for record, truth in _rows_with_truth(world, system, object_name):
            raw = _field(record, field)
            if raw:
                key = company_name_key(raw)
                assert key, raw
                names_seen += 1
                names_on_brand_key += key == brand_keys[truth.company_id]
    for system, object_name, field in DOMAIN_FIELDS:
        for record, _ in _rows_with_truth(world, system, object_name):
            raw = _field(record, field)
            if raw:
                domain = normalize_domain(raw)
                assert domain is not None and domain.registrable in known_domains, raw
    share = names_on_brand_key / names_seen
    print(f"\ncompany names: {names_seen}, keyed like the brand: {names_on_brand_key} ({share:.2%})")
    assert share >= 0.95  # what stays apart is abbreviated ("Intl Sys") or initials ("BPS") by design


def test_records_of_one_person_in_different_systems_share_an_email_or_name_key(
    world_and_cast: tuple[World, Cast],
) -> None:
    """For ≥ 99 % of people known to two or more systems, records in different systems share a key.

    Printed beside it, the stricter figure: every record of the person (within-system duplicates
    included) linked to the others, by exact keys and with the phonetic keys added. What stays
    apart are typos on records that also carry another address: the probabilistic tier's work.
    """
    world, _ = world_and_cast
    by_person: dict[str, list[PersonRecord]] = defaultdict(list)
    for record in _person_records(world):
        by_person[record.person_id].append(record)
    multi_system = [records for records in by_person.values() if len({record.system for record in records}) > 1]
    linked = sum(_linked_across_systems(records, _keys) for records in multi_system)
    connected = sum(_all_connected(records, _keys) for records in multi_system)
    connected_phonetic = sum(_all_connected(records, _keys_with_phonetic) for records in multi_system)
    share = linked / len(multi_system)
    print(
        f"\npeople in 2+ systems: {len(multi_system)}; linked across systems by an email or name key: {linked} "
        f"({share:.2%}); all records connected by exact keys: {connected / len(multi_system):.2%}, "
        f"with phonetic keys too: {connected_phonetic / len(multi_system):.2%}"
    )
    assert share >= MIN_MATCHED_SHARE


def test_throughput_over_the_world(world_and_cast: tuple[World, Cast]) -> None:
    """Normalisations per second of each normaliser on the world's values (printed, never asserted)."""
    world, cast = world_and_cast
    people = {person.key: person for person in cast.people}
    records = list(_person_records(world))
    phones = [(raw, people[r.person_id].country.code) for r in records for raw in r.phones]
    emails = [raw for r in records for raw in r.emails]
    names_ = [r.name for r in records]
    company_names = [
        raw for system, object_name, field in COMPANY_NAMES
        for record, _ in _rows_with_truth(world, system, object_name) if (raw := _field(record, field))
    ]
    websites = [
        raw for system, object_name, field in DOMAIN_FIELDS
        for record, _ in _rows_with_truth(world, system, object_name) if (raw := _field(record, field))
    ]
    runs: dict[str, tuple[list[Any], Callable[[Any], object]]] = {
        "normalize_phone": (phones, lambda item: normalize_phone(*item)),
        "normalize_email": (emails, normalize_email),
        "normalize_domain": (websites, normalize_domain),
        "company_name_key": (company_names, company_name_key),
        "parse_person_name": (names_, lambda name: parse_person_name(*name)),
    }
    for values, normalise in runs.values():  # libraries load their data lazily (phone metadata per region)
        _rate(values, normalise)
    _clear_caches()  # our own memo caches would turn repeated values into look-ups
    print("\nthroughput (libraries warm, memo caches empty):")
    for name, (values, normalise) in runs.items():
        count, per_second = _rate(values, normalise)
        print(f"  {name:<18} {count:>6} values  {per_second:>10,.0f} /s")


def _rate(values: list[Any], normalise: Callable[[Any], object]) -> tuple[int, float]:
    started = time.perf_counter()
    for value in values:
        normalise(value)
    return len(values), len(values) / max(time.perf_counter() - started, 1e-9)


def _clear_caches() -> None:
    for cached in (
        domains._to_ascii, domains._to_unicode, companies._key, names._from_full, names._ascii_key, names._phonetic,
    ):
        cached.cache_clear()


def _keys(record: PersonRecord) -> set[tuple[str, ...]]:
    keys: set[tuple[str, ...]] = set()
    for raw in record.emails:
        email = normalize_email(raw)
        if email and not email.is_role:  # a shared mailbox is no evidence of one person
            keys.add(("email", email.match_key))
    name = parse_person_name(*record.name)
    if name.given_key and name.family_key:
        keys.add(("name", name.given_key, name.family_key))
    return keys


def _keys_with_phonetic(record: PersonRecord) -> set[tuple[str, ...]]:
    keys = _keys(record)
    name = parse_person_name(*record.name)
    if name.given_key and name.family_key:
        keys.add(("given+sound", name.given_key, name.family_phonetic))
        keys.add(("sound+family", name.given_phonetic, name.family_key))
    return keys


KeysOf = Callable[[PersonRecord], set[tuple[str, ...]]]


def _linked_across_systems(records: list[PersonRecord], keys_of: KeysOf) -> bool:
    return any(keys_of(a) & keys_of(b) for a, b in itertools.combinations(records, 2) if a.system != b.system)


def _all_connected(records: list[PersonRecord], keys_of: KeysOf) -> bool:
    keys = [keys_of(record) for record in records]
    reached, frontier = {0}, [0]
    while frontier:
        current = frontier.pop()
        for other in range(len(records)):
            if other not in reached and keys[current] & keys[other]:
                reached.add(other)
                frontier.append(other)
    return len(reached) == len(records)


def _person_records(world: World) -> Iterator[PersonRecord]:
    for source in PERSON_SOURCES:
        for record, truth in _rows_with_truth(world, source.system, source.object):
            if truth.person_id is None:
                continue
            emails = [
                address.strip() for field in source.emails for address in (_field(record, field) or "").split(";")
            ]
            yield PersonRecord(
                system=source.system,
                source_id=truth.source_id,
                person_id=truth.person_id,
                emails=tuple(address for address in emails if address),
                name=(_optional(record, source.full), _optional(record, source.first), _optional(record, source.last)),
                phones=tuple(raw for field in source.phones if (raw := _field(record, field))),
            )


def _rows_with_truth(world: World, system: str, object_name: str) -> Iterator[tuple[dict[str, Any], Any]]:
    truth = _truth_index(world)
    for record in getattr(world, system)[object_name]:
        yield record, truth[(system, object_name, str(record["id"] if "id" in record else record["Id"]))]


_TRUTH_CACHE: dict[int, dict[tuple[str, str, str], Any]] = {}


def _truth_index(world: World) -> dict[tuple[str, str, str], Any]:
    if id(world) not in _TRUTH_CACHE:
        _TRUTH_CACHE[id(world)] = {(row.system, row.object, row.source_id): row for row in world.truth}
    return _TRUTH_CACHE[id(world)]


def _optional(record: dict[str, Any], field: str | None) -> str | None:
    return _field(record, field) if field else None


def _field(record: dict[str, Any], field: str) -> Any:
    return record["properties"].get(field) if "properties" in record else record.get(field)
