"""Point the official Airbyte sources' hard-coded vendor hosts at the sandbox, without touching their code.

This file is self-contained (standard library only): `venvs.py` copies it into
each peer venv's site-packages as `loophub_peer_redirect.py`, next to a
`loophub_peer_redirect.pth` whose one line `import loophub_peer_redirect`
runs it at interpreter start. With none of the variables below set it does
nothing at all, so the venv behaves exactly as installed.

| variable | rewrites |
|---|---|
| `LOOPHUB_PEER_SALESFORCE_URL` | `https://login.salesforce.com`, `https://test.salesforce.com` |
| `LOOPHUB_PEER_HUBSPOT_URL` | `https://api.hubapi.com` |
| `LOOPHUB_PEER_ZENDESK_URL` | `https://{anything}.zendesk.com` |
| `LOOPHUB_PEER_CA_BUNDLE` | trusted (`verify=`) for every request bound for a sandbox URL over https |

Scheme, host and port are replaced by the sandbox URL's (a path on the sandbox
URL is prefixed); path and query are kept. Rewriting happens where requests
builds a URL (`PreparedRequest.prepare_url`), so adapter choice, Host header,
cookies and caches all see the sandbox URL. The connectors use only requests;
urllib3 (`PoolManager.urlopen`) and httpx (`Client.send` / `AsyncClient.send`)
are covered too, in case a version starts using them directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

ENV_SALESFORCE = "LOOPHUB_PEER_SALESFORCE_URL"
ENV_HUBSPOT = "LOOPHUB_PEER_HUBSPOT_URL"
ENV_ZENDESK = "LOOPHUB_PEER_ZENDESK_URL"
ENV_CA_BUNDLE = "LOOPHUB_PEER_CA_BUNDLE"
ENV_LOG = "LOOPHUB_PEER_REDIRECT_LOG"  # a file path: every rewrite is appended to it (debugging aid)
REDIRECT_VARIABLES = (ENV_SALESFORCE, ENV_HUBSPOT, ENV_ZENDESK)

_EXACT_HOSTS = {
    "login.salesforce.com": ENV_SALESFORCE,
    "test.salesforce.com": ENV_SALESFORCE,
    "api.hubapi.com": ENV_HUBSPOT,
}
_HOST_SUFFIXES = ((".zendesk.com", ENV_ZENDESK),)


def target_variable(host: str) -> str | None:
    """The variable naming the sandbox URL for a vendor host, or None for any other host."""
    host = host.lower().rstrip(".")
    if host in _EXACT_HOSTS:
        return _EXACT_HOSTS[host]
    for suffix, variable in _HOST_SUFFIXES:
        if host.endswith(suffix) and len(host) > len(suffix):
            return variable
    return None


def rewrite_url(url: str, environ: Mapping[str, str] | None = None) -> str:
    """`url` with a vendor host replaced by its sandbox URL from `environ` (default `os.environ`); else `url`."""
    environ = os.environ if environ is None else environ
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url
    variable = target_variable(parts.hostname)
    target = environ.get(variable, "") if variable else ""
    if not target:
        return url
    base = urlsplit(target)
    path = base.path.rstrip("/") + (parts.path or "/")
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def sandbox_bases(environ: Mapping[str, str] | None = None) -> list[str]:
    """The sandbox URLs in `environ`, each ending in '/'."""
    environ = os.environ if environ is None else environ
    return [environ[name].rstrip("/") + "/" for name in REDIRECT_VARIABLES if environ.get(name)]


def ca_bundle_for(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The CA bundle to trust for `url`: `LOOPHUB_PEER_CA_BUNDLE` when `url` is an https sandbox URL."""
    environ = os.environ if environ is None else environ
    bundle = environ.get(ENV_CA_BUNDLE)
    if not bundle or not url.startswith("https://"):
        return None
    return bundle if any((url.rstrip("/") + "/").startswith(base) for base in sandbox_bases(environ)) else None


def active(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return any(environ.get(name) for name in REDIRECT_VARIABLES)


def _log(original: str, rewritten: str) -> None:
    path = os.environ.get(ENV_LOG)
    if path and original != rewritten:
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {original} -> {rewritten}\n")
        except OSError:
            pass


def _rewrite_logged(url: str) -> str:
    rewritten = rewrite_url(url)
    _log(url, rewritten)
    return rewritten


def _patch_requests() -> None:
    import requests.adapters
    import requests.models

    prepared = requests.models.PreparedRequest
    if getattr(prepared.prepare_url, "_loophub_peer", False):
        return
    original_prepare_url = prepared.prepare_url

    def prepare_url(self, url, params):  # type: ignore[no-untyped-def]
        original_prepare_url(self, url, params)
        if self.url:
            self.url = _rewrite_logged(self.url)

    prepare_url._loophub_peer = True  # type: ignore[attr-defined]
    prepared.prepare_url = prepare_url

    adapter = requests.adapters.HTTPAdapter
    original_send = adapter.send

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # type: ignore[no-untyped-def]
        bundle = ca_bundle_for(request.url or "")
        if bundle and verify is not False:
            verify = bundle
        return original_send(self, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

    adapter.send = send


def _patch_urllib3() -> None:
    import urllib3

    manager = urllib3.PoolManager
    original_urlopen = manager.urlopen

    def urlopen(self, method, url, redirect=True, **kw):  # type: ignore[no-untyped-def]
        return original_urlopen(self, method, _rewrite_logged(url), redirect=redirect, **kw)

    manager.urlopen = urlopen


def _patch_httpx() -> None:
    import httpx

    def rewrite(request):  # type: ignore[no-untyped-def]
        url = str(request.url)
        rewritten = _rewrite_logged(url)
        if rewritten != url:
            request.url = httpx.URL(rewritten)
            request.headers["Host"] = request.url.netloc.decode("ascii")

    original_send = httpx.Client.send
    original_async_send = httpx.AsyncClient.send

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        rewrite(request)
        return original_send(self, request, **kwargs)

    async def async_send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        rewrite(request)
        return await original_async_send(self, request, **kwargs)

    httpx.Client.send = send
    httpx.AsyncClient.send = async_send


def _patch_aiohttp() -> None:
    import aiohttp

    original_request = aiohttp.ClientSession._request

    async def _request(self, method, str_or_url, **kwargs):  # type: ignore[no-untyped-def]
        return await original_request(self, method, _rewrite_logged(str(str_or_url)), **kwargs)

    aiohttp.ClientSession._request = _request


def install() -> None:
    """Patch every HTTP library present in this interpreter; a no-op unless a redirect variable is set."""
    if not active():
        return
    for patch in (_patch_requests, _patch_urllib3, _patch_httpx, _patch_aiohttp):
        try:
            patch()
        except ImportError:
            continue


if __name__ == "loophub_peer_redirect":  # imported by the .pth file inside a peer venv
    install()
