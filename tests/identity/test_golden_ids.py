"""Persistent golden IDs: what stays, what merges, what splits, what retires."""

from __future__ import annotations

from itertools import count

from identity.golden_ids import assign_golden_ids, new_golden_id


def fresh_ids():
    numbers = count(1)
    return lambda: f"per_new{next(numbers)}"


def test_given_no_change_when_assigned_again_then_every_id_is_kept() -> None:
    previous = {1: "per_a", 2: "per_a", 3: "per_b"}

    result = assign_golden_ids({1: [1, 2], 3: [3]}, previous, fresh_ids())

    assert result.record_golden == previous
    assert (result.created, result.merged, result.split, result.retired, result.touched) == ([], {}, {}, [], set())
    assert result.unchanged_share(previous) == 1.0


def test_given_two_profiles_joined_then_the_larger_keeps_its_id_and_the_other_becomes_its_alias() -> None:
    previous = {1: "per_b", 2: "per_b", 3: "per_a"}

    result = assign_golden_ids({1: [1, 2, 3]}, previous, fresh_ids())

    assert set(result.record_golden.values()) == {"per_b"}
    assert result.merged == {"per_a": "per_b"}
    assert result.touched == {"per_a", "per_b"}


def test_given_a_tie_when_merging_then_the_smaller_id_survives_whatever_the_order() -> None:
    previous = {1: "per_z", 2: "per_a"}

    one = assign_golden_ids({1: [1, 2]}, previous, fresh_ids())
    other = assign_golden_ids({2: [2, 1]}, dict(reversed(previous.items())), fresh_ids())

    assert one.merged == other.merged == {"per_z": "per_a"}


def test_given_a_profile_split_then_the_largest_part_keeps_the_id_and_the_rest_get_new_ones() -> None:
    previous = {1: "per_a", 2: "per_a", 3: "per_a", 4: "per_a"}

    result = assign_golden_ids({1: [1, 2, 3], 4: [4]}, previous, fresh_ids())

    assert [result.record_golden[i] for i in (1, 2, 3, 4)] == ["per_a", "per_a", "per_a", "per_new1"]
    assert result.split == {"per_a": ["per_new1"]}
    assert result.created == ["per_new1"]


def test_given_new_records_then_they_get_new_ids_and_joining_records_take_the_existing_one() -> None:
    previous = {1: "per_a"}

    result = assign_golden_ids({1: [1, 2], 3: [3]}, previous, fresh_ids())

    assert result.record_golden == {1: "per_a", 2: "per_a", 3: "per_new1"}
    assert result.touched == {"per_a", "per_new1"}


def test_given_all_records_of_a_profile_gone_then_its_id_is_retired() -> None:
    result = assign_golden_ids({1: [1]}, {1: "per_a", 2: "per_b"}, fresh_ids())

    assert result.retired == ["per_b"]
    assert result.unchanged_share({1: "per_a", 2: "per_b"}) == 0.5


def test_golden_ids_are_prefixed_opaque_and_distinct() -> None:
    ids = {new_golden_id("person") for _ in range(1000)}

    assert len(ids) == 1000
    assert all(golden_id.startswith("per_") and len(golden_id) == 24 for golden_id in ids)
    assert new_golden_id("company").startswith("com_")
