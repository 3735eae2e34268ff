"""What every vendor connector shares: error classification, retries, paging guards, write types."""

from connectors.common.changes import Change, RecordCreate, RecordUpdate, WriteOutcome, WriteResult
from connectors.common.errors import BudgetExhausted, Classification, ConnectorError, Verdict
from connectors.common.paging import PageTokens
from connectors.common.records import DELETED_AT_FIELD
from connectors.common.retry import RetryPolicy, call_with_retry

__all__ = [
    "BudgetExhausted",
    "DELETED_AT_FIELD",
    "Change",
    "Classification",
    "ConnectorError",
    "PageTokens",
    "RecordCreate",
    "RecordUpdate",
    "RetryPolicy",
    "Verdict",
    "WriteOutcome",
    "WriteResult",
    "call_with_retry",
]
