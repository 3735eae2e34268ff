"""`/v1/profiles` over a real socket on a store the loop filled: lookups, pagination, one profile, merges."""

from __future__ import annotations

from typing import Any

import phonenumbers
from sqlalchemy import delete, event, func, select

from api.cursor import encode_cursor
from identity.overrides import add_override
from identity.resolve import resolve
from store import session_scope
from store.canonical import MatchKey, PersonRow
from store.identity import GoldenMember, GoldenRecord
from tests.api.api_support import LiveApi


def active_people(api: LiveApi) -> list[str]:
    with session_scope(api.engine) as session:
        query = select(GoldenRecord.golden_id).where(GoldenRecord.entity == "person", GoldenRecord.status == "active")
        return list(session.scalars(query))


def person_with_email_and_phone(api: LiveApi) -> dict[str, Any]:
    """A record with a strong email and a phone, its golden id and source ref."""
    with session_scope(api.engine) as session:
        phone_holders = select(MatchKey.record_id).where(MatchKey.entity == "person", MatchKey.kind == "phone", MatchKey.is_weak.is_(False))
        record_id, email = session.execute(
            select(MatchKey.record_id, MatchKey.value)
            .where(MatchKey.entity == "person", MatchKey.kind == "email", MatchKey.is_weak.is_(False), MatchKey.record_id.in_(phone_holders))
            .order_by(MatchKey.record_id)
        ).first()
        phone = session.scalars(select(MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "phone", MatchKey.record_id == record_id)).first()
        row = session.get(PersonRow, record_id)
        golden_id = session.scalars(select(GoldenMember.golden_id).where(GoldenMember.entity == "person", GoldenMember.record_id == record_id)).one()
        return {"email": email, "phone": phone, "source": f"{row.system}:{row.object}:{row.source_id}", "golden_id": golden_id, "last_name": row.last_name}


def other_format(e164: str, region: str) -> str:
    """The number as a person would type it: national format at home, international with spaces abroad."""
    number = phonenumbers.parse(e164)
    home = phonenumbers.region_code_for_number(number) == region
    written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    assert written != e164
    return written


def test_given_a_person_when_looked_up_by_email_phone_and_source_then_each_finds_the_same_profile(live_api: LiveApi) -> None:
    person = person_with_email_and_phone(live_api)

    by_email = live_api.get("/v1/profiles", email=person["email"].upper())
    by_phone = live_api.get("/v1/profiles", phone=other_format(person["phone"], live_api.config.mapping.default_region))
    by_source = live_api.get("/v1/profiles", source=person["source"])

    for response in (by_email, by_phone, by_source):
        assert response.status_code == 200, response.text
        assert person["golden_id"] in [item["id"] for item in response.json()["items"]]
    assert [item["id"] for item in by_email.json()["items"]] == [person["golden_id"]]
    assert [item["id"] for item in by_source.json()["items"]] == [person["golden_id"]]


def test_given_a_name_when_searched_with_q_in_another_case_then_the_profile_is_among_the_hits(live_api: LiveApi) -> None:
    person = person_with_email_and_phone(live_api)

    hits = live_api.walk("/v1/profiles", limit=100, q=person["last_name"].swapcase())

    assert person["golden_id"] in {item["id"] for item in hits}
    assert len(hits) < len(active_people(live_api))


def test_given_small_pages_when_walked_then_every_active_profile_is_visited_exactly_once(live_api: LiveApi) -> None:
    expected = active_people(live_api)

    seen = [item["id"] for item in live_api.walk("/v1/profiles", limit=7)]

    assert len(seen) == len(expected) == len(set(seen))
    assert set(seen) == set(expected)
    assert seen == sorted(seen)


def test_given_profiles_added_mid_walk_when_walked_on_then_no_profile_repeats_or_goes_missing(live_api: LiveApi) -> None:
    before = set(active_people(live_api))
    first = live_api.get("/v1/profiles", limit=5).json()
    early, late = "per_0000000000000000000a", "per_fffffffffffffffffff0"
    with session_scope(live_api.engine) as session:
        session.add_all(GoldenRecord(golden_id=golden_id, entity="person", profile={"fields": {}}, member_count=0) for golden_id in (early, late))
    try:
        rest = live_api.walk("/v1/profiles", limit=50, cursor=first["next_cursor"])
    finally:
        with session_scope(live_api.engine) as session:
            session.execute(delete(GoldenRecord).where(GoldenRecord.golden_id.in_([early, late])))

    seen = [item["id"] for item in first["items"]] + [item["id"] for item in rest]
    assert len(seen) == len(set(seen))
    assert set(seen) == before | {late}  # the one added behind the cursor waits for the next walk


def test_given_a_profile_id_when_fetched_then_fields_carry_lineage_and_company_and_sources_are_given(live_api: LiveApi) -> None:
    with session_scope(live_api.engine) as session:
        record = next(r for r in session.scalars(select(GoldenRecord).where(GoldenRecord.entity == "person", GoldenRecord.status == "active")) if r.profile.get("company"))
        company = session.get(GoldenRecord, record.profile["company"]["golden_id"])
        stored = record.profile

    response = live_api.get(f"/v1/profiles/{record.golden_id}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == record.golden_id and body["merged_from"] is None
    assert body["sources"] == stored["sources"] and len(body["sources"]) == record.member_count
    assert body["company"] == {"id": company.golden_id, "name": company.profile["fields"]["name"]["value"]}
    lineage = [cell for cell in body["fields"].values() if cell["value"] is not None]
    assert lineage and all(cell["source"] in stored["sources"] and cell["rule"] for cell in lineage)


def test_given_unknown_ids_and_bad_cursors_when_asked_then_404_and_400_with_an_error_body(live_api: LiveApi) -> None:
    company_id = live_api.get("/v1/companies", limit=1).json()["items"][0]["id"]
    other_listing = live_api.get("/v1/companies", limit=1).json()["next_cursor"]

    unknown = live_api.get("/v1/profiles/per_00000000000000000000")
    wrong_entity = live_api.get(f"/v1/profiles/{company_id}")
    garbage = live_api.get("/v1/profiles", cursor="not-a-cursor")
    foreign = live_api.get("/v1/profiles", cursor=other_listing)
    two_lookups = live_api.get("/v1/profiles", email="a@b.example", q="a")

    assert unknown.status_code == wrong_entity.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found" and "per_00000000000000000000" in unknown.json()["error"]["message"]
    assert "/v1/companies/" in wrong_entity.json()["error"]["message"]
    assert garbage.status_code == foreign.status_code == two_lookups.status_code == 400
    assert garbage.json()["error"]["code"] == "bad_request"


def test_given_a_retired_profile_when_fetched_then_410_says_so(live_api: LiveApi) -> None:
    retired = "per_retired0000000000000"
    with session_scope(live_api.engine) as session:
        session.add(GoldenRecord(golden_id=retired, entity="person", status="retired", profile={}, member_count=0))
    try:
        response = live_api.get(f"/v1/profiles/{retired}")
    finally:
        with session_scope(live_api.engine) as session:
            session.execute(delete(GoldenRecord).where(GoldenRecord.golden_id == retired))

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone" and "retired" in response.json()["error"]["message"]


def test_given_two_profiles_linked_and_resolved_when_the_merged_away_id_is_fetched_then_the_survivor_answers(live_api: LiveApi) -> None:
    left, right = sorted(active_people(live_api))[:2]
    with session_scope(live_api.engine) as session:
        add_override(session, "person", "must_link", left, right, "same person, said the account manager")
    resolve(live_api.engine, live_api.config.identity)
    with session_scope(live_api.engine) as session:
        statuses = dict(session.execute(select(GoldenRecord.golden_id, GoldenRecord.status).where(GoldenRecord.golden_id.in_([left, right]))).all())
    merged, survivor = (left, right) if statuses[left] == "merged" else (right, left)

    response = live_api.get(f"/v1/profiles/{merged}")
    timeline = live_api.walk(f"/v1/profiles/{merged}/timeline", limit=500)

    assert sorted(statuses.values()) == ["active", "merged"]
    assert response.status_code == 200
    assert response.json()["id"] == survivor and response.json()["merged_from"] == merged
    assert response.headers["content-location"] == f"/v1/profiles/{survivor}"
    assert merged not in {item["id"] for item in live_api.walk("/v1/profiles", limit=200)}
    merges = [event for event in timeline if event["type"] == "identity" and event["kind"] == "merged"]
    assert any(merged in event["other_ids"] for event in merges)


def test_given_a_profile_when_explained_then_every_record_is_a_member_with_its_reason(live_api: LiveApi) -> None:
    with session_scope(live_api.engine) as session:
        golden_id, members = session.execute(
            select(GoldenMember.golden_id, func.count()).where(GoldenMember.entity == "person").group_by(GoldenMember.golden_id).order_by(func.count().desc(), GoldenMember.golden_id)
        ).first()

    response = live_api.get(f"/v1/profiles/{golden_id}/explain")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["golden_id"] == golden_id and body["member_count"] == members == len(body["members"]) and members > 1
    assert body["members"][0]["reason"] == "seed"
    assert all(member["via"] is not None for member in body["members"][1:] if member["reason"] != "unlinked")
    sources = live_api.get(f"/v1/profiles/{golden_id}").json()["sources"]
    assert sorted(member["source"]["id"] for member in body["members"]) == sorted(source["id"] for source in sources)


def test_given_control_characters_in_any_input_when_asked_then_a_4xx_never_a_5xx(live_api: LiveApi) -> None:
    nul_cursor = encode_cursor("profiles", ["per_\x00"])
    responses = [
        live_api.get("/v1/profiles", q="ab\x00c"),
        live_api.get("/v1/profiles", source="salesforce:Contact:\x00"),
        live_api.get("/v1/profiles", email="a\x00@b.example"),
        live_api.get("/v1/profiles", phone="+1 415\x00 555 2671"),
        live_api.get("/v1/profiles", cursor=nul_cursor),
        live_api.get("/v1/companies", domain="acme\x00.example"),
        live_api.get("/v1/profiles/per_%00"),
        live_api.get("/v1/companies/com_%00x"),
        live_api.get("/v1/profiles/per_%00/timeline"),
    ]

    assert [response.status_code for response in responses] == [400] * 6 + [404] * 3
    assert all(set(response.json()) >= {"error"} for response in responses)


def test_given_a_warm_key_when_looking_up_by_email_then_two_indexed_queries_answer(live_api: LiveApi) -> None:
    person = person_with_email_and_phone(live_api)
    live_api.get("/v1/profiles", email=person["email"])  # the key is verified and cached here
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(live_api.engine, "before_cursor_execute", count)
    try:
        response = live_api.get("/v1/profiles", email=person["email"])
    finally:
        event.remove(live_api.engine, "before_cursor_execute", count)

    assert response.status_code == 200 and response.json()["items"][0]["id"] == person["golden_id"]
    assert len(statements) <= 2, statements  # the profile (via the match-key index), then its company
