"""The configured providers: SMS (Twilio or log), email (SMTP) and the CRM webhook; and a recorder
that stands in for all three (the simulator's), keeping what each was asked to send."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from notifications.email import SmtpEmail
from notifications.sms import LogSms, SmsSender, TwilioSms
from notifications.webhook import WebhookSender

_log_sms = LogSms()  # one per process, so `make run` can show what would have been sent


@dataclass
class Senders:
    sms: SmsSender | None
    email: SmtpEmail | None
    webhook: WebhookSender | None


_in_use: Senders | None = None  # senders that replace the configured ones in this process (`use`)


def configured() -> Senders:
    if _in_use is not None:
        return _in_use
    config = current_app.config
    if config["SMS_PROVIDER"] == "twilio":
        sms: SmsSender | None = TwilioSms(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            messaging_service_sid=config["TWILIO_MESSAGING_SERVICE_SID"],
            from_number=config["TWILIO_FROM_NUMBER"],
            api_base=config["TWILIO_API_BASE"],
        )
    else:
        sms = _log_sms
    email = (
        SmtpEmail(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config["SMTP_USERNAME"],
            config["SMTP_PASSWORD"],
            config["EMAIL_FROM"],
            starttls=config["SMTP_STARTTLS"],
        )
        if config["SMTP_HOST"]
        else None
    )
    webhook = (
        WebhookSender(config["CRM_WEBHOOK_URL"], config["CRM_WEBHOOK_SECRET"])
        if config["CRM_WEBHOOK_URL"]
        else None
    )
    return Senders(sms, email, webhook)


def development_log() -> LogSms:
    return _log_sms


@contextmanager
def use(senders: Senders) -> Iterator[Senders]:
    """Send through these instead of the configured providers inside the block (this process only)."""
    global _in_use
    previous, _in_use = _in_use, senders
    try:
        yield senders
    finally:
        _in_use = previous


@dataclass(frozen=True)
class Delivery:
    """One request a provider received: what a phone, inbox or CRM would have got."""

    channel: str  # sms | email | webhook
    recipient: str
    body: str
    provider_id: str
    subject: str = ""
    key: str = ""  # the email Message-ID or webhook event id the dispatcher gave


@dataclass
class SendLog:
    """A log sender for every channel: records each request instead of sending it. Each channel's
    object has that provider's interface, so dispatch and replay use it as they would the real one."""

    deliveries: list[Delivery] = field(default_factory=list)

    def _record(self, delivery: Delivery) -> str:
        self.deliveries.append(delivery)
        return delivery.provider_id

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{len(self.deliveries) + 1:07d}"

    def senders(self) -> Senders:
        return Senders(_LoggedSms(self), _LoggedEmail(self), _LoggedWebhook(self))  # type: ignore[arg-type]

    def to(self, recipient: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.recipient == recipient]


@dataclass
class _LoggedSms:
    log: SendLog

    def send(self, to: str, body: str, status_callback: str | None = None) -> str:
        return self.log._record(Delivery("sms", to, body, self.log._next_id("SM")))

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        found = [
            d for d in self.log.deliveries if d.channel == "sms" and d.recipient == to and d.body == body
        ]
        return found[-1].provider_id if found else None


@dataclass
class _LoggedEmail:
    log: SendLog

    def send(self, recipient: str, subject: str, body: str, attachments=(), message_id: str = "") -> str:
        delivery = Delivery(
            "email", recipient, body, message_id or self.log._next_id("EM"), subject, message_id
        )
        return self.log._record(delivery)


@dataclass
class _LoggedWebhook:
    log: SendLog

    def send(self, event: str, event_id: str, data: dict) -> str:
        return self.log._record(
            Delivery("webhook", event, str(data), self.log._next_id("WH"), event, event_id)
        )
