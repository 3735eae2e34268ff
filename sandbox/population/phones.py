"""Phone numbers: one number per person, written differently by every system.

A `PhoneNumber` is the truth (country, area, subscriber digits); `render`
writes it in one of the styles people and tools actually use, optionally
with an extension. Every style parses back to the same E.164 value given the
record's country, which is what a fair normaliser can be expected to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.population.countries import City, Country, PhoneArea
from sandbox.population.draw import one_of

STYLES = (
    "e164", "international", "international_trunk", "international_00",
    "national", "national_dashed", "national_parens",
)
DIALS_OUT_WITH_00 = frozenset({"GB", "DE", "FR", "NL", "IT", "ES", "SE", "FI", "CH", "IE"})
EXTENSION_FORMATS = (" x{}", " ext. {}", " ext {}", " x{}")


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    country: Country
    area: PhoneArea
    subscriber: str

    @property
    def e164(self) -> str:
        return f"+{self.country.calling_code}{self.area.prefix}{self.subscriber}"

    @property
    def is_nanp(self) -> bool:
        return self.country.calling_code == "1"

    def groups(self) -> list[str]:
        parts, start = [], 0
        for size in self.area.groups:
            parts.append(self.subscriber[start : start + size])
            start += size
        return parts


def draw_number(rng: random.Random, country: Country, area: PhoneArea, taken: set[str]) -> PhoneNumber:
    """A valid number in `area` that no one else in the world has."""
    length = sum(area.groups)
    while True:
        digits = one_of(rng, area.lead) + str(rng.randrange(10 ** (length - 1))).zfill(length - 1)
        # North American exchanges: no N11 service codes, and 555 reads as fake.
        if country.calling_code == "1" and (digits[1:3] == "11" or digits[:3] == "555"):
            continue
        number = PhoneNumber(country, area, digits)
        if number.e164 not in taken:
            taken.add(number.e164)
            return number


def draw_landline(rng: random.Random, country: Country, city: City, taken: set[str]) -> PhoneNumber:
    return draw_number(rng, country, city.area, taken)


def draw_mobile(rng: random.Random, country: Country, city: City, taken: set[str]) -> PhoneNumber:
    # North America has no mobile prefixes: a cell number looks like a landline of the city.
    area = one_of(rng, country.mobiles) if country.mobiles else city.area
    return draw_number(rng, country, area, taken)


def render(number: PhoneNumber, style: str, extension: str | None = None) -> str:
    """The number as a person or tool would type it (see STYLES)."""
    text = _render_base(number, style)
    if extension and style != "e164":
        text += extension
    return text


def draw_extension(rng: random.Random) -> str:
    return one_of(rng, EXTENSION_FORMATS).format(rng.randrange(10, 9999))


def _render_base(number: PhoneNumber, style: str) -> str:
    code, prefix, groups = number.country.calling_code, number.area.prefix, number.groups()
    spaced = " ".join(groups)
    national_prefix = number.country.trunk + prefix
    if style == "e164":
        return number.e164
    if style == "international":
        return f"+{code} {prefix} {spaced}"
    if style == "international_trunk":
        if number.country.trunk:
            return f"+{code} ({number.country.trunk}){prefix} {spaced}"
        return f"+{code}-{prefix}-{'-'.join(groups)}"
    if style == "international_00":
        # Only where "00" is the country's own exit code; elsewhere people keep the "+".
        if number.country.code in DIALS_OUT_WITH_00:
            return f"00{code} {prefix} {spaced}"
        return f"+{code} ({prefix}) {'-'.join(groups)}"
    if number.is_nanp:
        return {
            "national": f"({prefix}) {'-'.join(groups)}",
            "national_dashed": f"{prefix}-{'-'.join(groups)}",
            "national_parens": f"{prefix}.{'.'.join(groups)}",
        }[style]
    return {
        "national": f"{national_prefix} {spaced}",
        "national_dashed": f"{national_prefix}-{'-'.join(groups)}",
        "national_parens": f"({national_prefix}) {spaced}",
    }[style]
