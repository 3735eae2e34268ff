"""Field and object definitions, and the schema that holds them (custom fields can be added at run time).

Describe, SOQL binding, write validation and CSV/JSON serialisation are all
built from these definitions, so adding a custom field (the Tooling API,
`/_sandbox/fields`) makes it queryable, writable and described at once. The
standard objects themselves are in `catalogue.py`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

# Describe types whose values are text on the wire (SOQL compares them case-insensitively).
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox"})
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "address": "urn:address",
}
_CUSTOM_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__c$")


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field as describe reports it."""

    name: str
    type: str
    label: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    custom: bool = False
    picklist: tuple[str, ...] = ()
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    compound_field: str | None = None  # BillingCity -> BillingAddress
    components: tuple[tuple[str, str], ...] = ()  # address: (json key, component field name)

    @property
    def soap_type(self) -> str:
        return _SOAP_TYPES.get(self.type, "xsd:string")

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def filterable(self) -> bool:
        # Long text areas and compound fields cannot appear in WHERE or ORDER BY.
        return self.type != "address" and not (self.type == "textarea" and self.length > 255)

    @property
    def required_on_create(self) -> bool:
        return not self.nillable and self.createable and not self.defaulted_on_create and self.type != "boolean"


@dataclass
class ObjectDef:
    """One sObject: its name, key prefix and ordered fields (looked up case-insensitively)."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    _by_lower: dict[str, FieldDef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_lower = {name.lower(): definition for name, definition in self.fields.items()}

    def field(self, name: str) -> FieldDef | None:
        """The field called `name`, matched case-insensitively like SOQL and the REST API do."""
        return self._by_lower.get(name.lower())

    def add(self, definition: FieldDef) -> None:
        self.fields[definition.name] = definition
        self._by_lower[definition.name.lower()] = definition

    @property
    def has_is_deleted(self) -> bool:
        return "IsDeleted" in self.fields

    @property
    def derived_name(self) -> bool:
        """Name is FirstName + LastName on every write (Contact, Lead, User)."""
        return "FirstName" in self.fields and "Name" in self.fields


# Tooling API `Metadata.type` values and the describe types they become.
TOOLING_TYPES: dict[str, str] = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Checkbox": "boolean",
    "Date": "date",
    "DateTime": "datetime",
    "Email": "email",
    "Phone": "phone",
    "Url": "url",
    "Picklist": "picklist",
}
CUSTOM_FIELD_TYPES = frozenset(TOOLING_TYPES.values())


class SchemaError(ValueError):
    """A field definition that cannot be added (bad name, type or a duplicate)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Schema:
    """Every sObject's definition; custom fields can be added while the stand-in runs."""

    def __init__(self, objects: list[ObjectDef]) -> None:
        self._lock = threading.Lock()
        self.objects: dict[str, ObjectDef] = {o.name: o for o in objects}
        self._by_lower = {name.lower(): o for name, o in self.objects.items()}

    def get(self, name: str) -> ObjectDef | None:
        """The sObject called `name` (case-insensitive, as the API matches it)."""
        return self._by_lower.get(name.lower())

    def add_custom_field(
        self,
        sobject: str,
        name: str,
        field_type: str,
        label: str | None = None,
        *,
        length: int | None = None,
        precision: int | None = None,
        scale: int | None = None,
        picklist: tuple[str, ...] = (),
    ) -> FieldDef:
        """Define `sobject.name` (must end in `__c`); `field_type` is a describe type or a Tooling type."""
        definition = self.get(sobject)
        if definition is None:
            raise SchemaError("INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
        if not _CUSTOM_FIELD_NAME.match(name):
            raise SchemaError("INVALID_FIELD", f"Invalid custom field name '{name}': it must end in __c.")
        kind = TOOLING_TYPES.get(field_type, field_type)
        if kind not in CUSTOM_FIELD_TYPES:
            raise SchemaError("INVALID_TYPE", f"Unsupported custom field type '{field_type}'.")
        new_field = FieldDef(
            name,
            kind,
            label or name.removesuffix("__c").replace("_", " "),
            length=length if length is not None else _default_length(kind),
            precision=precision if precision is not None else (18 if kind in NUMBER_TYPES else 0),
            scale=scale if scale is not None else (2 if kind in ("currency", "double") else 0),
            custom=True,
            picklist=picklist,
            nillable=kind != "boolean",
        )
        with self._lock:
            if definition.field(name) is not None:
                raise SchemaError(
                    "DUPLICATE_DEVELOPER_NAME", f"There is already a field named {name} on {definition.name}."
                )
            definition.add(new_field)
        return new_field


def _default_length(kind: str) -> int:
    return {"string": 255, "textarea": 32768, "email": 80, "phone": 40, "url": 255, "picklist": 255}.get(kind, 0)
