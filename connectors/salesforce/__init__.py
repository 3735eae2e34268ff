"""Salesforce: an Airbyte source over the sObjects and a batch writer with compare-before-set and idempotent creates.

`Source` reads Account, Contact, Lead, Opportunity, Case and User (or the
configured `objects`) with every describe field, custom `__c` fields
included, through simple-salesforce: incrementally on `SystemModstamp` via
queryAll, so soft deletes arrive as tombstones (`_ab_cdc_deleted_at`); a
large backlog goes through Bulk API 2.0, a small one through REST, both in
the same record shape. `Writer` applies planned updates and creates in
sObject Collections calls of 200: it re-reads targets to refuse a write
whose expected values no longer hold (CONFLICT) and finds an earlier create
through an External ID field holding its idempotency key. Throttling and
outages are retried per Salesforce's rules (`errors.classify`); an expired
session is renewed; a spent daily API allocation stops the read with its
state saved.
"""

from connectors.salesforce.source import Source
from connectors.salesforce.writer import Writer

__all__ = ["Source", "Writer"]
