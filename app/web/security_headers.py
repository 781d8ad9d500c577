"""The security headers every answer carries (pages, files and the JSON API each their own set), and
the CSP nonce that lets a page's own scripts run.

Only HTML pages carry scripts, so the nonce is made when a page first asks for it (the templates'
`csp_nonce`); an answer without one (JSON, a redirect, a file) allows scripts from 'self' only. The
headers' text depends on the settings alone, so it is built once per settings object, not per answer.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import Response, g, request

from app.config import Settings, settings

_NOT_PAGES = (None, "static")  # no endpoint (a 404), or files: cacheable


def csp_nonce() -> str:
    """This request's nonce, made on first use."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


@dataclass(frozen=True)
class _Headers:
    made_for: Settings
    csp_start: str  # up to the script sources, where a page's nonce goes
    csp_rest: str
    always: tuple[tuple[str, str], ...]  # set on every answer, replacing any the view set
    api: tuple[tuple[str, str], ...]  # the whole set for the JSON API (no page, nothing to run)


# A JSON answer is never a document: nothing in it may load, run or be framed (OWASP's REST guidance);
# the page-only headers (Referrer-Policy, Permissions-Policy, the page's CSP) say nothing to a client.
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_DEFAULTS = ("permissions-policy", "cache-control")  # a view may set its own


def _headers_for(chosen: Settings) -> _Headers:
    tiles = chosen.map_tile_url
    tile_origin = " " + "/".join(tiles.split("/")[:3]) if tiles.startswith("https://") else ""
    always = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]
    hsts = []
    if chosen.environment != "development":
        hsts = [("Strict-Transport-Security", "max-age=31536000; includeSubDomains")]
    return _Headers(
        chosen,
        "default-src 'self'; script-src 'self'",
        f"; style-src 'self'; img-src 'self' data:{tile_origin}; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        tuple(always + hsts),
        (
            ("Content-Security-Policy", _API_CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Cache-Control", "no-store"),
            *hsts,
        ),
    )


_built: list[_Headers] = []  # the last settings' headers (tests change settings; production never does)


def _current() -> _Headers:
    chosen = settings()
    if not _built or _built[0].made_for is not chosen:
        _built[:] = [_headers_for(chosen)]
    return _built[0]


def add_security_headers(response: Response) -> Response:
    """after_request: on every answer, pages, API and errors alike.

    Each header is added once, without werkzeug's search of the whole list for every one set (a dozen
    searches an answer): the names the view already set are read once."""
    fixed = _current()
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    if request.path.startswith("/api/"):
        chosen = fixed.api
    else:
        nonce = g.get("csp_nonce")
        script = f" 'nonce-{nonce}'" if nonce else ""
        chosen = (("Content-Security-Policy", f"{fixed.csp_start}{script}{fixed.csp_rest}"), *fixed.always)
        chosen += (("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),)
        if request.endpoint not in _NOT_PAGES:
            chosen += (("Cache-Control", "no-store"),)
    for name, value in chosen:
        lowered = name.lower()
        if lowered not in present:
            headers.add(name, value)
        elif lowered not in _DEFAULTS:
            headers[name] = value
    started = g.get("started")
    if started is not None and fixed.made_for.server_timing:  # server time, for bench/ (SERVER_TIMING=1)
        headers.add("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}")
    return response
