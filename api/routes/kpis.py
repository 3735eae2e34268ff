"""`/v1/kpis`: support and hand-off KPIs over a period — for everything, for one golden company — and their dictionary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import ReadKey, SessionDep
from api.kpi_dictionary import CHURN_FLAGS, KPIS
from api.kpis import CompanyScope, kpi_report, period_of
from api.params import CompanyId
from api.queries import load_golden
from api.schemas.common import error_responses
from api.schemas.kpis import KpiDictionaryOut, KpiReport
from store import api_reads

router = APIRouter(tags=["kpis"])

FromDay = Annotated[
    date | None,
    Query(alias="from", description="first day of the period, included (UTC); default: 90 days before `to`", examples=["2026-09-01"]),
]
ToDay = Annotated[date | None, Query(alias="to", description="last day of the period, included (UTC); default: today", examples=["2026-11-30"])]


@router.get("/v1/kpis", response_model=KpiReport, response_model_by_alias=True, responses=error_responses(400, 401, 429))
def overall_kpis(session: SessionDep, key: ReadKey, first: FromDay = None, last: ToDay = None) -> KpiReport:
    """Every KPI over the period, across all tickets, ratings and hand-off deals; each value carries its definition."""
    now = datetime.now(UTC)
    return kpi_report(session, period_of(first, last, now.date()), now)


@router.get("/v1/kpis/definitions", response_model=KpiDictionaryOut, responses=error_responses(401, 429))
def kpi_definitions(key: ReadKey) -> KpiDictionaryOut:
    """The KPI dictionary: every KPI and churn-risk flag, with its definition, formula, source and good direction."""
    return KpiDictionaryOut(kpis=list(KPIS), churn_flags=list(CHURN_FLAGS))


@router.get("/v1/companies/{company_id}/kpis", response_model=KpiReport, responses=error_responses(400, 401, 404, 410, 429))
def company_kpis(session: SessionDep, key: ReadKey, company_id: CompanyId, response: Response, first: FromDay = None, last: ToDay = None) -> KpiReport:
    """The KPIs of one golden company: its records' tickets, ratings and hand-off deals, and the churn-risk flags it raises.

    A merged-away id answers for its survivor, like `/v1/companies/{id}`.
    """
    now = datetime.now(UTC)
    period = period_of(first, last, now.date())
    record, merged_from = load_golden(session, "company", company_id)
    if merged_from is not None:
        response.headers["Content-Location"] = f"/v1/companies/{record.golden_id}/kpis"
    refs = [(ref.system, ref.source_id) for ref in api_reads.member_refs(session, "company", record.golden_id)]
    return kpi_report(session, period, now, CompanyScope(record.golden_id, refs), merged_from)
