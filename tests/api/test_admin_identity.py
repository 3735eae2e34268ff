"""Overrides and the review queue through the admin API: saved, audited, and applied by the next resolve."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from identity.resolve import resolve
from store import session_scope
from store.canonical import PersonRow
from store.identity import GoldenMember, ReviewItem
from tests.api.api_support import LiveApi


def call(
    api: LiveApi,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
) -> httpx.Response:
    return api.client.request(
        method, api.url + path, json=body, headers={"X-API-Key": key or api.admin_key}
    )


def people_apart(api: LiveApi, count: int, skip: int = 0) -> list[tuple[str, int, str]]:
    """(ref, record id, golden id) of people records each in a golden record of its own kind: one per golden id."""
    query = (
        select(
            PersonRow.system,
            PersonRow.object,
            PersonRow.source_id,
            PersonRow.id,
            GoldenMember.golden_id,
        )
        .join(
            GoldenMember,
            (GoldenMember.record_id == PersonRow.id)
            & (GoldenMember.entity == "person"),
        )
        .where(PersonRow.is_deleted.is_(False))
        .order_by(GoldenMember.golden_id.desc(), PersonRow.id)
    )
    chosen: dict[str, tuple[str, int, str]] = {}
    with session_scope(api.engine) as session:
        for system, object_name, source_id, record_id, golden_id in session.execute(
            query
        ):
            chosen.setdefault(
                golden_id, (f"{system}:{object_name}:{source_id}", record_id, golden_id)
            )
    picked = list(chosen.values())[skip : skip + count]
    assert len(picked) == count
    return picked


def golden_of(api: LiveApi, record_id: int) -> str:
    with session_scope(api.engine) as session:
        golden = session.scalars(
            select(GoldenMember.golden_id).where(
                GoldenMember.entity == "person", GoldenMember.record_id == record_id
            )
        ).one()
    return golden


def test_given_two_profiles_when_linked_through_the_api_and_resolved_then_they_are_one(
    live_api: LiveApi,
) -> None:
    (left, left_id, left_golden), (right, right_id, right_golden) = people_apart(
        live_api, 2
    )
    assert left_golden != right_golden

    saved = call(
        live_api,
        "POST",
        "/v1/admin/links",
        {"left": left, "right": right, "reason": "same person, new address"},
    )
    unchanged_before_resolve = golden_of(live_api, left_id) != golden_of(
        live_api, right_id
    )
    resolve(live_api.engine, live_api.config.identity)

    assert saved.status_code == 201, saved.text
    assert (
        saved.json()["override"]["kind"] == "must_link"
        and "next resolve" in saved.json()["applies"]
    )
    assert unchanged_before_resolve
    assert golden_of(live_api, left_id) == golden_of(live_api, right_id)
    entry = call(live_api, "GET", "/v1/admin/audit", None).json()["items"][0]
    assert (
        entry["action"] == "override.link"
        and left in entry["target"]
        and entry["detail"]["reason"] == "same person, new address"
    )


def test_given_an_unlink_then_it_is_listed_and_a_bad_ref_is_422(
    live_api: LiveApi,
) -> None:
    (left, _, _), (right, _, _) = people_apart(live_api, 2, skip=4)

    saved = call(
        live_api,
        "POST",
        "/v1/admin/unlinks",
        {"left": left, "right": right, "reason": "namesakes"},
    )
    listed = live_api.get(
        "/v1/admin/overrides", key=live_api.admin_key, entity="person"
    )
    bad = call(
        live_api, "POST", "/v1/admin/links", {"left": "not-a-ref", "right": right}
    )
    missing = call(
        live_api,
        "POST",
        "/v1/admin/links",
        {"left": "salesforce:Contact:does-not-exist", "right": right},
    )

    assert (
        saved.status_code == 201 and saved.json()["override"]["kind"] == "cannot_link"
    )
    assert any(
        item["id"] == saved.json()["override"]["id"] and item["reason"] == "namesakes"
        for item in listed.json()["items"]
    )
    assert (
        bad.status_code == 422 and "system:object:id" in bad.json()["error"]["message"]
    )
    assert (
        missing.status_code == 422
        and "does-not-exist" in missing.json()["error"]["message"]
    )
    assert (
        call(
            live_api,
            "POST",
            "/v1/admin/links",
            {"left": left, "right": right},
            key=live_api.read_key,
        ).status_code
        == 403
    )


def open_items(api: LiveApi) -> list[int]:
    """Two open review items on records in different golden records, added the way the resolver adds them."""
    people = people_apart(api, 4, skip=8)
    with session_scope(api.engine) as session:
        items = [
            ReviewItem(
                entity="person",
                left_id=a[1],
                right_id=b[1],
                score=score,
                match_weight=1.5,
            )
            for a, b, score in (
                (people[0], people[1], 0.91),
                (people[2], people[3], 0.42),
            )
        ]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]


def test_given_open_review_items_when_listed_and_decided_then_both_records_show_and_decisions_become_overrides(
    live_api: LiveApi,
) -> None:
    likely, unlikely = open_items(live_api)

    listed = _walk_admin(live_api, "/v1/admin/review")
    accepted = call(live_api, "POST", f"/v1/admin/review/{likely}/accept")
    again = call(live_api, "POST", f"/v1/admin/review/{likely}/accept")
    rejected = call(live_api, "POST", f"/v1/admin/review/{unlikely}/reject")
    unknown = call(live_api, "POST", "/v1/admin/review/999999/accept")

    ours = {item["id"]: item for item in listed if item["id"] in (likely, unlikely)}
    assert (
        ours[likely]["score"] == 0.91
        and ours[likely]["left"]["source"]["system"]
        and ours[likely]["right"]["record_id"]
    )
    assert [item["score"] for item in listed] == sorted(
        (item["score"] for item in listed), reverse=True
    )
    assert (
        accepted.status_code == 200
        and accepted.json()["status"] == "accepted"
        and accepted.json()["override"]["kind"] == "must_link"
    )
    assert again.status_code == 422
    assert (
        rejected.status_code == 200
        and rejected.json()["override"]["kind"] == "cannot_link"
    )
    assert unknown.status_code == 404
    actions = [
        item["action"]
        for item in call(live_api, "GET", "/v1/admin/audit").json()["items"][:2]
    ]
    assert actions == ["review.reject", "review.accept"]


def _walk_admin(api: LiveApi, path: str) -> list[dict[str, Any]]:
    """A listing page by page (two items a page), with the admin key."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        page = api.get(path, key=api.admin_key, limit=2, cursor=cursor)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the listing never ended")
