"""mapping: raw vendor records into one canonical model, with match keys for identity.

The public surface: the canonical model and its shared vocabulary, the spec
catalog (shipped YAML specs plus loophub.yaml overrides), `map_record` for
one record, `match_keys` for identity, and `check_against_schemas` for
`loophub mapping check`. The normalisers live in `mapping.normalize`.
"""

from mapping.apply import MappingFailure, map_record, select_spec
from mapping.catalog import LoadedSpec, MappingSpecError, SpecCatalog, SpecProblem, load_catalog
from mapping.check import check_against_schemas
from mapping.keys import Key, match_keys
from mapping.model import (
    ENTITIES,
    CanonicalRecord,
    Company,
    Deal,
    Owner,
    Person,
    Satisfaction,
    SourceRef,
    Ticket,
    TicketComment,
    TicketMetrics,
)
from mapping.spec import FieldRule, MappingSettings, MappingSpec
from mapping.vocabulary import VOCABULARIES, DealStage, Lifecycle, SatisfactionScore, TicketPriority, TicketStatus

__all__ = [
    "ENTITIES",
    "VOCABULARIES",
    "CanonicalRecord",
    "Company",
    "Deal",
    "DealStage",
    "FieldRule",
    "Key",
    "Lifecycle",
    "LoadedSpec",
    "MappingFailure",
    "MappingSettings",
    "MappingSpec",
    "MappingSpecError",
    "Owner",
    "Person",
    "Satisfaction",
    "SatisfactionScore",
    "SourceRef",
    "SpecCatalog",
    "SpecProblem",
    "Ticket",
    "TicketComment",
    "TicketMetrics",
    "TicketPriority",
    "TicketStatus",
    "check_against_schemas",
    "load_catalog",
    "map_record",
    "match_keys",
    "select_spec",
]
