"""The email lookup behind `GET /v1/profiles?email=`: one statement, run without an ORM session.

This is the API's hottest path (a support portal or a CRM widget looks a
caller up by address on every page view), so it avoids what the generic
listing pays for: the match key, its golden member, the golden person and the
company its profile names are found by one statement, read as plain rows,
and no transaction is begun or rolled back around it.

Where it runs depends on the database:

- PostgreSQL: on a few asyncpg connections the app holds for its lifetime
  (opened as requests need them, at most `ASYNC_CONNECTIONS`), as a
  prepared statement awaited on the event loop. CPU is what limits a server
  process: a worker thread or SQLAlchemy's execution machinery would cost
  more than the query itself, and asyncpg costs half of what psycopg's
  async connection does for the same statement (0.15 against 0.33 ms of
  CPU per lookup here). Its pool is not used either: taking a connection
  from it and giving it back cost 0.06 ms more (0.1 ms more with the reset
  round trip it makes by default).
  A blocking call would hold the loop for the whole round trip, and on a
  busy machine PostgreSQL's backend is not always scheduled at once, so the
  loop would idle while requests queue; awaiting lets the loop serve other
  requests meanwhile. A `statement_timeout` bounds a stuck statement. The
  statement is written out in PostgreSQL's SQL for this reason; it is the
  same query as the SQLAlchemy one below (tests/api compare both paths'
  answers with the generic listing's on each backend).
- SQLite (and any other backend): the SQLAlchemy statement, in a worker
  thread on a pooled connection as the other routes do, because a SQLite
  read may wait for a writer's lock (busy timeout).

A person whose company was merged into another (its id is an alias to
follow) is rare; for it `find` answers None and the route takes the generic
path, which follows aliases, so both paths give the same answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import Engine, Select, and_, bindparam, select
from starlette.concurrency import run_in_threadpool

from api.schemas.profiles import CompanyLink
from store.canonical import MatchKey
from store.identity import GoldenMember, GoldenRecord

STATEMENT_TIMEOUT_MS = 5_000  # far above any index lookup; only a lock or a broken server gets near it
ASYNC_CONNECTIONS = 4  # lookups in flight at once per server process; more only adds PostgreSQL backends


@dataclass(frozen=True, slots=True)
class GoldenRow:
    """The columns of a golden person a profile answer shows (what `api.present` reads from a golden record)."""

    golden_id: str
    profile: dict[str, Any]
    member_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FoundPerson:
    person: GoldenRow
    company: CompanyLink | None


def _statement(paged: bool) -> Select[Any]:
    """Active golden people holding a record with the email match key `value`, by id, at most `rows` of them."""
    person = GoldenRecord.__table__.alias("person")
    company = GoldenRecord.__table__.alias("company")
    holders = (
        select(GoldenMember.golden_id)
        .join(MatchKey, and_(MatchKey.entity == GoldenMember.entity, MatchKey.record_id == GoldenMember.record_id))
        .where(MatchKey.entity == "person", MatchKey.kind == "email", MatchKey.value == bindparam("value"))
    )
    named_company = person.c.profile[("company", "golden_id")].as_string()
    query = (
        select(
            person.c.golden_id, person.c.profile, person.c.member_count, person.c.created_at, person.c.updated_at,
            company.c.golden_id.label("company_id"), company.c.status.label("company_status"),
            company.c.merged_into.label("company_merged_into"), company.c.profile[("fields", "name", "value")].label("company_name"),
        )  # fmt: skip
        .select_from(person.outerjoin(company, company.c.golden_id == named_company))
        .where(person.c.entity == "person", person.c.status == "active", person.c.golden_id.in_(holders))
        .order_by(person.c.golden_id)
        .limit(bindparam("rows"))
    )
    return query.where(person.c.golden_id > bindparam("after")) if paged else query


FIRST_PAGE, LATER_PAGE = _statement(paged=False), _statement(paged=True)

POSTGRES_STATEMENT = """\
SELECT person.golden_id, person.profile, person.member_count, person.created_at, person.updated_at,
       company.golden_id, company.status, company.merged_into, company.profile #> '{fields,name,value}'
FROM golden_records AS person
LEFT OUTER JOIN golden_records AS company ON company.golden_id = person.profile #>> '{company,golden_id}'
WHERE person.entity = 'person' AND person.status = 'active'
  AND person.golden_id IN (
    SELECT member.golden_id FROM golden_members AS member
    JOIN match_keys AS match ON match.entity = member.entity AND match.record_id = member.record_id
    WHERE match.entity = 'person' AND match.kind = 'email' AND match.value = $1)
  AFTER
ORDER BY person.golden_id
LIMIT $2"""
POSTGRES_FIRST_PAGE = POSTGRES_STATEMENT.replace("AFTER", "")
POSTGRES_LATER_PAGE = POSTGRES_STATEMENT.replace("AFTER", "AND person.golden_id > $3")


def found_people(rows: Sequence[Sequence[Any]]) -> list[FoundPerson] | None:
    """Rows as profiles with their company link; None when a company id must be followed to its survivor."""
    found = []
    for golden_id, profile, member_count, created_at, updated_at, company_id, company_status, merged_into, company_name in rows:
        if company_status == "merged" and merged_into:
            return None
        link = CompanyLink(id=company_id, name=company_name) if company_status == "active" else None
        # In UTC, as the store's timestamp columns give them (the server's session time zone may differ).
        person = GoldenRow(golden_id, profile, member_count, created_at.astimezone(UTC), updated_at.astimezone(UTC))
        found.append(FoundPerson(person, link))
    return found


class EmailLookup:
    """Runs the lookup where it is cheapest for the database at hand (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._async = engine.dialect.name == "postgresql"
        self._idle: list[asyncpg.Connection] = []
        self._slots: asyncio.Semaphore | None = None  # made on the event loop that runs the lookups

    async def find(self, value: str, after: str | None, rows: int) -> list[FoundPerson] | None:
        """At most `rows` people after the golden id `after`; None when the generic path must answer."""
        if self._async:
            if after is None:
                return found_people(await self._fetched(POSTGRES_FIRST_PAGE, value, rows))
            return found_people(await self._fetched(POSTGRES_LATER_PAGE, value, rows, after))
        parameters = {"value": value, "after": after, "rows": rows}
        return found_people(await run_in_threadpool(self._pooled, FIRST_PAGE if after is None else LATER_PAGE, parameters))

    def _pooled(self, statement: Select[Any], parameters: dict[str, Any]) -> Sequence[Sequence[Any]]:
        with self._engine.connect() as connection:
            return connection.execute(statement, parameters).all()

    async def _fetched(self, sql: str, *arguments: Any) -> list[asyncpg.Record]:
        """The rows, on an idle connection or a new one; a slot is held throughout, so at most ASYNC_CONNECTIONS exist."""
        self._slots = self._slots or asyncio.Semaphore(ASYNC_CONNECTIONS)
        async with self._slots:  # released on every way out, a cancelled request's included
            for attempt in (1, 2):
                connection = self._idle.pop() if self._idle else await self._connect()
                try:
                    rows: list[asyncpg.Record] = await connection.fetch(sql, *arguments)  # prepared once per connection
                except Exception:
                    if not connection.is_closed():
                        self._idle.append(connection)  # a failed statement leaves the connection usable
                        raise
                    if attempt == 2:
                        raise
                    continue  # a dropped connection (a server restart) is retried once on a new one
                except BaseException:
                    connection.terminate()  # cancelled mid-statement: its state is unknown, so it is not reused
                    raise
                self._idle.append(connection)
                return rows
        raise AssertionError("unreachable")

    async def _connect(self) -> asyncpg.Connection:
        url = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(url, server_settings={"statement_timeout": str(STATEMENT_TIMEOUT_MS)})
        await connection.set_type_codec("jsonb", schema="pg_catalog", encoder=_json_text, decoder=orjson.loads)
        return connection

    async def aclose(self) -> None:
        """Close the lookup's own connections (at app shutdown)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()
