"""The HubSpot stand-in: CRM v3/v4 objects, search, batch, associations, properties, owners and pipelines.

Speaks HubSpot's wire format well enough for hubspot-api-client 12 and the
official Airbyte source to run unmodified; state lives in memory, seeded from
`world.hubspot` (see sandbox/README.md for the field catalogue).
"""

from sandbox.hubspot.app import create_app
from sandbox.hubspot.faults import HubSpotFaults, RateLimits
from sandbox.hubspot.store import HubSpotStore

__all__ = ["HubSpotFaults", "HubSpotStore", "RateLimits", "create_app"]
