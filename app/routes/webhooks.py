"""Twilio webhooks: delivery reports and replies. Each one is checked with Twilio's RequestValidator."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from limits import parse
from twilio.request_validator import RequestValidator

from app.config import settings
from app.inbound.inbound import handle
from app.messaging.dispatch import provider_status
from app.staff import audit
from app.unit_of_work import unit_of_work
from app.web.access import public
from app.web.guards import client_address, csrf, limiter

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _public_url() -> str:
    """The URL Twilio called: behind a proxy, the configured public base plus the path."""
    query = request.query_string.decode()
    return settings().public_base_url + request.path + (f"?{query}" if query else "")


def _require_twilio_signature() -> None:
    token = settings().twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(_public_url(), request.form.to_dict(), signature):
        _audit_forged()
        abort(403)


FORGED_AUDITED = parse("1 per 10 minutes")


def _audit_forged() -> None:
    """One audit row per sending address in 10 minutes (the first); the rest are logged, not stored, so
    a flood of forged calls cannot fill the audit log. With the limiter off, every one is stored."""
    address = request.remote_addr or ""
    first = True
    if limiter.enabled:
        try:
            first = limiter.limiter.hit(
                FORGED_AUDITED, "webhook-forged", settings().ratelimit_key_prefix, client_address()
            )
        except Exception:  # storage unreachable: store it
            first = True
    if not first:
        current_app.logger.warning(
            "forged webhook call to %s from %s (audited once per 10 minutes)", request.path, address
        )
        return
    with unit_of_work():
        audit.record("webhook_forged", "webhook", request.path, ip=address)


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
