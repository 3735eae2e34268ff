"""The CRM object types the stand-in knows, their names, and the association type ids between them.

Paths name an object type by its plural (`contacts`), singular (`contact`) or
type id (`0-1`); everything inside the stand-in uses the plural. The four
seeded types carry data; the other standard types exist so that the official
Airbyte connector's discover and read find them (empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.hubspot.errors import HubSpotError


@dataclass(frozen=True, slots=True)
class ObjectType:
    """One CRM object type: names, the property readers key changes on, and what a bare GET returns."""

    name: str  # plural, as in /crm/v3/objects/contacts
    singular: str
    type_id: str  # e.g. 0-1
    modified_property: str  # lastmodifieddate (contacts) / hs_lastmodifieddate
    default_properties: tuple[str, ...]
    text_search_properties: tuple[str, ...] = ()  # what a search `query` looks in
    primary_display_property: str = "hs_object_id"

    @property
    def label(self) -> str:
        return self.singular.replace("_", " ").title()

    @property
    def upper_name(self) -> str:
        """As HubSpot names it in some messages: CONTACT, COMPANY, ..."""
        return self.singular.upper()


_SYSTEM = ("createdate", "hs_lastmodifieddate", "hs_object_id")

OBJECT_TYPES: dict[str, ObjectType] = {
    "contacts": ObjectType(
        "contacts",
        "contact",
        "0-1",
        "lastmodifieddate",
        ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
        ("firstname", "lastname", "email", "phone", "mobilephone", "company", "hs_additional_emails"),
        "email",
    ),
    "companies": ObjectType(
        "companies",
        "company",
        "0-2",
        "hs_lastmodifieddate",
        ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
        ("name", "domain", "website", "phone"),
        "name",
    ),
    "deals": ObjectType(
        "deals",
        "deal",
        "0-3",
        "hs_lastmodifieddate",
        ("amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"),
        ("dealname",),
        "dealname",
    ),
    "tickets": ObjectType(
        "tickets",
        "ticket",
        "0-5",
        "hs_lastmodifieddate",
        (
            "content",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_category",
            "hs_ticket_priority",
            "subject",
        ),
        ("subject", "content"),
        "subject",
    ),
}

# Standard types nobody seeds; answering them (empty) keeps connectors' discover and read happy.
_EMPTY_TYPES = {
    "line_items": ("line_item", "0-8"),
    "products": ("product", "0-7"),
    "quotes": ("quote", "0-14"),
    "calls": ("call", "0-48"),
    "emails": ("email", "0-49"),
    "meetings": ("meeting", "0-47"),
    "notes": ("note", "0-46"),
    "tasks": ("task", "0-27"),
    "communications": ("communication", "0-18"),
    "postal_mail": ("postal_mail", "0-116"),
    "feedback_submissions": ("feedback_submission", "0-19"),
    "goal_targets": ("goal_target", "0-74"),
    "leads": ("lead", "0-136"),
    "invoices": ("invoice", "0-53"),
    "orders": ("order", "0-123"),
    "carts": ("cart", "0-142"),
    "discounts": ("discount", "0-84"),
    "fees": ("fee", "0-85"),
    "taxes": ("tax", "0-86"),
    "commerce_payments": ("commerce_payment", "0-101"),
    "subscriptions": ("subscription", "0-69"),
    "deal_splits": ("deal_split", "0-58"),
}
for _plural, (_singular, _type_id) in _EMPTY_TYPES.items():
    OBJECT_TYPES[_plural] = ObjectType(_plural, _singular, _type_id, "hs_lastmodifieddate", _SYSTEM)

SEEDED_TYPES = ("contacts", "companies", "deals", "tickets")

_ALIASES: dict[str, str] = {}
for _object_type in OBJECT_TYPES.values():
    for _alias in (_object_type.name, _object_type.singular, _object_type.type_id):
        _ALIASES[_alias.lower()] = _object_type.name
_ALIASES["goals"] = "goal_targets"


def find_type(name: str) -> ObjectType | None:
    """The object type a path names (plural, singular or type id), or None."""
    canonical = _ALIASES.get(name.lower())
    return OBJECT_TYPES[canonical] if canonical else None


def resolve_type(name: str) -> ObjectType:
    """The object type a path names, or HubSpot's 400 for an unknown one."""
    found = find_type(name)
    if found is None:
        raise HubSpotError(400, "VALIDATION_ERROR", f"Unable to infer object type from: {name}")
    return found


# HubSpot-defined default association type ids, per direction (from, to) -> (type id, v3 name).
DEFAULT_ASSOCIATIONS: dict[tuple[str, str], tuple[int, str]] = {
    ("contacts", "companies"): (1, "contact_to_company"),
    ("companies", "contacts"): (2, "company_to_contact"),
    ("deals", "contacts"): (3, "deal_to_contact"),
    ("contacts", "deals"): (4, "contact_to_deal"),
    ("deals", "companies"): (5, "deal_to_company"),
    ("companies", "deals"): (6, "company_to_deal"),
    ("contacts", "tickets"): (15, "contact_to_ticket"),
    ("tickets", "contacts"): (16, "ticket_to_contact"),
    ("companies", "tickets"): (25, "company_to_ticket"),
    ("tickets", "companies"): (26, "ticket_to_company"),
    ("deals", "tickets"): (27, "deal_to_ticket"),
    ("tickets", "deals"): (28, "ticket_to_deal"),
}

# Each type id and the id the same association carries seen from the other side.
_REVERSE_TYPE_IDS: dict[int, int] = {1: 2, 3: 4, 5: 6, 15: 16, 25: 26, 27: 28, 279: 280}
_REVERSE_TYPE_IDS.update({reverse: forward for forward, reverse in list(_REVERSE_TYPE_IDS.items())})

# Type ids HubSpot defines besides the defaults ("unlabeled" and "primary" variants).
_NAMED_TYPE_IDS: dict[int, str] = {279: "contact_to_company_unlabeled", 280: "company_to_contact_unlabeled"}


def default_type_id(from_type: str, to_type: str) -> int:
    """The HubSpot-defined default type id from one type to another (0 for a pair HubSpot has none for)."""
    return DEFAULT_ASSOCIATIONS.get((from_type, to_type), (0, ""))[0]


def reverse_type_id(type_id: int, from_type: str, to_type: str) -> int:
    """The type id of the same association seen from `to_type`."""
    if type_id in _REVERSE_TYPE_IDS:
        return _REVERSE_TYPE_IDS[type_id]
    return default_type_id(to_type, from_type) or type_id


def association_name(type_id: int, from_type: str, to_type: str) -> str:
    """The v3 name of an association type (`contact_to_company`)."""
    if type_id in _NAMED_TYPE_IDS:
        return _NAMED_TYPE_IDS[type_id]
    default_id, default_name = DEFAULT_ASSOCIATIONS.get((from_type, to_type), (0, ""))
    if type_id == default_id and default_name:
        return default_name
    return f"{OBJECT_TYPES[from_type].singular}_to_{OBJECT_TYPES[to_type].singular}"


def type_id_from_name(name: str, from_type: str, to_type: str) -> int | None:
    """The type id a v3 association name stands for, or None if it does not fit the pair."""
    for type_id, known in _NAMED_TYPE_IDS.items():
        if known == name:
            return type_id
    default_id, default_name = DEFAULT_ASSOCIATIONS.get((from_type, to_type), (0, ""))
    return default_id if name == default_name else None


def target_type_for(type_id: int, from_type: str) -> str | None:
    """Which type an association type id leads to from `from_type` (None if HubSpot has no such type)."""
    for (source, target), (default_id, _) in DEFAULT_ASSOCIATIONS.items():
        if source == from_type and default_id == type_id:
            return target
    unlabeled = {(279, "contacts"): "companies", (280, "companies"): "contacts"}
    return unlabeled.get((type_id, from_type))
