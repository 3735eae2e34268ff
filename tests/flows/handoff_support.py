"""Shared by the hand-off tests: the deal fields installed as an admin would, vendor reads, and the expected hand-offs.

Expectations come from the sandbox's own data — the World's Zendesk tickets
and the vendors' records read through their SDKs — plus the store's identity
(which organization is which account), never from the policy's code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import requests
from hubspot.crm.properties import PropertyCreate
from sqlalchemy import Engine, select

from sandbox.config import SANDBOX_CREDENTIALS
from sandbox.server import SandboxServer
from sandbox.world import World
from store import session_scope
from store.canonical import CompanyRow
from store.identity import GoldenMember
from tests.flows.writeback_support import Vendors, only

SF_DEAL_FIELDS = ("Loophub_Key__c", "Loophub_Ticket_Id__c", "Loophub_Ticket_Url__c")
HS_DEAL_PROPERTIES = ("loophub_key", "loophub_ticket_id", "loophub_ticket_url")
SF_CREATE_ROUTE = "POST /services/data/{version}/composite/sobjects"
HS_CREATE_ROUTE = "POST /crm/v3/objects/{object_type}/batch/create"
ZD_UPDATE_ROUTE = "PUT /api/v2/tickets/update_many.json"
PORTAL_ID = 4711


def install_deal_fields(access: Vendors) -> None:
    """The key and ticket-link fields on Opportunity (Tooling API) and on HubSpot deals (properties API, key unique)."""
    for name, metadata in (
        ("Loophub_Key__c", {"type": "Text", "length": 100, "externalId": True, "unique": True}),
        ("Loophub_Ticket_Id__c", {"type": "Text", "length": 40}),
        ("Loophub_Ticket_Url__c", {"type": "Url"}),
    ):
        body = {"FullName": f"Opportunity.{name}", "Metadata": {"label": name, **metadata}}
        access.sf.restful("tooling/sobjects/CustomField", method="POST", json=body)
    for name in HS_DEAL_PROPERTIES:
        unique = name == "loophub_key"
        definition = PropertyCreate(name=name, label=name, type="string", field_type="text", group_name="dealinformation", has_unique_value=unique)
        access.hs.crm.properties.core_api.create("deals", definition)


def handoff_policies(**handoff: Any) -> dict[str, Any]:
    """A `policies:` section with the hand-off on (with the given settings) and every other policy off, to keep runs short."""
    return only({"handoff": handoff})


@dataclass(frozen=True)
class Expected:
    """A ticket that must get a deal: on which CRM company record, owned by whom, named and dated how."""

    ticket_id: str
    account_id: str
    owner_id: str | None
    deal_name: str
    close_date: date


def signalled_tickets(world: World, tags: set[str], since: datetime) -> list[dict[str, Any]]:
    return [t for t in world.zendesk["tickets"] if tags & set(t["tags"]) and t["created_at"] >= since]


def crm_records_of_organisations(engine: Engine, system: str, object_name: str) -> dict[str, list[str]]:
    """Zendesk organization id → the CRM company records of its golden company (the store's identity)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(GoldenMember.golden_id, CompanyRow.system, CompanyRow.object, CompanyRow.source_id)
            .join(CompanyRow, CompanyRow.id == GoldenMember.record_id)
            .where(GoldenMember.entity == "company", CompanyRow.is_deleted.is_(False))
        )  # fmt: skip
        groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for golden_id, member_system, member_object, source_id in rows:
            groups[golden_id].append((member_system, member_object, source_id))
    found: dict[str, list[str]] = {}
    for members in groups.values():
        records = sorted(source_id for s, o, source_id in members if (s, o) == (system, object_name))
        for member_system, _, source_id in members:
            if member_system == "zendesk":
                found[source_id] = records
    return found


def expected_handoffs(
    engine: Engine, world: World, tags: set[str], now: datetime, window_days: int, crm: str, read_company: Callable[[str], tuple[str | None, str]]
) -> tuple[dict[str, Expected], set[str]]:
    """(ticket id → the deal it must get, ids of signalled tickets that must be skipped); `read_company` gives (owner, name) from the CRM."""
    records = crm_records_of_organisations(engine, crm, "Account" if crm == "salesforce" else "companies")
    expected, skipped = {}, set()
    for ticket in signalled_tickets(world, tags, now - timedelta(days=window_days)):
        accounts = records.get(str(ticket["organization_id"]), []) if ticket["organization_id"] else []
        if ticket["status"] == "closed" or not accounts:
            skipped.add(str(ticket["id"]))
            continue
        assert len(accounts) == 1, "this world gives each company one CRM record; the tie-break is tested without a sandbox"
        owner, name = read_company(accounts[0])
        close = max(ticket["created_at"].date() + timedelta(days=30), now.date())
        expected[str(ticket["id"])] = Expected(str(ticket["id"]), accounts[0], owner, f"{name} — {ticket['subject']}"[:120].strip(), close)
    return expected, skipped


def opportunities(access: Vendors) -> list[dict[str, Any]]:
    """Every opportunity loophub created (it carries a key), through simple-salesforce."""
    soql = (
        "SELECT Id, Name, AccountId, OwnerId, StageName, CloseDate, Loophub_Key__c, Loophub_Ticket_Id__c, Loophub_Ticket_Url__c "
        "FROM Opportunity WHERE Loophub_Key__c != null"
    )
    return [dict(record) for record in access.sf.query_all(soql)["records"]]


def hubspot_deals(access: Vendors) -> list[dict[str, Any]]:
    """Every HubSpot deal loophub created, with its properties and associated company ids."""
    names = ["dealname", "dealstage", "pipeline", "closedate", "hubspot_owner_id", *HS_DEAL_PROPERTIES]
    found = []
    for deal in access.hs.crm.deals.get_all(properties=names, associations=["companies"]):
        if not deal.properties.get("loophub_key"):
            continue
        linked = (deal.associations or {}).get("companies")
        companies = [link.id for link in linked.results] if linked else []
        found.append({"id": deal.id, **deal.properties, "companies": companies})
    return found


def zendesk(server: SandboxServer) -> requests.Session:
    session = requests.Session()
    credentials = {key: value.split(":-", 1)[1] for key, value in SANDBOX_CREDENTIALS["zendesk"].items()}
    session.auth = (f"{credentials['email']}/token", credentials["api_token"])
    session.trust_env = False
    return session


def ticket_comments(server: SandboxServer, ticket_id: str) -> list[dict[str, Any]]:
    with zendesk(server) as session:
        answer = session.get(f"{server.url('zendesk')}/api/v2/tickets/{ticket_id}/comments.json", timeout=30)
        answer.raise_for_status()
        return list(answer.json()["comments"])


def ticket_tags(server: SandboxServer, ticket_id: str) -> list[str]:
    with zendesk(server) as session:
        answer = session.get(f"{server.url('zendesk')}/api/v2/tickets/{ticket_id}.json", timeout=30)
        answer.raise_for_status()
        return list(answer.json()["ticket"]["tags"])


def calls(server: SandboxServer, system: str, route: str) -> int:
    return int(server.control(system).calls.snapshot()["by_route"].get(route, {}).get("calls", 0))

