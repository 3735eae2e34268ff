"""Conventions for records the sources emit."""

# Airbyte's CDC convention: a record carrying a timestamp here is a delete (a tombstone).
DELETED_AT_FIELD = "_ab_cdc_deleted_at"
