"""Record ids in each vendor's own format.

Salesforce ids are 15 case-sensitive characters plus a 3-character suffix
that makes them unique case-insensitively; the key prefix names the object
(001 Account, 003 Contact, ...). HubSpot ids are numeric strings, Zendesk ids
are integers. Generators and stand-ins draw from the same allocators so that
records created later never collide with seeded ones.
"""

from __future__ import annotations

import itertools
import string
import threading

SALESFORCE_KEY_PREFIXES: dict[str, str] = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Lead": "00Q",
    "Case": "500",
}
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_SUFFIX_ALPHABET = string.ascii_uppercase + "012345"


def salesforce_id(prefix: str, number: int, pod: str = "5g") -> str:
    """An 18-character Salesforce id: prefix, pod, base-62 number, checksum suffix."""
    digits = ""
    for _ in range(10):
        number, remainder = divmod(number, 62)
        digits = _BASE62[remainder] + digits
    return salesforce_id_18(prefix + pod + digits)


def salesforce_id_18(short_id: str) -> str:
    """The 18-character form of a 15-character id (the suffix makes it case-insensitively unique)."""
    return short_id[:15] + _salesforce_suffix(short_id[:15])


def _salesforce_suffix(short_id: str) -> str:
    suffix = ""
    for chunk_start in range(0, 15, 5):
        chunk = short_id[chunk_start : chunk_start + 5]
        bits = sum(1 << index for index, char in enumerate(chunk) if char.isupper())
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


class IdAllocator:
    """Thread-safe counters per (vendor, object), formatted in the vendor's id style."""

    def __init__(self, start: int = 1) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, itertools.count[int]] = {}
        self._start = start

    def _next(self, key: str) -> int:
        with self._lock:
            counter = self._counters.setdefault(key, itertools.count(self._start))
            return next(counter)

    def salesforce(self, sobject: str) -> str:
        return salesforce_id(SALESFORCE_KEY_PREFIXES[sobject], self._next(f"sf:{sobject}"))

    def hubspot(self, object_type: str) -> str:
        # HubSpot ids are large numbers; spread object types apart like the real portal does.
        return str(10_000_000_000 + self._next(f"hs:{object_type}"))

    def zendesk(self, object_type: str) -> int:
        return 360_000_000_000 + self._next(f"zd:{object_type}")
