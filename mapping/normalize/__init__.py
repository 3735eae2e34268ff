"""Normalisers: raw field values in, clean values and match keys out.

Each normaliser is pure and offline (libraries and their bundled data only;
no DNS, no downloads), so the mapping step can run anywhere and re-run
safely. The identity layer builds its match keys from what these return and
must honour the junk flags: role addresses, free-mail domains and
placeholder phones are not evidence that two records are one.
"""

from __future__ import annotations

from mapping.normalize.companies import company_name_display, company_name_key
from mapping.normalize.domains import Domain, normalize_domain
from mapping.normalize.emails import Email, InvalidEmail, is_free_mail_domain, normalize_email, parse_email
from mapping.normalize.names import PersonName, parse_person_name
from mapping.normalize.phones import PhoneNumber, normalize_phone

__all__ = [
    "Domain",
    "Email",
    "InvalidEmail",
    "PersonName",
    "PhoneNumber",
    "company_name_display",
    "company_name_key",
    "is_free_mail_domain",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "parse_email",
    "parse_person_name",
]
