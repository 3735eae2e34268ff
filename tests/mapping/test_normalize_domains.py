"""Domains from Website fields, bare hosts and addresses; IDN; multi-part suffixes; no network, ever."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import publicsuffixlist
import pytest

from mapping.normalize import Domain, domains, normalize_domain, normalize_email, normalize_phone, parse_person_name

REPO = Path(__file__).resolve().parents[2]

URLS = [
    ("https://www.Acme.co.uk/about?x=1", "acme.co.uk", "acme.co.uk", "co.uk"),
    ("https://user:secret@www.acme.co.uk:8443/about?x=1#team", "acme.co.uk", "acme.co.uk", "co.uk"),
    ("HTTP://WWW.ACME.COM/", "acme.com", "acme.com", "com"),
    ("www.acme.com/en-us/index.html", "acme.com", "acme.com", "com"),
    ("acme.com:8080", "acme.com", "acme.com", "com"),
    ("//acme.com/path", "acme.com", "acme.com", "com"),
    ("Acme.com.", "acme.com", "acme.com", "com"),
    ("  www2.acme.co.jp  ", "acme.co.jp", "acme.co.jp", "co.jp"),
    ("shop.acme.com.au", "shop.acme.com.au", "acme.com.au", "com.au"),
    ("https://www.acme.com.br/contato", "acme.com.br", "acme.com.br", "com.br"),
    ("jane.doe@Acme.co.uk", "acme.co.uk", "acme.co.uk", "co.uk"),
    ("mailto:jane@acme.de", "acme.de", "acme.de", "de"),
    ("acme.com, acme.de", "acme.com", "acme.com", "com"),
    ("<https://acme.io>", "acme.io", "acme.io", "io"),
    ("acme.github.io", "acme.github.io", "acme.github.io", "github.io"),  # private suffixes count
    ("www.com", "www.com", "www.com", "com"),  # "www" is the name here, not a prefix
]


@pytest.mark.parametrize(("raw", "host", "registrable", "suffix"), URLS, ids=[row[0] for row in URLS])
def test_given_a_url_host_or_address_when_normalised_then_host_registrable_and_suffix(
    raw: str, host: str, registrable: str, suffix: str
) -> None:
    assert normalize_domain(raw) == Domain(host, registrable, suffix, host)


IDN = ["münchen.de", "MÜNCHEN.DE", "xn--mnchen-3ya.de", "https://www.münchen.de/über/", "http://XN--MNCHEN-3YA.DE"]


@pytest.mark.parametrize("raw", IDN)
def test_given_an_idn_in_either_form_then_punycode_keys_and_a_unicode_display(raw: str) -> None:
    domain = normalize_domain(raw)
    assert domain == Domain("xn--mnchen-3ya.de", "xn--mnchen-3ya.de", "de", "münchen.de")
    assert domain.unicode_registrable == "münchen.de"


def test_given_an_idn_top_level_domain_then_both_labels_are_punycode() -> None:
    domain = normalize_domain("https://пример.рф/")
    assert domain is not None
    assert (domain.registrable, domain.suffix) == ("xn--e1afmkfd.xn--p1ai", "xn--p1ai")
    assert domain.unicode_host == "пример.рф"


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", "co.uk", "com", "localhost", "intranet", "acme.con", "acme.internal", "192.168.0.1",
     "http://10.0.0.1:8080/", "http://[::1]/", "http://[broken", "acme_corp.com", "-acme.com", "xn--zz.de", "http://",
     "n/a", "a" * 64 + ".com"],
)
def test_given_no_usable_domain_then_none(raw: str | None) -> None:
    assert normalize_domain(raw) is None


def test_the_public_suffix_list_ships_inside_the_wheel() -> None:
    bundled = Path(publicsuffixlist.PSLFILE)
    assert bundled.is_file() and bundled.stat().st_size > 100_000
    assert "// ===BEGIN ICANN DOMAINS===" in bundled.read_text(encoding="utf-8")


def test_given_the_network_blocked_when_normalising_then_everything_still_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The suffix list is parsed afresh with every way out of the process refusing to connect."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a normaliser tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(AssertionError):  # the block itself works
        socket.socket().connect(("127.0.0.1", 9))
    domains._public_suffixes.cache_clear()  # load the list again, now with the network gone
    domains._to_ascii.cache_clear()

    assert normalize_domain("https://www.münchen.de/").registrable == "xn--mnchen-3ya.de"  # type: ignore[union-attr]
    assert normalize_domain("shop.acme.co.uk").registrable == "acme.co.uk"  # type: ignore[union-attr]
    assert normalize_email("J.Smith+crm@GoogleMail.com").match_key == "jsmith@gmail.com"  # type: ignore[union-attr]
    assert normalize_email("user@bücher.de").ascii_domain == "xn--bcher-kva.de"  # type: ignore[union-attr]
    assert normalize_email("x@acme.con") is None
    assert normalize_phone("020 8123 4599", "GB").e164 == "+442081234599"  # type: ignore[union-attr]
    assert parse_person_name("van der Berg, Jan").family_key == "vanderberg"


def test_given_a_fresh_interpreter_without_network_when_importing_and_normalising_then_no_connection() -> None:
    """Import time included: the process has no socket that can connect before the package is imported."""
    script = textwrap.dedent(
        """
        import socket, sys

        def refuse(*args, **kwargs):
            raise SystemExit("network used: " + repr(args[1:] if len(args) > 1 else args))

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        try:
            socket.create_connection(("127.0.0.1", 9))
        except SystemExit:
            pass
        else:
            raise SystemExit("the network block is not in force")

        from mapping.normalize import normalize_domain, normalize_email

        assert normalize_domain("https://www.Acme.co.uk/about").suffix == "co.uk"
        assert normalize_email("info@yahoo.co.uk").is_free_mail
        assert "publicsuffixlist.update" not in sys.modules
        print("offline ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "offline ok"
