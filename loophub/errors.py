"""Errors with two messages: what the user sees, and what the logs keep.

A user message says what is wrong and what to do, without URLs, tokens or
stack traces; `internal` keeps the detail for logs.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    CONFIG = "config"  # the user can fix it by changing configuration
    TRANSIENT = "transient"  # retrying later may work
    BUG = "bug"  # loophub is wrong


class LoopError(Exception):
    """Base of loophub's own errors."""

    kind: ErrorKind = ErrorKind.BUG
    exit_code: int = 1

    def __init__(self, user_message: str, *, internal: str | None = None, kind: ErrorKind | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.internal = internal or user_message
        if kind is not None:
            self.kind = kind
        if self.kind is ErrorKind.CONFIG:
            self.exit_code = 2
