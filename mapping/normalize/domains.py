"""Domains: one host and its registrable domain from a URL, a bare domain or an email address.

`normalize_domain` takes what people type into Website and domain fields
("https://user:pw@www.Acme.co.uk:8443/about?x=1#top", "www.acme.co.uk/",
"Acme.co.uk.", "jane@acme.co.uk") and returns the host without scheme,
credentials, port, path, query, fragment, trailing dots or a leading "www."
/ "www2.". Internationalised names are converted to punycode with the `idna`
package (UTS #46 mapping, so "MÜNCHEN.de" and "xn--mnchen-3ya.de" meet) and
the Unicode form is kept for display. The public suffix comes from
`publicsuffixlist`, whose Public Suffix List snapshot ships inside the wheel:
nothing here touches the network (its `update` helper is never imported), and
a host whose top-level domain the list does not know ("acme.con", "intranet")
is rejected rather than guessed. `registrable` ("acme.co.uk" for
"shop.acme.co.uk") is the company match key; private suffixes count as
suffixes, so two shops on "myshopify.com" stay two companies.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from publicsuffixlist import PublicSuffixList

MAX_HOST_LENGTH = 253
# Web-server prefixes that name the same site as the bare domain.
WWW_PREFIX = re.compile(r"^www\d*\.")
ASCII_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Several values typed into one field ("acme.com, acme.de"): the first one counts.
VALUE_SEPARATORS = re.compile(r"[\s,;|]+")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


@dataclass(frozen=True, slots=True)
class Domain:
    """A normalised host: ASCII (punycode) forms for keys, a Unicode form for people."""

    host: str  # "shop.acme.co.uk", "xn--mnchen-3ya.de"; no "www."
    registrable: str  # "acme.co.uk": the public suffix plus one label, the company match key
    suffix: str  # "co.uk"
    unicode_host: str  # "münchen.de"

    @property
    def unicode_registrable(self) -> str:
        return _to_unicode(self.registrable) or self.registrable


def normalize_domain(raw: str | None) -> Domain | None:
    """The domain in a URL, a bare host name or an email address; None when there is none.

    >>> normalize_domain("https://www.Acme.co.uk/about?x=1").registrable
    'acme.co.uk'
    """
    host = _extract_host(raw)
    ascii_host = _to_ascii(host) if host else None
    if ascii_host is None:
        return None
    match = WWW_PREFIX.match(ascii_host)
    if match and registrable_domain(ascii_host[match.end() :]) is not None:
        ascii_host = ascii_host[match.end() :]  # but "www.com" stays a domain of its own
    registrable = registrable_domain(ascii_host)
    if registrable is None:
        return None
    suffix = _public_suffixes().publicsuffix(ascii_host) or ""
    return Domain(ascii_host, registrable, suffix, _to_unicode(ascii_host) or ascii_host)


def registrable_domain(ascii_host: str) -> str | None:
    """The public suffix plus one label of an ASCII host ("acme.co.uk"); None for a suffix or an unknown TLD."""
    return _public_suffixes().privatesuffix(ascii_host)


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    # Parsed once from the list bundled in the wheel (about 0.1 s); unknown TLDs are not suffixes.
    return PublicSuffixList(accept_unknown=False)


def _extract_host(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = raw.translate(INVISIBLE).strip().strip("<>\"'()[]")
    if not text:
        return None
    text = VALUE_SEPARATORS.split(text, maxsplit=1)[0]
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "://" not in text and not text.startswith("//"):
        # A bare host or an email address: only the part after the last "@" is a host.
        text = "//" + text.rsplit("@", 1)[-1]
    try:
        host = urlsplit(text).hostname  # drops credentials and port, lower-cases
    except ValueError:  # an unbalanced "[" of an IPv6 literal
        return None
    if not host:
        return None
    host = host.strip(".")
    return host if host and not _is_ip_address(host) else None


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=65536)  # hosts repeat (every colleague of a company); conversion is pure
def _to_ascii(host: str) -> str | None:
    if host.isascii():
        labels = host.split(".")
        if not all(ASCII_LABEL.match(label) for label in labels):
            return None
        if any(label.startswith("xn--") for label in labels) and _to_unicode(host) is None:
            return None  # a malformed A-label
        ascii_host = host
    else:
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return None
    return ascii_host if len(ascii_host) <= MAX_HOST_LENGTH and "." in ascii_host else None


@functools.lru_cache(maxsize=65536)
def _to_unicode(ascii_host: str) -> str | None:
    if "xn--" not in ascii_host:
        return ascii_host
    try:
        return idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError):
        return None
