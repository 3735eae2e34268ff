"""HubSpot: an Airbyte source over the CRM and a batch writer with compare-before-set and idempotent creates.

`Source` reads contacts, companies, deals and tickets (every property, custom
ones included, with their associations as id lists) and owners through the
official hubspot-api-client: a first read lists each object type, later reads
search on its modified-date property from the saved cursor, and deletes and
merges arrive as tombstones (`_ab_cdc_deleted_at`, and `merged_into` for a
record merged into another). `Writer` applies planned updates and creates in
HubSpot's batch calls: it re-reads targets to refuse a write whose expected
values no longer hold (CONFLICT) and finds an earlier create through the
unique idempotency property instead of creating twice. Rate limits and
outages are retried per HubSpot's rules (`errors.classify`); a spent daily
allowance stops the read with its state saved.
"""

from connectors.hubspot.source import Source
from connectors.hubspot.writer import Writer

__all__ = ["Source", "Writer"]
