"""Name and address pools drawn from Faker once per seed.

Faker is slow per call (tens of microseconds) and its instances are costly to
build, so the generator never calls it per record: it draws a few hundred
names and streets per locale here, seeded, and samples from the pools with
the world's `random.Random`. Pools are cached per seed (they are immutable),
so generating several worlds in one process pays Faker's price once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from faker import Faker

from sandbox.population.countries import NAME_LOCALES, STREET_LOCALES

FIRST_NAMES_PER_GENDER = 250
LAST_NAMES = 400
STREETS = 120
POSTCODES = 60
# Faker's Japanese and Chinese providers write names in their own scripts unless asked for romaji/pinyin.
ROMANIZED_LOCALES = frozenset({"ja_JP", "zh_CN"})
JAPANESE_DISTRICTS = ("Marunouchi, Chiyoda-ku", "Shibuya", "Roppongi, Minato-ku", "Umeda, Kita-ku", "Shinjuku", "Namba, Chuo-ku")


@dataclass(frozen=True, slots=True)
class NamePool:
    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pools:
    names: MappingProxyType[str, NamePool]
    streets: MappingProxyType[str, tuple[str, ...]]  # by street locale
    postcodes: MappingProxyType[str, tuple[str, ...]]  # by street locale


@functools.lru_cache(maxsize=4)
def build_pools(seed: int) -> Pools:
    """Draw every pool for `seed` (same seed, same pools)."""
    fakers = {locale: _faker(locale, seed) for locale in dict.fromkeys(NAME_LOCALES + STREET_LOCALES)}
    names = {locale: _name_pool(fakers[locale], locale) for locale in NAME_LOCALES}
    streets = {locale: _streets(fakers[locale], locale) for locale in STREET_LOCALES}
    postcodes = {locale: _unique(fakers[locale].postcode, POSTCODES) for locale in STREET_LOCALES}
    return Pools(MappingProxyType(names), MappingProxyType(streets), MappingProxyType(postcodes))


def _faker(locale: str, seed: int) -> Faker:
    faker = Faker(locale)
    faker.seed_instance(seed)
    return faker


def _name_pool(faker: Faker, locale: str) -> NamePool:
    if locale in ROMANIZED_LOCALES:
        # Romanized providers have no gendered variants; Faker's lists are short, so take what exists.
        first = _unique(faker.first_romanized_name, FIRST_NAMES_PER_GENDER, _plain_name)
        half = len(first) // 2
        return NamePool(first[:half], first[half:], _unique(faker.last_romanized_name, LAST_NAMES, _plain_name))
    return NamePool(
        _unique(faker.first_name_male, FIRST_NAMES_PER_GENDER, _plain_name),
        _unique(faker.first_name_female, FIRST_NAMES_PER_GENDER, _plain_name),
        _unique(faker.last_name, LAST_NAMES, _plain_name),
    )


def _streets(faker: Faker, locale: str) -> tuple[str, ...]:
    if locale == "ja_JP":
        # Faker's Japanese streets mix scripts ("597 斎藤 Street"); CRMs abroad hold romanized addresses.
        numbers = _unique(lambda: f"{faker.random_int(1, 9)}-{faker.random_int(1, 20)}-{faker.random_int(1, 30)}", STREETS)
        return tuple(f"{number} {JAPANESE_DISTRICTS[index % len(JAPANESE_DISTRICTS)]}" for index, number in enumerate(numbers))
    return _unique(lambda: faker.street_address().replace("\n", ", ").strip(), STREETS)


def _unique(draw: Callable[[], str], wanted: int, keep: Callable[[str], bool] = lambda _: True) -> tuple[str, ...]:
    """Up to `wanted` distinct values that `keep` accepts, in draw order; gives up after a bounded number of tries."""
    seen: dict[str, None] = {}
    for _ in range(wanted * 4):
        value = draw()
        if keep(value):
            seen.setdefault(value, None)
        if len(seen) >= wanted:
            break
    return tuple(seen)


def _plain_name(value: str) -> bool:
    # Faker's Dutch surnames sometimes come inverted ("Bourgondië, van"); no one types them so.
    return "," not in value and value.strip() == value
