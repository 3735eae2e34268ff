"""A small, hand-made Salesforce world for tests (the full synthetic one is `sandbox.population`).

Deterministic: record `i` of every object has predictable values, and stamps
start at `SEED_START` one minute apart, so tests can assert on them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.world import World

SEED_START = datetime(2024, 1, 1, tzinfo=UTC)
_TYPES = ("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other")
_STAGES = ("Prospecting", "Qualification", "Closed Won", "Closed Lost")


def _stamps(index: int) -> dict[str, datetime]:
    moment = SEED_START + timedelta(minutes=index)
    return {"CreatedDate": moment, "LastModifiedDate": moment, "SystemModstamp": moment}


def small_world(
    accounts: int = 10, contacts_per_account: int = 1, opportunities_per_account: int = 0, world: World | None = None
) -> World:
    """`accounts` Accounts (`Account 0`, ...), each with contacts (`person{n}@example.com`) and opportunities."""
    world = world or World.empty()
    users = [_user(world, index) for index in range(2)]
    owner = users[0]["Id"]
    account_rows: list[dict[str, Any]] = []
    contact_rows: list[dict[str, Any]] = []
    opportunity_rows: list[dict[str, Any]] = []
    for index in range(accounts):
        account = _account(world, index, owner)
        account_rows.append(account)
        for _ in range(contacts_per_account):
            contact_rows.append(_contact(world, len(contact_rows), account["Id"], owner))
        for _ in range(opportunities_per_account):
            opportunity_rows.append(_opportunity(world, len(opportunity_rows), account["Id"], owner))
    world.salesforce.update(User=users, Account=account_rows, Contact=contact_rows, Opportunity=opportunity_rows)
    world.salesforce.setdefault("Lead", [])
    world.salesforce.setdefault("Case", [])
    return world


def _user(world: World, index: int) -> dict[str, Any]:
    return {
        "Id": world.ids.salesforce("User"),
        "Username": f"user{index}@acme-sandbox.example",
        "Email": f"user{index}@acme-sandbox.example",
        "FirstName": "Owner",
        "LastName": f"Number{index}",
        "Name": f"Owner Number{index}",
        "IsActive": True,
        "Title": "Account Executive",
        "Department": "Sales",
        "UserType": "Standard",
        **_stamps(0),
    }


def _account(world: World, index: int, owner: str) -> dict[str, Any]:
    return {
        "Id": world.ids.salesforce("Account"),
        "IsDeleted": False,
        "Name": f"Account {index}",
        "Type": _TYPES[index % len(_TYPES)],
        "Industry": "Technology" if index % 2 == 0 else None,
        "Website": f"https://account{index}.example",
        "Phone": f"+1 555 010 {index:04d}",
        "BillingStreet": f"{index} Main Street",
        "BillingCity": "Springfield",
        "BillingState": None,
        "BillingPostalCode": "12345",
        "BillingCountry": "United States",
        "AnnualRevenue": float(1_000_000 + index),
        "NumberOfEmployees": 10 + index,
        "OwnerId": owner,
        "Description": None,
        "ARR__c": float(10_000 + index),
        "Renewal_Date__c": (SEED_START + timedelta(days=365 + index)).date(),
        **_stamps(index),
    }


def _contact(world: World, index: int, account_id: str, owner: str) -> dict[str, Any]:
    return {
        "Id": world.ids.salesforce("Contact"),
        "IsDeleted": False,
        "AccountId": account_id,
        "Salutation": None,
        "FirstName": "Person",
        "LastName": f"Number{index}",
        "Name": f"Person Number{index}",
        "Title": "Buyer",
        "Email": f"person{index}@example.com",
        "Phone": None,
        "MobilePhone": None,
        "MailingCity": "Springfield",
        "MailingCountry": "United States",
        "LeadSource": "Web",
        "OwnerId": owner,
        "MasterRecordId": None,
        **_stamps(index),
    }


def _opportunity(world: World, index: int, account_id: str, owner: str) -> dict[str, Any]:
    stage = _STAGES[index % len(_STAGES)]
    return {
        "Id": world.ids.salesforce("Opportunity"),
        "IsDeleted": False,
        "AccountId": account_id,
        "Name": f"Deal {index}",
        "StageName": stage,
        "Amount": float(5_000 + index),
        "Probability": 100.0 if stage == "Closed Won" else 10.0,
        "CloseDate": (SEED_START + timedelta(days=30 + index)).date(),
        "IsClosed": stage.startswith("Closed"),
        "IsWon": stage == "Closed Won",
        "Type": "New Business",
        "LeadSource": "Web",
        "OwnerId": owner,
        "Description": None,
        **_stamps(index),
    }
