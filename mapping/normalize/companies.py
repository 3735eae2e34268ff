"""Company names: a match key that survives legal forms, "&", "The", punctuation, case and accents.

`company_name_key` transliterates to ASCII with `unidecode` ("Müller & Söhne"
→ "muller and sohne"), lower-cases, writes "&" as "and", drops a leading
"The", a trailing parenthesised qualifier ("(Germany)") and punctuation —
dots and apostrophes join ("S.A." → "sa", "McDonald's" → "mcdonalds"), runs
of single letters join ("J. P. Morgan" → "jp morgan") — spells common
abbreviations out after the first word ("Intl" → "international"), and
removes legal forms (legal_forms.py, over 40 countries) from the end only,
again and again, so "Acme Holdings Ltd." keeps "holdings" and "Acme GmbH &
Co. KG" keeps "acme". It never returns an empty key for a non-empty name:
the first word always stays ("Company Ltd" → "company", "GmbH" → "gmbh"), and
a name with no letters or digits at all keys as itself, lower-cased. `company_name_display`
is the tidy form for people: whitespace collapsed, original case kept.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from unidecode import unidecode

from mapping.normalize.legal_forms import LEGAL_FORMS

TRAILING_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")  # "Acme GmbH (Berlin)": how a namesake was told apart
JOINING_PUNCTUATION = re.compile(r"[.'/`]")  # inside initialisms and possessives: "S.A.", "A/S", "Macy's"
NOT_ALNUM = re.compile(r"[^a-z0-9]+")
WHITESPACE = re.compile(r"\s+")
SPACE_BEFORE_COMMA = re.compile(r"\s+,")
LEADING_ARTICLES = frozenset({"the"})
CONJUNCTION = "and"
# Shortened words companies use in their own names, spelled out (never applied to the first word,
# which is usually the brand: "Sol Energy" stays "sol").
WORD_FORMS: dict[str, str] = {
    "intl": "international", "int": "international", "tech": "technologies", "technology": "technologies",
    "mfg": "manufacturing", "svcs": "services", "svc": "services", "sys": "systems", "sol": "solutions",
    "eng": "engineering", "ind": "industries", "grp": "group", "hldgs": "holdings", "hldg": "holdings",
    "assoc": "associates", "bros": "brothers", "mgmt": "management", "natl": "national", "labs": "laboratories",
    "lab": "laboratories", "ctr": "center", "centre": "center", "dev": "development", "dist": "distribution",
}


def company_name_key(raw: str | None) -> str:
    """The match key of a company name: "The Acme Widgets, Inc." → "acme widgets"; "" for a blank name."""
    return _key(_collapse(raw))


def company_name_display(raw: str | None) -> str:
    """A company name tidied for display: whitespace collapsed, original case and punctuation kept."""
    return SPACE_BEFORE_COMMA.sub(",", _collapse(raw))


def _collapse(raw: str | None) -> str:
    if raw is None:
        return ""
    return WHITESPACE.sub(" ", unicodedata.normalize("NFC", raw)).strip()


@functools.lru_cache(maxsize=65536)  # every contact of a company repeats its name; the key is pure
def _key(name: str) -> str:
    if not name:
        return ""
    words = _tokens(TRAILING_QUALIFIER.sub("", name) or name)
    if not words:
        return unidecode(name).lower() or name.lower()
    kept = _strip_legal_forms(_strip_article(words))
    kept = kept[:1] + [WORD_FORMS.get(word, word) for word in kept[1:]]
    return " ".join(kept)


def _tokens(name: str) -> list[str]:
    text = unidecode(name).lower().replace("&", f" {CONJUNCTION} ")
    words = NOT_ALNUM.sub(" ", JOINING_PUNCTUATION.sub("", text)).split()
    return _join_initials(words)


def _join_initials(words: list[str]) -> list[str]:
    """Runs of single letters are one initialism: "s a" → "sa", "j p morgan" → "jp morgan"."""
    joined: list[str] = []
    run_open = False  # the last joined word was built from single letters only ("acme a" stays two words)
    for word in words:
        single = len(word) == 1 and word.isalpha()
        if single and run_open:
            joined[-1] += word
        else:
            joined.append(word)
            run_open = single
    return joined


def _strip_article(words: list[str]) -> list[str]:
    return words[1:] if len(words) > 1 and words[0] in LEADING_ARTICLES else words


def _strip_legal_forms(words: list[str]) -> list[str]:
    """Drop legal forms (and a "&" left dangling by "Smith & Co.") from the end, keeping one word at least."""
    kept = list(words)
    while True:
        cut = _trailing_form_length(kept)
        if not cut:
            return kept
        del kept[-cut:]
        while len(kept) > 1 and kept[-1] == CONJUNCTION:
            kept.pop()


def _trailing_form_length(words: list[str]) -> int:
    for length in range(min(_LONGEST_FORM, len(words) - 1), 0, -1):
        if tuple(words[-length:]) in _FORMS:
            return length
    return 0


_FORMS: frozenset[tuple[str, ...]] = frozenset(
    tuple(_tokens(form)) for forms in LEGAL_FORMS.values() for form in forms
)
_LONGEST_FORM = max(len(form) for form in _FORMS)
