"""Match keys: the normalised values identity blocks and matches on, derived from a canonical record.

Keys come from the canonical values, never from spec options, so two specs
cannot disagree on what "the same email" means. A weak key (a role address,
a free-mail domain for a company, a placeholder phone) is kept — the API can
still look a record up by it — but flagged so identity never merges on it
alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapping.model import CanonicalRecord, Company, Owner, Person
from mapping.normalize import company_name_key, normalize_email, normalize_phone, parse_person_name
from mapping.normalize.emails import is_free_mail_domain


@dataclass(frozen=True, slots=True)
class Key:
    kind: str  # "email", "phone", "domain", "company_name", "person_name", "ref", "xref"
    value: str
    is_weak: bool = False


def match_keys(record: CanonicalRecord) -> list[Key]:
    """Every match key of a record, its own source ref ("ref") and the refs it names ("xref") included."""
    keys = [Key("ref", str(record.source))]
    if isinstance(record, Person):
        keys += _email_keys(record.emails) + _phone_keys(record.phones) + _person_name_keys(record)
        keys += [Key("xref", f"{system_object}:{linked}") for system_object, linked in sorted(record.linked_ids.items())]
    elif isinstance(record, Company):
        keys += _domain_keys(record.domains) + _phone_keys(record.phones)
        name_key = company_name_key(record.name)
        if name_key:
            keys.append(Key("company_name", name_key))
        keys += [Key("xref", f"{system_object}:{linked}") for system_object, linked in sorted(record.linked_ids.items())]
    elif isinstance(record, Owner):
        keys += _email_keys([record.email] if record.email else [])
    return list(dict.fromkeys(keys))


def _email_keys(addresses: list[str]) -> list[Key]:
    keys = []
    for address in addresses:
        email = normalize_email(address)
        if email is not None:
            keys.append(Key("email", email.match_key, is_weak=email.is_role))
    return keys


def _phone_keys(numbers: list[str]) -> list[Key]:
    keys = []
    for number in numbers:
        phone = normalize_phone(number.split(";", 1)[0], None)
        if phone is not None:
            keys.append(Key("phone", phone.e164, is_weak=phone.is_placeholder))
    return keys


def _domain_keys(domains: list[str]) -> list[Key]:
    return [Key("domain", domain, is_weak=is_free_mail_domain(domain)) for domain in domains]


def _person_name_keys(person: Person) -> list[Key]:
    name = parse_person_name(person.full_name, person.first_name, person.last_name)
    if not name.family_key:
        return []
    given = name.given_key or ""
    return [Key("person_name", f"{given}|{name.family_key}", is_weak=not given)]
