"""The named transforms a mapping spec may use, with the types they take and give.

A field rule runs its transforms over the list of values its source paths
produced. Most transforms work value by value; `join` takes the whole list
and `split` turns one value into several. Each transform declares which
kinds of value it accepts and which it returns, so `loophub mapping check`
can find a type mismatch before any record is read.

Two ways a value can fail: a `TransformError` means the record cannot be
mapped faithfully (a date that is no date, a status with no vocabulary entry)
and is quarantined; a `DroppedValue` means one messy value is left out (an
email without a domain) and the record is mapped with a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator
from unidecode import unidecode

from mapping.normalize import company_name_key, normalize_domain, normalize_phone, parse_email, parse_person_name
from mapping.normalize.emails import InvalidEmail

Kind = Literal["string", "number", "integer", "boolean", "datetime", "date", "object", "any"]


class TransformError(ValueError):
    """The record cannot be mapped: the message says which value and why, in words for an admin."""


class DroppedValue(ValueError):
    """One value is unusable and left out; the record is still mapped, with this as a warning."""


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What a transform may look at besides its value: the whole raw payload and the run's defaults."""

    payload: Mapping[str, Any]
    default_region: str | None


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(Args):
    pass


class JoinArgs(Args):
    separator: str = " "


class SplitArgs(Args):
    separator: str = ";"


class SplitNameArgs(Args):
    part: Literal["first", "last", "full"]


class E164Args(Args):
    default_region: str | None = None  # the run's default when neither this nor region_from gives one
    # Paths in the record, tried in order: a country name or code, or an email address or website
    # whose country-code domain (".co.uk", ".de") tells the country.
    region_from: list[str] = []

    @field_validator("region_from", mode="before")
    @classmethod
    def _one_or_many(cls, paths: Any) -> Any:
        return [paths] if isinstance(paths, str) else paths


class MapValuesArgs(Args):
    values: dict[str, Any]
    # Without a default, an unknown value quarantines the record: guessing "open" for a status
    # nobody mapped would show a closed ticket as open.
    default: Any = None
    case_sensitive: bool = False

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, values: Any) -> Any:
        return {str(key): value for key, value in values.items()} if isinstance(values, dict) else values


class CustomFieldArgs(Args):
    key: str | int
    id_field: str = "id"
    value_field: str = "value"


class MatchesArgs(Args):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from None
        return pattern


@dataclass(frozen=True, slots=True)
class Transform:
    """A named step: what it accepts, what it returns, its arguments, and the function."""

    name: str
    accepts: frozenset[Kind]
    returns: Kind
    args: type[Args]
    apply: Callable[[Any, Any, RecordContext], Any]
    whole_list: bool = False  # gets the list of values rather than one value at a time
    shorthand: str | None = None  # the argument a bare scalar sets: `{split: ";"}`
    help: str = ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _lower(value: Any, args: NoArgs, context: RecordContext) -> str:
    return _text(value).lower()


def _strip(value: Any, args: NoArgs, context: RecordContext) -> str | None:
    return " ".join(_text(value).split()) or None


def _join(values: list[Any], args: JoinArgs, context: RecordContext) -> list[str]:
    parts = [_text(value).strip() for value in values if value not in (None, "")]
    return [args.separator.join(part for part in parts if part)] if parts else []


def _split(value: Any, args: SplitArgs, context: RecordContext) -> list[str]:
    return [part.strip() for part in _text(value).split(args.separator) if part.strip()]


def _split_name(value: Any, args: SplitNameArgs, context: RecordContext) -> str | None:
    name = parse_person_name(_text(value))
    if args.part == "first":
        return " ".join(part for part in (name.given, name.middle) if part) or None
    if args.part == "last":
        return name.family or None
    return name.display or None


def _to_e164(value: Any, args: E164Args, context: RecordContext) -> str:
    region = _region(context, args)
    number = normalize_phone(_text(value), region)
    if number is None:
        raise DroppedValue(f"{value!r} is not a phone number (read as {region or 'international'})")
    return number.e164 + (f";ext={number.extension}" if number.extension else "")


# Country names people type that ISO 3166 (in English) does not list under that name, endonyms included.
COUNTRY_ALIASES = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "britain": "GB",
    "northern ireland": "GB", "holland": "NL", "the netherlands": "NL", "nederland": "NL", "deutschland": "DE",
    "osterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "italia": "IT", "espana": "ES",
    "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI", "polska": "PL", "eire": "IE",
    "republic of ireland": "IE", "brasil": "BR", "mexico": "MX", "nippon": "JP", "america": "US",
    "united states of america": "US", "south korea": "KR", "belgique": "BE", "belgie": "BE",
}  # fmt: skip
# Country-code domains sold worldwide as brand names: they say nothing about where a company is.
VANITY_CCTLDS = frozenset({"io", "co", "me", "tv", "ai", "ly", "fm", "am", "gg", "to", "cc", "ws", "sh", "ac", "so", "vc", "gl", "la", "nu", "tk", "app"})


def _region(context: RecordContext, args: E164Args) -> str | None:
    for path in args.region_from:
        hint = lookup_path(context.payload, path)
        code = country_code(hint) or _domain_country(hint) if isinstance(hint, str) and hint.strip() else None
        if code:
            return code
    return args.default_region or context.default_region


def _domain_country(text: str) -> str | None:
    """The country of a country-code top-level domain in an address or URL ("x@acme.co.uk" → GB)."""
    domain = normalize_domain(text.rsplit("@", 1)[-1])
    tld = domain.suffix.rsplit(".", 1)[-1] if domain else ""
    if len(tld) != 2 or not tld.isascii() or tld in VANITY_CCTLDS:
        return None
    return COUNTRY_ALIASES.get(tld, tld.upper()) if pycountry.countries.get(alpha_2=tld.upper()) or tld in COUNTRY_ALIASES else None


@cache
def country_code(name: str) -> str | None:
    """ISO 3166 alpha-2 for a country name or code as typed ("United Kingdom", "USA", "uk"); None if unknown."""
    cleaned = " ".join(name.split()).strip(" .")
    folded = unidecode(cleaned).lower()
    if folded in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[folded]
    try:
        return pycountry.countries.lookup(cleaned).alpha_2
    except LookupError:
        return None


def _email(value: Any, args: NoArgs, context: RecordContext) -> str:
    try:
        return parse_email(_text(value)).address
    except InvalidEmail as error:
        raise DroppedValue(str(error)) from None


def _domain_from_email(value: Any, args: NoArgs, context: RecordContext) -> str:
    try:
        address = parse_email(_text(value))
    except InvalidEmail as error:
        raise DroppedValue(str(error)) from None
    return _domain_from_url(address.ascii_domain, args, context)


def _domain_from_url(value: Any, args: NoArgs, context: RecordContext) -> str:
    domain = normalize_domain(_text(value))
    if domain is None:
        raise DroppedValue(f"{value!r} holds no domain")
    return domain.registrable


def _company_name_key(value: Any, args: NoArgs, context: RecordContext) -> str | None:
    return company_name_key(_text(value)) or None


def _map_values(value: Any, args: MapValuesArgs, context: RecordContext) -> Any:
    text = _text(value).strip()
    table = args.values if args.case_sensitive else {key.lower(): mapped for key, mapped in args.values.items()}
    key = text if args.case_sensitive else text.lower()
    if key in table:
        return table[key]
    if "default" in args.model_fields_set:
        return args.default
    known = ", ".join(sorted(args.values)[:12])
    raise TransformError(f"value {text!r} has no entry in map_values (known: {known}); add it or give a default")


def _datetime(value: Any, args: NoArgs, context: RecordContext) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = _text(value).strip()
    # Salesforce writes "+0000"; fromisoformat wants "+00:00" on Python 3.11.
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TransformError(f"{value!r} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(value: Any, args: NoArgs, context: RecordContext) -> date:
    text = _text(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise TransformError(f"{value!r} is not an ISO 8601 date") from None


def _epoch(scale: float) -> Callable[[Any, NoArgs, RecordContext], datetime]:
    def convert(value: Any, args: NoArgs, context: RecordContext) -> datetime:
        try:
            return datetime.fromtimestamp(float(value) / scale, tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            raise TransformError(f"{value!r} is not a Unix timestamp") from None

    return convert


def _number(value: Any, args: NoArgs, context: RecordContext) -> float:
    try:
        number = float(_text(value).replace(",", "").strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        raise TransformError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise TransformError(f"{value!r} is not a finite number")
    return number


def _integer(value: Any, args: NoArgs, context: RecordContext) -> int:
    number = _number(value, args, context)
    if not number.is_integer():
        raise TransformError(f"{value!r} is not a whole number")
    return int(number)


TRUE_WORDS, FALSE_WORDS = frozenset({"true", "yes", "y", "1", "on"}), frozenset({"false", "no", "n", "0", "off", ""})


def _boolean(value: Any, args: NoArgs, context: RecordContext) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return text in TRUE_WORDS
    raise TransformError(f"{value!r} is not true or false")


def _custom_field(value: Any, args: CustomFieldArgs, context: RecordContext) -> Any:
    if isinstance(value, Mapping) and str(value.get(args.id_field)) == str(args.key):
        return value.get(args.value_field)
    return None


def _matches(value: Any, args: MatchesArgs, context: RecordContext) -> Any:
    return value if re.fullmatch(args.pattern, _text(value)) else None


TEXT_LIKE: frozenset[Kind] = frozenset({"string", "number", "integer"})
ANY: frozenset[Kind] = frozenset({"string", "number", "integer", "boolean", "datetime", "date", "object", "any"})

TRANSFORMS: dict[str, Transform] = {
    transform.name: transform
    for transform in (
        Transform("lower", TEXT_LIKE, "string", NoArgs, _lower, help="lower-case"),
        Transform("strip", TEXT_LIKE, "string", NoArgs, _strip, help="trim and collapse whitespace; empty becomes null"),
        Transform("join", ANY, "string", JoinArgs, _join, whole_list=True, shorthand="separator", help="join all values into one"),
        Transform("split", TEXT_LIKE, "string", SplitArgs, _split, shorthand="separator", help="one value into several"),
        Transform("split_name", frozenset({"string"}), "string", SplitNameArgs, _split_name, shorthand="part", help="first, last or full part of a whole name"),
        Transform("to_e164", TEXT_LIKE, "string", E164Args, _to_e164, shorthand="default_region", help="phone number in E.164"),
        Transform("email", frozenset({"string"}), "string", NoArgs, _email, help="a valid email address, normalised"),
        Transform("domain_from_email", frozenset({"string"}), "string", NoArgs, _domain_from_email, help="registrable domain of an address"),
        Transform("domain_from_url", frozenset({"string"}), "string", NoArgs, _domain_from_url, help="registrable domain of a URL or host"),
        Transform("company_name_key", frozenset({"string"}), "string", NoArgs, _company_name_key, help="company name without legal form"),
        Transform("map_values", ANY, "any", MapValuesArgs, _map_values, help="translate values through a table"),
        Transform("datetime", frozenset({"string", "datetime"}), "datetime", NoArgs, _datetime, help="parse an ISO 8601 date-time"),
        Transform("date", frozenset({"string", "date", "datetime"}), "date", NoArgs, _date, help="parse an ISO 8601 date"),
        Transform("epoch_ms", TEXT_LIKE, "datetime", NoArgs, _epoch(1000.0), help="milliseconds since 1970"),
        Transform("epoch_s", TEXT_LIKE, "datetime", NoArgs, _epoch(1.0), help="seconds since 1970"),
        Transform("number", TEXT_LIKE, "number", NoArgs, _number, help="a decimal number"),
        Transform("integer", TEXT_LIKE, "integer", NoArgs, _integer, help="a whole number"),
        Transform("boolean", frozenset({"string", "boolean", "integer"}), "boolean", NoArgs, _boolean, help="true/false, yes/no, 1/0"),
        Transform("custom_field", frozenset({"object"}), "any", CustomFieldArgs, _custom_field, shorthand="key", help="value of the custom field with this key"),
        Transform("matches", ANY, "any", MatchesArgs, _matches, shorthand="pattern", help="keep values matching a regex"),
    )
}


def lookup_path(payload: Any, path: str) -> Any:
    """The value at a dotted path (`properties.email`, `user_fields.plan_tier`); None when absent."""
    value = payload
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


class TransformCall(BaseModel):
    """One step of a field rule: a transform name and its validated arguments."""

    model_config = ConfigDict(frozen=True)

    name: str
    args: Any = Field(default=None)

    @property
    def transform(self) -> Transform:
        return TRANSFORMS[self.name]
