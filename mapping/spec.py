"""Mapping specs as data: which source paths feed which canonical field, through which transforms.

A spec file (one per system/object, `mapping/specs/<system>/<object>.yaml`):

    system: salesforce
    object: Contact
    entity: person
    fields:
      first_name: FirstName                       # a path, copied
      emails: {from: Email, transforms: [email]}
      phones:
        from: [Phone, MobilePhone]                # several paths: all values for a list field,
        transforms: [{to_e164: {region_from: MailingCountry}}]   # the first present for a scalar
      lifecycle: {value: customer}                # a constant
      attributes.lead_source: LeadSource          # free attributes need no code

`loophub.yaml` may override any spec field by field (see `MappingSettings`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mapping.transforms import TRANSFORMS, TransformCall

# Bumped when a normaliser or transform changes what it returns, so every record is mapped again.
MAPPER_VERSION = "1"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def parse_transform(item: Any) -> TransformCall:
    """`lower`, `{split: ";"}` or `{to_e164: {default_region: GB}}` as a validated call."""
    if isinstance(item, TransformCall):
        return item
    if isinstance(item, str):
        name, raw_args = item, None
    elif isinstance(item, dict) and len(item) == 1:
        name, raw_args = next(iter(item.items()))
    else:
        raise ValueError("a transform is a name (lower) or a one-key mapping ({split: ';'})")
    transform = TRANSFORMS.get(str(name))
    if transform is None:
        raise ValueError(f"unknown transform {name!r}; known: {', '.join(sorted(TRANSFORMS))}")
    if raw_args is not None and not isinstance(raw_args, dict):
        if transform.shorthand is None:
            raise ValueError(f"transform {name!r} takes named arguments ({', '.join(transform.args.model_fields)})")
        raw_args = {transform.shorthand: raw_args}
    try:
        args = transform.args.model_validate(raw_args or {})
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in error.errors())
        raise ValueError(f"transform {name!r}: {details}") from None
    return TransformCall(name=str(name), args=args)


class FieldRule(StrictModel):
    """How one canonical field is filled: source paths or a constant, then transforms, then a default."""

    sources: list[str] = Field(default_factory=list, alias="from")
    value: Any = None
    transforms: list[TransformCall] = Field(default_factory=list)
    default: Any = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"from": [data]}
        if isinstance(data, dict) and isinstance(data.get("from"), str):
            return {**data, "from": [data["from"]]}
        return data

    @field_validator("transforms", mode="before")
    @classmethod
    def _parse_transforms(cls, items: Any) -> Any:
        if not isinstance(items, list):
            raise ValueError("transforms is a list: [lower, {split: ';'}]")
        return [parse_transform(item) for item in items]

    @model_validator(mode="after")
    def _one_origin(self) -> FieldRule:
        if not self.sources and self.value is None:
            raise ValueError("a field needs `from` (source paths) or `value` (a constant)")
        if self.sources and self.value is not None:
            raise ValueError("give either `from` or `value`, not both")
        return self


class Condition(StrictModel):
    """Which records of the object this spec takes: `{field: role, in: [end-user]}`."""

    field: str
    within: list[Any] | None = Field(default=None, alias="in")
    not_within: list[Any] | None = Field(default=None, alias="not_in")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.within is None) == (self.not_within is None):
            raise ValueError("a condition has exactly one of `in` or `not_in`")
        return self


class MappingSpec(StrictModel):
    """One system/object (or part of one, with `where`) mapped onto one canonical entity."""

    system: str
    object: str
    entity: str
    where: Condition | None = None
    fields: dict[str, FieldRule]
    description: str | None = None

    @property
    def version(self) -> str:
        """A digest of what the spec does: a change re-maps this object's records, and only those."""
        # exclude_unset: an explicit `default: null` in map_values behaves unlike no default at all.
        body = self.model_dump(mode="json", by_alias=True, exclude={"description"}, exclude_unset=True)
        digest = hashlib.sha256(json.dumps([MAPPER_VERSION, body], sort_keys=True, default=str).encode())
        return digest.hexdigest()[:16]


class SpecOverride(StrictModel):
    """A change to one shipped spec, from loophub.yaml: fields replaced, added, or removed with null."""

    fields: dict[str, FieldRule | None] = Field(default_factory=dict)
    where: Condition | None = None


class MappingSettings(StrictModel):
    """The `mapping:` section of loophub.yaml."""

    default_region: str = Field(default="US", min_length=2, max_length=2, description="phones without a country code are read as this ISO country")
    # Extra spec files or folders; a spec with the same name as a shipped one replaces it.
    files: list[Path] = Field(default_factory=list)
    specs: dict[str, SpecOverride] = Field(default_factory=dict, description='overrides keyed by spec name, e.g. "zendesk/users"')

    @field_validator("default_region")
    @classmethod
    def _upper(cls, region: str) -> str:
        return region.upper()
