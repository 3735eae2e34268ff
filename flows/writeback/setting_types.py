"""The building blocks every write-back policy's settings share: the strict model, the modes, the systems, the merge.

`settings.py` gathers the policy modules (`*_settings.py`) into the
`policies:` section, so they cannot import from it; what they have in common
lives here instead, once, so that a mode or a system reads and validates the
same in every policy, and a setting given in part keeps its defaults the same
way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Mode = Literal["fill_if_blank", "overwrite", "never"]
CrmSystem = Literal["salesforce", "hubspot"]
# Where support tickets may live: Zendesk, or the cases / tickets a CRM keeps.
TicketSystem = Literal["zendesk", "salesforce", "hubspot"]
SYSTEMS = ("salesforce", "hubspot", "zendesk")


class StrictModel(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored); settings never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def overlay(shipped: Any, given: Any) -> Any:
    """`given` over `shipped`, mapping by mapping; anything else in `given` replaces what was shipped."""
    if isinstance(given, BaseModel):
        given = given.model_dump()
    if not (isinstance(shipped, dict) and isinstance(given, dict)):
        return given
    merged = dict(shipped)
    for key, value in given.items():
        merged[key] = overlay(shipped[key], value) if key in shipped else value
    return merged


def with_defaults(given: Any, defaults: Mapping[str, dict[str, Any]]) -> Any:
    """Each named part of `given` laid over its default; a part left out or null is its default.

    Keys without a default stay, so extra="forbid" names them; anything not a
    mapping is returned as it came, so validation names the problem.
    """
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return given
    parts = {name: given.get(name) or {} for name in defaults}
    return overlay(dict(defaults), given | parts)
