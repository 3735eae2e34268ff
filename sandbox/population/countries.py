"""Countries the synthetic customers live in: legal forms, domains, cities, phone plans.

Everything here is data. Phone plans are just detailed enough that every
number drawn is valid for libphonenumber (the normaliser the identity layer
uses), so a number written in any national or international style still
normalises to one E.164 value.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LEAD = "23456789"


@dataclass(frozen=True, slots=True)
class PhoneArea:
    """An area (or mobile) prefix of a national number and how the rest is grouped when written."""

    prefix: str
    groups: tuple[int, ...]
    lead: str = DEFAULT_LEAD  # digits the subscriber part may start with


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str | None
    area: PhoneArea
    time_zone: str  # Zendesk (Rails) time zone name


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    aliases: tuple[str, ...]  # how people type the country into free-text fields
    weight: float
    name_locales: tuple[str, ...]  # Faker locales for people who live here
    street_locale: str
    legal_suffixes: tuple[str, ...]
    tlds: tuple[str, ...]  # first one is the usual one
    calling_code: str
    trunk: str  # national trunk prefix ("0"), empty where the number keeps its own leading digit
    cities: tuple[City, ...]
    mobiles: tuple[PhoneArea, ...]
    free_mail: tuple[str, ...]
    zendesk_locale: str
    postcode_pattern: str | None = None  # "#" is a digit; None: take Faker's postcodes


def _us(name: str, state: str, area: str, tz: str) -> City:
    # North American exchanges never start with 0/1; 555 is avoided by the generator.
    return City(name, state, PhoneArea(area, (3, 4)), tz)


EASTERN, CENTRAL, MOUNTAIN, PACIFIC = (
    "Eastern Time (US & Canada)",
    "Central Time (US & Canada)",
    "Mountain Time (US & Canada)",
    "Pacific Time (US & Canada)",
)
GLOBAL_FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "protonmail.com")

COUNTRIES: tuple[Country, ...] = (
    Country(
        "US", "United States", ("USA", "US", "United States of America"), 40, ("en_US",), "en_US",
        ("Inc.", "LLC", "Corp.", "Corporation", "Co."), ("com",), "1", "",
        (
            _us("San Francisco", "CA", "415", PACIFIC), _us("New York", "NY", "212", EASTERN),
            _us("Boston", "MA", "617", EASTERN), _us("Chicago", "IL", "312", CENTRAL),
            _us("Austin", "TX", "512", CENTRAL), _us("Seattle", "WA", "206", PACIFIC),
            _us("Denver", "CO", "303", MOUNTAIN), _us("Atlanta", "GA", "404", EASTERN),
            _us("Miami", "FL", "305", EASTERN), _us("Los Angeles", "CA", "213", PACIFIC),
        ),
        (), GLOBAL_FREE_MAIL + ("aol.com", "comcast.net"), "en-US", "#####",
    ),
    Country(
        "CA", "Canada", ("CA", "Canada"), 5, ("en_US", "fr_FR"), "en_US",
        ("Inc.", "Ltd.", "Corp."), ("ca", "com"), "1", "",
        (
            _us("Toronto", "ON", "416", EASTERN), _us("Vancouver", "BC", "604", PACIFIC),
            _us("Montreal", "QC", "514", EASTERN), _us("Calgary", "AB", "403", MOUNTAIN),
        ),
        (), GLOBAL_FREE_MAIL + ("rogers.com",), "en-CA", None,
    ),
    Country(
        "GB", "United Kingdom", ("UK", "GB", "Great Britain", "England"), 12, ("en_GB",), "en_GB",
        ("Ltd", "Limited", "PLC", "LLP"), ("co.uk", "com"), "44", "0",
        (
            City("London", None, PhoneArea("20", (4, 4), "378"), "London"),
            City("Manchester", None, PhoneArea("161", (3, 4)), "London"),
            City("Birmingham", None, PhoneArea("121", (3, 4), "234567"), "London"),
            City("Edinburgh", None, PhoneArea("131", (3, 4), "2345678"), "Edinburgh"),
        ),
        (PhoneArea("7400", (6,)), PhoneArea("7412", (6,)), PhoneArea("7438", (6,)), PhoneArea("7455", (6,))),
        GLOBAL_FREE_MAIL + ("yahoo.co.uk", "btinternet.com"), "en-GB", None,
    ),
    Country(
        "DE", "Germany", ("Deutschland", "DE"), 9, ("de_DE",), "de_DE",
        ("GmbH", "AG", "GmbH & Co. KG", "SE"), ("de", "com"), "49", "0",
        (
            City("Berlin", "Berlin", PhoneArea("30", (8,)), "Berlin"),
            City("Munich", "Bavaria", PhoneArea("89", (8,)), "Berlin"),
            City("Hamburg", "Hamburg", PhoneArea("40", (8,)), "Berlin"),
            City("Frankfurt", "Hesse", PhoneArea("69", (8,)), "Berlin"),
            City("Cologne", "North Rhine-Westphalia", PhoneArea("221", (7,)), "Berlin"),
        ),
        (PhoneArea("151", (8,)), PhoneArea("176", (8,)), PhoneArea("171", (7,))),
        GLOBAL_FREE_MAIL + ("gmx.de", "web.de", "t-online.de"), "de", "#####",
    ),
    Country(
        "FR", "France", ("FR", "France"), 5, ("fr_FR",), "fr_FR",
        ("SAS", "S.A.", "SARL"), ("fr", "com"), "33", "0",
        (
            City("Paris", "Île-de-France", PhoneArea("1", (2, 2, 2, 2)), "Paris"),
            City("Lyon", "Auvergne-Rhône-Alpes", PhoneArea("4", (2, 2, 2, 2)), "Paris"),
            City("Toulouse", "Occitanie", PhoneArea("5", (2, 2, 2, 2), "12345678"), "Paris"),
        ),
        (PhoneArea("6", (2, 2, 2, 2), "1245678"), PhoneArea("7", (2, 2, 2, 2), "5678")),
        GLOBAL_FREE_MAIL + ("orange.fr", "free.fr", "laposte.net"), "fr", "#####",
    ),
    Country(
        "NL", "Netherlands", ("NL", "The Netherlands", "Holland"), 4, ("nl_NL",), "nl_NL",
        ("B.V.", "N.V."), ("nl", "com"), "31", "0",
        (
            City("Amsterdam", "North Holland", PhoneArea("20", (3, 4)), "Amsterdam"),
            City("Rotterdam", "South Holland", PhoneArea("10", (3, 4)), "Amsterdam"),
            City("Utrecht", "Utrecht", PhoneArea("30", (3, 4)), "Amsterdam"),
        ),
        (PhoneArea("6", (8,), "1234"),),
        GLOBAL_FREE_MAIL + ("ziggo.nl", "kpnmail.nl"), "nl", None,
    ),
    Country(
        "AU", "Australia", ("AU", "Australia"), 5, ("en_GB", "en_US"), "en_US",
        ("Pty Ltd", "Pty. Ltd.", "Limited"), ("com.au", "com"), "61", "0",
        (
            City("Sydney", "NSW", PhoneArea("2", (4, 4), "89"), "Sydney"),
            City("Melbourne", "VIC", PhoneArea("3", (4, 4), "89"), "Melbourne"),
            City("Brisbane", "QLD", PhoneArea("7", (4, 4), "3"), "Brisbane"),
        ),
        (PhoneArea("412", (3, 3)), PhoneArea("438", (3, 3)), PhoneArea("400", (3, 3))),
        GLOBAL_FREE_MAIL + ("bigpond.com", "optusnet.com.au"), "en-AU", "####",
    ),
    Country(
        "JP", "Japan", ("JP", "Japan"), 3, ("ja_JP",), "ja_JP",
        ("K.K.", "Co., Ltd."), ("co.jp", "jp", "com"), "81", "0",
        (
            City("Tokyo", "Tokyo", PhoneArea("3", (4, 4), "3456"), "Tokyo"),
            City("Osaka", "Osaka", PhoneArea("6", (4, 4), "3456"), "Osaka"),
            City("Yokohama", "Kanagawa", PhoneArea("45", (3, 4), "2345"), "Tokyo"),
        ),
        (PhoneArea("90", (4, 4), "1234"), PhoneArea("80", (4, 4), "1234")),
        GLOBAL_FREE_MAIL + ("yahoo.co.jp", "docomo.ne.jp"), "ja", "###-####",
    ),
    Country(
        "IT", "Italy", ("IT", "Italia"), 3, ("it_IT",), "it_IT",
        ("S.p.A.", "S.r.l."), ("it", "com"), "39", "",
        (
            City("Milan", "Lombardy", PhoneArea("02", (4, 4)), "Rome"),
            City("Rome", "Lazio", PhoneArea("06", (4, 4)), "Rome"),
            City("Turin", "Piedmont", PhoneArea("011", (3, 4)), "Rome"),
        ),
        (PhoneArea("333", (3, 4), "123456789"), PhoneArea("347", (3, 4), "123456789")),
        GLOBAL_FREE_MAIL + ("libero.it", "virgilio.it"), "it", "#####",
    ),
    Country(
        "ES", "Spain", ("ES", "España"), 3, ("es_ES",), "es_ES",
        ("S.A.", "S.L."), ("es", "com"), "34", "",
        (
            City("Madrid", "Madrid", PhoneArea("91", (3, 2, 2)), "Madrid"),
            City("Barcelona", "Catalonia", PhoneArea("93", (3, 2, 2)), "Madrid"),
            City("Valencia", "Valencia", PhoneArea("96", (3, 2, 2)), "Madrid"),
        ),
        (PhoneArea("612", (3, 3), "123456789"), PhoneArea("655", (3, 3), "123456789")),
        GLOBAL_FREE_MAIL + ("telefonica.net",), "es", "#####",
    ),
    Country(
        "SE", "Sweden", ("SE", "Sverige"), 3, ("sv_SE",), "sv_SE",
        ("AB",), ("se", "com"), "46", "0",
        (
            City("Stockholm", None, PhoneArea("8", (3, 3, 2), "1234567"), "Stockholm"),
            City("Gothenburg", None, PhoneArea("31", (3, 2, 2), "1234567"), "Stockholm"),
            City("Malmö", None, PhoneArea("40", (3, 2, 2), "1234567"), "Stockholm"),
        ),
        (PhoneArea("70", (3, 2, 2), "123456789"), PhoneArea("73", (3, 2, 2), "123456789")),
        GLOBAL_FREE_MAIL + ("telia.com",), "sv", "### ##",
    ),
    Country(
        "FI", "Finland", ("FI", "Suomi"), 2, ("fi_FI",), "fi_FI",
        ("Oy", "Oyj"), ("fi", "com"), "358", "0",
        (
            City("Helsinki", None, PhoneArea("9", (3, 4), "2345678"), "Helsinki"),
            City("Tampere", None, PhoneArea("3", (3, 4), "23456789"), "Helsinki"),
        ),
        (PhoneArea("40", (3, 4), "123456789"), PhoneArea("50", (3, 4), "123456789")),
        GLOBAL_FREE_MAIL + ("suomi24.fi",), "fi", "#####",
    ),
    Country(
        "CH", "Switzerland", ("CH", "Schweiz", "Suisse"), 2, ("de_CH", "fr_FR"), "de_CH",
        ("AG", "GmbH", "SA"), ("ch", "com"), "41", "0",
        (
            City("Zurich", "ZH", PhoneArea("44", (3, 2, 2)), "Zurich"),
            City("Geneva", "GE", PhoneArea("22", (3, 2, 2)), "Bern"),
            City("Basel", "BS", PhoneArea("61", (3, 2, 2)), "Bern"),
        ),
        (PhoneArea("79", (3, 2, 2)), PhoneArea("78", (3, 2, 2))),
        GLOBAL_FREE_MAIL + ("bluewin.ch", "gmx.ch"), "de-ch", "####",
    ),
    Country(
        "IE", "Ireland", ("IE", "Eire", "Republic of Ireland"), 2, ("en_IE",), "en_IE",
        ("Ltd", "Limited", "DAC"), ("ie", "com"), "353", "0",
        (
            City("Dublin", None, PhoneArea("1", (3, 4)), "Dublin"),
            City("Cork", None, PhoneArea("21", (3, 4)), "Dublin"),
        ),
        (PhoneArea("85", (3, 4), "123456789"), PhoneArea("87", (3, 4), "123456789")),
        GLOBAL_FREE_MAIL + ("eircom.net",), "en-gb", None,
    ),
    Country(
        "BR", "Brazil", ("BR", "Brasil"), 2, ("pt_BR",), "pt_BR",
        ("Ltda.", "S.A."), ("com.br", "com"), "55", "",
        (
            City("São Paulo", "SP", PhoneArea("11", (4, 4), "2345"), "Brasilia"),
            City("Rio de Janeiro", "RJ", PhoneArea("21", (4, 4), "2345"), "Brasilia"),
            City("Belo Horizonte", "MG", PhoneArea("31", (4, 4), "2345"), "Brasilia"),
        ),
        (PhoneArea("11", (5, 4), "9"), PhoneArea("21", (5, 4), "9")),
        GLOBAL_FREE_MAIL + ("uol.com.br", "bol.com.br"), "pt-br", "#####-###",
    ),
)

# People of any country may have a name from elsewhere: a share of names is drawn from this mix.
MIGRANT_NAME_LOCALES: tuple[tuple[str, float], ...] = (
    ("en_IN", 4), ("zh_CN", 2), ("pl_PL", 2), ("es_ES", 2), ("it_IT", 1), ("en_IE", 1),
    ("de_DE", 1), ("fr_FR", 1), ("nl_NL", 1), ("pt_BR", 1), ("ja_JP", 1),
)
MIGRANT_NAME_SHARE = 0.2

NAME_LOCALES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [locale for country in COUNTRIES for locale in country.name_locales]
        + [locale for locale, _ in MIGRANT_NAME_LOCALES]
    )
)
STREET_LOCALES: tuple[str, ...] = tuple(dict.fromkeys(country.street_locale for country in COUNTRIES))
