"""KPI values, each carrying its definition from the KPI dictionary, and the dictionary itself."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from api.kpi_dictionary import ChurnFlagDefinition, KpiDefinition

KPI_EXAMPLE = {
    "name": "csat",
    "value": 77.5,
    "basis": 40,
    "definition": {
        "name": "csat", "label": "Customer satisfaction (CSAT)", "unit": "percent",
        "definition": "Share of answered satisfaction ratings that were good; ratings offered but not answered do not count.",
        "formula": "100 × good ÷ (good + bad)", "source": "satisfaction ratings of live tickets",
        "period": "when the rating was given", "direction": "higher_is_better",
    },
}  # fmt: skip
FLAG_EXAMPLE = {
    "name": "low_csat", "raised": True, "companies": 1, "evidence": "2 good of 5 rated",
    "definition": {"name": "low_csat", "label": "Low CSAT", "definition": "…", "rule": "good + bad ≥ 3 and 100 × good ÷ (good + bad) < 70"},
}  # fmt: skip


class PeriodOut(BaseModel):
    from_: date = Field(alias="from", serialization_alias="from", description="first day, included (UTC)")
    to: date = Field(description="last day, included (UTC)")

    model_config = ConfigDict(populate_by_name=True)


class KpiValue(BaseModel):
    """One KPI's value over the period, what it was computed from, and what it means."""

    model_config = ConfigDict(json_schema_extra={"examples": [KPI_EXAMPLE]})

    name: str
    value: int | float | None = Field(description="counts are whole numbers; null when nothing in the period to compute it from (no ratings, no solved tickets)")
    basis: int = Field(description="how many items the value comes from: tickets, ratings, deals or companies, as the unit says")
    definition: KpiDefinition


class ChurnFlagValue(BaseModel):
    """One churn-risk flag: for one company whether it is raised; overall how many companies raise it."""

    model_config = ConfigDict(json_schema_extra={"examples": [FLAG_EXAMPLE]})

    name: str
    raised: bool = Field(description="at least one company (this company, on a company's KPIs) raises it")
    companies: int = Field(description="golden companies raising it (0 or 1 on a company's KPIs)")
    evidence: str | None = Field(None, description="on a company's KPIs: what raised it")
    definition: ChurnFlagDefinition


class KpiReport(BaseModel):
    """The KPIs over a period, for every company or one."""

    model_config = ConfigDict(populate_by_name=True)

    company_id: str | None = Field(None, description="the golden company, on `/v1/companies/{id}/kpis`")
    merged_from: str | None = Field(None, description="the id asked for when it was merged into `company_id`")
    period: PeriodOut
    kpis: list[KpiValue]
    churn_flags: list[ChurnFlagValue]


class KpiDictionaryOut(BaseModel):
    """Every KPI and churn-risk flag the API computes, as defined."""

    kpis: list[KpiDefinition]
    churn_flags: list[ChurnFlagDefinition]
