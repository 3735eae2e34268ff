"""The steps of the loop and the flows that run them (see README.md)."""
