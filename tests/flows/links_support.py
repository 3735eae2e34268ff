"""Shared by the cross-link and enrichment tests: a resolved sandbox with the link fields created as an admin would, and vendor reads.

Fields are created before loophub's first sync, through each vendor's own
API: Salesforce Tooling `CustomField`s (Text 255) on Account and Contact,
HubSpot text properties on companies and contacts, Zendesk text
organization and user fields (`POST /api/v2/organization_fields.json`).
Only the policy under test runs: every other policy is switched off, so a
failure elsewhere cannot hide in (or break) these writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hubspot.crm.properties import PropertyCreate
from sandbox_support import sandbox_loophub_config

from flows.writeback.plan import Plan
from loophub.config import LoophubConfig
from sandbox.config import SANDBOX_CREDENTIALS
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine, upgrade_database
from tests.flows.writeback_support import Loop, Vendors, loop_once, vendors
from tests.flows.writeback_support import only as only_policies

# The documented defaults, written out here so a changed default fails these tests.
SF_LINK_FIELDS = {"golden_id": "Loophub_Golden_Id__c", "hubspot": "Loophub_HubSpot_Id__c", "zendesk": "Loophub_Zendesk_Id__c"}
HS_LINK_FIELDS = {"golden_id": "loophub_golden_id", "salesforce": "loophub_salesforce_id", "zendesk": "loophub_zendesk_id"}
ZD_LINK_KEYS = {"golden_id": "loophub_golden_id", "salesforce": "loophub_salesforce_id", "hubspot": "loophub_hubspot_id"}
OBJECTS = {
    "company": {"salesforce": "Account", "hubspot": "companies", "zendesk": "organizations"},
    "person": {"salesforce": "Contact", "hubspot": "contacts", "zendesk": "users"},
}
HS_GROUPS = {"companies": "companyinformation", "contacts": "contactinformation"}
FAST_ZENDESK_JOBS = {"job_poll_interval": 0.05}


def _default(reference: str) -> str:
    return reference.split(":-", 1)[1]


def zendesk_request(access: Vendors, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """A Zendesk API call as an admin makes it: Basic `{email}/token:{api_token}`."""
    credentials = {key: _default(value) for key, value in SANDBOX_CREDENTIALS["zendesk"].items()}
    auth = (f"{credentials['email']}/token", credentials["api_token"])
    response = access.session.request(method, f"{access.server.url('zendesk')}{path}", auth=auth, timeout=30, **kwargs)
    response.raise_for_status()
    return dict(response.json())


def install_link_fields(access: Vendors) -> None:
    """Create every cross-link field loophub writes by default, empty."""
    for entity, objects in OBJECTS.items():
        for name in SF_LINK_FIELDS.values():
            metadata = {"type": "Text", "length": 255, "label": name.removesuffix("__c").replace("_", " ")}
            access.sf.restful("tooling/sobjects/CustomField", method="POST", json={"FullName": f"{objects['salesforce']}.{name}", "Metadata": metadata})
        for name in HS_LINK_FIELDS.values():
            definition = PropertyCreate(name=name, label=name.replace("_", " "), type="string", field_type="text", group_name=HS_GROUPS[objects["hubspot"]])
            access.hs.crm.properties.core_api.create(objects["hubspot"], definition)
        kind = "organization_field" if entity == "company" else "user_field"
        for key in ZD_LINK_KEYS.values():
            zendesk_request(access, "POST", f"/api/v2/{kind}s.json", json={kind: {"key": key, "title": key.replace("_", " "), "type": "text"}})


def salesforce_rows(access: Vendors, sobject: str, fields: list[str]) -> dict[str, dict[str, Any]]:
    """Every live record of `sobject` with `fields`, read with SOQL."""
    answer = access.sf.query_all(f"SELECT Id, {', '.join(fields)} FROM {sobject}")
    return {row["Id"]: dict(row) for row in answer["records"]}


def hubspot_rows(access: Vendors, object_type: str, properties: list[str]) -> dict[str, dict[str, Any]]:
    """Every live record of `object_type` with `properties`, through the SDK's paging."""
    api = getattr(access.hs.crm, object_type).basic_api
    rows, after = {}, None
    while True:
        page = api.get_page(limit=100, after=after, properties=properties)
        rows.update({record.id: dict(record.properties) for record in page.results})
        if page.paging is None or page.paging.next is None:
            return rows
        after = page.paging.next.after


def zendesk_rows(access: Vendors, kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The Zendesk users or organizations with these ids, 100 per `show_many` call."""
    rows = {}
    for start in range(0, len(ids), 100):
        answer = zendesk_request(access, "GET", f"/api/v2/{kind}/show_many.json", params={"ids": ",".join(ids[start : start + 100])})
        rows.update({str(record["id"]): record for record in answer[kind]})
    return rows


def only(config: LoophubConfig, policy: str, settings: dict[str, Any] | None = None) -> LoophubConfig:
    """`config` with every write-back policy but `policy` switched off, and Zendesk jobs polled quickly."""
    policies = only_policies({policy: settings or {}})
    connections = [c.model_copy(update={"options": c.options | FAST_ZENDESK_JOBS}) if c.system == "zendesk" else c for c in config.connections]
    return config.model_copy(update={"policies": policies, "connections": connections})


def rows_of(plan: Plan, policy: str) -> list[Any]:
    return [row for row in plan.rows if row.policy == policy]


def resync(loop: Loop, config: LoophubConfig) -> None:
    """sync → map → resolve again, a little over a minute later: Zendesk's exports hide the most recent minute."""
    loop.server.clock.advance(90)
    loop_once(loop.engine, config)


@contextmanager
def prepared_links_loop(start_sandbox: Callable[[World], SandboxServer], database_url: str, people: int = 300, seed: int = 7) -> Iterator[Loop]:
    """A sandbox with the link fields installed, synced, mapped and resolved once."""
    world = generate_world(people, seed=seed)
    server = start_sandbox(world)
    config = sandbox_loophub_config(server, database_url)
    engine = create_store_engine(database_url)
    upgrade_database(engine)
    try:
        with vendors(server) as access:
            install_link_fields(access)
            loop_once(engine, config)
            yield Loop(server, world, config, engine, access)
    finally:
        engine.dispose()
