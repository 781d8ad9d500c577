"""SMS senders behind one interface: Twilio (the real client) and a log sender for development."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)
# Longest a send may wait for the provider. The outbox replays a send only long after this has passed,
# so it never overlaps a request that is still in flight.
REQUEST_TIMEOUT = 15.0


class SmsError(RuntimeError):
    """The provider refused or could not be reached; `permanent` means retrying will not help;
    `maybe_sent` means the request may have reached the provider (no answer came back)."""

    def __init__(self, message: str, permanent: bool = False, maybe_sent: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.maybe_sent = maybe_sent


class SmsSender(Protocol):
    def send(self, to: str, body: str, status_callback: str | None = None) -> str:
        """Send, returning the provider's message id."""

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        """The provider id of a matching message already sent, if the provider can tell us."""


class TwilioSms:
    """Twilio Programmable Messaging through the official client."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str = "",
        from_number: str = "",
        api_base: str = "",
        timeout: float = REQUEST_TIMEOUT,
    ):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if not (messaging_service_sid or from_number):
            raise ValueError("Set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if api_base:
            self.client.api.base_url = api_base.rstrip("/")  # a local stand-in in tests
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number

    def send(self, to: str, body: str, status_callback: str | None = None) -> str:
        from requests.exceptions import RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **sender, **extra)
        except TwilioRestException as error:
            # 4xx: the request itself is wrong (bad number, unsubscribed); 5xx and 429: try again later.
            raise SmsError(
                f"Twilio {error.status} {error.code}: {error.msg}",
                permanent=400 <= error.status < 500 and error.status != 429,
            ) from error
        except RequestException as error:
            # Connected, then no answer (read timeout, dropped connection): Twilio may have the text.
            raise SmsError(f"Twilio did not answer: {error}", maybe_sent=_connected(error)) from error
        except (TwilioException, OSError) as error:
            raise SmsError(f"Twilio unreachable: {error}") from error
        return message.sid

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        for message in self.client.messages.list(to=to, date_sent_after=since, limit=50):
            if message.body == body:
                return message.sid
        return None


def _connected(error: Exception) -> bool:
    """False when the connection itself failed (refused, or timed out connecting): nothing was sent."""
    from requests.exceptions import ConnectTimeout
    from urllib3.exceptions import NewConnectionError

    reason = getattr(error.args[0], "reason", None) if error.args else None
    return not isinstance(error, ConnectTimeout) and not isinstance(reason, NewConnectionError)


@dataclass
class LogSms:
    """Development sender: logs the text and keeps it, so `make run` needs no account."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, to: str, body: str, status_callback: str | None = None) -> str:
        provider_id = f"LOG{len(self.sent) + 1:06d}"
        self.sent.append((provider_id, to, body))
        log.info("SMS to %s: %s", to, body)
        return provider_id

    def find_sent(self, to: str, body: str, since: datetime) -> str | None:
        return next((pid for pid, t, b in self.sent if t == to and b == body), None)
