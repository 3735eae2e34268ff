"""The Salesforce stand-in: REST API v62.0 (any vNN.0), SOQL, sObject Collections, Composite, Bulk API 2.0 query.

`create_app(world, control)` builds the Starlette app; its state is
`app.state.store` (a `SalesforceStore`: records, schema, sessions, API usage).
"""

from sandbox.salesforce.app import create_app
from sandbox.salesforce.store import SalesforceStore

__all__ = ["SalesforceStore", "create_app"]
