"""How often things happen: presence per system, noise per record view, distributions.

Rates are data so a reader can see at a glance how dirty the world is, and a
bench can print them next to the identity layer's scores. Weighted choices
are `{outcome: weight}` dicts; weights need not sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANIES_PER_PERSON = 1 / 5
STAFF_PER_PERSON = 1 / 500
MIN_STAFF = 3
HISTORY_DAYS = 3 * 365
# Seed data stays this far behind "now": Zendesk exports hide the most recent minute.
SAFETY_MARGIN_SECONDS = 5 * 60

COMPANY_STATUS = {"customer": 55, "prospect": 35, "partner": 5, "other": 5}
SECOND_DOMAIN_RATE = 0.12
HYPHENATED_DOMAIN_RATE = 0.08
NAMESAKE_COMPANY_PAIRS_PER_COMPANY = 1 / 150
MIN_NAMESAKE_COMPANY_PAIRS = 2
NAMESAKE_PEOPLE_PAIRS_PER_PERSON = 1 / 1000
MIN_NAMESAKE_PEOPLE_PAIRS = 3
PROSPECT_ACCOUNT_RATE = 0.5  # prospects known to sales as an Account (the rest only as Leads)


@dataclass(frozen=True, slots=True)
class Presence:
    salesforce: float
    hubspot: float
    zendesk: float


PRESENCE: dict[str, Presence] = {
    "customer": Presence(0.78, 0.62, 0.62),
    "prospect": Presence(0.80, 0.70, 0.05),
    "partner": Presence(0.85, 0.50, 0.30),
    "other": Presence(0.60, 0.50, 0.20),
}
CONVERTED_LEAD_RATE = 0.25  # customer contacts that came in as a Lead and were converted
OPEN_LEAD_FOR_CONTACT_RATE = 0.04  # marketing re-created a Lead for someone who already is a Contact
PROSPECT_AS_LEAD_RATE = 0.4  # prospect people at a known Account still kept as Leads
MERGED_CONTACT_RATE = 0.01  # a Contact merged away in Salesforce (IsDeleted, MasterRecordId)
HUBSPOT_DUPLICATE_RATE = 0.04
ZENDESK_DUPLICATE_RATE = 0.04
PERSONAL_EMAIL_RATE = 0.45  # people who have a personal mailbox at all
MOBILE_RATE = 0.5
ROLE_MAILBOX_COMPANY_RATE = 0.08  # companies whose staff write from a shared mailbox
SWITCHBOARD_PHONE_RATE = 0.03  # a person's phone field holds the company's main line

# Cross-system links the vendors' own integrations set.
HUBSPOT_SALESFORCE_CONTACT_LINK_RATE = 0.6
HUBSPOT_SALESFORCE_ACCOUNT_LINK_RATE = 0.6
ZENDESK_ORG_EXTERNAL_ID_RATE = 0.5
HUBSPOT_COMPANY_FOR_EMPTY_COMPANY_RATE = 0.5
ZENDESK_ORG_FOR_EMPTY_CUSTOMER_RATE = 0.3


@dataclass(frozen=True, slots=True)
class ViewProfile:
    """How one system's record of a person deviates from the person."""

    emails: dict[str, float]  # work | alias | old | personal | none
    names: dict[str, float]  # none | typo | nickname | fold | case | drop_suffix | swap
    phone_missing: float
    phone_styles: dict[str, float]  # see phones.STYLES
    mobile_missing: float = 0.5
    email_case_noise: float = 0.0  # Mixed case as typed; Zendesk and HubSpot lower-case emails themselves
    email_space_noise: float = 0.0
    title_missing: float = 0.2
    company_text_missing: float = 0.0
    extension_rate: float = 0.08


NAMES_CLEAN = {"none": 86, "typo": 3, "nickname": 6, "fold": 2, "case": 1.5, "drop_suffix": 1, "swap": 0.5}
NAMES_DUPLICATE = {"none": 35, "typo": 20, "nickname": 30, "fold": 5, "case": 5, "drop_suffix": 5}
NATIONAL = {"national": 45, "national_dashed": 10, "national_parens": 10, "international": 20, "e164": 15}
INTERNATIONAL = {"international": 35, "e164": 50, "international_trunk": 10, "international_00": 5}

VIEW_PROFILES: dict[str, ViewProfile] = {
    "sf_contact": ViewProfile({"work": 86, "old": 5, "personal": 4, "none": 5}, NAMES_CLEAN, 0.2, NATIONAL,
                              email_case_noise=0.05, email_space_noise=0.01),
    "sf_merged_contact": ViewProfile({"work": 40, "old": 20, "personal": 30, "none": 10}, NAMES_DUPLICATE, 0.3, NATIONAL),
    "sf_lead": ViewProfile({"work": 74, "personal": 21, "none": 5}, NAMES_CLEAN, 0.3, INTERNATIONAL,
                           email_case_noise=0.05, email_space_noise=0.02, title_missing=0.35),
    "hs_contact": ViewProfile({"work": 75, "personal": 18, "old": 4, "none": 3}, NAMES_CLEAN, 0.35, NATIONAL,
                              email_case_noise=0.03, email_space_noise=0.01, title_missing=0.3,
                              company_text_missing=0.3),
    "hs_duplicate": ViewProfile({"personal": 50, "old": 25, "alias": 20, "none": 5}, NAMES_DUPLICATE, 0.5, NATIONAL,
                                email_case_noise=0.03, email_space_noise=0.02, title_missing=0.5,
                                company_text_missing=0.2),
    "zd_user": ViewProfile({"work": 80, "personal": 14, "old": 3, "alias": 3}, NAMES_CLEAN, 0.7, INTERNATIONAL),
    "zd_duplicate": ViewProfile({"personal": 45, "alias": 40, "old": 15}, NAMES_DUPLICATE, 0.8, INTERNATIONAL),
}
WORK_EMAIL_KINDS = frozenset({"work", "alias", "old", "role"})
# Addresses at the domain every company record knows; an older domain may be known nowhere else.
PRIMARY_DOMAIN_EMAIL_KINDS = frozenset({"work", "alias"})
ZENDESK_NAME_STYLES = {"first_last": 90, "last_comma_first": 5, "lower": 5}
HUBSPOT_COMPANY_ASSOCIATION_RATE = 0.92  # contacts with a work email the portal did not auto-associate
ZENDESK_ORG_MEMBERSHIP_RATE = 0.92

COMPANY_NAME_VARIANTS: dict[str, dict[str, float]] = {
    # which rendering of a company name each system tends to hold
    "sf_account": {"legal": 55, "brand": 35, "ampersand": 5, "the": 3, "abbreviated": 2},
    "sf_lead": {"legal": 25, "brand": 50, "ampersand": 8, "the": 5, "abbreviated": 7, "lower": 5},
    "hs_company": {"brand": 60, "legal": 30, "ampersand": 5, "the": 3, "abbreviated": 2},
    "hs_contact": {"brand": 55, "legal": 20, "ampersand": 8, "the": 5, "abbreviated": 7, "lower": 5},
    "zd_org": {"brand": 70, "legal": 25, "ampersand": 3, "the": 2},
}
WEBSITE_STYLES = {"bare": 20, "www": 30, "https": 15, "https_www": 20, "http_www": 5, "with_path": 10}
EMAIL_PATTERNS = {"first.last": 55, "flast": 18, "f.last": 7, "firstl": 5, "first_last": 5, "last.first": 3, "first": 7}

# Deals: per company status, how many opportunities it has.
OPPORTUNITY_COUNTS: dict[str, dict[int, float]] = {
    "customer": {1: 35, 2: 30, 3: 20, 4: 15},
    "prospect": {0: 40, 1: 40, 2: 20},
    "partner": {0: 30, 1: 40, 2: 30},
    "other": {0: 60, 1: 40},
}
# StageName -> (weight among open or lost deals, Probability, HubSpot dealstage)
OPEN_STAGES: dict[str, tuple[float, int, str]] = {
    "Prospecting": (8, 10, "appointmentscheduled"), "Qualification": (8, 10, "qualifiedtobuy"),
    "Needs Analysis": (6, 20, "presentationscheduled"), "Value Proposition": (5, 50, "decisionmakerboughtin"),
    "Proposal/Price Quote": (6, 75, "contractsent"), "Negotiation/Review": (5, 90, "contractsent"),
}
CLOSED_STAGES: dict[str, tuple[float, int, str]] = {"Closed Won": (37, 100, "closedwon"), "Closed Lost": (25, 0, "closedlost")}
HUBSPOT_DEAL_MIRROR_RATE = 0.5  # deals of companies with a Salesforce Account also kept in HubSpot
HUBSPOT_COMPANY_DUPLICATE_RATE = 0.03  # HubSpot does not deduplicate companies by domain
HUBSPOT_ADDITIONAL_EMAIL_RATE = 0.05
LEAD_SOURCES = {"Web": 40, "Phone Inquiry": 15, "Partner Referral": 15, "Purchased List": 10, "Other": 20}

# Support.
TICKETS_PER_USER = {0: 35, 1: 25, 2: 15, 3: 10, 4: 8, 5: 7}
SALES_SIGNAL_TICKET_RATE = 0.03
TICKET_PRIORITY = {"urgent": 5, "high": 15, "normal": 55, "low": 15, None: 10}
TICKET_TYPE = {"question": 40, "incident": 35, "problem": 10, "task": 15}
TICKET_CHANNEL = {"email": 55, "web": 25, "chat": 10, "api": 5, "voice": 5}
# Status mix by ticket age: recent tickets are still open, old ones closed.
STATUS_BY_AGE: tuple[tuple[int, dict[str, float]], ...] = (
    (4, {"new": 25, "open": 40, "pending": 20, "hold": 5, "solved": 10}),
    (30, {"open": 20, "pending": 12, "hold": 8, "solved": 50, "closed": 10}),
    (10**6, {"open": 4, "pending": 3, "hold": 3, "solved": 5, "closed": 85}),
)
SATISFACTION_RATE = 0.35
SATISFACTION_SCORES = {"good": 80, "bad": 20}
REOPEN_RATE = 0.08
SF_CASE_CONTACT_RATE = 0.12
SF_CASE_STATUS = {"New": 10, "Working": 20, "Escalated": 5, "Closed": 65}
HS_TICKET_CONTACT_RATE = 0.1
HS_TICKET_STAGE = {"1": 15, "2": 15, "3": 15, "4": 55}
PLAN_TIER_FIELD_RATE = 0.3
ACCOUNT_TIER_FIELD_RATE = 0.6

