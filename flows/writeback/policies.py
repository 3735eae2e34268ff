"""The write-back policies loophub ships, in the order they plan.

Each policy is a module with a `POLICY`: whether the admin left it on, how
it plans (reading the store only), and which target fields it needs in each
system (`loophub targets check|apply`). Its settings live in the `policies:`
section of loophub.yaml (`flows/writeback/settings.py`).
"""

from __future__ import annotations

from flows.writeback import crm_context, cross_links, enrichment, handoff, support_context, suppression
from flows.writeback.plan import Policy

POLICIES: tuple[Policy, ...] = (support_context.POLICY, crm_context.POLICY, suppression.POLICY, cross_links.POLICY, enrichment.POLICY, handoff.POLICY)
