"""The portal's owners (users records are assigned to), seeded from `world.hubspot["owners"]`."""

from __future__ import annotations

import bisect
from typing import Any

from sandbox.hubspot.tables import id_key
from sandbox.hubspot.values import iso_ms, parse_instant


class OwnerDirectory:
    """Owners in id order, paged with the id of the next owner as `after`."""

    def __init__(self, seeds: list[dict[str, Any]]) -> None:
        self._owners = sorted((_owner_json(seed) for seed in seeds), key=lambda owner: id_key(owner["id"]))
        self._ids = [owner["id"] for owner in self._owners]

    def page(self, after: str | None, limit: int, archived: bool, email: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Owners from `after` on matching the filters; the second value is the next page's `after`."""
        start = bisect.bisect_left(self._ids, id_key(after), key=id_key) if after else 0
        wanted = [
            owner
            for owner in self._owners[start:]
            if owner["archived"] == archived and (email is None or owner["email"].lower() == email.lower())
        ]
        following = wanted[limit]["id"] if len(wanted) > limit else None
        return wanted[:limit], following

    def get(self, owner_id: str, id_property: str = "id", archived: bool = False) -> dict[str, Any] | None:
        key = "userId" if id_property == "userId" else "id"
        for owner in self._owners:
            if str(owner.get(key)) == owner_id and owner["archived"] == archived:
                return owner
        return None

    def __len__(self) -> int:
        return len(self._owners)


def _owner_json(seed: dict[str, Any]) -> dict[str, Any]:
    owner = dict(seed)
    owner["id"] = str(seed["id"])
    for stamp in ("createdAt", "updatedAt"):
        moment = parse_instant(seed.get(stamp))
        owner[stamp] = iso_ms(moment) if moment else None
    owner.setdefault("archived", False)
    owner.setdefault("teams", [])
    owner.setdefault("type", "PERSON")
    if owner.get("userId") is not None:
        owner["userIdIncludingInactive"] = owner["userId"]
    return owner
