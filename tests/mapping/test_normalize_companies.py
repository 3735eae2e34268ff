"""Company names as each system holds them: legal forms of many countries, "&", "The", punctuation, case, accents."""

from __future__ import annotations

import pytest

from mapping.normalize import company_name_display, company_name_key
from mapping.normalize.legal_forms import LEGAL_FORMS
from sandbox.population.countries import COUNTRIES

LEGAL_SUFFIXES = [
    # country, written name, key
    ("US", "Acme Widgets, Inc.", "acme widgets"),
    ("US", "Acme Widgets Incorporated", "acme widgets"),
    ("US", "Acme Widgets LLC", "acme widgets"),
    ("US", "Acme Widgets, L.L.C.", "acme widgets"),
    ("US", "Acme Widgets Corp.", "acme widgets"),
    ("US", "Acme Widgets Company", "acme widgets"),
    ("GB", "Acme Widgets Ltd", "acme widgets"),
    ("GB", "Acme Widgets Limited", "acme widgets"),
    ("GB", "Acme Widgets PLC", "acme widgets"),
    ("GB", "Acme Widgets LLP", "acme widgets"),
    ("DE", "Acme Widgets GmbH", "acme widgets"),
    ("DE", "Acme Widgets AG", "acme widgets"),
    ("DE", "Acme Widgets GmbH & Co. KG", "acme widgets"),
    ("DE", "Acme Widgets e.K.", "acme widgets"),
    ("DE", "Acme Widgets UG (haftungsbeschränkt)", "acme widgets"),
    ("FR", "Acme Widgets SAS", "acme widgets"),
    ("FR", "Acme Widgets S.A.S.", "acme widgets"),
    ("FR", "Acme Widgets SARL", "acme widgets"),
    ("FR", "Acme Widgets S.A.", "acme widgets"),
    ("LU", "Acme Widgets S.à r.l.", "acme widgets"),
    ("NL", "Acme Widgets B.V.", "acme widgets"),
    ("NL", "Acme Widgets N.V.", "acme widgets"),
    ("IT", "Acme Widgets S.p.A.", "acme widgets"),
    ("IT", "Acme Widgets S.r.l.", "acme widgets"),
    ("ES", "Acme Widgets, S.L.", "acme widgets"),
    ("ES", "Acme Widgets S.L.U.", "acme widgets"),
    ("SE", "Acme Widgets AB", "acme widgets"),
    ("SE", "Acme Widgets AB (publ)", "acme widgets"),
    ("FI", "Acme Widgets Oy", "acme widgets"),
    ("FI", "Acme Widgets Oyj", "acme widgets"),
    ("NO", "Acme Widgets ASA", "acme widgets"),
    ("DK", "Acme Widgets A/S", "acme widgets"),
    ("DK", "Acme Widgets ApS", "acme widgets"),
    ("PL", "Acme Widgets Sp. z o.o.", "acme widgets"),
    ("CZ", "Acme Widgets s.r.o.", "acme widgets"),
    ("AU", "Acme Widgets Pty Ltd", "acme widgets"),
    ("AU", "Acme Widgets Pty. Ltd.", "acme widgets"),
    ("ZA", "Acme Widgets (Pty) Ltd", "acme widgets"),
    ("JP", "Acme Widgets K.K.", "acme widgets"),
    ("JP", "Acme Widgets Kabushiki Kaisha", "acme widgets"),
    ("JP", "Acme Widgets Co., Ltd.", "acme widgets"),
    ("SG", "Acme Widgets Pte. Ltd.", "acme widgets"),
    ("MY", "Acme Widgets Sdn. Bhd.", "acme widgets"),
    ("IN", "Acme Widgets Pvt. Ltd.", "acme widgets"),
    ("BR", "Acme Widgets Ltda.", "acme widgets"),
    ("MX", "Acme Widgets, S.A. de C.V.", "acme widgets"),
    ("CH", "Acme Widgets Sàrl", "acme widgets"),
    ("RU", "Acme Widgets OOO", "acme widgets"),
]


@pytest.mark.parametrize(("country", "raw", "key"), LEGAL_SUFFIXES, ids=[row[1] for row in LEGAL_SUFFIXES])
def test_given_a_legal_form_at_the_end_then_it_is_dropped(country: str, raw: str, key: str) -> None:
    assert company_name_key(raw) == key
    assert country in LEGAL_FORMS


def test_the_legal_form_table_covers_many_countries() -> None:
    assert len(LEGAL_FORMS) >= 8
    assert len({row[0] for row in LEGAL_SUFFIXES}) >= 8


@pytest.mark.parametrize(
    "suffix", sorted({suffix for country in COUNTRIES for suffix in country.legal_suffixes}),
)
def test_every_legal_form_the_sandbox_writes_is_dropped(suffix: str) -> None:
    assert company_name_key(f"Blue Harbor {suffix}") == "blue harbor"


SAME_COMPANY = [
    ("Johnson & Johnson", "Johnson and Johnson", "JOHNSON & JOHNSON INC."),
    ("The Acme Widgets, Inc.", "Acme Widgets", "acme widgets inc"),
    ("Müller & Söhne GmbH", "Muller and Sohne", "MÜLLER & SÖHNE"),
    ("Société Générale S.A.", "Societe Generale", "société générale"),
    ("Škoda Auto a.s.", "Skoda Auto", "ŠKODA AUTO A.S."),
    ("J.P. Morgan Chase & Co.", "J. P. Morgan Chase", "JP Morgan Chase & Co"),
    ("McDonald's Corporation", "McDonalds Corp", "MCDONALD'S"),
    ("Atlas International Corporation", "Atlas Intl Corp", "Atlas Int'l"),
    ("Northwind Technologies Ltd", "Northwind Tech Limited", "Northwind Technology"),
    ("Acme GmbH (Berlin)", "Acme GmbH", "Acme"),
    ("Acme   Widgets ,Inc.", "Acme-Widgets Inc", "acme widgets, incorporated"),
]


@pytest.mark.parametrize("names", SAME_COMPANY, ids=[row[0] for row in SAME_COMPANY])
def test_given_spellings_of_one_company_then_one_key(names: tuple[str, ...]) -> None:
    assert len({company_name_key(name) for name in names}) == 1, [company_name_key(name) for name in names]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Acme Holdings Ltd.", "acme holdings"),  # only legal forms go, "Holdings" stays
        ("Acme Group GmbH", "acme group"),
        ("Smith & Co.", "smith"),  # no dangling "and"
        ("Toyota Motor Co., Ltd.", "toyota motor"),
        ("Inc. Magazine", "inc magazine"),  # legal forms only at the end
        ("AG Barr plc", "ag barr"),
        ("Company Ltd", "company"),  # never empty: the last word stays
        ("GmbH", "gmbh"),
        ("Ltd.", "ltd"),
        ("The", "the"),
        ("The Company", "company"),
        ("!!!", "!!!"),
        ("Sol Energy Systems", "sol energy systems"),  # abbreviations are spelled out after the first word only
    ],
)
def test_given_edge_cases_then_the_key_keeps_what_names_the_company(raw: str, key: str) -> None:
    assert company_name_key(raw) == key


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_given_no_name_then_an_empty_key(raw: str | None) -> None:
    assert company_name_key(raw) == ""
    assert company_name_display(raw) == ""


def test_given_a_non_empty_name_then_never_an_empty_key() -> None:
    for raw in ["&", "The &", "Inc.", "Co., Ltd.", "...", "株式会社", "ООО"]:
        assert company_name_key(raw), raw


def test_given_a_messy_name_then_the_display_form_keeps_case_and_punctuation() -> None:
    assert company_name_display("  The   Acme Widgets ,  Inc. ") == "The Acme Widgets, Inc."
    assert company_name_display("Müller\u00a0& Söhne\tGmbH") == "Müller & Söhne GmbH"
