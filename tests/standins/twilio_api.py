"""A local stand-in for Twilio's REST API that checks every request against Twilio's own OpenAPI
description (../shared/twilio/twilio_api_v2010.json) and answers the way Twilio does."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

# ../shared sits beside the repository (in CI too); SHARED_DIR can point elsewhere.
SHARED = Path(os.environ.get("SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")
SPEC = SHARED / "twilio" / "twilio_api_v2010.json"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "twilio-test-auth-token"
MESSAGING_SERVICE_SID = "MG" + "0" * 31 + "2"
E164 = re.compile(r"^(?:[a-z]+:)?\+[1-9][0-9]{6,14}$")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _spec_for(base_url: str) -> OpenAPI:
    if not SPEC.exists():
        raise RuntimeError(
            f"Twilio's OpenAPI description is missing: {SPEC} (../shared must sit beside the repo)"
        )
    document = json.loads(SPEC.read_text())

    def point_servers_here(node):
        if isinstance(node, dict):
            if "servers" in node:
                node["servers"] = [{"url": base_url}]
            for value in node.values():
                point_servers_here(value)
        elif isinstance(node, list):
            for value in node:
                point_servers_here(value)

    point_servers_here(document)
    # Twilio's own format: a number in E.164 (or a channel address such as whatsapp:+44...).
    formats = {"phone-number": lambda value: bool(E164.match(value))}
    return OpenAPI.from_dict(
        document,
        config=Config(
            spec_validator_cls=None,
            extra_format_validators=formats,
            extra_format_unmarshallers={"phone-number": str},
        ),
    )


class TwilioStandIn:
    def __init__(self, delay: float = 0.0, validate: bool = True):
        self.delay = delay
        self.validate = validate  # benchmarks can switch the (CPU-heavy) check off to measure the sender
        self.fail_next = 0  # answer this many requests with a 503
        self.held = threading.Event()  # set while a send is held inside the provider (see hold_next)
        self.held_body = ""
        self._hold_next = False
        self._release = threading.Event()
        self.messages: list[dict] = []
        self.invalid: list[str] = []
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.spec = _spec_for(self.base_url)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TwilioStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self.server.shutdown()

    def hold_next(self) -> None:
        """Keep the next send in flight: received, but not processed until release() (a slow provider)."""
        with self.lock:
            self._hold_next, self._release, self.held = True, threading.Event(), threading.Event()

    def release(self) -> None:
        self._release.set()

    def bodies(self) -> list[str]:
        return [m["body"] for m in self.messages]

    def _error(self, status: int, code: int, message: str) -> Response:
        return Response(
            json.dumps({"code": code, "message": message, "more_info": "", "status": status}),
            status=status,
            content_type="application/json",
        )

    @Request.application
    def _app(self, request: Request) -> Response:
        result = self.spec.unmarshal_request(WerkzeugOpenAPIRequest(request)) if self.validate else None
        if result is not None and result.errors:
            with self.lock:
                self.invalid.append(f"{request.method} {request.path}: {[str(e) for e in result.errors]}")
            return self._error(400, 21601, "request does not match Twilio's API description")
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return self._error(401, 20003, "Authenticate")
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._error(503, 20500, "Service unavailable")
        if request.method == "POST":
            with self.lock:
                hold, self._hold_next = self._hold_next, False
                release, held = self._release, self.held
            if hold:
                self.held_body = request.form.get("Body", "")
                held.set()
                release.wait(120)
            return self._create(request)
        return self._list(request)

    def _resource(self, message: dict) -> dict:
        return {**message, "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message['sid']}.json"}

    def _create(self, request: Request) -> Response:
        form = request.form
        now = format_datetime(datetime.now(UTC))
        message = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": ACCOUNT_SID,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body", ""),
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": now,
            "price": None,
            "error_code": None,
            "error_message": None,
            "num_media": "0",
            "price_unit": "GBP",
            "subresource_uris": {},
            "status_callback": form.get("StatusCallback"),
        }
        with self.lock:
            self.messages.append(message)
        return Response(json.dumps(self._resource(message)), status=201, content_type="application/json")

    def _list(self, request: Request) -> Response:
        to = request.args.get("To")
        with self.lock:
            found = [self._resource(m) for m in self.messages if to is None or m["to"] == to]
        base = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        page = {
            "messages": found,
            "end": max(len(found) - 1, 0),
            "first_page_uri": base,
            "next_page_uri": None,
            "page": 0,
            "page_size": 50,
            "previous_page_uri": None,
            "start": 0,
            "uri": base,
        }
        return Response(json.dumps(page), status=200, content_type="application/json")
