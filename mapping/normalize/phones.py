"""Phone numbers: E.164 with the extension kept apart, parsed by libphonenumber (`phonenumbers`).

`normalize_phone(raw, default_region)` reads what people type: "+", "00" and
(from North America) "011" international prefixes, national formats with
spaces, dashes, dots, slashes and parentheses, a "(0)" trunk digit after the
country code, a label ("Tel:"), and an extension written "x123", "ext. 123",
"extension 123", "#123" (or "Durchwahl"/"poste"), which lands in `extension`
and never in the E.164 key. A national number means something only in its
country — "020 7946 0958" is London for a British record — so pass the
record's country as `default_region` when the mapping knows it. When a field
holds several numbers ("…; …", "… / …") the first valid one counts.

Unparseable and invalid numbers give None. Placeholders — one digit repeated,
counting runs (123-456-7890), the North American 555-0100…0199 fiction range,
the UK (Ofcom) and Australian (ACMA) drama ranges — are returned flagged
`is_placeholder` even when libphonenumber calls them invalid, as long as their
length is possible: the identity layer must see them to refuse them as
evidence, where a silent None would look like a missing phone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

# Extension words phonenumbers does not know, rewritten to one it does.
EXTENSION_WORDS = re.compile(r"[\s,;]*\(?\b(?:durchwahl|dw|poste|apparat|extn?|x)\b[.:=]*\s*(\d{1,7})\)?\s*$", re.I)
# "00" dials out in most of the world; read it as "+" whatever the default region, so
# "0049 …" in a US record is German rather than an invalid US number.
DIAL_OUT_00 = re.compile(r"^(\(?\s*)00(?=\s*[1-9])")
# Several numbers in one field. A single "/" is kept: Germans write "030/1234567".
NUMBER_SEPARATORS = re.compile(r"\s*(?:;|,|\|| / |\s+or\s+|\s+oder\s+|\s+ou\s+)\s*", re.I)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u202a\u202c\u200e\u200f"))
ASCENDING, DESCENDING = "01234567890", "9876543210"
RUN_LENGTH = 7  # a national number ending in seven counting or equal digits is typed, not dialled

# Ranges set aside for films and fiction, as E.164 digits (no "+").
FICTIONAL_NUMBERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("NANP 555-0100..0199", re.compile(r"1[2-9]\d{2}55501\d{2}")),
    ("Ofcom drama, geographic", re.compile(r"44(?:11[3-8]|121|131|141|151|161)4960\d{3}|441914980\d{3}")),
    ("Ofcom drama, London/Belfast/Cardiff", re.compile(r"442079460\d{3}|442896496\d{3}|442920180\d{3}")),
    ("Ofcom drama, other", re.compile(r"441632960\d{3}|447700900\d{3}|448081570\d{3}|449098790\d{3}|443069990\d{3}")),
    ("ACMA drama, geographic", re.compile(r"61[2378](?:5550|7010)\d{4}")),
)


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """One phone number: the E.164 key, the extension beside it, and what libphonenumber knows of it."""

    e164: str  # "+442079460958"
    extension: str | None  # "123"
    region: str | None  # ISO 3166 country of the number ("GB"); None for a placeholder no country owns
    is_placeholder: bool


@functools.lru_cache(maxsize=65536)  # pure; mapping and match keys read the same numbers
def normalize_phone(raw: str | None, default_region: str | None = "US") -> PhoneNumber | None:
    """The number in `raw`, national formats read as `default_region` (ISO code); None when there is none.

    >>> normalize_phone("020 7946 0018 ext. 12", "GB")
    PhoneNumber(e164='+442079460018', extension='12', region='GB', is_placeholder=True)
    """
    if raw is None:
        return None
    region = default_region.upper() if default_region else None
    for candidate in NUMBER_SEPARATORS.split(_tidy(raw)):
        number = _parse(candidate, region)
        if number is not None:
            return number
    return None


def _tidy(raw: str) -> str:
    # NFKC folds full-width digits and "＋"; phonenumbers would too, but the regexes below need ASCII.
    text = unicodedata.normalize("NFKC", raw.translate(INVISIBLE)).strip()
    text = EXTENSION_WORDS.sub(r" ext. \1", text)
    return DIAL_OUT_00.sub(r"\1+", text)


def _parse(candidate: str, region: str | None) -> PhoneNumber | None:
    if not any(char.isdigit() for char in candidate):
        return None
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException:
        return None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    placeholder = is_placeholder_number(e164, phonenumbers.national_significant_number(number))
    valid = phonenumbers.is_valid_number(number)
    if not valid and not (placeholder and phonenumbers.is_possible_number(number)):
        return None
    region_code = phonenumbers.region_code_for_number(number)
    return PhoneNumber(e164, number.extension or None, region_code, placeholder)


def is_placeholder_number(e164: str, national_number: str) -> bool:
    """True for numbers people type when they have none to give (see the module docstring)."""
    digits = e164.lstrip("+")
    if len(set(national_number)) == 1:
        return True
    if len(national_number) >= 6 and (national_number in ASCENDING or national_number in DESCENDING):
        return True
    tail = national_number[-RUN_LENGTH:]
    if len(tail) == RUN_LENGTH and (len(set(tail)) == 1 or tail in ASCENDING or tail in DESCENDING):
        return True
    return any(pattern.fullmatch(digits) for _, pattern in FICTIONAL_NUMBERS)
