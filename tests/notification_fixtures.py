"""Fixtures that point the app at local stand-ins for Twilio, SMTP and the CRM."""

from __future__ import annotations

import pytest

from app.config import use_settings
from tests.standins.smtp_server import SmtpStandIn
from tests.standins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, TwilioStandIn
from tests.standins.webhook_receiver import WebhookReceiver


@pytest.fixture
def configure(app):
    """`configure(sms_provider="twilio", ...)`: change settings fields for one test (validated, so a
    misspelt name fails); the app's own settings come back afterwards."""
    saved = app.extensions["settings"]

    def apply(**changes):
        use_settings(app, app.extensions["settings"].changed(**changes))

    yield apply
    use_settings(app, saved)


@pytest.fixture
def twilio(configure):
    with TwilioStandIn() as stand_in:
        configure(
            sms_provider="twilio",
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_messaging_service_sid=MESSAGING_SERVICE_SID,
            twilio_api_base=stand_in.base_url,
            public_base_url="https://doorstep.council.example",
        )
        yield stand_in
        assert stand_in.invalid == [], "the app sent Twilio a request its API description does not allow"


@pytest.fixture
def smtp(configure):
    with SmtpStandIn() as server:
        configure(
            smtp_host="127.0.0.1", smtp_port=server.port, email_from="Doorstep <appointments@council.example>"
        )
        yield server


@pytest.fixture
def crm(configure):
    with WebhookReceiver() as receiver:
        configure(crm_webhook_url=receiver.url, crm_webhook_secret="crm-shared-secret")
        yield receiver
