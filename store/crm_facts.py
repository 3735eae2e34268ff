"""What the CRM-facing write-back policies read: CRM company records, deals, owners, contacts and golden profiles.

Plain data out, so the policies never hold SQL. Deleted records are left
out everywhere: a deleted deal is no pipeline, a deleted contact no target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.canonical import CompanyRow, DealRow, OwnerRow, PersonRow
from store.identity import GoldenRecord

# The objects a CRM keeps its contacts in: the people a company-level flag may be copied onto.
CONTACT_OBJECTS = {"salesforce": "Contact", "hubspot": "contacts"}


@dataclass(frozen=True, slots=True)
class CrmCompanyFact:
    """A CRM company record's own sales attributes (type and owner are meaningful only within their system)."""

    system: str
    object: str
    source_id: str
    company_type: str | None
    owner_source_id: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class DealFact:
    system: str
    object: str
    source_id: str
    company_source_id: str | None
    name: str | None
    amount: float | None
    stage: str | None  # the canonical open / won / lost
    stage_raw: str | None  # the CRM's own stage: a Salesforce StageName, a HubSpot stage id
    close_date: date | None


@dataclass(frozen=True, slots=True)
class OwnerFact:
    system: str
    source_id: str
    name: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class ContactFact:
    system: str
    object: str
    source_id: str
    company_source_id: str | None


def crm_companies(session: Session, systems: Sequence[str]) -> list[CrmCompanyFact]:
    """Live company records of the given CRMs with their type, owner and last change."""
    query = select(
        CompanyRow.system, CompanyRow.object, CompanyRow.source_id, CompanyRow.company_type, CompanyRow.owner_source_id, CompanyRow.source_updated_at
    ).where(CompanyRow.system.in_(systems), CompanyRow.is_deleted.is_(False))
    return [CrmCompanyFact(*row) for row in session.execute(query)]


def deal_facts(session: Session, systems: Sequence[str]) -> list[DealFact]:
    """Live deals of the given CRMs."""
    query = select(
        DealRow.system,
        DealRow.object,
        DealRow.source_id,
        DealRow.company_source_id,
        DealRow.name,
        DealRow.amount,
        DealRow.stage,
        DealRow.stage_raw,
        DealRow.close_date,
    ).where(DealRow.system.in_(systems), DealRow.is_deleted.is_(False))
    return [DealFact(*row) for row in session.execute(query)]


def owner_facts(session: Session, systems: Sequence[str]) -> dict[tuple[str, str], OwnerFact]:
    """Owners (Salesforce Users, HubSpot owners) by (system, source id), named as a person would write them."""
    query = select(OwnerRow.system, OwnerRow.source_id, OwnerRow.full_name, OwnerRow.first_name, OwnerRow.last_name, OwnerRow.email).where(
        OwnerRow.system.in_(systems), OwnerRow.is_deleted.is_(False)
    )
    found = {}
    for system, source_id, full_name, first_name, last_name, email in session.execute(query):
        # HubSpot owners carry only first and last names; Salesforce Users also a full Name.
        name = (full_name or " ".join(part for part in (first_name, last_name) if part)).strip() or None
        found[(system, source_id)] = OwnerFact(system, source_id, name, email)
    return found


def crm_contacts(session: Session, systems: Sequence[str]) -> list[ContactFact]:
    """Live CRM contacts (Salesforce Contacts, HubSpot contacts) with the company record they belong to."""
    objects = [CONTACT_OBJECTS[system] for system in systems if system in CONTACT_OBJECTS]
    query = select(PersonRow.system, PersonRow.object, PersonRow.source_id, PersonRow.company_source_id).where(
        PersonRow.system.in_(systems), PersonRow.object.in_(objects), PersonRow.is_deleted.is_(False), PersonRow.company_source_id.is_not(None)
    )
    return [ContactFact(*row) for row in session.execute(query)]


def golden_company_fields(session: Session) -> dict[str, dict[str, Any]]:
    """Each active golden company's surviving field values with their lineage (`profile["fields"]`)."""
    query = select(GoldenRecord.golden_id, GoldenRecord.profile).where(GoldenRecord.entity == "company", GoldenRecord.status == "active")
    return {golden_id: dict((profile or {}).get("fields") or {}) for golden_id, profile in session.execute(query)}
