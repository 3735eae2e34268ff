"""Person names: parts for display, keys for matching, from first/last fields or one "name" field.

`parse_person_name(full, first, last)` prefers the structured fields when a
record has them and reads a single name field ("Dr. Juan de la Cruz Jr.",
"van der Berg, Jan", "jan.smith@acme.com") with `nameparser`. Salutations go
to `prefix`, generational and academic suffixes (Jr., III, PhD) to `suffix`,
also when a CRM stored them in the last-name field ("Smith Jr."). Particles
stay with the family name ("van der Berg", "de la Cruz", "O'Neil",
"Smith-Jones"). An all-lower or all-upper name is re-cased for `display`.

Keys are lower-case ASCII (`unidecode`: "Müller" → "muller"). `given_key` is
the first given name, folded through the nickname table (nicknames.py): every
name of one group keys as the group's first formal name, so "Bob", "Rob" and
"Robert" all give "robert" — and "Alex" gives "alexander" for Alexandra too,
since a short form cannot tell them apart; finer evidence is the raw name's.
`family_key` keeps particles but drops spaces and punctuation ("van der Berg"
→ "vanderberg", "O'Neil" → "oneil"): a particle tells families apart ("van
den Berg" is not "van der Berg"), systems keep it while they disagree on its
case and spacing ("Van der Berg", "vanderberg"), and email local parts are
built from the same joined form. `family_core` drops leading particles
("berg") for blocking and fuzzy tiers, where a record lost its particle.
`given_phonetic` (of the first given name as written) and `family_phonetic`
(of `family_key`) are Metaphone codes (`jellyfish`), for typos that keep the
sound.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import jellyfish
from nameparser import HumanName
from unidecode import unidecode

from mapping.normalize.nicknames import NICKNAMES

WHITESPACE = re.compile(r"\s+")
NOT_ALNUM = re.compile(r"[^a-z0-9]+")
EMAIL_LOCAL_SEPARATORS = re.compile(r"[._\-+]+|\d+")
# Lower-case, without dots; the parts a CRM puts before a first name or after a last name.
SALUTATIONS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "herr", "frau", "mme", "mlle", "sr", "sra",
    "srta", "sig", "sigra", "dhr", "mevr", "fr",
})
SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "v", "2nd", "3rd", "phd", "md", "dds", "dmd", "esq", "mba", "cpa", "rn", "jd",
    "msc", "bsc", "dvm", "obe", "mbe", "cbe", "kc", "qc",
})
# Words that join a family name without being its core: dropped from the front for `family_core`.
PARTICLES = frozenset({
    "van", "der", "den", "de", "del", "della", "dei", "degli", "delle", "dello", "di", "da", "das", "dos", "do",
    "du", "la", "le", "les", "lo", "von", "vom", "zu", "zum", "zur", "ter", "ten", "te", "'t", "het", "op", "af",
    "av", "ibn", "bin", "bint", "al", "el", "vd", "vander", "vanden", "vande", "y", "e",
})
# Casing for re-cased names: particles stay lower except at the start, suffixes keep their usual form.
SUFFIX_DISPLAY = {"ii": "II", "iii": "III", "iv": "IV", "phd": "PhD", "md": "MD", "jr": "Jr.", "sr": "Sr."}


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name in parts, with the keys identity resolution compares."""

    given: str
    middle: str
    family: str  # particles included: "van der Berg"
    prefix: str  # salutation or title: "Dr.", "Mrs."
    suffix: str  # "Jr.", "III", "PhD"
    display: str  # "Juan de la Cruz Jr."
    given_key: str  # "robert" for Bob
    family_key: str  # "vanderberg"
    family_core: str  # "berg"
    given_phonetic: str
    family_phonetic: str


def parse_person_name(full: str | None = None, first: str | None = None, last: str | None = None) -> PersonName:
    """Parse a name from first/last fields when present, else from one full-name field."""
    first, last, full = _clean(first), _clean(last), _clean(full)
    if first and not last and " " in first:
        full, first = first, ""  # a whole name typed into the first-name field
    if first or last:
        parts = _from_fields(first, last)
    else:
        parts = _from_full(full) if full else _Parts()
    return _build(parts)


@dataclass(frozen=True, slots=True)  # frozen: _from_full hands out cached instances
class _Parts:
    prefix: str = ""
    given: str = ""
    middle: str = ""
    family: str = ""
    suffix: str = ""


def _clean(value: str | None) -> str:
    if not value:
        return ""
    return WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip().strip(",").strip()


def _from_fields(first: str, last: str) -> _Parts:
    prefix, given = _split_salutation(first)
    family, suffix = _split_suffixes(last)
    return _Parts(prefix, given, "", family, suffix)


def _split_salutation(first: str) -> tuple[str, str]:
    words = first.split(" ")
    if _bare(words[0]) in SALUTATIONS:  # "Dr. Jane", or a first-name field holding only "Mrs."
        return words[0], " ".join(words[1:])
    return "", first


def _split_suffixes(last: str) -> tuple[str, str]:
    """"Smith Jr." → ("Smith", "Jr."); "Smith, PhD" → ("Smith", "PhD"); keeps one word of family name at least."""
    words = last.replace(",", " , ").split()
    suffixes: list[str] = []
    while len([word for word in words if word != ","]) > 1 and (words[-1] == "," or _bare(words[-1]) in SUFFIXES):
        word = words.pop()
        if word != ",":
            suffixes.insert(0, word)
    while words and words[-1] == ",":
        words.pop()
    return " ".join(words).replace(" ,", ","), " ".join(suffixes)


@functools.lru_cache(maxsize=65536)  # nameparser takes ~0.2 ms a name; single-name fields repeat across syncs
def _from_full(full: str) -> _Parts:
    if "@" in full:  # some tools fill the name with the address: "jan.smith@acme.com" → "jan smith"
        full = " ".join(EMAIL_LOCAL_SEPARATORS.split(full.split("@", 1)[0])).strip()
    name = HumanName(full)
    given, middle, family = name.first, name.middle, name.last
    if "," in full and middle and family:
        # "Berg, Jan van der": nameparser reads the trailing particles as middle names.
        middle_words = middle.split(" ")
        cut = len(middle_words)
        while cut > 0 and _bare(middle_words[cut - 1]) in PARTICLES:
            cut -= 1
        if cut < len(middle_words):
            family = " ".join([*middle_words[cut:], family])
            middle = " ".join(middle_words[:cut])
    return _Parts(name.title, given, middle, family, name.suffix)


def _build(parts: _Parts) -> PersonName:
    given_key = given_name_key(parts.given)
    family_key = _ascii_key(parts.family)
    return PersonName(
        given=parts.given,
        middle=parts.middle,
        family=parts.family,
        prefix=parts.prefix,
        suffix=parts.suffix,
        display=_display(parts),
        given_key=given_key,
        family_key=family_key,
        family_core=_family_core(parts.family) or family_key,
        given_phonetic=_phonetic(_ascii_key(parts.given.split(" ", 1)[0])),  # the name as written: typos, not nicknames
        family_phonetic=_phonetic(family_key),
    )


def given_name_key(given: str) -> str:
    """The first given name, lower ASCII, short forms folded to their group: "Bob" → "robert"."""
    words = given.split()
    key = _ascii_key(words[0]) if words else ""
    return _GROUP_OF.get(key, key)


def _family_core(family: str) -> str:
    words = family.split()  # "D'Angelo" and "O'Neil" are one word: their core is the whole name
    while len(words) > 1 and _bare(words[0]) in PARTICLES:
        words = words[1:]
    return _ascii_key(" ".join(words))


@functools.lru_cache(maxsize=65536)
def _ascii_key(text: str) -> str:
    return NOT_ALNUM.sub("", unidecode(text).lower())


@functools.lru_cache(maxsize=65536)
def _phonetic(key: str) -> str:
    return jellyfish.metaphone(key) if key else ""


def _bare(word: str) -> str:
    return word.lower().replace(".", "")


def _display(parts: _Parts) -> str:
    text = " ".join(part for part in (parts.given, parts.middle, parts.family) if part)
    if text and (text.islower() or text.isupper()):
        text = " ".join(_recase(word, index) for index, word in enumerate(text.split(" ")))
    suffix = parts.suffix
    if suffix and (suffix.islower() or suffix.isupper()):
        suffix = " ".join(SUFFIX_DISPLAY.get(_bare(word), word) for word in suffix.split(" "))
    return f"{text} {suffix}".strip() if suffix else text


def _recase(word: str, index: int) -> str:
    lower = word.lower()
    if index > 0 and lower in PARTICLES:
        return lower
    return "-".join(_capitalize(part) for part in lower.split("-"))


def _capitalize(part: str) -> str:
    if part.startswith(("o'", "d'")) and len(part) > 2:
        return part[:2].upper() + part[2:].capitalize()  # O'Neil, D'Angelo
    if part.startswith("mc") and len(part) > 2:
        return "Mc" + part[2:].capitalize()
    return part.capitalize()


def _nickname_groups() -> dict[str, str]:
    """Every formal and short form → the first formal name of its connected group (union-find)."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    order = {_ascii_key(formal): index for index, formal in enumerate(NICKNAMES)}
    for formal, shorts in NICKNAMES.items():
        for short in shorts:
            root_a, root_b = find(_ascii_key(formal)), find(_ascii_key(short))
            if root_a != root_b:
                keep, drop = sorted((root_a, root_b), key=lambda name: order.get(name, len(order)))
                parent[drop] = keep
    return {name: find(name) for name in parent}


_GROUP_OF: dict[str, str] = _nickname_groups()
