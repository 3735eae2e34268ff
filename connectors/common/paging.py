"""A guard for token pagination: a vendor that repeats a token would otherwise loop for ever."""

from __future__ import annotations


class RepeatedPageToken(RuntimeError):
    pass


class PageTokens:
    """Remembers the tokens followed so far; `follow` refuses one seen before."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def follow(self, token: str | None) -> bool:
        """True when there is a next page to fetch; raises on a token already followed."""
        if token is None or token == "":
            return False
        if token in self._seen:
            raise RepeatedPageToken(f"the API returned page token {token[:40]!r} twice; stopping to avoid a loop")
        self._seen.add(token)
        return True

    @property
    def pages_followed(self) -> int:
        return len(self._seen)
