"""Peer check: the official Airbyte sources, unmodified, read the stand-ins and must land the ground truth.

`python -m sandbox.peercheck` (see README.md here). `redirect.py` is copied
into each source's venv, so it imports nothing from the project.
"""
