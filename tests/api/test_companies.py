"""`/v1/companies` over a real socket: pagination, lookup by domain, and a company with its people, deals and tickets."""

from __future__ import annotations

from sqlalchemy import select

from store import session_scope
from store.canonical import CompanyRow, DealRow, MatchKey, TicketRow
from store.identity import GoldenMember, GoldenRecord
from tests.api.api_support import LiveApi


def test_given_small_pages_when_companies_are_walked_then_each_active_company_comes_once(live_api: LiveApi) -> None:
    with session_scope(live_api.engine) as session:
        expected = set(session.scalars(select(GoldenRecord.golden_id).where(GoldenRecord.entity == "company", GoldenRecord.status == "active")))

    seen = [item["id"] for item in live_api.walk("/v1/companies", limit=9)]

    assert len(seen) == len(set(seen)) == len(expected) > 9
    assert set(seen) == expected


def test_given_a_domain_written_as_a_url_when_looked_up_then_its_company_answers(live_api: LiveApi) -> None:
    with session_scope(live_api.engine) as session:
        record_id, domain = session.execute(
            select(MatchKey.record_id, MatchKey.value).where(MatchKey.entity == "company", MatchKey.kind == "domain", MatchKey.is_weak.is_(False)).order_by(MatchKey.id)
        ).first()
        golden_id = session.scalars(select(GoldenMember.golden_id).where(GoldenMember.entity == "company", GoldenMember.record_id == record_id)).one()

    response = live_api.get("/v1/companies", domain=f"https://www.{domain.upper()}/pricing?x=1")
    nothing = live_api.get("/v1/companies", domain="no-such-company-anywhere.example.com")
    unreadable = live_api.get("/v1/companies", domain="not a domain")

    assert response.status_code == 200
    assert golden_id in [item["id"] for item in response.json()["items"]]
    assert any(value["value"] == domain for item in response.json()["items"] for value in item["domains"])
    assert nothing.json() == {"items": [], "next_cursor": None}
    assert unreadable.status_code == 400


def test_given_a_company_when_fetched_then_it_lists_its_people_deals_and_tickets_with_counts(live_api: LiveApi) -> None:
    with session_scope(live_api.engine) as session:
        people = session.scalars(select(GoldenRecord).where(GoldenRecord.entity == "person", GoldenRecord.status == "active")).all()
        by_company: dict[str, set[str]] = {}
        for person in people:
            if person.profile.get("company"):
                by_company.setdefault(person.profile["company"]["golden_id"], set()).add(person.golden_id)
        company_id = max(sorted(by_company), key=lambda golden_id: len(by_company[golden_id]))
        refs = set(session.execute(
            select(CompanyRow.system, CompanyRow.source_id).join(GoldenMember, (GoldenMember.entity == "company") & (GoldenMember.record_id == CompanyRow.id))
            .where(GoldenMember.golden_id == company_id, CompanyRow.is_deleted.is_(False))
        ).all())  # fmt: skip
        deals = sum((deal.system, deal.company_source_id) in refs for deal in session.scalars(select(DealRow).where(DealRow.is_deleted.is_(False))))
        tickets = sum((ticket.system, ticket.company_source_id) in refs for ticket in session.scalars(select(TicketRow).where(TicketRow.is_deleted.is_(False))))

    response = live_api.get(f"/v1/companies/{company_id}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == company_id and body["fields"]["name"]["value"]
    listed = {person["id"] for person in body["people"]["items"]}
    assert by_company[company_id] <= listed and body["people"]["total"] == len(listed) >= 2
    assert body["deals"]["total"] == deals == len(body["deals"]["items"]) > 0
    assert body["tickets"]["total"] == tickets == len(body["tickets"]["items"])
    created = [deal["created_at"] for deal in body["deals"]["items"] if deal["created_at"]]
    assert created == sorted(created, reverse=True)


def test_given_unknown_or_person_ids_when_fetched_as_companies_then_404(live_api: LiveApi) -> None:
    person_id = live_api.get("/v1/profiles", limit=1).json()["items"][0]["id"]

    assert live_api.get("/v1/companies/com_00000000000000000000").status_code == 404
    assert live_api.get(f"/v1/companies/{person_id}").status_code == 404
