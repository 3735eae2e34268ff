"""Email addresses as people type them: case, spaces, display names, provider aliases, IDN, role and free mail."""

from __future__ import annotations

import pytest

from mapping.normalize import InvalidEmail, is_free_mail_domain, normalize_email, parse_email
from mapping.normalize.mailboxes import PROVIDERS

TIDIED = [
    ("John.Smith@Acme.COM", "john.smith@acme.com"),
    ("  jane.doe@acme.co.uk  ", "jane.doe@acme.co.uk"),
    ("\u200bjane.doe@acme.co.uk\ufeff", "jane.doe@acme.co.uk"),
    ("Jane Doe <Jane.Doe@Acme.co.uk>", "jane.doe@acme.co.uk"),
    ('"Doe, Jane" <jane.doe@acme.co.uk>', "jane.doe@acme.co.uk"),
    ("<jane.doe@acme.co.uk>", "jane.doe@acme.co.uk"),
    ("mailto:Jane.Doe@acme.co.uk", "jane.doe@acme.co.uk"),
    ("MAILTO:jane.doe@acme.co.uk?subject=Renewal", "jane.doe@acme.co.uk"),
    ("'jane.doe@acme.co.uk'", "jane.doe@acme.co.uk"),
    ("jane.doe@acme.co.uk.", "jane.doe@acme.co.uk"),
]


@pytest.mark.parametrize(("raw", "address"), TIDIED, ids=[row[0] for row in TIDIED])
def test_given_a_typed_address_when_normalised_then_trimmed_lower_case_and_unwrapped(raw: str, address: str) -> None:
    email = normalize_email(raw)
    assert email is not None
    assert email.address == address
    assert email.match_key == address  # a company domain keeps its local part as written


MATCH_KEYS = [
    # Gmail: dots and +tags do not count; googlemail.com is gmail.com
    ("J.O.H.N.Smith@gmail.com", "johnsmith@gmail.com"),
    ("john.smith+crm@gmail.com", "johnsmith@gmail.com"),
    ("John.Smith+newsletter@GoogleMail.com", "johnsmith@gmail.com"),
    # Microsoft: +tags dropped, dots count, each domain its own namespace
    ("jane.doe+crm@outlook.com", "jane.doe@outlook.com"),
    ("jane.doe+1@hotmail.co.uk", "jane.doe@hotmail.co.uk"),
    ("jane.doe+x@live.com", "jane.doe@live.com"),
    # Apple: one account name across icloud.com, me.com and mac.com
    ("jane+shop@icloud.com", "jane@icloud.com"),
    ("jane@me.com", "jane@icloud.com"),
    ("jane@mac.com", "jane@icloud.com"),
    # Proton: ".", "_" and "-" are transparent, +aliases, pm.me and proton.me are the same account
    ("jane.doe+crm@protonmail.com", "janedoe@protonmail.com"),
    ("jane_doe@proton.me", "janedoe@protonmail.com"),
    ("jane-doe@pm.me", "janedoe@protonmail.com"),
    # Fastmail: +tags
    ("jane+crm@fastmail.com", "jane@fastmail.com"),
    # Yahoo: disposable base-keyword addresses; no "+" addressing
    ("janebase-shopping@yahoo.com", "janebase@yahoo.com"),
    ("janebase-news@yahoo.co.uk", "janebase@yahoo.co.uk"),
    ("jane+crm@yahoo.com", "jane+crm@yahoo.com"),
    # Anyone else: as written
    ("jane.doe+crm@acme.com", "jane.doe+crm@acme.com"),
    ("jane.doe@gmail.acme.com", "jane.doe@gmail.acme.com"),
]


@pytest.mark.parametrize(("raw", "match_key"), MATCH_KEYS, ids=[row[0] for row in MATCH_KEYS])
def test_given_a_provider_alias_when_normalised_then_the_mailbox_key(raw: str, match_key: str) -> None:
    email = normalize_email(raw)
    assert email is not None
    assert email.match_key == match_key
    assert email.address == raw.lower()  # the address itself is never rewritten


def test_every_provider_rule_names_its_source() -> None:
    assert all(provider.source for provider in PROVIDERS)


@pytest.mark.parametrize(
    "raw",
    ["info@acme.com", "Support@acme.com", "no-reply@acme.com", "noreply@acme.com", "no_reply@acme.com",
     "sales+eu@acme.de", "customer.service@acme.com", "Kontakt@acme.de", "billing@acme.co.uk", "hr@acme.com",
     "postmaster@acme.com", "webmaster@acme.com", "office@acme.at", "team@acme.io", "accounts@acme.com"],
)
def test_given_a_shared_mailbox_then_it_is_a_role_address(raw: str) -> None:
    email = normalize_email(raw)
    assert email is not None and email.is_role


@pytest.mark.parametrize(
    "raw", ["john@acme.com", "information.desk.jane@acme.com", "infoman@acme.com", "bill@acme.com"]
)
def test_given_a_person_then_not_a_role_address(raw: str) -> None:
    email = normalize_email(raw)
    assert email is not None and not email.is_role


@pytest.mark.parametrize(
    ("raw", "free"),
    [
        ("jane@gmail.com", True), ("jane@googlemail.com", True), ("jane@yahoo.com", True),
        ("jane@yahoo.co.uk", True), ("jane@yahoo.co.jp", True), ("jane@hotmail.fr", True),
        ("jane@outlook.de", True), ("jane@gmx.de", True), ("jane@gmx.at", True), ("jane@web.de", True),
        ("jane@mail.ru", True), ("jane@yandex.ru", True), ("jane@qq.com", True), ("jane@163.com", True),
        ("jane@proton.me", True), ("jane@icloud.com", True), ("jane@btinternet.com", True),
        ("jane@bigpond.com", True), ("jane@uol.com.br", True),
        ("jane@acme.com", False), ("jane@yahoo-partners.com", False), ("jane@mail.acme.co.uk", False),
        ("jane@gmailcorp.com", False),
    ],
)
def test_given_an_address_then_free_mail_is_recognised_by_registrable_domain(raw: str, free: bool) -> None:
    email = normalize_email(raw)
    assert email is not None and email.is_free_mail is free


def test_given_a_website_or_host_then_free_mail_domains_are_recognised_too() -> None:
    assert is_free_mail_domain("https://www.gmx.at/")
    assert is_free_mail_domain("YAHOO.CO.UK")
    assert not is_free_mail_domain("acme.co.uk")
    assert not is_free_mail_domain("not a domain")


IDN = [
    ("user@bücher.de", "user@bücher.de", "bücher.de", "xn--bcher-kva.de", "user@xn--bcher-kva.de"),
    ("USER@BÜCHER.DE", "user@bücher.de", "bücher.de", "xn--bcher-kva.de", "user@xn--bcher-kva.de"),
    ("user@xn--bcher-kva.de", "user@bücher.de", "bücher.de", "xn--bcher-kva.de", "user@xn--bcher-kva.de"),
    ("jörg@müller.de", "jörg@müller.de", "müller.de", "xn--mller-kva.de", "jörg@xn--mller-kva.de"),
    ("info@пример.рф", "info@пример.рф", "пример.рф", "xn--e1afmkfd.xn--p1ai", "info@xn--e1afmkfd.xn--p1ai"),
]


@pytest.mark.parametrize(("raw", "address", "domain", "ascii_domain", "match_key"), IDN, ids=[row[0] for row in IDN])
def test_given_an_idn_domain_then_punycode_in_the_key_and_unicode_for_people(
    raw: str, address: str, domain: str, ascii_domain: str, match_key: str
) -> None:
    email = normalize_email(raw)
    assert email is not None
    assert (email.address, email.domain) == (address, domain)
    assert (email.ascii_domain, email.match_key) == (ascii_domain, match_key)


INVALID = [
    (None, "empty"),
    ("", "empty"),
    ("   ", "empty"),
    ("john smith@acme.com", "SPACE"),
    ("john@acme", "period"),
    ("@acme.com", "before the @-sign"),
    ("john@", "after the @-sign"),
    ("john@@acme.com", "@"),
    ("john..smith@acme.com", "two periods"),
    ("john@acme.con", "top-level domain"),
    ("john@acme.internal", "top-level domain"),
    ("john@localhost", "period"),
    ("john@[192.168.0.1]", "IP address"),
    ("Jane Doe", "@"),
]


@pytest.mark.parametrize(("raw", "reason_part"), INVALID, ids=[repr(row[0]) for row in INVALID])
def test_given_no_valid_address_then_none_and_a_reason(raw: str | None, reason_part: str) -> None:
    assert normalize_email(raw) is None
    with pytest.raises(InvalidEmail) as caught:
        parse_email(raw)
    assert reason_part.lower() in caught.value.reason.lower()
    assert caught.value.raw == raw
