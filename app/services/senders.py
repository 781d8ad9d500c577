"""The configured providers: SMS (Twilio or log), email (SMTP) and the CRM webhook."""

from __future__ import annotations

from dataclasses import dataclass

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


def configured() -> Senders:
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
