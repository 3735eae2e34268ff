"""loophub: closes the loop between sales and service tools.

This package is the application shell: configuration (`loophub.config`),
errors shared by the rooms (`loophub.errors`) and the `loophub` command
(`loophub.cli`).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("loophub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
