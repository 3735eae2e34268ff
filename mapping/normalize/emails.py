"""Email addresses: a clean address, a match key, and the flags that keep junk out of matching.

`normalize_email` trims and lower-cases what a field holds, removing a
`mailto:` prefix, angle brackets and a display name ('"Smith, Jane"
<Jane.Smith@Acme.com>'), then checks the syntax with `email-validator`
(`check_deliverability=False`: no DNS look-up, ever) and requires a top-level
domain the bundled Public Suffix List knows. `parse_email` does the same but
raises `InvalidEmail` with the reason instead of returning None.

`match_key` is what two records must share to name one mailbox: the IDN
domain in punycode ("user@xn--bcher-kva.de"), and for providers whose rules
are documented (mailboxes.PROVIDERS, with sources) the written variants
folded together — Gmail ignores dots and "+tags" and googlemail.com is
gmail.com; Outlook/Hotmail/Live, iCloud, Fastmail and Proton drop "+tags";
Proton also ignores "." "_" "-"; Yahoo's disposable "base-keyword" addresses
drop "-keyword". Company domains keep their local part as written: whether
they honour "+" or dots cannot be known without asking their mail server.
`is_role` marks shared mailboxes (info@, support@, no-reply@ ...) and
`is_free_mail` consumer providers matched by registrable domain (so
yahoo.co.uk counts): the identity layer must not link people through the
first, nor companies through the second.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from mapping.normalize.domains import normalize_domain, registrable_domain
from mapping.normalize.mailboxes import (
    FREE_MAIL_BRANDS,
    FREE_MAIL_DOMAINS,
    PROVIDERS,
    ROLE_LOCAL_PARTS,
    MailboxProvider,
)

# The last <...> of a "Display Name <address>" form.
ANGLE_ADDRESS = re.compile(r"<([^<>]*)>[^<>]*$")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# "no-reply", "no_reply" and "noreply" are one role; only "+" starts a tag there ("no-reply" stays whole).
ROLE_SEPARATORS = re.compile(r"[-_.]")
_PROVIDER_BY_DOMAIN = {domain: provider for provider in PROVIDERS for domain in provider.domains}
_PROVIDER_BY_BRAND = {brand: provider for provider in PROVIDERS for brand in provider.brands}


@dataclass(frozen=True, slots=True)
class Email:
    """A syntactically valid address with its match key and junk flags."""

    address: str  # lower-case, trimmed; the domain in Unicode as people read it
    local: str
    domain: str  # "bücher.de"
    ascii_domain: str  # "xn--bcher-kva.de"
    match_key: str  # one key per mailbox (see the module docstring)
    is_role: bool
    is_free_mail: bool


class InvalidEmail(ValueError):
    """A field that holds no usable email address; `reason` says why, in words for an admin."""

    def __init__(self, raw: str | None, reason: str) -> None:
        super().__init__(f"{raw!r} is not an email address: {reason}")
        self.raw = raw
        self.reason = reason


def normalize_email(raw: str | None) -> Email | None:
    """The normalised address in `raw`, or None when it holds none (see `parse_email` for the reason)."""
    try:
        return parse_email(raw)
    except InvalidEmail:
        return None


# Pure and costly (the domain check walks each character): the same address recurs across
# systems and between mapping and match keys. A failure raises, so it is never cached.
@functools.lru_cache(maxsize=65536)
def parse_email(raw: str | None) -> Email:
    """The normalised address in `raw`; raises `InvalidEmail` with a reason when there is none."""
    text = _unwrap(raw)
    if not text:
        raise InvalidEmail(raw, "the field is empty")
    try:
        # No deliverability check: that would be a DNS query, and mapping talks to no one.
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(raw, str(error)) from None
    local, ascii_domain = unicodedata.normalize("NFC", checked.local_part), checked.ascii_domain
    registrable = registrable_domain(ascii_domain)
    if registrable is None:
        raise InvalidEmail(raw, f"'{checked.domain}' does not end in a known top-level domain")
    return Email(
        address=f"{local}@{checked.domain}",
        local=local,
        domain=checked.domain,
        ascii_domain=ascii_domain,
        match_key=_match_key(local, ascii_domain, registrable),
        is_role=is_role_local_part(local),
        is_free_mail=_is_free_mail_registrable(registrable),
    )


def is_role_local_part(local: str) -> bool:
    """True for a shared mailbox's local part: "info", "Sales+eu", "no-reply", "customer_service"."""
    base = local.lower().split("+", 1)[0]
    return ROLE_SEPARATORS.sub("", base) in ROLE_LOCAL_PARTS


def is_free_mail_domain(domain: str) -> bool:
    """True when `domain` (a host, URL or address) belongs to a consumer mailbox provider."""
    normalized = normalize_domain(domain)
    return normalized is not None and _is_free_mail_registrable(normalized.registrable)


def _unwrap(raw: str | None) -> str:
    if raw is None:
        return ""
    text = raw.translate(INVISIBLE).strip()
    match = ANGLE_ADDRESS.search(text)
    if match:
        text = match.group(1).strip()  # drop the display name
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :].split("?", 1)[0]
    return text.strip().strip("'\"").strip().rstrip(".").lower()


def _match_key(local: str, ascii_domain: str, registrable: str) -> str:
    provider = _provider(registrable)
    if provider is None:
        return f"{local}@{ascii_domain}"
    if provider.tag_separator:
        local = local.split(provider.tag_separator, 1)[0] or local
    for character in provider.ignored_characters:
        local = local.replace(character, "")
    return f"{local}@{provider.canonical_domain or registrable}"


def _provider(registrable: str) -> MailboxProvider | None:
    return _PROVIDER_BY_DOMAIN.get(registrable) or _PROVIDER_BY_BRAND.get(registrable.split(".", 1)[0])


@functools.lru_cache(maxsize=4096)
def _is_free_mail_registrable(registrable: str) -> bool:
    return registrable in FREE_MAIL_DOMAINS or registrable.split(".", 1)[0] in FREE_MAIL_BRANDS
