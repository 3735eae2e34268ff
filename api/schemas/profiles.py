"""Golden people as the API shows them: surviving fields with lineage, every email and phone, records, company."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import SOURCE_EXAMPLE, FieldValue, KeptValue, SourceRef

PROFILE_EXAMPLE: dict[str, Any] = {
    "id": "per_3f9c2a71d04be5a86c11",
    "merged_from": None,
    "fields": {
        "full_name": {"value": "Ada Lovelace", "source": SOURCE_EXAMPLE, "rule": "most_recent", "updated_at": "2026-11-02T09:30:00+00:00", "candidates": 2},
        "title": {"value": "VP Sales", "source": SOURCE_EXAMPLE, "rule": "most_recent", "updated_at": "2026-11-02T09:30:00+00:00", "candidates": 1},
    },
    "emails": [{"value": "ada@acme.example", "sources": [SOURCE_EXAMPLE, {"system": "zendesk", "object": "users", "id": "381"}]}],
    "phones": [{"value": "+442079460018", "sources": [SOURCE_EXAMPLE]}],
    "sources": [SOURCE_EXAMPLE, {"system": "zendesk", "object": "users", "id": "381"}],
    "company": {"id": "com_0b7e4d22a9c3f1e85d60", "name": "Acme Ltd"},
    "linked_ids": {},
    "member_count": 2,
    "created_at": "2026-11-01T08:00:00+00:00",
    "updated_at": "2026-11-02T09:31:00+00:00",
}


class CompanyLink(BaseModel):
    """The golden company a person belongs to (the one most of its records name)."""

    id: str
    name: str | None = None


class ProfileOut(BaseModel):
    """A golden person."""

    model_config = ConfigDict(json_schema_extra={"examples": [PROFILE_EXAMPLE]})

    id: str = Field(description="the persistent golden id, `per_…`")
    merged_from: str | None = Field(None, description="the id that was asked for when it was merged into this profile")
    fields: dict[str, FieldValue] = Field(description="surviving single values, each with its source record and rule")
    emails: list[KeptValue] = Field(default_factory=list)
    phones: list[KeptValue] = Field(default_factory=list, description="E.164")
    sources: list[SourceRef] = Field(default_factory=list, description="every record merged into this profile")
    company: CompanyLink | None = None
    linked_ids: dict[str, Any] = Field(default_factory=dict, description="ids of counterpart records the members name, by system:object")
    member_count: int
    created_at: datetime
    updated_at: datetime


class ProfilePage(BaseModel):
    """One page of profiles; pass `next_cursor` back as `cursor` for the next, until it is null."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [PROFILE_EXAMPLE], "next_cursor": "eyJsIjoicHJvZmlsZXMiLCJwIjpbInBlcl8zZjljIl19"}]})

    items: list[ProfileOut]
    next_cursor: str | None


class Evidence(BaseModel):
    """One edge between two records: a rule with the key they share, a must-link, or match weights and a score."""

    kind: str = Field(description="must_link, deterministic or probabilistic")
    rule: str
    with_: Any = Field(alias="with", description="the other record's id")
    with_source: SourceRef
    score: float | None = None
    match_weight: float | None = None
    details: dict[str, Any] | None = None
    prior_weight: float | None = None
    comparisons: list[dict[str, Any]] | None = None
    in_tree: bool | None = None

    model_config = ConfigDict(populate_by_name=True)


class ExplainedMember(BaseModel):
    record_id: Any
    source: SourceRef
    label: str | None = None
    reason: str = Field(description="seed, must_link, deterministic, probabilistic, or unlinked")
    parent: Any = None
    depth: int
    via: Evidence | None = Field(None, description="the evidence that brought this record in")
    other_edges: list[Evidence] = Field(default_factory=list)


class ExplanationOut(BaseModel):
    """Why each record is in the profile: a spanning tree of the strongest evidence, grown from the first record."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "golden_id": "per_3f9c2a71d04be5a86c11", "entity": "person", "merged_from": None, "seed": 12, "member_count": 2,
                    "connected": True, "edge_count": 1, "ignored_edges": 0,
                    "members": [
                        {"record_id": 12, "source": SOURCE_EXAMPLE, "label": "Ada Lovelace", "reason": "seed", "parent": None, "depth": 0, "via": None, "other_edges": []},
                        {
                            "record_id": 40, "source": {"system": "zendesk", "object": "users", "id": "381"}, "label": "Ada Lovelace",
                            "reason": "deterministic", "parent": 12, "depth": 1, "other_edges": [],
                            "via": {"kind": "deterministic", "rule": "email", "with": 12, "with_source": SOURCE_EXAMPLE, "details": {"key": "email", "value": "ada@acme.example"}},
                        },
                    ],
                }
            ]
        }
    )  # fmt: skip

    golden_id: str
    entity: str | None
    merged_from: str | None = None
    seed: Any
    member_count: int
    connected: bool
    edge_count: int
    ignored_edges: int
    members: list[ExplainedMember]
