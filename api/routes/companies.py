"""`/v1/companies`: golden companies — list, look up by domain, and one company with its people, deals and tickets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.cursor import encode_cursor
from api.deps import ReadKey, SessionDep
from api.params import CompanyId, Cursor, Limit, after_id
from api.present import company_out, deal_brief, person_brief, ticket_brief
from api.queries import find_companies, load_golden
from api.schemas.common import error_responses
from api.schemas.companies import (
    CompanyDetailOut,
    CompanyPage,
    DealList,
    PeopleList,
    TicketList,
)
from store import api_reads

router = APIRouter(prefix="/v1/companies", tags=["companies"])
LISTING = "companies"
DETAIL_LIMIT = 50  # each list in a company's detail; its `total` says how many there are


@router.get("", response_model=CompanyPage, responses=error_responses(400, 401, 429))
def list_companies(
    session: SessionDep,
    key: ReadKey,
    limit: Limit = 50,
    cursor: Cursor = None,
    domain: Annotated[str | None, Query(max_length=300, description="a domain, a URL or an email address; matched on its registrable domain", examples=["https://www.acme.example/about"])] = None,
) -> CompanyPage:
    """Golden companies by id, or those with a record on `domain`."""
    records = find_companies(session, domain, after_id(cursor, LISTING), limit)
    page = records[:limit]
    next_cursor = encode_cursor(LISTING, [page[-1].golden_id]) if len(records) > limit else None
    return CompanyPage(items=[company_out(record) for record in page], next_cursor=next_cursor)


@router.get("/{company_id}", response_model=CompanyDetailOut, responses=error_responses(401, 404, 410, 429))
def get_company(session: SessionDep, key: ReadKey, company_id: CompanyId, response: Response) -> CompanyDetailOut:
    """One golden company with the people, deals and tickets of its records (the first 50 of each, with counts).

    A merged-away id answers with the survivor, like `/v1/profiles/{id}`.
    """
    record, merged_from = load_golden(session, "company", company_id)
    if merged_from is not None:
        response.headers["Content-Location"] = f"{router.prefix}/{record.golden_id}"
    refs = api_reads.member_refs(session, "company", record.golden_id)
    people, people_total = api_reads.company_people(session, refs, DETAIL_LIMIT)
    deals, deals_total = api_reads.company_deals(session, refs, DETAIL_LIMIT)
    tickets, tickets_total = api_reads.company_tickets(session, refs, DETAIL_LIMIT)
    return CompanyDetailOut.model_validate(
        company_out(record, merged_from).model_dump()
        | {
            "people": PeopleList(items=[person_brief(person) for person in people], total=people_total),
            "deals": DealList(items=[deal_brief(deal) for deal in deals], total=deals_total),
            "tickets": TicketList(items=[ticket_brief(ticket) for ticket in tickets], total=tickets_total),
        }
    )
