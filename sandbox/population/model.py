"""The true customer base, before any system records it.

These are the facts the ground truth is made of: real companies, real
people, our own staff, real deals. Renderers (salesforce.py, hubspot.py,
zendesk.py) turn them into vendor records, each through a noisy view, and
note the ids they got so that cross-system links can be set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sandbox.population.countries import City, Country
from sandbox.population.phones import PhoneNumber
from sandbox.population.vocabulary import Industry


@dataclass(slots=True, eq=False)
class Staff:
    """One of our own employees: a Salesforce User, a HubSpot owner and a Zendesk agent."""

    key: str  # truth person id: owner-001 (sales) or agent-001 (support)
    kind: str  # sales | support
    first: str
    last: str
    email: str
    title: str
    department: str
    created: datetime
    sf_user_id: str = ""
    hs_owner_id: str = ""
    zd_user_id: int = 0


@dataclass(slots=True, eq=False)
class Company:
    key: str  # truth company id
    brand: str
    legal_suffix: str
    country: Country
    city: City
    street: str
    postal_code: str
    domains: list[str]  # primary first; a second one after a rebrand or for a region
    email_pattern: str
    industry: Industry
    employees: int
    revenue: int
    status: str  # customer | prospect | partner | other
    plan: str
    owner: Staff
    created: datetime
    phone: PhoneNumber  # main line
    namesake_of: str | None = None
    people: list[Person] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    role_mailboxes: list[str] = field(default_factory=list)
    has_sf_account: bool = False
    has_hs_company: bool = False
    has_zd_org: bool = False
    sf_account_id: str | None = None
    hs_company_id: str | None = None
    zd_org_id: int | None = None
    zd_org_created: datetime | None = None

    @property
    def legal_name(self) -> str:
        return f"{self.brand} {self.legal_suffix}"

    @property
    def old_domain(self) -> str | None:
        return self.domains[1] if len(self.domains) > 1 else None


@dataclass(slots=True, eq=False)
class Person:
    key: str  # truth person id
    company: Company
    locale: str
    gender: str
    first: str
    last: str
    suffix: str  # generational suffix ("Jr.") or ""
    salutation: str | None
    title: str
    department: str
    city: City
    phone: PhoneNumber
    mobile: PhoneNumber | None
    created: datetime
    work_email: str = ""
    alias_email: str = ""  # a second address at the primary domain (j.smith@ next to john.smith@)
    old_email: str | None = None  # at the company's older domain
    personal_email: str | None = None
    namesake_of: str | None = None
    role_email: str | None = None  # a shared mailbox this person writes from ...
    role_system: str | None = None  # ... in this system
    in_salesforce: bool = False
    in_hubspot: bool = False
    in_zendesk: bool = False
    sf_shape: str = ""  # contact | lead
    converted_lead: bool = False
    open_lead_for_contact: bool = False
    merged_contact: bool = False
    hubspot_duplicate: bool = False
    zendesk_duplicate: bool = False
    sf_contact_id: str | None = None
    hs_contact_id: str | None = None

    @property
    def country(self) -> Country:
        return self.company.country

    def emails(self, kind: str) -> str | None:
        return {
            "work": self.work_email, "alias": self.alias_email, "old": self.old_email,
            "personal": self.personal_email, "role": self.role_email, "none": None,
        }[kind]


@dataclass(slots=True, eq=False)
class Deal:
    company: Company
    name: str
    stage: str
    probability: int
    hubspot_stage: str
    amount: int
    close_date: date
    is_new_business: bool
    lead_source: str | None
    owner: Staff
    created: datetime
    modified: datetime
    contact: Person | None
    description: str | None


@dataclass(slots=True)
class Cast:
    """Everyone and everything in the world, in generation order."""

    sales: list[Staff]
    support: list[Staff]
    companies: list[Company]
    people: list[Person]

    @property
    def staff(self) -> list[Staff]:
        return self.sales + self.support
