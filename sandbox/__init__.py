"""Local stand-ins for the Salesforce, HubSpot and Zendesk APIs, with synthetic customers and fault injection.

Used by the demo, the tests and the benchmarks; product code never imports it.
"""
