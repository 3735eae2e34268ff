"""Shared by the crm_context and suppression tests: a sandbox with their fields installed, vendor reads, and the world's own figures.

Fields are installed the way an admin would: Zendesk organization fields
with `POST /api/v2/organization_fields.json`, Salesforce Checkbox fields
through the Tooling API, HubSpot bool properties through the properties API.
The expected values here are computed from the seeded world (the vendors'
own records), never by loophub's policy code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hubspot.crm.properties import PropertyCreate
from sandbox_support import sandbox_loophub_config
from sqlalchemy import select

from sandbox.config import SANDBOX_CREDENTIALS
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine, session_scope, upgrade_database
from store.canonical import CompanyRow
from store.identity import GoldenMember, GoldenRecord
from tests.flows.writeback_support import Loop, Vendors, loop_once, vendors

PEOPLE = 300
ORGANIZATION_FIELDS = {
    "loophub_owner_name": "text", "loophub_owner_email": "text", "loophub_lifecycle": "text", "loophub_company_type": "text",
    "loophub_revenue": "decimal", "loophub_open_pipeline": "decimal", "loophub_open_deals": "integer",
    "loophub_largest_open_stage": "text", "loophub_renewal_date": "date",
}  # fmt: skip
HOLD_FIELD_SF, HOLD_PROPERTY_HS = "Loophub_Sales_Hold__c", "loophub_sales_hold"
OPEN_TICKET = frozenset({"new", "open", "pending", "hold"})  # Zendesk's own words; `hold` is loophub's on_hold
HOLDING_PRIORITY = frozenset({"urgent", "high"})


@contextmanager
def sales_loop(start_sandbox: Callable[[World], SandboxServer], database_url: str, install: Callable[[Vendors], None]) -> Iterator[Loop]:
    """A sandbox whose fields `install` created before loophub's first pull, synced, mapped and resolved once."""
    world = generate_world(PEOPLE, seed=7)
    server = start_sandbox(world)
    config = sandbox_loophub_config(server, database_url)
    engine = create_store_engine(database_url)
    upgrade_database(engine)
    try:
        with vendors(server) as access:
            install(access)
            loop_once(engine, config)
            yield Loop(server, world, config, engine, access)
    finally:
        engine.dispose()


def zendesk(access: Vendors, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """One Zendesk API v2 call as the integration user (Basic `{email}/token:{api_token}`)."""
    credentials = {key: value.split(":-", 1)[1] for key, value in SANDBOX_CREDENTIALS["zendesk"].items()}
    auth = (f"{credentials['email']}/token", credentials["api_token"])
    response = access.session.request(method, f"{access.server.url('zendesk')}/api/v2/{path}", auth=auth, timeout=30, **kwargs)
    response.raise_for_status()
    return dict(response.json())


def install_organization_fields(access: Vendors) -> None:
    for key, kind in ORGANIZATION_FIELDS.items():
        title = key.removeprefix("loophub_").replace("_", " ").capitalize()
        zendesk(access, "POST", "organization_fields.json", json={"organization_field": {"key": key, "type": kind, "title": title}})


def install_hold_fields(access: Vendors) -> None:
    """The sales-hold Checkbox on Account and Contact, and the bool property on companies and contacts."""
    for sobject in ("Account", "Contact"):
        metadata = {"type": "Checkbox", "label": "Sales hold", "defaultValue": False}
        access.sf.restful("tooling/sobjects/CustomField", method="POST", json={"FullName": f"{sobject}.{HOLD_FIELD_SF}", "Metadata": metadata})
    for object_type, group in (("companies", "companyinformation"), ("contacts", "contactinformation")):
        definition = PropertyCreate(name=HOLD_PROPERTY_HS, label="Sales hold", type="bool", field_type="booleancheckbox", group_name=group)
        access.hs.crm.properties.core_api.create(object_type, definition)


def organizations(access: Vendors, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Organizations as Zendesk answers them now, 100 ids a call."""
    found = {}
    for start in range(0, len(ids), 100):
        chunk = ",".join(str(i) for i in ids[start : start + 100])
        found.update({o["id"]: o for o in zendesk(access, "GET", "organizations/show_many.json", params={"ids": chunk})["organizations"]})
    return found


@dataclass
class Group:
    """One golden company as identity resolved it: its records by system (identity's output, not a policy's)."""

    golden_id: str
    profile: dict[str, Any]
    records: dict[str, list[str]] = field(default_factory=dict)  # system -> source ids (Account, companies, organizations)

    def ids(self, system: str) -> list[str]:
        return self.records.get(system, [])


def golden_groups(loop: Loop) -> list[Group]:
    with session_scope(loop.engine) as session:
        profiles = dict(session.execute(select(GoldenRecord.golden_id, GoldenRecord.profile).where(GoldenRecord.entity == "company")).all())
        rows = session.execute(
            select(GoldenMember.golden_id, CompanyRow.system, CompanyRow.source_id)
            .join(CompanyRow, CompanyRow.id == GoldenMember.record_id)
            .where(GoldenMember.entity == "company", CompanyRow.is_deleted.is_(False))
        ).all()
    groups: dict[str, Group] = {}
    for golden_id, system, source_id in rows:
        group = groups.setdefault(golden_id, Group(golden_id, profiles[golden_id]))
        group.records.setdefault(system, []).append(source_id)
    return sorted(groups.values(), key=lambda g: g.golden_id)


@dataclass(frozen=True)
class WorldDeal:
    system: str
    name: str
    close: date
    amount: float | None
    outcome: str  # won | lost | open
    label: str


def world_deals(world: World, group: Group, hubspot_labels: dict[str, str]) -> tuple[list[WorldDeal], int]:
    """The company's deals as the CRMs hold them, a HubSpot copy of a Salesforce deal (same name and close day) left out; and how many were."""
    accounts = set(group.ids("salesforce"))
    outcome = {"Closed Won": "won", "Closed Lost": "lost"}
    salesforce = [
        WorldDeal("salesforce", o["Name"], o["CloseDate"], o["Amount"], outcome.get(o["StageName"], "open"), o["StageName"])
        for o in world.salesforce["Opportunity"]
        if o["AccountId"] in accounts and not o["IsDeleted"]
    ]
    companies = set(group.ids("hubspot"))
    associated = {a["from_id"] for a in world.hubspot["associations"] if a["from_type"] == "deals" and a["to_type"] == "companies" and a["to_id"] in companies}
    deals, copies = list(salesforce), 0
    unmatched = [(d.name.casefold(), d.close) for d in salesforce]
    for deal in world.hubspot["deals"]:
        p = deal["properties"]
        if deal["id"] not in associated or deal["archived"]:
            continue
        close = date.fromisoformat(p["closedate"][:10])
        stage = {"closedwon": "won", "closedlost": "lost"}.get(p["dealstage"], "open")
        amount = float(p["amount"]) if p.get("amount") else None
        if (p["dealname"].casefold(), close) in unmatched:
            unmatched.remove((p["dealname"].casefold(), close))
            copies += 1
            twin = next(i for i, d in enumerate(deals) if d.system == "salesforce" and (d.name.casefold(), d.close) == (p["dealname"].casefold(), close))
            if deals[twin].amount is None:  # the Salesforce deal speaks for both, with HubSpot's amount when it has none
                deals[twin] = WorldDeal("salesforce", deals[twin].name, close, amount, deals[twin].outcome, deals[twin].label)
            continue
        deals.append(WorldDeal("hubspot", p["dealname"], close, amount, stage, hubspot_labels[p["dealstage"]]))
    return deals, copies


def world_sales(world: World, group: Group, hubspot_labels: dict[str, str], now: datetime) -> dict[str, Any]:
    """The measures of a company with at most one record per CRM, from the world's records (Salesforce preferred)."""
    account = next((a for a in world.salesforce["Account"] if a["Id"] in group.ids("salesforce")), None)
    company = next((c["properties"] for c in world.hubspot["companies"] if c["id"] in group.ids("hubspot")), None)
    users = {u["Id"]: (u["Name"], u["Email"]) for u in world.salesforce["User"]}
    owners = {o["id"]: (f"{o['firstName']} {o['lastName']}", o["email"]) for o in world.hubspot["owners"]}
    owner = users.get(account["OwnerId"]) if account else None
    if owner is None and company:
        owner = owners.get(company.get("hubspot_owner_id") or "")
    deals, copies = world_deals(world, group, hubspot_labels)
    today = now.date()
    won = sum(d.amount or 0 for d in deals if d.outcome == "won" and today - timedelta(days=365) < d.close <= today)
    opened = [d for d in deals if d.outcome == "open"]
    priced = sorted((d for d in opened if d.amount is not None), key=lambda d: (-(d.amount or 0), d.close))
    arr = account.get("ARR__c") if account else None
    return {
        "loophub_owner_name": owner[0] if owner else None,
        "loophub_owner_email": owner[1] if owner else None,
        "loophub_company_type": (account or {}).get("Type") or (company or {}).get("type"),
        "loophub_revenue": arr if arr is not None else float(won),
        "loophub_open_pipeline": float(sum(d.amount or 0 for d in opened)),
        "loophub_open_deals": len(opened),
        "loophub_largest_open_stage": priced[0].label if priced else None,
        "copies": copies,
        "arr": arr,
        "won": float(won),
    }


def open_holding_tickets(tickets: list[dict[str, Any]], organization_ids: set[int]) -> list[dict[str, Any]]:
    """Zendesk tickets (as Zendesk shapes them) of these organizations that put a company on hold."""
    return [t for t in tickets if t["organization_id"] in organization_ids and t["status"] in OPEN_TICKET and t["priority"] in HOLDING_PRIORITY]
