"""Person names: particles, suffixes, "Last, First", single names, nicknames, case and accents."""

from __future__ import annotations

import pytest

from mapping.normalize import PersonName, parse_person_name
from mapping.normalize.names import given_name_key
from mapping.normalize.nicknames import NICKNAMES
from sandbox.population.vocabulary import NICKNAMES as SANDBOX_NICKNAMES

VAN_DER_BERG = [
    {"full": "Jan van der Berg"},
    {"full": "van der Berg, Jan"},
    {"full": "Berg, Jan van der"},
    {"full": "jan van der berg"},
    {"full": "JAN VAN DER BERG"},
    {"first": "Jan", "last": "van der Berg"},
    {"first": "Jan", "last": "Van der Berg"},
    {"first": "JAN", "last": "VAN DER BERG"},
]


@pytest.mark.parametrize("fields", VAN_DER_BERG, ids=[str(fields) for fields in VAN_DER_BERG])
def test_given_a_particle_name_in_any_shape_then_one_family_and_one_key(fields: dict[str, str]) -> None:
    name = parse_person_name(**fields)
    assert (name.given_key, name.family_key, name.family_core) == ("johannes", "vanderberg", "berg")
    assert name.family.lower() == "van der berg"


def test_given_a_particle_name_written_in_one_case_then_display_restores_the_usual_case() -> None:
    assert parse_person_name("JAN VAN DER BERG").display == "Jan van der Berg"
    assert parse_person_name("sean o'neil").display == "Sean O'Neil"
    assert parse_person_name("amy mccarthy-d'angelo").display == "Amy McCarthy-D'Angelo"
    assert parse_person_name(first="Jan", last="van der Berg").display == "Jan van der Berg"


FAMILIES = [
    # fields, family, family_key, family_core
    ({"full": "Dr. Juan de la Cruz Jr."}, "de la Cruz", "delacruz", "cruz"),
    ({"full": "Maria dos Santos"}, "dos Santos", "dossantos", "santos"),
    ({"full": "Ludwig von Beethoven"}, "von Beethoven", "vonbeethoven", "beethoven"),
    ({"full": "Giulia Di Marco"}, "Di Marco", "dimarco", "marco"),
    ({"full": "Jean-Pierre Le Roux"}, "Le Roux", "leroux", "roux"),
    ({"full": "Seán O'Neil"}, "O'Neil", "oneil", "oneil"),
    ({"first": "Alessia", "last": "D'Angelo"}, "D'Angelo", "dangelo", "dangelo"),
    ({"full": "Anne-Marie Smith-Jones"}, "Smith-Jones", "smithjones", "smithjones"),
    ({"first": "Emma", "last": "Smith Jones"}, "Smith Jones", "smithjones", "smithjones"),
    ({"first": "Lavínia", "last": "da Conceição"}, "da Conceição", "daconceicao", "conceicao"),
    ({"first": "Ciarán", "last": "MacDonald"}, "MacDonald", "macdonald", "macdonald"),
]


@pytest.mark.parametrize(("fields", "family", "family_key", "family_core"), FAMILIES, ids=[row[1] for row in FAMILIES])
def test_given_particles_apostrophes_and_hyphens_then_they_stay_with_the_family_name(
    fields: dict[str, str], family: str, family_key: str, family_core: str
) -> None:
    name = parse_person_name(**fields)
    assert (name.family, name.family_key, name.family_core) == (family, family_key, family_core)


SUFFIXES = [
    ({"full": "John Smith Jr."}, "", "John", "Smith", "Jr."),
    ({"full": "Smith Jr., John"}, "", "John", "Smith", "Jr."),
    ({"full": "Mr. Robert Downey Jr."}, "Mr.", "Robert", "Downey", "Jr."),
    ({"full": "Marie Curie, PhD"}, "", "Marie", "Curie", "PhD"),
    ({"full": "Hans Koch II"}, "", "Hans", "Koch", "II"),
    ({"first": "William", "last": "Gates III"}, "", "William", "Gates", "III"),
    ({"first": "John", "last": "Smith Sr."}, "", "John", "Smith", "Sr."),
    ({"first": "Jane", "last": "Doe, MD"}, "", "Jane", "Doe", "MD"),
    ({"first": "Dr. Jane", "last": "Doe"}, "Dr.", "Jane", "Doe", ""),
    ({"first": "Mrs. Jane", "last": "Doe"}, "Mrs.", "Jane", "Doe", ""),
    ({"first": "Mrs.", "last": "Doe"}, "Mrs.", "", "Doe", ""),
]


@pytest.mark.parametrize(
    ("fields", "prefix", "given", "family", "suffix"), SUFFIXES, ids=[str(row[0]) for row in SUFFIXES]
)
def test_given_salutations_and_suffixes_then_they_leave_the_name_parts(
    fields: dict[str, str], prefix: str, given: str, family: str, suffix: str
) -> None:
    name = parse_person_name(**fields)
    assert (name.prefix, name.given, name.family, name.suffix) == (prefix, given, family, suffix)


def test_given_a_suffix_dropped_by_one_system_then_the_keys_still_agree() -> None:
    with_suffix = parse_person_name(first="Robert", last="Smith Jr.")
    without = parse_person_name("Bob Smith")
    assert (with_suffix.given_key, with_suffix.family_key) == ("robert", "smith")
    assert (without.given_key, without.family_key) == ("robert", "smith")


def test_given_last_comma_first_then_the_parts_swap_back() -> None:
    name = parse_person_name("Fox, Garry")
    assert (name.given, name.family, name.display) == ("Garry", "Fox", "Garry Fox")


@pytest.mark.parametrize(
    ("fields", "given", "family"),
    [
        ({"full": "Madonna"}, "Madonna", ""),
        ({"first": "Cher"}, "Cher", ""),
        ({"last": "Nakamura"}, "", "Nakamura"),
        ({"full": "Dr. Smith"}, "", "Smith"),
        ({"first": "John Smith"}, "John", "Smith"),  # a whole name in the first-name field
        ({"full": "jan.van-der-berg@acme.com"}, "jan", "van der berg"),  # an address where the name should be
    ],
)
def test_given_single_or_misplaced_names_then_the_parts_that_exist(
    fields: dict[str, str], given: str, family: str
) -> None:
    name = parse_person_name(**fields)
    assert (name.given, name.family) == (given, family)


def test_given_nothing_then_an_empty_name() -> None:
    empty = PersonName("", "", "", "", "", "", "", "", "", "", "")
    assert parse_person_name() == empty
    assert parse_person_name(full="  ", first="", last=None) == empty


def test_given_both_fields_and_a_full_name_then_the_fields_win() -> None:
    name = parse_person_name(full="Smith, J.", first="John", last="Smith")
    assert (name.given, name.family) == ("John", "Smith")


NICKNAME_PAIRS = [
    ("Bob", "robert"), ("Rob", "robert"), ("Robbie", "robert"), ("Bill", "william"), ("Will", "william"),
    ("Liz", "elizabeth"), ("Beth", "elizabeth"), ("Betsy", "elizabeth"), ("Kate", "katherine"), ("Katie", "katherine"),
    ("Catherine", "katherine"), ("Jim", "james"), ("Jimmy", "james"), ("Mike", "michael"), ("Dick", "richard"),
    ("Rick", "richard"), ("Peggy", "margaret"), ("Tony", "anthony"), ("Chris", "christopher"),
    ("Alex", "alexander"), ("Sasha", "alexander"), ("Alexandra", "alexander"), ("Dan", "daniel"), ("Dave", "david"),
    ("Joe", "joseph"), ("Tom", "thomas"), ("Jen", "jennifer"), ("Sam", "samuel"), ("Ted", "edward"),
    ("Ed", "edward"), ("Andy", "andrew"), ("Steve", "stephen"), ("Steven", "stephen"), ("Pat", "patrick"),
    ("Larry", "lawrence"), ("Hank", "henry"), ("Hans", "johannes"), ("Pepe", "jose"), ("José", "jose"),
    ("Jose", "jose"), ("Robert", "robert"), ("Ngozi", "ngozi"),
]


@pytest.mark.parametrize(("given", "key"), NICKNAME_PAIRS, ids=[row[0] for row in NICKNAME_PAIRS])
def test_given_a_short_form_then_the_given_key_is_its_formal_group(given: str, key: str) -> None:
    assert parse_person_name(first=given, last="Smith").given_key == key


def test_the_nickname_table_is_large_and_covers_every_short_form_the_sandbox_uses() -> None:
    assert len(NICKNAMES) >= 80
    missing = [
        (formal, short) for formal, shorts in SANDBOX_NICKNAMES.items() for short in shorts
        if given_name_key(short) != given_name_key(formal)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"first": "Müller", "last": "Jürgen"}, {"first": "Muller", "last": "Jurgen"}),
        ({"first": "Łukasz", "last": "Żółć"}, {"first": "Lukasz", "last": "Zolc"}),
        ({"first": "José María", "last": "del Río"}, {"full": "Jose Maria Del Rio"}),
        ({"full": "Zoë Ødegård"}, {"full": "Zoe Odegard"}),
        ({"full": "Björn Ström"}, {"full": "BJORN STROM"}),
        ({"first": "Grégoire", "last": "Caron"}, {"full": "Caron, Gregoire"}),
    ],
)
def test_given_accents_case_and_shapes_then_the_ascii_keys_agree(a: dict[str, str], b: dict[str, str]) -> None:
    first, second = parse_person_name(**a), parse_person_name(**b)
    assert (first.given_key, first.family_key) == (second.given_key, second.family_key)


def test_given_a_typo_that_keeps_the_sound_then_the_phonetic_keys_agree() -> None:
    smith, smyth = parse_person_name("John Smith"), parse_person_name("Jon Smyth")
    assert smith.family_key != smyth.family_key
    assert (smith.given_phonetic, smith.family_phonetic) == (smyth.given_phonetic, smyth.family_phonetic)
