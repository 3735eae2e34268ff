"""Airbyte-protocol sources and batched writers for Salesforce, HubSpot and Zendesk (see README.md)."""
