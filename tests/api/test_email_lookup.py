"""`GET /v1/profiles?email=` answers from one statement (api/lookup.py): the same JSON as the generic listing, on each backend."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, text, update

from api.cursor import encode_cursor
from api.lookup import ASYNC_CONNECTIONS, EmailLookup, FoundPerson
from api.present import profile_out
from api.queries import ProfileFilters, companies_of, email_match_key, find_profiles
from api.schemas.profiles import ProfilePage
from store import session_scope
from store.canonical import MatchKey
from store.identity import GoldenRecord
from tests.api.api_support import LiveApi


def generic_page(api: LiveApi, email: str, limit: int = 50, after: str | None = None) -> dict[str, Any]:
    """What the listing answered before the lookup had a path of its own: the ORM reads, serialised as FastAPI does."""
    with session_scope(api.engine) as session:
        records = find_profiles(session, ProfileFilters(email=email), after, limit, api.config.mapping.default_region)
        page = records[:limit]
        items = [profile_out(record, companies_of(session, page)) for record in page]
    next_cursor = encode_cursor("profiles", [page[-1].golden_id]) if len(records) > limit else None
    return ProfilePage(items=items, next_cursor=next_cursor).model_dump(mode="json")


def stored_emails(api: LiveApi) -> list[str]:
    with session_scope(api.engine) as session:
        return sorted(set(session.scalars(select(MatchKey.value).where(MatchKey.entity == "person", MatchKey.kind == "email"))))


def test_given_every_stored_address_when_looked_up_then_the_answer_is_the_generic_listings_byte_for_byte(live_api: LiveApi) -> None:
    emails = stored_emails(live_api)

    answers = [(email, live_api.get("/v1/profiles", email=email.upper())) for email in emails]

    assert len(emails) > 100
    assert all(response.status_code == 200 for _, response in answers)
    assert [response.json() for _, response in answers] == [generic_page(live_api, email) for email, _ in answers]
    assert sum(1 for _, response in answers if response.json()["items"] and response.json()["items"][0]["company"]) > 10


def test_given_an_address_several_people_hold_when_paged_one_by_one_then_pages_match_the_generic_listing(live_api: LiveApi) -> None:
    shared = shared_email(live_api)

    pages, cursor = [], None
    for _ in range(20):
        page = live_api.get("/v1/profiles", email=shared, limit=1, cursor=cursor).json()
        pages.append(page)
        if (cursor := page["next_cursor"]) is None:
            break
    expected = [generic_page(live_api, shared, limit=1)]
    while expected[-1]["next_cursor"] is not None:
        expected.append(generic_page(live_api, shared, limit=1, after=expected[-1]["items"][0]["id"]))

    assert len(pages) >= 2 and pages == expected


def shared_email(api: LiveApi) -> str:
    """An address the records of two or more active golden people hold (role and shared mailboxes are weak keys, never merged on)."""
    for email in stored_emails(api):
        if len(generic_page(api, email)["items"]) >= 2:
            return email
    raise AssertionError("the test world has no address held by two people; the sandbox seeds shared mailboxes")


@pytest.fixture
def merged_company(live_api: LiveApi) -> Iterator[tuple[str, str, str]]:
    """(an address, its person's company id, the company it now points to): the company merged into another, then restored."""
    with session_scope(live_api.engine) as session:
        people = session.scalars(select(GoldenRecord).where(GoldenRecord.entity == "person", GoldenRecord.status == "active")).all()
        person = next(record for record in people if (record.profile.get("company") or {}).get("golden_id") and record.profile.get("emails"))
        email, company_id = person.profile["emails"][0]["value"], person.profile["company"]["golden_id"]
        survivor = session.scalars(select(GoldenRecord.golden_id).where(GoldenRecord.entity == "company", GoldenRecord.golden_id != company_id)).first()
        session.execute(update(GoldenRecord).where(GoldenRecord.golden_id == company_id).values(status="merged", merged_into=survivor))
    try:
        yield email, company_id, survivor
    finally:
        with session_scope(live_api.engine) as session:
            session.execute(update(GoldenRecord).where(GoldenRecord.golden_id == company_id).values(status="active", merged_into=None))


def test_given_a_persons_company_merged_away_when_looked_up_then_the_surviving_company_is_named(live_api: LiveApi, merged_company: tuple[str, str, str]) -> None:
    email, company_id, survivor = merged_company

    response = live_api.get("/v1/profiles", email=email)

    assert response.status_code == 200
    assert response.json() == generic_page(live_api, email)
    assert company_id not in response.text and response.json()["items"][0]["company"]["id"] == survivor


def test_given_a_warm_key_when_looking_up_by_email_then_one_statement_answers_without_a_session_or_pool_checkout(live_api: LiveApi) -> None:
    email = stored_emails(live_api)[0]
    live_api.get("/v1/profiles", email=email)  # the key is verified and cached, the lookup's connection opened
    statements: list[str] = []
    checkouts: list[object] = []

    def executed(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    event.listen(live_api.engine, "before_cursor_execute", executed)
    event.listen(live_api.engine.pool, "checkout", checked_out)
    try:
        response = live_api.get("/v1/profiles", email=email)
    finally:
        event.remove(live_api.engine, "before_cursor_execute", executed)
        event.remove(live_api.engine.pool, "checkout", checked_out)

    assert response.status_code == 200 and response.json()["items"]
    if live_api.engine.dialect.name == "postgresql":
        # The app's own connection, driven by psycopg directly: nothing goes through SQLAlchemy, and its last statement is the lookup.
        assert statements == [] and checkouts == []
        assert "match_keys" in last_statement_of_lookup_connection(live_api)
    else:
        assert len(statements) == 1 and len(checkouts) == 1  # the key check asked nothing: it was cached
        assert "match_keys" in statements[0] and "golden_members" in statements[0] and "golden_records" in statements[0]


def last_statement_of_lookup_connection(api: LiveApi) -> str:
    """The statement PostgreSQL last ran for a connection other than this test's that has run the email lookup."""
    with api.engine.connect() as connection:
        queries = connection.execute(
            text("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%JOIN match_keys AS match%'")
        ).scalars().all()
    assert len(queries) == 1, queries
    return str(queries[0])


def test_given_lookups_cancelled_mid_statement_then_later_lookups_still_get_a_connection(live_api: LiveApi) -> None:
    # A client that hangs up cancels its request while the statement runs; more of those than the lookup has
    # connections must not leave it without one.
    email = stored_emails(live_api)[0]
    slow = "SELECT pg_sleep(5)" if live_api.engine.dialect.name == "postgresql" else "SELECT 1"

    async def cancelled_then_found() -> list[FoundPerson] | None:
        lookup = EmailLookup(live_api.engine)
        try:
            for _ in range(ASYNC_CONNECTIONS + 2):
                task = asyncio.ensure_future(lookup._fetched(slow) if lookup._async else lookup.find(email_match_key(email), None, 2))
                await asyncio.sleep(0.05)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            return await asyncio.wait_for(lookup.find(email_match_key(email), None, 2), timeout=10)
        finally:
            await lookup.aclose()

    found = asyncio.run(cancelled_then_found())

    assert found, "the lookup answered after the cancelled ones"
    assert found[0].person.golden_id == generic_page(live_api, email)["items"][0]["id"]
