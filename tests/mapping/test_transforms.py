"""The named transforms of mapping specs, one by one, on values as the three CRMs really send them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from mapping.spec import parse_transform
from mapping.transforms import (
    TRANSFORMS,
    DroppedValue,
    RecordContext,
    TransformError,
    country_code,
)
from sandbox.population.countries import COUNTRIES


def run(step: Any, value: Any, payload: dict[str, Any] | None = None, default_region: str | None = "US") -> Any:
    """Apply one transform as a spec writes it (`lower`, `{split: ";"}`, `{to_e164: {...}}`) to one value."""
    call = parse_transform(step)
    return call.transform.apply(value, call.args, RecordContext(payload or {}, default_region))


def test_given_the_transform_table_then_every_transform_has_tests_in_this_file() -> None:
    covered = {
        "lower", "strip", "join", "split", "split_name", "to_e164", "email", "domain_from_email", "domain_from_url",
        "company_name_key", "map_values", "datetime", "date", "epoch_ms", "epoch_s", "number", "integer", "boolean",
        "custom_field", "matches",
    }  # fmt: skip
    assert set(TRANSFORMS) == covered


# --- text ---------------------------------------------------------------------------------------


def test_given_mixed_case_text_when_lowered_then_only_the_case_changes() -> None:
    assert run("lower", "  ACME Corp ") == "  acme corp "
    assert run("lower", "ÜBER GmbH") == "über gmbh"


def test_given_a_zendesk_number_when_lowered_then_it_becomes_text() -> None:
    assert run("lower", 360001234) == "360001234"


def test_given_padded_text_with_tabs_newlines_and_nbsp_when_stripped_then_single_spaces() -> None:
    assert run("strip", "  ACME \t  Corp \n") == "ACME Corp"
    assert run("strip", "Acme\xa0 Corp\r\n") == "Acme Corp"


def test_given_only_whitespace_when_stripped_then_null() -> None:
    assert run("strip", " \t\n ") is None


def test_given_name_parts_with_gaps_when_joined_then_one_value_without_empty_parts() -> None:
    assert run("join", ["Jane", None, "", " Doe "]) == ["Jane Doe"]
    assert run({"join": ", "}, ["12 High St", "Flat 3"]) == ["12 High St, Flat 3"]


def test_given_nothing_to_join_when_joined_then_no_value() -> None:
    assert run("join", [None, ""]) == []


def test_given_hubspot_additional_emails_when_split_then_each_address_trimmed_and_empties_dropped() -> None:
    assert run({"split": ";"}, "jane@acme.com; j.doe@gmail.com;;") == ["jane@acme.com", "j.doe@gmail.com"]


def test_given_another_separator_when_split_then_that_separator_is_used() -> None:
    assert run({"split": ","}, "vip, beta,,churn-risk") == ["vip", "beta", "churn-risk"]
    assert run({"split": ","}, "a;b") == ["a;b"]


# --- names --------------------------------------------------------------------------------------

NAMES = [
    # (whole name, first, last, full)
    ("Ludwig van Beethoven", "Ludwig", "van Beethoven", "Ludwig van Beethoven"),
    ("Martin Luther King Jr.", "Martin Luther", "King", "Martin Luther King Jr."),
    ("Dr. Jane  Q. Public", "Jane Q.", "Public", "Jane Q. Public"),
    ("smith, john", "john", "smith", "John Smith"),
    ("Cher", "Cher", None, "Cher"),
]


@pytest.mark.parametrize(("whole", "first", "last", "full"), NAMES, ids=[row[0] for row in NAMES])
def test_given_a_zendesk_single_name_field_when_split_then_first_last_and_full(whole: str, first: str, last: str | None, full: str) -> None:
    assert run({"split_name": "first"}, whole) == first
    assert run({"split_name": "last"}, whole) == last
    assert run({"split_name": "full"}, whole) == full


def test_given_a_blank_name_when_split_then_no_part() -> None:
    assert run({"split_name": "first"}, "   ") is None
    assert run({"split_name": "last"}, "   ") is None


def test_given_an_unknown_name_part_when_the_transform_is_parsed_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="split_name.*'first', 'last' or 'full'"):
        parse_transform({"split_name": "middle"})


# --- phones -------------------------------------------------------------------------------------


def test_given_a_default_region_argument_when_a_national_number_is_read_then_it_is_read_there() -> None:
    assert run({"to_e164": "GB"}, "020 8123 4599") == "+442081234599"
    assert run({"to_e164": {"default_region": "GB"}}, "020 8123 4599", default_region="US") == "+442081234599"


def test_given_no_region_argument_when_a_national_number_is_read_then_the_runs_default_region_is_used() -> None:
    assert run("to_e164", "(212) 360-9930", default_region="US") == "+12123609930"
    assert run("to_e164", "030 2847 5519", default_region="DE") == "+493028475519"


@pytest.mark.parametrize("country", ["United Kingdom", "UK", "GB", "gb", "Great Britain", "England", " united kingdom "])
def test_given_region_from_a_country_field_when_a_national_number_is_read_then_that_countrys_plan_is_used(country: str) -> None:
    payload = {"MailingCountry": country}
    assert run({"to_e164": {"region_from": "MailingCountry"}}, "020 8123 4599", payload) == "+442081234599"


def test_given_region_from_an_email_with_a_country_code_domain_then_the_domain_tells_the_country() -> None:
    payload = {"MailingCountry": None, "Email": "x@acme.co.uk"}
    assert run({"to_e164": {"region_from": ["MailingCountry", "Email"]}}, "0121 554 3426", payload) == "+441215543426"


def test_given_region_from_a_website_with_a_country_code_domain_then_the_domain_tells_the_country() -> None:
    payload = {"BillingCountry": "  ", "Website": "https://www.acme.de/kontakt"}
    assert run({"to_e164": {"region_from": ["BillingCountry", "Website"]}}, "030 2847 5519", payload) == "+493028475519"


def test_given_region_from_paths_in_order_when_the_first_names_a_country_then_later_ones_are_not_used() -> None:
    payload = {"Country": "Germany", "Email": "x@acme.co.uk"}
    assert run({"to_e164": {"region_from": ["Country", "Email"]}}, "030 2847 5519", payload) == "+493028475519"


def test_given_region_from_a_nested_path_then_the_dotted_path_is_followed() -> None:
    payload = {"properties": {"country": "United Kingdom"}}
    assert run({"to_e164": {"region_from": "properties.country"}}, "07400 918273", payload) == "+447400918273"


def test_given_a_generic_email_domain_when_no_country_is_found_then_the_default_region_is_used() -> None:
    payload = {"Email": "jane@gmail.com"}
    assert run({"to_e164": {"region_from": "Email"}}, "(212) 360-9930", payload) == "+12123609930"


def test_given_an_unknown_country_name_when_read_then_the_default_region_is_used() -> None:
    payload = {"Country": "Atlantis"}
    assert run({"to_e164": {"region_from": "Country"}}, "(212) 360-9930", payload) == "+12123609930"


def test_given_an_international_number_when_the_country_field_says_otherwise_then_the_number_keeps_its_own_country() -> None:
    payload = {"MailingCountry": "United States"}
    assert run({"to_e164": {"region_from": "MailingCountry"}}, "+49 (0)30 2847 5519", payload) == "+493028475519"


def test_given_a_number_with_an_extension_when_read_then_the_extension_is_kept_as_ext() -> None:
    assert run("to_e164", "(212) 360-9930 ext. 12") == "+12123609930;ext=12"
    assert run("to_e164", "+1 212 360 9930 x12") == "+12123609930;ext=12"


@pytest.mark.parametrize("junk", ["n/a", "12", "call me", "+", "000"])
def test_given_no_phone_number_when_read_then_the_value_is_dropped_with_the_reason(junk: str) -> None:
    with pytest.raises(DroppedValue, match="is not a phone number") as raised:
        run("to_e164", junk)
    assert repr(junk) in str(raised.value)


def test_given_a_national_number_under_the_wrong_country_when_read_then_it_is_dropped_naming_the_region() -> None:
    with pytest.raises(DroppedValue, match=r"read as US"):
        run("to_e164", "0121 554 3426", default_region="US")


def test_given_a_country_name_pycountry_does_not_list_when_read_then_the_default_region_decides() -> None:
    # pycountry knows English names and ISO codes only; "Deutschland" falls through to the default region.
    payload = {"MailingCountry": "Deutschland"}
    assert run({"to_e164": {"region_from": "MailingCountry", "default_region": "DE"}}, "030 2847 5519", payload) == "+493028475519"


SANDBOX_COUNTRY_TEXTS = [(text, country.code) for country in COUNTRIES for text in (country.name, *country.aliases)]
# Names pycountry (English only) does not know; loophub resolves them through its alias table.
NATIVE_AND_COLLOQUIAL = {"Deutschland", "The Netherlands", "Italia", "España", "Sverige", "Suomi", "Schweiz", "Suisse", "Eire", "Republic of Ireland", "Brasil"}


@pytest.mark.parametrize(("text", "code"), [row for row in SANDBOX_COUNTRY_TEXTS if row[0] not in NATIVE_AND_COLLOQUIAL], ids=lambda value: str(value))
def test_given_a_country_as_people_type_it_when_looked_up_then_its_iso_code(text: str, code: str) -> None:
    assert country_code(text) == code


def test_given_a_native_or_colloquial_country_name_when_looked_up_then_its_iso_code() -> None:
    expected = {text: code for text, code in SANDBOX_COUNTRY_TEXTS if text in NATIVE_AND_COLLOQUIAL}
    assert {text: country_code(text) for text in expected} == expected


def test_given_a_german_contact_whose_country_is_written_deutschland_when_its_phone_is_read_then_german() -> None:
    payload = {"MailingCountry": "Deutschland", "Email": "jonas.weber@gmx.net"}
    assert run({"to_e164": {"region_from": ["MailingCountry", "Email"]}}, "030 2847 5519", payload) == "+493028475519"


@pytest.mark.parametrize("email", ["jane@acme.io", "jane@acme.co", "jane@acme.me", "jane@acme.tv"])
def test_given_a_startup_email_on_a_vanity_cctld_when_a_us_number_is_read_then_the_default_region_is_used(email: str) -> None:
    payload = {"properties": {"country": None, "email": email}}
    assert run({"to_e164": {"region_from": ["properties.country", "properties.email"]}}, "(212) 360-9930", payload) == "+12123609930"


# --- emails and domains -------------------------------------------------------------------------


def test_given_an_address_with_display_name_and_capitals_when_read_then_the_bare_lower_case_address() -> None:
    assert run("email", '  "Smith, Jane" <Jane.Smith@Acme.COM> ') == "jane.smith@acme.com"
    assert run("email", "mailto:Jane.Smith@Acme.com") == "jane.smith@acme.com"


def test_given_an_idn_address_when_read_then_the_domain_stays_readable() -> None:
    assert run("email", "Jürgen.Weiß@Bücher.DE") == "jürgen.weiß@bücher.de"


@pytest.mark.parametrize("junk", ["jane@", "n/a", "jane smith@acme.com", "jane@acme"])
def test_given_no_email_address_when_read_then_the_value_is_dropped_with_the_reason(junk: str) -> None:
    with pytest.raises(DroppedValue, match="is not an email address"):
        run("email", junk)


def test_given_an_address_on_a_subdomain_when_its_domain_is_taken_then_the_registrable_domain() -> None:
    assert run("domain_from_email", "Jane@Mail.Acme.co.uk") == "acme.co.uk"


def test_given_an_idn_address_when_its_domain_is_taken_then_punycode() -> None:
    assert run("domain_from_email", "jürgen@bücher.de") == "xn--bcher-kva.de"


def test_given_no_address_when_its_domain_is_taken_then_dropped() -> None:
    with pytest.raises(DroppedValue, match="is not an email address"):
        run("domain_from_email", "jane.smith")


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.bücher.de/x", "xn--bcher-kva.de"),
        ("HTTP://WWW.ACME.CO.UK/about?x=1", "acme.co.uk"),
        ("acme.com", "acme.com"),
        ("www.acme.com.au", "acme.com.au"),
        ("https://shop.acme.com:8443/", "acme.com"),
    ],
)
def test_given_a_website_as_typed_when_its_domain_is_taken_then_the_registrable_domain(url: str, domain: str) -> None:
    assert run("domain_from_url", url) == domain


@pytest.mark.parametrize("junk", ["localhost", "n/a", "http://192.168.0.1/"])
def test_given_a_website_without_a_public_domain_when_its_domain_is_taken_then_dropped(junk: str) -> None:
    with pytest.raises(DroppedValue, match="holds no domain"):
        run("domain_from_url", junk)


# --- company names ------------------------------------------------------------------------------


def test_given_one_company_written_with_different_legal_forms_then_one_name_key() -> None:
    keys = {run("company_name_key", name) for name in ("Acme Corp", "ACME Corporation, Inc.", "Acme GmbH & Co. KG", "The Acme Company Ltd.")}
    assert keys == {"acme"}


def test_given_an_empty_company_name_when_keyed_then_null() -> None:
    assert run("company_name_key", "") is None


# --- map_values ---------------------------------------------------------------------------------

ZENDESK_STATUS = {"map_values": {"values": {"new": "new", "open": "open", "pending": "pending", "hold": "on_hold", "solved": "solved"}}}


def test_given_a_value_in_other_case_and_padding_when_mapped_then_it_matches_case_insensitively() -> None:
    assert run(ZENDESK_STATUS, " Hold ") == "on_hold"
    assert run(ZENDESK_STATUS, "SOLVED") == "solved"


def test_given_case_sensitive_values_when_the_case_differs_then_no_match() -> None:
    step = {"map_values": {"values": {"Closed Won": "won"}, "case_sensitive": True}}
    assert run(step, "Closed Won") == "won"
    with pytest.raises(TransformError, match="'closed won'"):
        run(step, "closed won")


def test_given_an_unknown_value_and_no_default_when_mapped_then_an_error_listing_the_known_values() -> None:
    with pytest.raises(TransformError) as raised:
        run(ZENDESK_STATUS, "deleted")
    message = str(raised.value)
    assert "'deleted'" in message
    assert "known: hold, new, open, pending, solved" in message
    assert "give a default" in message


def test_given_an_unknown_value_and_a_default_when_mapped_then_the_default() -> None:
    step = {"map_values": {"values": {"closedwon": "won", "closedlost": "lost"}, "default": "open"}}
    assert run(step, "appointmentscheduled") == "open"
    assert run(step, "closedwon") == "won"


def test_given_an_explicit_null_default_when_the_value_is_unknown_then_null_rather_than_an_error() -> None:
    step = {"map_values": {"values": {"LOW": "low"}, "default": None}}
    assert run(step, "MEDIUM") is None


def test_given_numeric_keys_in_yaml_when_a_numeric_or_text_value_is_mapped_then_both_match() -> None:
    step = {"map_values": {"values": {1: "new", 2: "pending", 3: "open", 4: "closed"}}}
    assert run(step, "2") == "pending"
    assert run(step, 4) == "closed"


# --- dates and times ----------------------------------------------------------------------------


def test_given_a_salesforce_timestamp_with_a_colonless_offset_when_parsed_then_an_aware_datetime() -> None:
    assert run("datetime", "2026-11-25T13:19:59.463+0000") == datetime(2026, 11, 25, 13, 19, 59, 463000, tzinfo=UTC)


def test_given_a_salesforce_timestamp_in_another_zone_when_parsed_then_the_same_instant() -> None:
    parsed = run("datetime", "2026-11-25T05:19:59.000-0800")
    assert parsed == datetime(2026, 11, 25, 13, 19, 59, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=-8)


def test_given_a_zendesk_timestamp_with_z_when_parsed_then_utc() -> None:
    assert run("datetime", "2026-10-22T15:44:43Z") == datetime(2026, 10, 22, 15, 44, 43, tzinfo=UTC)


def test_given_a_naive_timestamp_when_parsed_then_it_is_taken_as_utc() -> None:
    parsed = run("datetime", "2026-10-22T15:44:43")
    assert parsed.tzinfo is not None
    assert parsed == datetime(2026, 10, 22, 15, 44, 43, tzinfo=UTC)
    assert run("datetime", datetime(2026, 1, 1, 9, 30)) == datetime(2026, 1, 1, 9, 30, tzinfo=UTC)


def test_given_an_aware_datetime_when_parsed_then_unchanged() -> None:
    berlin = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert run("datetime", berlin) is berlin


@pytest.mark.parametrize("junk", ["yesterday", "", "2026-13-01T00:00:00Z", "25/11/2026 10:00"])
def test_given_no_timestamp_when_parsed_then_the_record_cannot_be_mapped(junk: str) -> None:
    with pytest.raises(TransformError, match="is not an ISO 8601 date-time"):
        run("datetime", junk)


def test_given_a_date_or_a_timestamp_when_read_as_a_date_then_the_calendar_day() -> None:
    assert run("date", "2026-11-25") == date(2026, 11, 25)
    assert run("date", "2026-11-25T13:19:59Z") == date(2026, 11, 25)


@pytest.mark.parametrize("junk", ["25/11/2026", "soon", "2026-02-30"])
def test_given_no_iso_date_when_read_as_a_date_then_the_record_cannot_be_mapped(junk: str) -> None:
    with pytest.raises(TransformError, match="is not an ISO 8601 date"):
        run("date", junk)


def test_given_hubspot_epoch_milliseconds_as_text_or_number_then_the_utc_instant() -> None:
    expected = datetime(2025, 11, 25, 13, 19, 59, 463000, tzinfo=UTC)
    assert run("epoch_ms", "1764076799463") == expected
    assert run("epoch_ms", 1764076799463) == expected


def test_given_epoch_seconds_then_the_utc_instant() -> None:
    assert run("epoch_s", 1764076799) == datetime(2025, 11, 25, 13, 19, 59, tzinfo=UTC)
    assert run("epoch_s", "1764076799") == datetime(2025, 11, 25, 13, 19, 59, tzinfo=UTC)


@pytest.mark.parametrize(("step", "junk"), [("epoch_ms", "abc"), ("epoch_s", "1,5"), ("epoch_ms", 1e30)])
def test_given_no_timestamp_when_read_as_epoch_then_the_record_cannot_be_mapped(step: str, junk: Any) -> None:
    with pytest.raises(TransformError, match="is not a Unix timestamp"):
        run(step, junk)


# --- numbers and booleans -----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "number"), [("20,600,000", 20600000.0), (" 1234.50 ", 1234.5), (12, 12.0), (99.5, 99.5), ("1e3", 1000.0)])
def test_given_a_number_as_crms_send_it_when_read_then_a_float(raw: Any, number: float) -> None:
    result = run("number", raw)
    assert result == number
    assert isinstance(result, float)


@pytest.mark.parametrize("junk", ["abc", "$1,000", "12 EUR", ""])
def test_given_no_number_when_read_then_the_record_cannot_be_mapped(junk: str) -> None:
    with pytest.raises(TransformError, match="is not a number"):
        run("number", junk)


@pytest.mark.parametrize(("raw", "whole"), [("12", 12), ("12.0", 12), ("1,200", 1200), (7, 7)])
def test_given_a_whole_number_when_read_then_an_int(raw: Any, whole: int) -> None:
    result = run("integer", raw)
    assert result == whole
    assert isinstance(result, int)


def test_given_a_fraction_when_read_as_an_integer_then_the_record_cannot_be_mapped() -> None:
    with pytest.raises(TransformError, match="'12.5' is not a whole number"):
        run("integer", "12.5")
    with pytest.raises(TransformError, match="is not a number"):
        run("integer", "twelve")


@pytest.mark.parametrize(("raw", "truth"), [("true", True), ("Yes", True), ("Y", True), ("1", True), ("on", True), (True, True), (1, True),
                                           ("false", False), ("No", False), ("0", False), ("OFF", False), (False, False), (0, False)])  # fmt: skip
def test_given_yes_no_words_when_read_then_a_boolean(raw: Any, truth: bool) -> None:
    assert run("boolean", raw) is truth


@pytest.mark.parametrize("junk", ["maybe", 2, "ja"])
def test_given_no_yes_or_no_when_read_then_the_record_cannot_be_mapped(junk: Any) -> None:
    with pytest.raises(TransformError, match="is not true or false"):
        run("boolean", junk)


# --- custom fields and patterns -----------------------------------------------------------------

ZENDESK_CUSTOM_FIELDS = [{"id": 360001, "value": "enterprise"}, {"id": 360002, "value": None}, {"id": 360003, "value": "emea"}]


@pytest.mark.parametrize("key", [360003, "360003"])
def test_given_zendesk_ticket_custom_fields_when_one_is_picked_by_id_then_only_its_value(key: Any) -> None:
    values = [run({"custom_field": key}, item) for item in ZENDESK_CUSTOM_FIELDS]
    assert values == [None, None, "emea"]


def test_given_custom_field_items_with_other_key_names_when_picked_then_the_named_fields_are_used() -> None:
    step = {"custom_field": {"key": "plan", "id_field": "name", "value_field": "v"}}
    assert run(step, {"name": "plan", "v": "gold"}) == "gold"
    assert run(step, {"name": "region", "v": "emea"}) is None


def test_given_a_value_that_is_no_object_when_picked_as_custom_field_then_null() -> None:
    assert run({"custom_field": 360001}, "enterprise") is None


SALESFORCE_ID = "[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?"


@pytest.mark.parametrize("external_id", ["001Hs00002ABCDEFGH", "001Hs00002ABCDE"])
def test_given_a_salesforce_id_in_an_external_id_when_matched_then_kept(external_id: str) -> None:
    assert run({"matches": SALESFORCE_ID}, external_id) == external_id


@pytest.mark.parametrize("external_id", ["ACME-42", "001Hs00002ABCDEFGHxyz", " 001Hs00002ABCDEFGH"])
def test_given_something_else_in_an_external_id_when_matched_then_dropped_because_the_whole_value_must_match(external_id: str) -> None:
    assert run({"matches": SALESFORCE_ID}, external_id) is None


def test_given_an_invalid_regular_expression_when_the_transform_is_parsed_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        parse_transform({"matches": "(unclosed"})


# --- parsing transform steps --------------------------------------------------------------------


def test_given_an_unknown_transform_name_when_parsed_then_the_error_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown transform 'upper'; known: boolean, company_name_key") as raised:
        parse_transform("upper")
    assert all(name in str(raised.value) for name in TRANSFORMS)


def test_given_an_argument_to_a_transform_without_arguments_when_parsed_then_refused() -> None:
    with pytest.raises(ValueError, match="transform 'lower' takes named arguments"):
        parse_transform({"lower": "x"})


def test_given_an_unknown_argument_when_parsed_then_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="transform 'to_e164': region: Extra inputs are not permitted"):
        parse_transform({"to_e164": {"region": "GB"}})
