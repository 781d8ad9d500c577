"""Fixtures that point the app at local stand-ins for Twilio, SMTP and the CRM."""

from __future__ import annotations

import pytest

from tests.standins.smtp_server import SmtpStandIn
from tests.standins.twilio_api import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, TwilioStandIn
from tests.standins.webhook_receiver import WebhookReceiver


@pytest.fixture
def configure(app):
    saved = dict(app.config)

    def apply(**values):
        app.config.update(values)

    yield apply
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def twilio(configure):
    with TwilioStandIn() as stand_in:
        configure(
            SMS_PROVIDER="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_MESSAGING_SERVICE_SID=MESSAGING_SERVICE_SID,
            TWILIO_API_BASE=stand_in.base_url,
            PUBLIC_BASE_URL="https://doorstep.council.example",
        )
        yield stand_in
        assert stand_in.invalid == [], "the app sent Twilio a request its API description does not allow"


@pytest.fixture
def smtp(configure):
    with SmtpStandIn() as server:
        configure(
            SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, EMAIL_FROM="Doorstep <appointments@council.example>"
        )
        yield server


@pytest.fixture
def crm(configure):
    with WebhookReceiver() as receiver:
        configure(CRM_WEBHOOK_URL=receiver.url, CRM_WEBHOOK_SECRET="crm-shared-secret")
        yield receiver
