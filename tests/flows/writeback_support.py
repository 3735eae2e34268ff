"""Shared by the write-back tests: a sandbox synced, mapped and resolved, its CRM fields installed, and SDK access.

The loophub fields are installed the way an admin would: a Tooling API
CustomField per Salesforce field and `POST /crm/v3/properties/companies`
per HubSpot property, both through the vendors' own SDKs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import hubspot
import requests
from hubspot.crm.properties import PropertyCreate
from sandbox_support import sandbox_loophub_config
from simple_salesforce import Salesforce
from sqlalchemy import Engine

from flows.map import map_records
from flows.sync import sync_connection
from flows.writeback.policies import POLICIES
from flows.writeback.settings import SUPPORT_CONTEXT_FIELDS
from identity.resolve import resolve
from loophub.config import LoophubConfig
from mapping import load_catalog
from sandbox.config import SANDBOX_CREDENTIALS
from sandbox.population import generate_world
from sandbox.server import SandboxServer
from sandbox.world import World
from store import create_store_engine, upgrade_database

PEOPLE = 300
SF_UPDATE_ROUTE = "PATCH /services/data/{version}/composite/sobjects"
HS_UPDATE_ROUTE = "POST /crm/v3/objects/{object_type}/batch/update"
HUBSPOT_TOKEN = "pat-sandbox-token"
# Salesforce field types a real admin would pick: (Tooling type, precision, scale) per measure.
SALESFORCE_TYPES = {
    "open_tickets": ("Number", 18, 0), "urgent_tickets": ("Number", 18, 0), "last_ticket_at": ("DateTime", None, None),
    "csat_90d": ("Number", 5, 1), "first_response_hours": ("Number", 10, 1), "resolution_hours": ("Number", 10, 1),
    "support_health": ("Number", 3, 0),
}  # fmt: skip
HUBSPOT_TYPES = {measure: ("datetime", "date") if measure == "last_ticket_at" else ("number", "number") for measure in SUPPORT_CONTEXT_FIELDS}


def _default(reference: str) -> str:
    return reference.split(":-", 1)[1]


@dataclass
class Vendors:
    """SDK clients on a running sandbox, acting as another integration (or an admin) would."""

    server: SandboxServer
    sf: Salesforce
    hs: hubspot.Client
    session: requests.Session

    def account(self, account_id: str) -> dict[str, Any]:
        return dict(self.sf.Account.get(account_id))

    def company(self, company_id: str, properties: list[str]) -> dict[str, Any]:
        return dict(self.hs.crm.companies.basic_api.get_by_id(company_id, properties=properties).properties)

    def calls(self, system: str) -> dict[str, dict[str, int]]:
        return dict(self.server.control(system).calls.snapshot()["by_route"])


@contextmanager
def vendors(server: SandboxServer) -> Iterator[Vendors]:
    session = requests.Session()
    session.verify, session.trust_env = str(server.ca_path), False
    credentials = {key: _default(value) for key, value in SANDBOX_CREDENTIALS["salesforce"].items()}
    token = session.post(
        f"{server.url('salesforce')}/services/oauth2/token",
        data={"grant_type": "password", **credentials},
    ).json()["access_token"]
    sf = Salesforce(instance_url=server.url("salesforce"), session_id=token, version="62.0", session=session)
    try:
        yield Vendors(server, sf, hubspot.Client.create(access_token=HUBSPOT_TOKEN, host=server.url("hubspot")), session)
    finally:
        session.close()


def install_fields(access: Vendors) -> None:
    """Create the support-context fields in both CRMs, empty, as before loophub's first run."""
    for measure, (salesforce_name, hubspot_name) in SUPPORT_CONTEXT_FIELDS.items():
        kind, precision, scale = SALESFORCE_TYPES[measure]
        metadata: dict[str, Any] = {"type": kind, "label": measure.replace("_", " ").title()}
        if precision is not None:
            metadata |= {"precision": precision, "scale": scale}
        access.sf.restful("tooling/sobjects/CustomField", method="POST", json={"FullName": f"Account.{salesforce_name}", "Metadata": metadata})
        kind, field_type = HUBSPOT_TYPES[measure]
        definition = PropertyCreate(name=hubspot_name, label=measure.replace("_", " ").title(), type=kind, field_type=field_type, group_name="companyinformation")
        access.hs.crm.properties.core_api.create("companies", definition)


def loop_once(engine: Engine, config: LoophubConfig) -> None:
    """sync → map → resolve (write-back is left to the test)."""
    for connection in config.connections:
        assert sync_connection(engine, connection).status == "succeeded"
    map_records(engine, load_catalog(config.mapping))
    resolve(engine, config.identity)


@dataclass
class Loop:
    """A running sandbox with loophub's fields installed, and a store synced, mapped and resolved once from it."""

    server: SandboxServer
    world: World
    config: LoophubConfig
    engine: Engine
    vendors: Vendors

    def with_policies(self, policies: dict[str, Any]) -> LoophubConfig:
        """The config with just the named policies (as given) on: each test looks at its own policy's writes."""
        return self.config.model_copy(update={"policies": only(policies)})


def only(policies: dict[str, Any]) -> dict[str, Any]:
    """A `policies:` section running just these policies (with these settings), every other one switched off."""
    names = {policy.name for policy in POLICIES}
    off = {name: {"enabled": False} for name in names - set(policies)}
    return off | {name: {"enabled": True} | given if name in names else given for name, given in policies.items()}


@contextmanager
def prepared_loop(start_sandbox: Callable[[World], SandboxServer], database_url: str, people: int = PEOPLE, seed: int = 7) -> Iterator[Loop]:
    world = generate_world(people, seed=seed)
    server = start_sandbox(world)
    config = sandbox_loophub_config(server, database_url)
    config = config.model_copy(update={"policies": only({"support_context": {}})})
    engine = create_store_engine(database_url)
    upgrade_database(engine)
    try:
        with vendors(server) as access:
            install_fields(access)
            loop_once(engine, config)
            yield Loop(server, world, config, engine, access)
    finally:
        engine.dispose()


def write_calls(server: SandboxServer) -> int:
    """Vendor update calls so far: Salesforce collection PATCHes and HubSpot batch updates."""
    salesforce = server.control("salesforce").calls.snapshot()["by_route"]
    hubspot_routes = server.control("hubspot").calls.snapshot()["by_route"]
    return int(salesforce.get(SF_UPDATE_ROUTE, {}).get("calls", 0)) + int(hubspot_routes.get(HS_UPDATE_ROUTE, {}).get("calls", 0))
