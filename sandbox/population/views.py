"""Noisy views: how one system's record renders a true person or company.

Every view applies at most one name edit, so a record always keeps a name
close to the truth; emails, phones and company names vary by the system's
`ViewProfile`. Evidence is never all removed at once: callers keep a company
link (association, organization) on records whose email is not at the
company's main domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Company, Person
from sandbox.population.names import fold, nickname, typo
from sandbox.population.phones import draw_extension, render
from sandbox.population.rates import COMPANY_NAME_VARIANTS, SWITCHBOARD_PHONE_RATE, VIEW_PROFILES, WEBSITE_STYLES, ViewProfile
from sandbox.population.vocabulary import ABBREVIATIONS, WEBSITE_PATHS

EMAIL_FALLBACK_ORDER = ("work", "alias", "personal", "old")
COUNTRY_ALIAS_RATE = 0.15
# Company names typed on a person's record; a company's own record never shrinks to initials.
FREE_TEXT_COMPANY_FIELDS = frozenset({"sf_lead", "hs_contact"})


@dataclass(frozen=True, slots=True)
class PersonView:
    first: str
    last: str
    email: str | None
    email_kind: str  # work | alias | old | personal | role | none
    phone: str | None
    mobile: str | None
    title: str | None


def person_view(
    rng: random.Random, person: Person, profile_name: str, taken: set[str] | None = None, role: bool = False,
    switchboard: bool = True,
) -> PersonView:
    """One system's record of `person`. `taken` holds the normalised emails a unique-email system already has."""
    profile = VIEW_PROFILES[profile_name]
    first, last = name_variant(rng, person, profile.names)
    kind = "role" if role else _email_kind(rng, person, profile, taken)
    email = person.emails(kind)
    if taken is not None and email is not None:
        taken.add(normalise_email(email))
    return PersonView(
        first=first,
        last=last,
        email=_typed_email(rng, email, profile) if email else None,
        email_kind=kind,
        phone=_phone(rng, person, profile, switchboard),
        mobile=_mobile(rng, person, profile),
        title=None if chance(rng, profile.title_missing) else person.title,
    )


def name_variant(rng: random.Random, person: Person, table: dict[str, float]) -> tuple[str, str]:
    """(first, last) after at most one edit; edits that do not apply to this name leave it as it is."""
    first, last = person.first, f"{person.last} {person.suffix}".strip()
    edit = pick(rng, table)
    if edit == "typo":
        if chance(rng, 0.4):
            return typo(rng, first), last
        return first, typo(rng, person.last) + (f" {person.suffix}" if person.suffix else "")
    if edit == "nickname":
        return nickname(rng, first) or first, last
    if edit == "fold":
        return fold(first), fold(last)
    if edit == "case":
        return (first.lower(), last.lower()) if chance(rng, 0.6) else (first.upper(), last.upper())
    if edit == "drop_suffix":
        return first, person.last
    if edit == "swap":
        return last, first
    return first, last


def _email_kind(rng: random.Random, person: Person, profile: ViewProfile, taken: set[str] | None) -> str:
    wanted = pick(rng, profile.emails)
    if wanted == "none":
        return "none"
    for kind in (wanted, *EMAIL_FALLBACK_ORDER):
        email = person.emails(kind)
        if email and (taken is None or normalise_email(email) not in taken):
            return kind
    return "none"


def _typed_email(rng: random.Random, email: str, profile: ViewProfile) -> str:
    if chance(rng, profile.email_case_noise):
        local, domain = email.split("@")
        local = ".".join(part.capitalize() for part in local.split("."))
        email = f"{local}@{domain.capitalize() if chance(rng, 0.5) else domain}"
    if chance(rng, profile.email_space_noise):
        email = one_of(rng, (f" {email}", f"{email} ", f"{email}  "))
    return email


def _mobile(rng: random.Random, person: Person, profile: ViewProfile) -> str | None:
    if person.mobile is None or chance(rng, profile.mobile_missing):
        return None
    return render(person.mobile, pick(rng, profile.phone_styles))


def _phone(rng: random.Random, person: Person, profile: ViewProfile, switchboard: bool) -> str | None:
    if chance(rng, profile.phone_missing):
        return None
    if switchboard and chance(rng, SWITCHBOARD_PHONE_RATE):
        # The company's main line typed into a person's phone field: shared by colleagues, no evidence of identity.
        return render(person.company.phone, pick(rng, profile.phone_styles))
    extension = draw_extension(rng) if chance(rng, profile.extension_rate) else None
    return render(person.phone, pick(rng, profile.phone_styles), extension)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def company_name(rng: random.Random, company: Company, table_name: str, sole_company_evidence: bool = False) -> str:
    """The company's name as one system holds it: legal, brand, '&' vs 'and', 'The …', abbreviated, lower-case.

    `sole_company_evidence`: nothing else on the record (no work email, no link) names the company, so the
    name stays one a normaliser can map back (no abbreviations or initials).
    """
    brand, legal = company.brand, company.legal_name
    variant = pick(rng, COMPANY_NAME_VARIANTS[table_name])
    if sole_company_evidence and variant == "abbreviated":
        variant = "brand"
    if variant == "legal":
        return legal
    if variant == "ampersand":
        if " & " in brand:
            return brand.replace(" & ", " and ")
        return brand.replace(" and ", " & ") if " and " in brand else legal
    if variant == "the":
        return brand.removeprefix("The ") if brand.startswith("The ") else f"The {brand}"
    if variant == "abbreviated":
        return _abbreviated(company, initials=table_name in FREE_TEXT_COMPANY_FIELDS)
    if variant == "lower":
        return brand.lower()
    return brand


def _abbreviated(company: Company, initials: bool) -> str:
    words = company.legal_name.split()
    shortened = " ".join(ABBREVIATIONS.get(word, word) for word in words)
    if shortened != company.legal_name:
        return shortened
    brand_words = company.brand.removeprefix("The ").split()
    if initials and len(brand_words) >= 3:
        return "".join(word[0].upper() for word in brand_words if word[0].isalpha())
    return company.brand


def website(rng: random.Random, domain: str) -> str:
    """A Website field as people fill it: bare domain, www., http(s)://, trailing path."""
    style = pick(rng, WEBSITE_STYLES)
    return {
        "bare": domain,
        "www": f"www.{domain}",
        "https": f"https://{domain}",
        "https_www": f"https://www.{domain}",
        "http_www": f"http://www.{domain}/",
        "with_path": f"https://www.{domain}{one_of(rng, WEBSITE_PATHS)}",
    }[style]


def country_text(rng: random.Random, person_or_company: Person | Company) -> str:
    country = person_or_company.country
    return one_of(rng, country.aliases) if chance(rng, COUNTRY_ALIAS_RATE) else country.name
