"""Real people: our staff, and the customers' employees with their addresses and phones."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import accumulate

from sandbox.population.companies import HOME_DOMAIN
from sandbox.population.countries import MIGRANT_NAME_LOCALES, MIGRANT_NAME_SHARE
from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Person, Staff
from sandbox.population.names import draw_name, email_local, name_key, slug
from sandbox.population.phones import draw_landline, draw_mobile
from sandbox.population.pools import Pools
from sandbox.population.rates import (
    EMAIL_PATTERNS,
    MIN_NAMESAKE_PEOPLE_PAIRS,
    MOBILE_RATE,
    NAMESAKE_PEOPLE_PAIRS_PER_PERSON,
    PERSONAL_EMAIL_RATE,
)
from sandbox.population.timeline import Timeline
from sandbox.population.vocabulary import SALUTATIONS, TITLES

STAFF_ROLES = {
    "sales": ("owner", "Sales", ("Account Executive", "Senior Account Executive", "Sales Manager")),
    "support": ("agent", "Support", ("Support Engineer", "Customer Support Specialist", "Support Team Lead")),
}
STAFF_NAME_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES")
TITLE_WEIGHTS = {(title, department): weight for title, department, weight in TITLES}
MIGRANT_WEIGHTS = dict(MIGRANT_NAME_LOCALES)
OWN_CITY_RATE = 0.85
OLD_DOMAIN_ADDRESS_RATE = 0.7  # people at a rebranded company who still have an address at the old domain
PERSONAL_MAIL_SHAPES = ("{g}.{f}", "{g}{f}", "{i}{f}{n}", "{g}.{f}{n}", "{f}{i}", "{g}{n}")
HISTORY_SETUP_DAYS = 900  # staff accounts exist from the first months of the history on
COMPANY_SIZE_SKEW = 1.2  # Pareto shape: a few companies with many contacts, many with one or two
MAX_COMPANY_WEIGHT = 25.0  # caps the heaviest tail: the biggest account holds a few dozen people, not a tenth of the world


def draw_staff(rng: random.Random, pools: Pools, timeline: Timeline, kind: str, count: int, emails: set[str]) -> list[Staff]:
    """Sales owners (`owner-…`) or support agents (`agent-…`); they exist in all three systems."""
    prefix, department, titles = STAFF_ROLES[kind]
    staff = []
    for index in range(count):
        locale = one_of(rng, STAFF_NAME_LOCALES)
        _, first, last, _ = draw_name(rng, pools.names[locale], locale)
        email = _unique_address(rng, [email_local("first.last", first, last)], HOME_DOMAIN, emails)
        created = timeline.between(rng, timeline.earliest, timeline.days_ago(HISTORY_SETUP_DAYS))
        staff.append(Staff(f"{prefix}-{index + 1:03d}", kind, first, last, email, one_of(rng, titles), department, created))
    return staff


def draw_people(
    rng: random.Random, pools: Pools, timeline: Timeline, count: int, companies: Sequence[Company],
    phones: set[str], emails: set[str],
) -> list[Person]:
    """`count` people spread over the companies (skewed), namesakes included, addresses assigned."""
    cumulative = list(accumulate(min(rng.paretovariate(COMPANY_SIZE_SKEW), MAX_COMPANY_WEIGHT) for _ in companies))
    names_at: dict[str, set[tuple[str, str]]] = {company.key: set() for company in companies}
    people = []
    for index in range(count):
        company = rng.choices(companies, cum_weights=cumulative)[0]
        person = _draw_person(rng, pools, timeline, f"person-{index + 1:06d}", company, names_at[company.key], phones)
        company.people.append(person)
        people.append(person)
    _make_namesakes(rng, people, names_at)
    for person in people:
        _assign_addresses(rng, person, emails)
    return people


def _draw_person(
    rng: random.Random, pools: Pools, timeline: Timeline, key: str, company: Company,
    names_taken: set[tuple[str, str]], phones: set[str],
) -> Person:
    country = company.country
    locale = pick(rng, MIGRANT_WEIGHTS) if chance(rng, MIGRANT_NAME_SHARE) else one_of(rng, country.name_locales)
    # Two colleagues with the same name would be indistinguishable by any evidence: keep names unique per company.
    for _ in range(20):
        gender, first, last, suffix = draw_name(rng, pools.names[locale], locale)
        if name_key(first, last) not in names_taken:
            break
    names_taken.add(name_key(first, last))
    title, department = pick(rng, TITLE_WEIGHTS)
    city = company.city if chance(rng, OWN_CITY_RATE) else one_of(rng, country.cities)
    return Person(
        key=key, company=company, locale=locale, gender=gender, first=first, last=last, suffix=suffix,
        salutation=_salutation(rng, gender), title=title, department=department, city=city,
        phone=draw_landline(rng, country, city, phones),
        mobile=draw_mobile(rng, country, city, phones) if chance(rng, MOBILE_RATE) else None,
        created=timeline.between(rng, company.created, timeline.days_ago(2)),
    )


def _salutation(rng: random.Random, gender: str) -> str | None:
    roll = rng.random()
    if roll < 0.03:
        return "Dr."
    return one_of(rng, SALUTATIONS[gender]) if roll < 0.6 else None


def _make_namesakes(rng: random.Random, people: list[Person], names_at: dict[str, set[tuple[str, str]]]) -> None:
    """Give a few people the exact name of someone at another company: same name, different person."""
    if len(people) < 10:
        return
    wanted = max(MIN_NAMESAKE_PEOPLE_PAIRS, round(len(people) * NAMESAKE_PEOPLE_PAIRS_PER_PERSON))
    used: set[str] = set()
    for _ in range(wanted * 20):
        if wanted == 0:
            return
        original, twin = one_of(rng, people), one_of(rng, people)
        key = name_key(original.first, original.last)
        if original.company is twin.company or {original.key, twin.key} & used or key in names_at[twin.company.key]:
            continue
        names_at[twin.company.key].discard(name_key(twin.first, twin.last))
        names_at[twin.company.key].add(key)
        twin.first, twin.last, twin.suffix, twin.gender = original.first, original.last, original.suffix, original.gender
        twin.locale, twin.salutation, twin.namesake_of = original.locale, _salutation(rng, original.gender), original.key
        used.update({original.key, twin.key})
        wanted -= 1


def _assign_addresses(rng: random.Random, person: Person, emails: set[str]) -> None:
    company = person.company
    pattern = company.email_pattern if chance(rng, 0.9) else pick(rng, EMAIL_PATTERNS)
    others = [other for other in EMAIL_PATTERNS if other != pattern]
    rng.shuffle(others)
    locals_ = list(dict.fromkeys(email_local(p, person.first, person.last) for p in [pattern, *others]))
    person.work_email = _unique_address(rng, locals_, company.domains[0], emails)
    work_local = person.work_email.split("@")[0]
    person.alias_email = _unique_address(rng, [local for local in locals_ if local != work_local], company.domains[0], emails)
    if company.old_domain and chance(rng, OLD_DOMAIN_ADDRESS_RATE):
        person.old_email = _unique_address(rng, locals_, company.old_domain, emails)
    if chance(rng, PERSONAL_EMAIL_RATE):
        person.personal_email = _personal_address(rng, person, emails)


def _personal_address(rng: random.Random, person: Person, emails: set[str]) -> str:
    given, family = slug(person.first.split(" ")[0]), slug(person.last)
    shape = one_of(rng, PERSONAL_MAIL_SHAPES)
    local = shape.format(g=given, f=family, i=given[:1], n=rng.randrange(1, 99))
    return _unique_address(rng, [local], one_of(rng, person.country.free_mail), emails)


def _unique_address(rng: random.Random, locals_: Sequence[str], domain: str, emails: set[str]) -> str:
    """The first free local@domain, else the first local with a number; registers the address as taken."""
    for local in locals_:
        address = f"{local}@{domain}"
        if local and address not in emails:
            emails.add(address)
            return address
    base = locals_[0] if locals_ and locals_[0] else "user"
    while True:
        address = f"{base}{rng.randrange(2, 100)}@{domain}"
        if address not in emails:
            emails.add(address)
            return address
