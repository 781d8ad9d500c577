"""Twilio webhooks: delivery reports and replies. Each one is checked with Twilio's RequestValidator."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from app.inbound.inbound import handle
from app.messaging.dispatch import provider_status
from app.staff import audit
from app.unit_of_work import unit_of_work
from app.web.access import public
from app.web.guards import csrf

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _public_url() -> str:
    """The URL Twilio called: behind a proxy, the configured public base plus the path."""
    query = request.query_string.decode()
    return current_app.config["PUBLIC_BASE_URL"] + request.path + (f"?{query}" if query else "")


def _require_twilio_signature() -> None:
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(_public_url(), request.form.to_dict(), signature):
        with unit_of_work():
            audit.record("webhook_forged", "webhook", request.path, ip=request.remote_addr or "")
        abort(403)


@bp.post("/twilio/status")
@public
def twilio_status():
    _require_twilio_signature()
    with unit_of_work():
        provider_status(
            request.form.get("MessageSid", ""),
            request.form.get("MessageStatus", ""),
            request.form.get("ErrorCode", ""),
        )
    return Response(status=204)


@bp.post("/twilio/inbound")
@public
def twilio_inbound():
    _require_twilio_signature()
    with unit_of_work():
        handle(request.form.get("MessageSid", ""), request.form.get("From", ""), request.form.get("Body", ""))
    return Response(EMPTY_TWIML, mimetype="text/xml")
