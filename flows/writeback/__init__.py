"""Write-back: policies plan field changes for the CRMs, the outbox holds them, the connectors' writers apply them.

`flows.writeback.run` holds the entry points (plan_writeback, apply_writeback,
writeback); `settings` the `policies:` section of loophub.yaml, which the
configuration imports, so this package imports nothing itself.
"""
