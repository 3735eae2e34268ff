"""Stored rows → response models. The golden profile JSON is already the contract's shape; this only frames it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from api.schemas.common import SourceRef
from api.schemas.companies import CompanyOut, DealBrief, PersonBrief, TicketBrief
from api.schemas.profiles import CompanyLink, ProfileOut
from store.canonical import DealRow, TicketRow
from store.identity import GoldenRecord


class GoldenLike(Protocol):
    """What an answer reads from a golden record: an ORM row, or the plain row of the email lookup (api.lookup)."""

    @property
    def golden_id(self) -> str: ...
    @property
    def profile(self) -> dict[str, Any]: ...
    @property
    def member_count(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


def source_ref(system: str, object_name: str, source_id: str) -> SourceRef:
    return SourceRef(system=system, object=object_name, id=source_id)


def field_value(record: GoldenRecord, name: str) -> Any:
    cell = (record.profile or {}).get("fields", {}).get(name) or {}
    return cell.get("value")


def _common(record: GoldenLike, merged_from: str | None) -> dict[str, Any]:
    profile = record.profile or {}
    return {
        "id": record.golden_id,
        "merged_from": merged_from,
        "fields": profile.get("fields", {}),
        "phones": profile.get("phones", []),
        "sources": profile.get("sources", []),
        "linked_ids": profile.get("linked_ids", {}),
        "member_count": record.member_count,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def company_id_of(record: GoldenRecord) -> str | None:
    """The golden company a person's profile names (possibly an id merged since, which the caller follows)."""
    company = (record.profile or {}).get("company")
    return company.get("golden_id") if isinstance(company, dict) else None


def profile_out(record: GoldenRecord, companies: Mapping[str, GoldenRecord], merged_from: str | None = None) -> ProfileOut:
    """`companies` maps the company ids profiles name to their (active, alias-followed) golden company."""
    company_id = company_id_of(record)
    company = companies.get(company_id) if company_id else None
    link = CompanyLink(id=company.golden_id, name=field_value(company, "name")) if company is not None and company.status == "active" else None
    return linked_profile_out(record, link, merged_from)


def linked_profile_out(record: GoldenLike, company: CompanyLink | None, merged_from: str | None = None) -> ProfileOut:
    """A person whose company link is already known."""
    return ProfileOut.model_validate(_common(record, merged_from) | {"emails": (record.profile or {}).get("emails", []), "company": company})


def company_out(record: GoldenRecord, merged_from: str | None = None) -> CompanyOut:
    return CompanyOut.model_validate(_common(record, merged_from) | {"domains": (record.profile or {}).get("domains", [])})


def person_brief(record: GoldenRecord) -> PersonBrief:
    emails = (record.profile or {}).get("emails") or [{}]
    return PersonBrief(id=record.golden_id, name=field_value(record, "full_name"), email=emails[0].get("value"), title=field_value(record, "title"))


def deal_brief(row: DealRow) -> DealBrief:
    return DealBrief(
        source=source_ref(row.system, row.object, row.source_id), name=row.name, amount=row.amount, currency=row.currency,
        stage=row.stage, close_date=row.close_date, created_at=row.created_at or row.source_updated_at,
    )  # fmt: skip


def ticket_brief(row: TicketRow) -> TicketBrief:
    return TicketBrief(
        source=source_ref(row.system, row.object, row.source_id), subject=row.subject, status=row.status, priority=row.priority,
        created_at=row.created_at or row.source_updated_at, solved_at=row.solved_at,
    )  # fmt: skip
