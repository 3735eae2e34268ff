"""Names as text: drawing international names, folding them to ASCII, and the edits people make."""

from __future__ import annotations

import functools
import random
import re
import unicodedata

from sandbox.population.draw import chance, one_of
from sandbox.population.pools import NamePool
from sandbox.population.vocabulary import (
    GENERATIONAL_SUFFIXES,
    IRISH_SURNAMES,
    NICKNAMES,
    SUFFIX_LOCALES,
    SURNAME_PARTICLES,
)

PARTICLE_RATE = 0.12
IRISH_SURNAME_RATE = {"en_IE": 0.3, "en_US": 0.03, "en_GB": 0.03}
DOUBLE_BARRELLED_RATE = {"en_GB": 0.04, "fr_FR": 0.04, "es_ES": 0.1, "en_US": 0.02}
HYPHENATED_FIRST_RATE = {"fr_FR": 0.1, "de_DE": 0.05}
GENERATIONAL_SUFFIX_RATE = 0.04
# Letters NFKD does not decompose.
_SPECIAL_FOLDS = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L", "đ": "d", "œ": "oe", "ı": "i"}
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_KEYBOARD_NEIGHBOURS = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry",
    "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}


def draw_name(rng: random.Random, pool: NamePool, locale: str) -> tuple[str, str, str, str]:
    """(gender, first, last, suffix) in the shapes a locale produces, particles and hyphens included."""
    gender = "female" if chance(rng, 0.5) else "male"
    firsts = pool.female if gender == "female" else pool.male
    first, last = one_of(rng, firsts), one_of(rng, pool.last)
    if chance(rng, HYPHENATED_FIRST_RATE.get(locale, 0.0)) and "-" not in first:
        other = one_of(rng, firsts)
        first = f"{first}-{other}" if other != first and " " not in other else first
    if locale in SURNAME_PARTICLES and chance(rng, PARTICLE_RATE) and " " not in last:
        last = f"{one_of(rng, SURNAME_PARTICLES[locale])} {last}"
    elif chance(rng, IRISH_SURNAME_RATE.get(locale, 0.0)):
        last = one_of(rng, IRISH_SURNAMES)
    elif chance(rng, DOUBLE_BARRELLED_RATE.get(locale, 0.0)):
        other = one_of(rng, pool.last)
        last = f"{last}-{other}" if other != last and " " not in other + last else last
    suffix = ""
    if locale in SUFFIX_LOCALES and gender == "male" and chance(rng, GENERATIONAL_SUFFIX_RATE):
        suffix = one_of(rng, GENERATIONAL_SUFFIXES)
    return gender, first, last, suffix


@functools.lru_cache(maxsize=65536)  # names repeat a lot; folding is pure
def fold(text: str) -> str:
    """Strip diacritics: 'Müller' -> 'Muller', 'Łukasz' -> 'Lukasz'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLDS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """Lower-case ASCII letters and digits only, as in an email local part or a domain label."""
    return _NOT_ALNUM.sub("", fold(text).lower())


def name_key(first: str, last: str) -> tuple[str, str]:
    """What makes two people at one company 'the same name' (nicknames included)."""
    return formal_first(slug(first)), slug(last)


def formal_first(first_slug: str) -> str:
    return _FORMAL_BY_SHORT.get(first_slug, first_slug)


def nickname(rng: random.Random, first: str) -> str | None:
    options = NICKNAMES.get(first)
    return one_of(rng, options) if options else None


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip (substitution, deletion, doubling or transposition), never on the first letter."""
    letters = [index for index, char in enumerate(text) if char.isalpha() and index > 0]
    if len(letters) < 3:
        return text
    for _ in range(6):
        index = one_of(rng, letters)
        char = text[index]
        edit = rng.randrange(4)
        if edit == 0 and char.lower() in _KEYBOARD_NEIGHBOURS:
            replacement = one_of(rng, _KEYBOARD_NEIGHBOURS[char.lower()])
            candidate = text[:index] + (replacement.upper() if char.isupper() else replacement) + text[index + 1 :]
        elif edit == 1:
            candidate = text[:index] + text[index + 1 :]
        elif edit == 2:
            candidate = text[:index] + char + text[index:]
        elif index + 1 < len(text) and text[index + 1].isalpha():
            candidate = text[:index] + text[index + 1] + char + text[index + 2 :]
        else:
            continue
        if candidate != text:
            return candidate
    return text


def email_local(pattern: str, first: str, last: str) -> str:
    """The local part a company's mail pattern makes of a name ('first.last' -> 'jean.vanderberg')."""
    given = slug(first.split(" ")[0])  # compound given names ("João Felipe") use the first one
    family = slug(last)
    return {
        "first.last": f"{given}.{family}",
        "flast": f"{given[:1]}{family}",
        "f.last": f"{given[:1]}.{family}",
        "firstl": f"{given}{family[:1]}",
        "first_last": f"{given}_{family}",
        "last.first": f"{family}.{given}",
        "first": given,
    }[pattern]


# Short form -> formal name, for telling whether two names at one company are the same person's.
_FORMAL_BY_SHORT: dict[str, str] = {
    slug(short): slug(formal) for formal, shorts in reversed(NICKNAMES.items()) for short in shorts
}
