"""`python -m connectors.zendesk spec|check|discover|read --config … [--catalog …] [--state …]`: Airbyte messages on stdout."""

import sys

from airbyte_cdk.entrypoint import launch

from connectors.zendesk.source import Source

if __name__ == "__main__":
    launch(Source(), sys.argv[1:])
