"""Real companies: brands, legal forms, domains, addresses and namesake pairs."""

from __future__ import annotations

import random
from collections.abc import Sequence

from sandbox.population.countries import COUNTRIES, Country
from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Staff
from sandbox.population.names import slug
from sandbox.population.phones import draw_landline
from sandbox.population.pools import Pools
from sandbox.population.rates import (
    COMPANY_STATUS,
    EMAIL_PATTERNS,
    HYPHENATED_DOMAIN_RATE,
    MIN_NAMESAKE_COMPANY_PAIRS,
    NAMESAKE_COMPANY_PAIRS_PER_COMPANY,
    SECOND_DOMAIN_RATE,
)
from sandbox.population.timeline import Timeline
from sandbox.population.vocabulary import (
    BRAND_ADJECTIVES,
    BRAND_NOUNS,
    BRAND_SECTOR_WORDS,
    BRAND_SYLLABLES,
    EMPLOYEE_BANDS,
    INDUSTRIES,
    PLANS,
    SECOND_DOMAIN_WORDS,
)

BRAND_SHAPES = {
    "adjective_noun": 25, "compound": 15, "surname_sector": 15, "surname_pair": 8,
    "invented": 12, "adjective_noun_sector": 15, "the_noun_sector": 5, "surname": 5,
}
US_TLDS = {"com": 80, "io": 10, "co": 5, "net": 5}
COUNTRY_TLD_RATE = 0.65  # companies outside the US that use their ccTLD rather than .com
COUNTRY_WEIGHTS = {country: country.weight for country in COUNTRIES}
INDUSTRY_WEIGHTS = {industry: industry.weight for industry in INDUSTRIES}
EMPLOYEE_BAND_WEIGHTS = {(low, high): weight for low, high, weight in EMPLOYEE_BANDS}
# Small companies often give everyone first@; big ones cannot.
SMALL_COMPANY_EMPLOYEES = 200
SMALL_COMPANY_EMAIL_PATTERNS = {"first.last": 50, "first": 30, "flast": 20}
# Our own company: staff addresses live here and no customer may share it.
HOME_DOMAIN = "loophub-demo.io"


def draw_companies(
    rng: random.Random, pools: Pools, timeline: Timeline, count: int, owners: Sequence[Staff], phones: set[str]
) -> list[Company]:
    """`count` companies; a few of them namesakes of an earlier one (same brand, other country and domain)."""
    namesakes = _namesake_sources(rng, count)
    taken_domains: set[str] = {HOME_DOMAIN}
    taken_brands: set[str] = set()
    companies: list[Company] = []
    for index in range(count):
        source = companies[namesakes[index]] if index in namesakes else None
        country = _other_country(rng, source.country) if source else pick(rng, COUNTRY_WEIGHTS)
        brand = source.brand if source else _unique_brand(rng, pools, country, taken_brands)
        company = _draw_company(rng, pools, timeline, index, country, brand, owners, taken_domains, phones, bool(source))
        company.namesake_of = source.key if source else None
        companies.append(company)
    return companies


def _namesake_sources(rng: random.Random, count: int) -> dict[int, int]:
    """Index of a namesake company -> index of the earlier company whose brand it shares."""
    if count < 4:
        return {}
    pairs = max(MIN_NAMESAKE_COMPANY_PAIRS, round(count * NAMESAKE_COMPANY_PAIRS_PER_COMPANY))
    late = rng.sample(range(count // 2, count), min(pairs, count - count // 2))
    early = rng.sample(range(count // 2), len(late))
    return dict(zip(late, early, strict=True))


def _other_country(rng: random.Random, country: Country) -> Country:
    # A namesake abroad with its own ccTLD: the same brand must not land on the same domain.
    return one_of(rng, [other for other in COUNTRIES if other is not country and other.tlds[0] != "com"])


def _draw_company(
    rng: random.Random, pools: Pools, timeline: Timeline, index: int, country: Country, brand: str,
    owners: Sequence[Staff], taken_domains: set[str], phones: set[str], namesake: bool,
) -> Company:
    city = one_of(rng, country.cities)
    low, high = pick(rng, EMPLOYEE_BAND_WEIGHTS)
    employees = rng.randint(low, high)
    status = pick(rng, COMPANY_STATUS)
    domains = [_primary_domain(rng, brand, country, taken_domains, force_cctld=namesake)]
    if chance(rng, SECOND_DOMAIN_RATE):
        domains.append(_second_domain(rng, domains[0], taken_domains))
    return Company(
        key=f"company-{index + 1:05d}",
        brand=brand,
        legal_suffix=one_of(rng, country.legal_suffixes),
        country=country,
        city=city,
        street=one_of(rng, pools.streets[country.street_locale]),
        postal_code=_postal_code(rng, pools, country),
        domains=domains,
        email_pattern=pick(rng, EMAIL_PATTERNS if employees > SMALL_COMPANY_EMPLOYEES else SMALL_COMPANY_EMAIL_PATTERNS),
        industry=pick(rng, INDUSTRY_WEIGHTS),
        employees=employees,
        revenue=_round_to(employees * rng.randint(60_000, 400_000), 3),
        status=status,
        plan=one_of(rng, PLANS),
        owner=one_of(rng, owners),
        created=timeline.between(rng, timeline.earliest, timeline.days_ago(60)),
        phone=draw_landline(rng, country, city, phones),
    )


def _unique_brand(rng: random.Random, pools: Pools, country: Country, taken: set[str]) -> str:
    while True:
        brand = _draw_brand(rng, pools, country)
        key = slug(brand.removeprefix("The "))
        if key not in taken:
            taken.add(key)
            return brand


def _draw_brand(rng: random.Random, pools: Pools, country: Country) -> str:
    surnames = pools.names[country.name_locales[0]].last
    shape = pick(rng, BRAND_SHAPES)
    adjective, noun, sector = one_of(rng, BRAND_ADJECTIVES), one_of(rng, BRAND_NOUNS), one_of(rng, BRAND_SECTOR_WORDS)
    if shape == "adjective_noun":
        return f"{adjective} {noun}" if adjective != noun else f"{adjective} {sector}"
    if shape == "compound":
        return f"{adjective}{noun.lower()}"
    if shape == "surname_sector":
        return f"{one_of(rng, surnames)} {sector}"
    if shape == "surname_pair":
        return f"{one_of(rng, surnames)} & {one_of(rng, surnames)}"
    if shape == "invented":
        return "".join(one_of(rng, BRAND_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    if shape == "adjective_noun_sector":
        return f"{adjective} {noun} {sector}"
    if shape == "the_noun_sector":
        return f"The {noun} {sector}"
    return one_of(rng, surnames)


def _domain_label(rng: random.Random, brand: str) -> str:
    words = [slug(word) for word in brand.removeprefix("The ").replace("&", " ").split()]
    words = [word for word in words if word]
    if len(words) > 1 and chance(rng, HYPHENATED_DOMAIN_RATE):
        return "-".join(words)
    return "".join(words)


def _primary_domain(rng: random.Random, brand: str, country: Country, taken: set[str], force_cctld: bool) -> str:
    if country.code == "US":
        tld = pick(rng, US_TLDS)
    else:
        tld = country.tlds[0] if force_cctld or chance(rng, COUNTRY_TLD_RATE) else "com"
    label = _domain_label(rng, brand)
    candidates = [f"{label}.{tld}", f"{label}-{country.code.lower()}.{tld}"]
    candidates += [f"{label}{word}.{tld}" for word in SECOND_DOMAIN_WORDS]
    return _first_free(candidates, taken, label, tld)


def _second_domain(rng: random.Random, primary: str, taken: set[str]) -> str:
    """An older (pre-rebrand) or regional domain of the same company."""
    label = primary.split(".")[0]
    regional = [f"{label}.{country.tlds[0]}" for country in COUNTRIES if country.tlds[0] != "com"]
    older = [f"{label}{word}.com" for word in SECOND_DOMAIN_WORDS] + [f"get{label}.com"]
    if chance(rng, 0.5):  # a regional site
        candidates = [one_of(rng, regional), *older]
    else:  # the address the company had before it shortened its domain
        candidates = [one_of(rng, older), *older, *regional]
    return _first_free(candidates, taken, label, "com")


def _first_free(candidates: list[str], taken: set[str], label: str, tld: str) -> str:
    for domain in candidates:
        if domain not in taken:
            taken.add(domain)
            return domain
    number = 2
    while f"{label}{number}.{tld}" in taken:
        number += 1
    taken.add(f"{label}{number}.{tld}")
    return f"{label}{number}.{tld}"


def _postal_code(rng: random.Random, pools: Pools, country: Country) -> str:
    if country.postcode_pattern is None:
        return one_of(rng, pools.postcodes[country.street_locale])
    return "".join(str(rng.randrange(10)) if char == "#" else char for char in country.postcode_pattern)


def _round_to(value: int, significant: int) -> int:
    digits = len(str(value))
    factor = 10 ** max(digits - significant, 0)
    return value // factor * factor
