"""Phone numbers as CRMs hold them: national and international formats, extensions, junk and placeholders."""

from __future__ import annotations

import pytest

from mapping.normalize import PhoneNumber, normalize_phone

# (raw, the record's country, E.164, region of the number)
INTERNATIONAL = [
    ("(212) 360-9930", "US", "+12123609930", "US"),
    ("212.360.9930", "US", "+12123609930", "US"),
    ("212-360-9930", "US", "+12123609930", "US"),
    ("1-212-360-9930", "US", "+12123609930", "US"),
    ("+1 (212) 360-9930", "US", "+12123609930", "US"),
    ("tel:+1-212-360-9930", "US", "+12123609930", "US"),
    ("+1 416 923 4817", "US", "+14169234817", "CA"),
    ("020 8123 4599", "GB", "+442081234599", "GB"),
    ("+44 (0)20 8123 4599", "US", "+442081234599", "GB"),
    ("0044 20 8123 4599", "US", "+442081234599", "GB"),
    ("011 44 20 8123 4599", "US", "+442081234599", "GB"),
    ("07400 918273", "GB", "+447400918273", "GB"),
    ("030 2847 5519", "DE", "+493028475519", "DE"),
    ("030/28475519", "DE", "+493028475519", "DE"),
    ("+49 (0)30 2847 5519", "FR", "+493028475519", "DE"),
    ("0049 30 28475519", "US", "+493028475519", "DE"),
    ("0151 4827 3916", "DE", "+4915148273916", "DE"),
    ("01 42 68 53 00", "FR", "+33142685300", "FR"),
    ("06.81.92.47.35", "FR", "+33681924735", "FR"),
    ("0033 6 81 92 47 35", "DE", "+33681924735", "FR"),
    ("(02) 9374 8215", "AU", "+61293748215", "AU"),
    ("0412 583 907", "AU", "+61412583907", "AU"),
    ("+61 412 583 907", "US", "+61412583907", "AU"),
    ("03-5412-8837", "JP", "+81354128837", "JP"),
    ("090-2847-1934", "JP", "+819028471934", "JP"),
    ("+81 3 5412 8837", "US", "+81354128837", "JP"),
    ("(11) 98472-3615", "BR", "+5511984723615", "BR"),
    ("+55 21 3847-2910", "US", "+552138472910", "BR"),
    ("098452 37169", "IN", "+919845237169", "IN"),
    ("+91 80 4128 3367", "US", "+918041283367", "IN"),
    ("＋４９ ３０ ２８４７ ５５１９", "US", "+493028475519", "DE"),
    ("Tel.: +41 44 668 18 00", "US", "+41446681800", "CH"),
]


@pytest.mark.parametrize(("raw", "country", "e164", "region"), INTERNATIONAL, ids=[row[0] for row in INTERNATIONAL])
def test_given_a_written_number_when_normalised_then_its_e164_and_region(
    raw: str, country: str, e164: str, region: str
) -> None:
    phone = normalize_phone(raw, country)
    assert phone == PhoneNumber(e164, None, region, False)


EXTENSIONS = [
    ("(212) 360-9930 x123", "US", "+12123609930", "123"),
    ("212-360-9930 ext. 45", "US", "+12123609930", "45"),
    ("212-360-9930 ext 45", "US", "+12123609930", "45"),
    ("212-360-9930 extension 45", "US", "+12123609930", "45"),
    ("212-360-9930 x.45", "US", "+12123609930", "45"),
    ("+1 212 360 9930 (ext 45)", "US", "+12123609930", "45"),
    ("+1 212 360 9930;ext=45", "US", "+12123609930", "45"),
    ("+44 20 8123 4599 #12", "US", "+442081234599", "12"),
    ("030 2847 5519 Durchwahl 12", "DE", "+493028475519", "12"),
    ("01 42 68 53 00 poste 3", "FR", "+33142685300", "3"),
]


@pytest.mark.parametrize(("raw", "country", "e164", "extension"), EXTENSIONS, ids=[row[0] for row in EXTENSIONS])
def test_given_an_extension_when_normalised_then_it_is_kept_apart_from_the_e164_key(
    raw: str, country: str, e164: str, extension: str
) -> None:
    phone = normalize_phone(raw, country)
    assert phone is not None
    assert (phone.e164, phone.extension) == (e164, extension)


@pytest.mark.parametrize(
    "raw", [None, "", "   ", "n/a", "call me", "12345", "+1 212 360 99", "+999 123 456", "212 360 9930 9930 9930 99"]
)
def test_given_no_valid_number_when_normalised_then_none(raw: str | None) -> None:
    assert normalize_phone(raw, "US") is None


PLACEHOLDERS = [
    ("000-000-0000", "US"),
    ("(555) 555-5555", "US"),
    ("123-456-7890", "US"),
    ("1234567890", "US"),
    ("111-111-1111", "US"),
    ("212-555-0142", "US"),  # the 555-0100..0199 fiction range
    ("+1 415 555 0199", "US"),
    ("020 7946 0958", "GB"),  # Ofcom's drama numbers
    ("+44 7700 900123", "US"),
    ("0161 496 0123", "GB"),
    ("(02) 5550 1234", "AU"),  # ACMA's
    ("030 12345678", "DE"),
    ("06 12 34 56 78", "FR"),
]


@pytest.mark.parametrize(("raw", "country"), PLACEHOLDERS, ids=[row[0] for row in PLACEHOLDERS])
def test_given_a_placeholder_when_normalised_then_it_is_flagged_not_dropped(raw: str, country: str) -> None:
    phone = normalize_phone(raw, country)
    assert phone is not None, "a placeholder must reach the identity layer flagged"
    assert phone.is_placeholder


def test_given_several_numbers_in_one_field_when_normalised_then_the_first_valid_one() -> None:
    assert normalize_phone("n/a; 212-360-9930 / 212-360-9931", "US") == normalize_phone("212-360-9930", "US")
    assert normalize_phone("212-360-9930, 212-360-9931", "US") == PhoneNumber("+12123609930", None, "US", False)


def test_given_a_region_in_any_case_or_none_when_normalised_then_national_numbers_need_one() -> None:
    assert normalize_phone("020 8123 4599", "gb") == normalize_phone("020 8123 4599", "GB")
    assert normalize_phone("020 8123 4599", None) is None
    assert normalize_phone("+44 20 8123 4599", None) == PhoneNumber("+442081234599", None, "GB", False)


def test_given_the_same_number_in_every_style_the_generator_writes_then_one_key() -> None:
    styles = [
        "+49 30 28475519", "+4930 28475519", "+49 (0)30 28475519", "0049 30 28475519", "030 28475519",
        "030-28475519", "(030) 28475519",
    ]
    assert {normalize_phone(raw, "DE").e164 for raw in styles} == {"+493028475519"}  # type: ignore[union-attr]
