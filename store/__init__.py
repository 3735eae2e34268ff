"""loophub's store: typed tables, engine setup and migrations.

Other rooms import from here only; the modules behind it may change.
"""

from store.base import Base, utc_now
from store.engine import create_store_engine, session_factory, session_scope
from store.migrate import SchemaOutOfDate, current_revision, ensure_database, head_revision, upgrade_database
from store.models import Connection, RawRecord, Run, StreamState
from store.settings import resolve_database_url

__all__ = [
    "Base",
    "Connection",
    "RawRecord",
    "Run",
    "SchemaOutOfDate",
    "StreamState",
    "create_store_engine",
    "current_revision",
    "ensure_database",
    "head_revision",
    "resolve_database_url",
    "session_factory",
    "session_scope",
    "upgrade_database",
    "utc_now",
]
