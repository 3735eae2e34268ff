"""The standard objects the stand-in serves, as data: exactly the fields of sandbox/README.md.

Plus what the real API adds around them: `Id`, `IsDeleted` and the audit
stamps on every object, and the compound address fields (`BillingAddress`,
`MailingAddress`) whose values are dicts in REST answers.
"""

from __future__ import annotations

from dataclasses import replace

from sandbox.ids import SALESFORCE_KEY_PREFIXES
from sandbox.salesforce.schema import FieldDef, ObjectDef


def _text(name: str, label: str, length: int = 255, **options: object) -> FieldDef:
    return FieldDef(name, "string", label, length=length, **options)  # type: ignore[arg-type]


def _picklist(name: str, label: str, values: tuple[str, ...], **options: object) -> FieldDef:
    return FieldDef(name, "picklist", label, length=255, picklist=values, **options)  # type: ignore[arg-type]


def _reference(name: str, label: str, target: str, relationship: str, **options: object) -> FieldDef:
    return FieldDef(
        name,
        "reference",
        label,
        length=18,
        reference_to=(target,),
        relationship_name=relationship,
        **options,  # type: ignore[arg-type]
    )


def _read_only(definition: FieldDef) -> FieldDef:
    return replace(definition, createable=False, updateable=False)


def _system_fields(with_is_deleted: bool) -> list[FieldDef]:
    fields = [FieldDef("Id", "id", "Record ID", length=18, nillable=False, createable=False, updateable=False)]
    if with_is_deleted:
        fields.append(FieldDef("IsDeleted", "boolean", "Deleted", nillable=False, createable=False, updateable=False))
    return fields


def _audit_fields() -> list[FieldDef]:
    return [
        FieldDef(name, "datetime", label, nillable=False, createable=False, updateable=False)
        for name, label in (
            ("CreatedDate", "Created Date"),
            ("LastModifiedDate", "Last Modified Date"),
            ("SystemModstamp", "System Modstamp"),
        )
    ]


def _address(name: str, label: str, prefix: str, parts: tuple[str, ...]) -> list[FieldDef]:
    """Component fields plus the read-only compound field that groups them."""
    labels = {
        "Street": "Street",
        "City": "City",
        "State": "State/Province",
        "PostalCode": "Zip/Postal Code",
        "Country": "Country",
    }
    lengths = {"Street": 255, "City": 40, "State": 80, "PostalCode": 20, "Country": 80}
    components: list[FieldDef] = []
    for part in parts:
        kind = "textarea" if part == "Street" else "string"
        components.append(
            FieldDef(
                f"{prefix}{part}", kind, f"{label.split()[0]} {labels[part]}", length=lengths[part], compound_field=name
            )
        )
    json_keys = {"Street": "street", "City": "city", "State": "state", "PostalCode": "postalCode", "Country": "country"}
    compound = FieldDef(
        name,
        "address",
        label,
        createable=False,
        updateable=False,
        components=tuple((json_keys[part], f"{prefix}{part}") for part in parts),
    )
    return [*components, compound]


_OWNER = _reference("OwnerId", "Owner ID", "User", "Owner", nillable=False, defaulted_on_create=True)
_LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
_INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction",
    "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental",
    "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery",
    "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
    "Telecommunications", "Transportation", "Utilities", "Other",
)  # fmt: skip
OPPORTUNITY_STAGES: dict[str, int] = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}


def standard_objects() -> list[ObjectDef]:
    """Fresh definitions of User, Account, Contact, Lead, Opportunity and Case (a schema mutates its own)."""

    def make(name: str, label: str, plural: str, body: list[FieldDef], with_is_deleted: bool = True) -> ObjectDef:
        ordered = [*_system_fields(with_is_deleted), *body, *_audit_fields()]
        return ObjectDef(name, label, plural, SALESFORCE_KEY_PREFIXES[name], {f.name: f for f in ordered})

    user = make(
        "User",
        "User",
        "Users",
        [
            _text("Username", "Username", 80, nillable=False),
            FieldDef("Email", "email", "Email", length=128, nillable=False),
            _text("FirstName", "First Name", 40),
            _text("LastName", "Last Name", 80, nillable=False),
            _read_only(_text("Name", "Full Name", 121, nillable=False)),
            FieldDef("IsActive", "boolean", "Active", nillable=False, defaulted_on_create=True),
            _text("Title", "Title", 80),
            _text("Department", "Department", 80),
            _read_only(_picklist("UserType", "User Type", ("Standard", "PowerPartner", "CsnOnly", "Guest"))),
        ],
        with_is_deleted=False,
    )
    account = make(
        "Account",
        "Account",
        "Accounts",
        [
            _text("Name", "Account Name", 255, nillable=False),
            _picklist(
                "Type", "Account Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other")
            ),
            _picklist("Industry", "Industry", _INDUSTRIES),
            FieldDef("Website", "url", "Website", length=255),
            FieldDef("Phone", "phone", "Account Phone", length=40),
            *_address(
                "BillingAddress", "Billing Address", "Billing", ("Street", "City", "State", "PostalCode", "Country")
            ),
            FieldDef("AnnualRevenue", "currency", "Annual Revenue", precision=18, scale=0),
            FieldDef("NumberOfEmployees", "int", "Employees", precision=8),
            _OWNER,
            FieldDef("Description", "textarea", "Account Description", length=32000),
            FieldDef("ARR__c", "currency", "ARR", precision=18, scale=2, custom=True),
            FieldDef("Renewal_Date__c", "date", "Renewal Date", custom=True),
        ],
    )
    contact = make(
        "Contact",
        "Contact",
        "Contacts",
        [
            _reference("AccountId", "Account ID", "Account", "Account"),
            _picklist("Salutation", "Salutation", ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
            _text("FirstName", "First Name", 40),
            _text("LastName", "Last Name", 80, nillable=False),
            _read_only(_text("Name", "Full Name", 121, nillable=False)),
            _text("Title", "Title", 128),
            FieldDef("Email", "email", "Email", length=80),
            FieldDef("Phone", "phone", "Business Phone", length=40),
            FieldDef("MobilePhone", "phone", "Mobile Phone", length=40),
            *_address("MailingAddress", "Mailing Address", "Mailing", ("City", "Country")),
            _picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
            _OWNER,
            _read_only(_reference("MasterRecordId", "Master Record ID", "Contact", "MasterRecord")),
        ],
    )
    lead = make(
        "Lead",
        "Lead",
        "Leads",
        [
            _text("FirstName", "First Name", 40),
            _text("LastName", "Last Name", 80, nillable=False),
            _read_only(_text("Name", "Full Name", 121, nillable=False)),
            _text("Company", "Company", 255, nillable=False),
            _text("Title", "Title", 128),
            FieldDef("Email", "email", "Email", length=80),
            FieldDef("Phone", "phone", "Phone", length=40),
            FieldDef("MobilePhone", "phone", "Mobile Phone", length=40),
            *_address("Address", "Address", "", ("City", "Country")),
            FieldDef("Website", "url", "Website", length=255),
            _picklist(
                "Status",
                "Status",
                ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"),
                nillable=False,
                defaulted_on_create=True,
            ),
            _picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
            FieldDef("IsConverted", "boolean", "Converted", nillable=False, updateable=False, defaulted_on_create=True),
            _read_only(_reference("ConvertedAccountId", "Converted Account ID", "Account", "ConvertedAccount")),
            _read_only(_reference("ConvertedContactId", "Converted Contact ID", "Contact", "ConvertedContact")),
            _OWNER,
        ],
    )
    opportunity = make(
        "Opportunity",
        "Opportunity",
        "Opportunities",
        [
            _reference("AccountId", "Account ID", "Account", "Account"),
            _text("Name", "Name", 120, nillable=False),
            _picklist("StageName", "Stage", tuple(OPPORTUNITY_STAGES), nillable=False),
            FieldDef("Amount", "currency", "Amount", precision=18, scale=2),
            FieldDef("Probability", "percent", "Probability (%)", precision=3, scale=0),
            FieldDef("CloseDate", "date", "Close Date", nillable=False),
            _read_only(FieldDef("IsClosed", "boolean", "Closed", nillable=False)),
            _read_only(FieldDef("IsWon", "boolean", "Won", nillable=False)),
            _picklist("Type", "Opportunity Type", ("New Business", "Existing Business")),
            _picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
            _OWNER,
            FieldDef("Description", "textarea", "Description", length=32000),
        ],
    )
    case = make(
        "Case",
        "Case",
        "Cases",
        [
            _read_only(_text("CaseNumber", "Case Number", 30, nillable=False)),
            _reference("AccountId", "Account ID", "Account", "Account"),
            _reference("ContactId", "Contact ID", "Contact", "Contact"),
            _text("Subject", "Subject", 255),
            FieldDef("Description", "textarea", "Description", length=32000),
            _picklist("Status", "Status", ("New", "Working", "Escalated", "Closed"), defaulted_on_create=True),
            _picklist("Priority", "Priority", ("High", "Medium", "Low"), defaulted_on_create=True),
            _picklist("Origin", "Case Origin", ("Phone", "Email", "Web")),
            _read_only(FieldDef("IsClosed", "boolean", "Closed", nillable=False)),
            _read_only(FieldDef("ClosedDate", "datetime", "Closed Date")),
            _OWNER,
        ],
    )
    return [user, account, contact, lead, opportunity, case]
