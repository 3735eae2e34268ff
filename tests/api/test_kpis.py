"""`/v1/kpis` over a real socket: every value recounted here from the store's canonical rows, periods, companies, the dictionary."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from api.kpi_dictionary import markdown_table
from identity.overrides import add_override
from identity.resolve import resolve
from store import session_scope
from store.canonical import CompanyRow, DealRow, SatisfactionRow, TicketMetricsRow, TicketRow
from store.handoffs import HandoffRow
from store.identity import GoldenMember, GoldenRecord
from tests.api.api_support import LiveApi

EVERYTHING = date(2000, 1, 1)
OPEN, SOLVED = {"new", "open", "pending", "on_hold"}, {"solved", "closed"}


@dataclass
class Rows:
    """The store's canonical rows, read once per test, and what the API should make of them."""

    tickets: list[TicketRow]
    metrics: dict[tuple[str, str], TicketMetricsRow]
    ratings: list[SatisfactionRow]
    companies: dict[str, set[tuple[str, str]]]  # active golden company → its live records' (system, source id)
    renewals: dict[str, list[date]]
    deals: dict[tuple[str, str, str], DealRow]
    handoffs: list[HandoffRow]


def load(api: LiveApi) -> Rows:
    with session_scope(api.engine) as session:
        tickets = list(session.scalars(select(TicketRow).where(TicketRow.is_deleted.is_(False))))
        metrics = {(m.system, m.ticket_source_id): m for m in session.scalars(select(TicketMetricsRow).where(TicketMetricsRow.is_deleted.is_(False)))}
        ratings = list(session.scalars(select(SatisfactionRow).where(SatisfactionRow.is_deleted.is_(False))))
        active = set(session.scalars(select(GoldenRecord.golden_id).where(GoldenRecord.entity == "company", GoldenRecord.status == "active")))
        members = session.execute(
            select(GoldenMember.golden_id, CompanyRow).join(CompanyRow, CompanyRow.id == GoldenMember.record_id)
            .where(GoldenMember.entity == "company", CompanyRow.is_deleted.is_(False))
        ).all()  # fmt: skip
        deals = {(d.system, d.object, d.source_id): d for d in session.scalars(select(DealRow).where(DealRow.is_deleted.is_(False)))}
        handoffs = list(session.scalars(select(HandoffRow)))
        session.expunge_all()
    companies: dict[str, set[tuple[str, str]]] = {golden_id: set() for golden_id in active}
    renewals: dict[str, list[date]] = {}
    for golden_id, company in members:
        if golden_id in active:
            companies[golden_id].add((company.system, company.source_id))
            if company.renewal_date:
                renewals.setdefault(golden_id, []).append(company.renewal_date)
    return Rows(tickets, metrics, ratings, companies, renewals, deals, handoffs)


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time.min, UTC), datetime.combine(last + timedelta(days=1), time.min, UTC)


def within(moment: datetime | None, first: date, last: date) -> bool:
    start, end = bounds(first, last)
    return moment is not None and start <= moment < end


def of_company(rows: Rows, golden_id: str | None) -> list[TicketRow]:
    if golden_id is None:
        return rows.tickets
    return [t for t in rows.tickets if (t.system, t.company_source_id) in rows.companies[golden_id]]


def expected_support(rows: Rows, tickets: list[TicketRow], first: date, last: date) -> dict[str, Any]:
    """The support KPIs as the dictionary words them, counted row by row."""
    refs = {(t.system, t.source_id) for t in tickets}
    metrics = [(t, rows.metrics[(t.system, t.source_id)]) for t in tickets if (t.system, t.source_id) in rows.metrics]
    solved = [m for t, m in metrics if t.status in SOLVED and within(m.solved_at or t.solved_at, first, last)]
    counted = [m for m in solved if m.replies is not None]
    one_touch = [m for m in counted if m.replies == 1 and not m.reopens]
    replies = [m.first_reply_minutes for t, m in metrics if within(t.created_at, first, last) and m.first_reply_minutes is not None]
    resolutions = [m.full_resolution_minutes for m in solved if m.full_resolution_minutes is not None]
    rated = [r.score for r in rows.ratings if (r.system, r.ticket_source_id) in refs and within(r.created_at, first, last)]
    good, bad = rated.count("good"), rated.count("bad")
    return {
        "ticket_volume": sum(within(t.created_at, first, last) for t in tickets),
        "first_contact_resolution": round(100 * len(one_touch) / len(counted), 2) if counted else None,
        "first_response_hours": round(statistics.median(replies) / 60, 2) if replies else None,
        "resolution_hours": round(statistics.median(resolutions) / 60, 2) if resolutions else None,
        "csat": round(100 * good / (good + bad), 2) if good + bad else None,
    }


def expected_flags(rows: Rows, first: date, last: date, now: datetime) -> dict[str, set[str]]:
    flags: dict[str, set[str]] = {"low_csat": set(), "stale_urgent_ticket": set(), "renewal_at_risk": set()}
    for golden_id in rows.companies:
        tickets = of_company(rows, golden_id)
        refs = {(t.system, t.source_id) for t in tickets}
        rated = [r.score for r in rows.ratings if (r.system, r.ticket_source_id) in refs and within(r.created_at, first, last)]
        good, bad = rated.count("good"), rated.count("bad")
        if good + bad >= 3 and 100 * good / (good + bad) < 70:
            flags["low_csat"].add(golden_id)
        open_tickets = [t for t in tickets if t.status in OPEN]
        if any(t.priority == "urgent" and t.created_at and t.created_at < now - timedelta(days=3) for t in open_tickets):
            flags["stale_urgent_ticket"].add(golden_id)
        renewing = any(now.date() <= day <= now.date() + timedelta(days=90) for day in rows.renewals.get(golden_id, []))
        if renewing and any(t.priority in {"urgent", "high"} for t in open_tickets):
            flags["renewal_at_risk"].add(golden_id)
    return flags


def within_days(day: date, today: date, days: int) -> bool:
    return today - timedelta(days=days) <= day <= today


def values(body: dict[str, Any]) -> dict[str, Any]:
    return {kpi["name"]: kpi["value"] for kpi in body["kpis"]}


def assert_support(got: dict[str, Any], expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        assert got[name] == (pytest.approx(value, abs=0.011) if value is not None else None), name


@pytest.fixture(scope="module")
def handoffs(live_api: LiveApi) -> Iterator[dict[str, Any]]:
    """Hand-off ledger rows for three CRM deals (two open, one won) and one still planned; removed afterwards."""
    rows = load(live_api)
    now = datetime.now(UTC)
    open_deals = sorted((key for key, deal in rows.deals.items() if deal.stage == "open" and deal.amount), key=str)[:2]
    won = next(key for key, deal in sorted(rows.deals.items(), key=lambda item: str(item[0])) if deal.stage == "won" and deal.amount and deal.close_date)
    planned = [(open_deals[0], now - timedelta(days=5)), (open_deals[1], now - timedelta(days=400)), (won, now - timedelta(days=30))]
    with session_scope(live_api.engine) as session:
        for number, ((system, object_name, deal_id), created) in enumerate(planned):
            session.add(ledger_row(number, system, object_name, deal_id, created))
        session.add(ledger_row(9, "salesforce", "Opportunity", None, None))
    yield {"open_recent": rows.deals[open_deals[0]], "open_old": rows.deals[open_deals[1]], "won": rows.deals[won]}
    with session_scope(live_api.engine) as session:
        session.execute(delete(HandoffRow).where(HandoffRow.ticket_id.like("kpi-test-%")))


def ledger_row(number: int, system: str, object_name: str, deal_id: str | None, created: datetime | None) -> HandoffRow:
    return HandoffRow(
        ticket_system="zendesk", ticket_object="tickets", ticket_id=f"kpi-test-{number}", golden_id="com_kpi_test", target_system=system,
        target_object=object_name, account_id="none", idempotency_key=f"kpi-test-{number}", fields={}, context={},
        status="created" if deal_id else "planned", deal_id=deal_id, deal_created_at=created, attempts=0,
    )  # fmt: skip


def test_given_the_loop_store_when_kpis_are_asked_for_all_time_then_each_equals_a_recount_of_the_canonical_rows(live_api: LiveApi) -> None:
    rows = load(live_api)
    today = datetime.now(UTC).date()

    response = live_api.get("/v1/kpis", **{"from": EVERYTHING.isoformat(), "to": today.isoformat()})

    assert response.status_code == 200, response.text
    expected = expected_support(rows, rows.tickets, EVERYTHING, today)
    assert_support(values(response.json()), expected)
    assert expected["ticket_volume"] == len(rows.tickets) > 50
    assert all(expected[name] is not None for name in expected)
    assert response.json()["period"] == {"from": EVERYTHING.isoformat(), "to": today.isoformat()}


def test_given_a_split_date_when_two_periods_are_asked_then_their_volumes_add_up_to_the_whole(live_api: LiveApi) -> None:
    rows = load(live_api)
    today = datetime.now(UTC).date()
    split = sorted(t.created_at for t in rows.tickets if t.created_at)[len(rows.tickets) // 2].date()

    before = live_api.get("/v1/kpis", **{"from": EVERYTHING.isoformat(), "to": (split - timedelta(days=1)).isoformat()})
    after = live_api.get("/v1/kpis", **{"from": split.isoformat(), "to": today.isoformat()})
    default = live_api.get("/v1/kpis")

    volume = {name: values(r.json())["ticket_volume"] for name, r in (("before", before), ("after", after), ("default", default))}
    assert volume["before"] == sum(t.created_at.date() < split for t in rows.tickets if t.created_at) > 0
    assert volume["after"] == sum(t.created_at.date() >= split for t in rows.tickets if t.created_at) > 0
    assert volume["before"] + volume["after"] == len(rows.tickets)
    assert default.json()["period"] == {"from": (today - timedelta(days=89)).isoformat(), "to": today.isoformat()}
    assert_support(values(default.json()), expected_support(rows, rows.tickets, today - timedelta(days=89), today))


def test_given_the_company_with_most_tickets_when_its_kpis_are_asked_then_they_count_only_its_records(live_api: LiveApi) -> None:
    rows = load(live_api)
    today = datetime.now(UTC).date()
    company = max(sorted(rows.companies), key=lambda golden_id: len(of_company(rows, golden_id)))
    tickets = of_company(rows, company)

    response = live_api.get(f"/v1/companies/{company}/kpis", **{"from": EVERYTHING.isoformat()})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["company_id"] == company and body["merged_from"] is None
    expected = expected_support(rows, tickets, EVERYTHING, today)
    assert_support(values(body), expected)
    assert 0 < expected["ticket_volume"] < len(rows.tickets)


def test_given_every_company_when_churn_flags_are_counted_then_they_match_the_rules_recounted(live_api: LiveApi) -> None:
    rows = load(live_api)
    now = datetime.now(UTC)
    first = date(2020, 1, 1)
    expected = expected_flags(rows, first, now.date(), now)
    at_risk = set().union(*expected.values())

    overall = live_api.get("/v1/kpis", **{"from": first.isoformat()}).json()
    flagged = sorted(at_risk)[:3]
    per_company = {golden_id: live_api.get(f"/v1/companies/{golden_id}/kpis", **{"from": first.isoformat()}).json() for golden_id in flagged}

    assert {flag["name"]: flag["companies"] for flag in overall["churn_flags"]} == {name: len(ids) for name, ids in expected.items()}
    assert values(overall)["companies_at_churn_risk"] == len(at_risk) > 0
    for golden_id, body in per_company.items():
        raised = {flag["name"] for flag in body["churn_flags"] if flag["raised"]}
        assert raised == {name for name, ids in expected.items() if golden_id in ids}
        assert all(flag["evidence"] for flag in body["churn_flags"] if flag["raised"])
        assert values(body)["companies_at_churn_risk"] == 1


def test_given_hand_off_deals_when_kpis_are_asked_then_open_ones_are_pipeline_and_won_ones_revenue(live_api: LiveApi, handoffs: dict[str, Any]) -> None:
    today = datetime.now(UTC).date()
    won_on = handoffs["won"].close_date
    recent = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}

    last_month = values(live_api.get("/v1/kpis", **recent).json())
    all_time = values(live_api.get("/v1/kpis", **{"from": EVERYTHING.isoformat(), "to": max(today, won_on).isoformat()}).json())
    won_day = values(live_api.get("/v1/kpis", **{"from": won_on.isoformat(), "to": won_on.isoformat()}).json())

    assert last_month["support_sourced_pipeline"] == pytest.approx(handoffs["open_recent"].amount)
    assert all_time["support_sourced_pipeline"] == pytest.approx(handoffs["open_recent"].amount + handoffs["open_old"].amount)
    assert handoffs["won"].amount > 0
    assert won_day["support_sourced_won_revenue"] == pytest.approx(handoffs["won"].amount)
    assert last_month["support_sourced_won_revenue"] == (pytest.approx(handoffs["won"].amount) if within_days(won_on, today, 30) else 0)
    assert all_time["support_sourced_won_revenue"] == pytest.approx(handoffs["won"].amount)


def test_given_the_dictionary_when_listed_then_every_kpi_value_carries_the_same_definition_and_the_readme_agrees(live_api: LiveApi) -> None:
    definitions = live_api.get("/v1/kpis/definitions")
    report = live_api.get("/v1/kpis")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

    assert definitions.status_code == report.status_code == 200
    by_name = {kpi["name"]: kpi for kpi in definitions.json()["kpis"]}
    assert [kpi["name"] for kpi in report.json()["kpis"]] == list(by_name)
    assert len(by_name) == 8
    for kpi in report.json()["kpis"]:
        assert kpi["definition"] == by_name[kpi["name"]]
        assert all(kpi["definition"][part] for part in ("label", "unit", "definition", "formula", "source", "period"))
        assert kpi["definition"]["direction"] in {"higher_is_better", "lower_is_better"}
    assert [flag["definition"] for flag in report.json()["churn_flags"]] == definitions.json()["churn_flags"]
    assert markdown_table() in readme, "README.md's KPI table differs from api/kpi_dictionary.py: paste markdown_table() into it"


def test_given_bad_periods_unknown_companies_or_no_key_when_asked_then_4xx_with_a_message(live_api: LiveApi) -> None:
    backwards = live_api.get("/v1/kpis", **{"from": "2026-03-01", "to": "2026-02-01"})
    garbled = live_api.get("/v1/kpis", **{"from": "last tuesday"})
    far = live_api.get("/v1/kpis", to="9999-12-31")
    unknown = live_api.get("/v1/companies/com_00000000000000000000/kpis")
    person_id = live_api.get("/v1/profiles", limit=1).json()["items"][0]["id"]
    person = live_api.get(f"/v1/companies/{person_id}/kpis")
    keyless = live_api.client.get(f"{live_api.url}/v1/kpis")
    keyless_definitions = live_api.client.get(f"{live_api.url}/v1/kpis/definitions")

    assert backwards.status_code == 400 and "swap" in backwards.json()["error"]["message"]
    assert garbled.status_code == 422 and "from" in garbled.json()["error"]["message"]
    assert far.status_code == 400 and "9999-12-31" in far.json()["error"]["message"]
    assert unknown.status_code == 404 and person.status_code == 404
    assert keyless.status_code == keyless_definitions.status_code == 401


def test_given_two_companies_merged_when_the_merged_away_id_asks_for_kpis_then_the_survivor_answers(live_api: LiveApi) -> None:
    # The store is shared by the package: apply what earlier tests left pending (their overrides) first.
    resolve(live_api.engine, live_api.config.identity)
    rows = load(live_api)
    left, right = sorted(rows.companies, key=lambda golden_id: (len(of_company(rows, golden_id)), golden_id))[:2]
    with session_scope(live_api.engine) as session:
        add_override(session, "company", "must_link", left, right, "one company, said the account manager")
    resolve(live_api.engine, live_api.config.identity)
    with session_scope(live_api.engine) as session:
        records = session.scalars(select(GoldenRecord).where(GoldenRecord.golden_id.in_([left, right])))
        statuses = {record.golden_id: (record.status, record.merged_into) for record in records}
    merged = left if statuses[left][0] == "merged" else right
    survivor = statuses[merged][1]
    # Usually one of the two survives; the link may also join a third company that keeps its id, which is fine here.
    assert statuses[merged][0] == "merged" and survivor is not None, statuses
    assert all(golden_id == survivor or merged_into == survivor for golden_id, (_, merged_into) in statuses.items()), statuses

    by_alias = live_api.get(f"/v1/companies/{merged}/kpis", **{"from": EVERYTHING.isoformat()})
    direct = live_api.get(f"/v1/companies/{survivor}/kpis", **{"from": EVERYTHING.isoformat()})

    assert by_alias.status_code == 200, by_alias.text
    assert by_alias.json()["company_id"] == survivor and by_alias.json()["merged_from"] == merged
    assert by_alias.headers["content-location"] == f"/v1/companies/{survivor}/kpis"
    assert by_alias.json()["kpis"] == direct.json()["kpis"]
