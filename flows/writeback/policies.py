"""The write-back policies loophub ships, in the order they plan.

Each policy is a module with a `POLICY`: whether the admin left it on, how
it plans (reading the store only), and which target fields it needs in each
system (`loophub targets check|apply`). Its settings live in the `policies:`
section of loophub.yaml (`flows/writeback/settings.py`).
"""

from __future__ import annotations

from flows.writeback import support_context
from flows.writeback.plan import Policy

POLICIES: tuple[Policy, ...] = (support_context.POLICY,)
