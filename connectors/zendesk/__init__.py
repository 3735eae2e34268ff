"""Zendesk Support: an Airbyte source over the incremental exports and a bulk writer with compare-before-set.

`Source` reads users, organizations, tickets, ticket comments, satisfaction
ratings and ticket metrics through zenpy's authenticated transport (raw JSON,
no per-record object mapping): users and tickets from the cursor-based
exports, organizations and comments from the time-based ones (boundary
repeats dropped), ratings and metrics from cursor-paged lists. Deleted users,
organizations and tickets arrive as tombstones (`_ab_cdc_deleted_at`). Custom
user and organization fields appear in the discovered schemas. `Writer`
applies planned updates and creates with `update_many` / `create_many` (100 a
call) and polls their job statuses: it re-reads targets with `show_many` and
answers CONFLICT instead of overwriting a changed value (tickets also send
`safe_update`), and finds an earlier create by its `external_id` (the
idempotency key) instead of creating twice. 429s are waited out as
`Retry-After` says and the 10-a-minute export allowance is kept client-side
(`errors.classify`, `client.ExportLimiter`).
"""

from connectors.zendesk.source import Source
from connectors.zendesk.writer import Writer

__all__ = ["Source", "Writer"]
