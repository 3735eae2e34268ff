"""API keys and the audit log: the tables, and the few reads and writes the API and CLI need.

A key is `lh_<prefix>_<secret>`: the prefix (8 hex) is public and names the
key in listings; the secret is 32 random bytes. Only SHA-256 of the whole key
is stored. A slow password hash (argon2, bcrypt) protects guessable human
passwords; these secrets carry 256 bits of entropy, so a fast hash is as safe
and keeps verification off the latency budget of every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Index, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.base import Base, utc_now

Scope = Literal["read", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "admin")
KEY_PREFIX = "lh_"


class ApiKey(Base):
    """One API key: who it is for, what it may do, and whether it still works."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Something a key did that changes state (admin actions); kept after the key is revoked."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "at"), Index(None, "key_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    key_id: Mapped[int | None]
    key_name: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    client: Mapped[str | None] = mapped_column(String(100))


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A key as everyone but its holder may see it: never the secret or its hash."""

    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        """`admin` implies `read`."""
        return self.scope == "admin" or self.scope == scope


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, row.prefix, row.scope, row.created_at, row.last_used_at, row.revoked_at)


def create_key(session: Session, name: str, scope: str) -> tuple[KeyInfo, str]:
    """A new key; the raw secret is returned once and never stored."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
    if not name.strip():
        raise ValueError("a key needs a name saying who or what uses it")
    prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(name=name.strip(), prefix=prefix, secret_hash=hash_key(raw), scope=scope)
    session.add(row)
    session.flush()
    return _info(row), raw


def find_key(session: Session, raw_key: str) -> KeyInfo | None:
    """The key with this secret, revoked or not; None when there is none."""
    row = session.scalars(select(ApiKey).where(ApiKey.secret_hash == hash_key(raw_key))).one_or_none()
    return _info(row) if row is not None else None


def list_keys(session: Session) -> list[KeyInfo]:
    return [_info(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(session: Session, key_id: int) -> KeyInfo | None:
    """Revoke a key (idempotent: the first revocation time is kept); None when it does not exist."""
    row = session.get(ApiKey, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utc_now()
    session.flush()
    return _info(row)


def touch_key(session: Session, key_id: int, now: datetime, every: timedelta) -> bool:
    """Record a use, but write at most once per `every`: a busy key would otherwise write on every request."""
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < now - every))
        .values(last_used_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def record_audit(
    session: Session,
    *,
    action: str,
    key: KeyInfo | None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str | None = None,
) -> AuditEntry:
    """Append one audit entry; the caller's transaction commits it with the change it describes."""
    entry = AuditEntry(
        key_id=key.id if key else None,
        key_name=key.name if key else None,
        action=action,
        target=target,
        detail=detail or {},
        client=client,
    )
    session.add(entry)
    session.flush()
    return entry
