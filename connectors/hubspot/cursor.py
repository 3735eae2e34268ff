"""The change cursor of a HubSpot stream, and HubSpot's timestamps as epoch milliseconds.

HubSpot stamps changes to the millisecond, and several records can share one
stamp. Reads therefore ask for changes *at or after* the cursor (GTE) and
skip the ids already emitted at exactly the cursor's instant; a record
written in that same millisecond after the last read is still picked up.
When more records share one instant than a search page holds, the cursor
walks them in id order (`tie_after`) instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)


def to_ms(value: Any) -> int | None:
    """Epoch milliseconds of a HubSpot instant (ISO string or epoch-ms digits); None if absent or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // ONE_MS  # exact: float seconds * 1000 can land one millisecond short


def to_iso(ms: int) -> str:
    """HubSpot's stamp format: `2024-05-01T12:00:00.123Z`."""
    moment = EPOCH + ms * ONE_MS
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Cursor:
    """The latest change instant emitted (`at_ms`) and the ids emitted at exactly that instant."""

    at_ms: int | None = None
    ids: set[str] = field(default_factory=set)
    tie_after: str | None = None  # walking the records of `at_ms` in id order: the last id emitted

    def admits(self, stamp_ms: int | None, record_id: str) -> bool:
        """Whether a record changed at `stamp_ms` is news to this cursor."""
        if self.at_ms is None:
            return True
        if stamp_ms is None or stamp_ms < self.at_ms:
            return False
        return stamp_ms > self.at_ms or record_id not in self.ids

    def advance(self, stamp_ms: int | None, record_id: str) -> None:
        """Note a record as emitted; records must come in ascending `stamp_ms` order."""
        if stamp_ms is None:
            return
        if self.tie_after is not None and stamp_ms == self.at_ms:
            self.tie_after = record_id  # the id filter, not the id set, remembers a tie walk: it can be huge
        elif self.at_ms is None or stamp_ms > self.at_ms:
            self.at_ms, self.ids, self.tie_after = stamp_ms, {record_id}, None
        elif stamp_ms == self.at_ms:
            self.ids.add(record_id)

    def start_tie_walk(self) -> None:
        """A whole page shared the cursor's instant: list that instant's records by id from now on."""
        self.tie_after = "0"

    def finish_tie_walk(self) -> None:
        """Every record of the instant is emitted: continue strictly after it."""
        if self.at_ms is not None:
            self.at_ms, self.ids, self.tie_after = self.at_ms + 1, set(), None

    # -- state -------------------------------------------------------------------------------------------

    def to_state(self, key: str) -> dict[str, Any]:
        if self.at_ms is None:
            return {}
        state: dict[str, Any] = {key: to_iso(self.at_ms), f"{key}_ids": sorted(self.ids)}
        if self.tie_after is not None:
            state[f"{key}_tie_after"] = self.tie_after
        return state

    @classmethod
    def from_state(cls, state: Mapping[str, Any], key: str) -> Cursor:
        return cls(
            at_ms=to_ms(state.get(key)),
            ids={str(value) for value in state.get(f"{key}_ids") or ()},
            tie_after=state.get(f"{key}_tie_after"),
        )
