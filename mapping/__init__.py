"""The canonical model, mapping specs and normalisers (see README.md)."""
