"""A loophub.yaml whose connections point at a running sandbox."""

from __future__ import annotations

from sandbox.server import SandboxServer

# Sandbox credentials are not secret, but loophub.yaml takes credentials only as
# ${VAR} references; defaults keep the file usable without exporting anything.
SANDBOX_CREDENTIALS = {
    "salesforce": {
        "client_id": "LOOPHUB_SANDBOX_SF_CLIENT_ID:-sandbox-client",
        "client_secret": "LOOPHUB_SANDBOX_SF_CLIENT_SECRET:-sandbox-secret",
        "username": "LOOPHUB_SANDBOX_SF_USERNAME:-integration@sandbox.example",
        "password": "LOOPHUB_SANDBOX_SF_PASSWORD:-sandbox-password",
    },
    "hubspot": {"access_token": "LOOPHUB_SANDBOX_HS_TOKEN:-pat-sandbox-token"},
    "zendesk": {
        "email": "LOOPHUB_SANDBOX_ZD_EMAIL:-integration@sandbox.example",
        "api_token": "LOOPHUB_SANDBOX_ZD_TOKEN:-sandbox-api-token",
    },
}


def sandbox_config_yaml(server: SandboxServer, database_url: str | None = None) -> str:
    """The text of a loophub.yaml for `server` (connections named after their systems)."""
    lines = ["# Written by `loophub sandbox serve`: connections to the local sandbox.", "version: 1"]
    if database_url:
        lines += ["database:", f"  url: {database_url}"]
    lines.append("connections:")
    for system, credentials in SANDBOX_CREDENTIALS.items():
        lines += [f"  - name: {system}", f"    system: {system}", f"    base_url: {server.url(system)}", "    credentials:"]
        lines += [f"      {key}: ${{{reference}}}" for key, reference in credentials.items()]
        options = _options(server, system)
        if options:
            lines.append("    options:")
            lines += [f"      {key}: {value}" for key, value in options.items()]
    return "\n".join(lines) + "\n"


def _options(server: SandboxServer, system: str) -> dict[str, str]:
    if system == "salesforce":
        return {"ca_bundle": str(server.ca_path)}
    if system == "zendesk":
        # The stand-in enforces Zendesk's 10 export requests a minute only when asked
        # (`enforce_limits`), so the client-side limiter is opened up for it.
        return {"subdomain": "sandbox", "incremental_exports_per_minute": "600"}
    return {}
