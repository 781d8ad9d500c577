"""CRM webhooks: HMAC-signed JSON events (appointment.booked, .cancelled, .rescheduled,
.officer_changed, .completed, .no_show)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

EVENTS = (
    "appointment.booked",
    "appointment.cancelled",
    "appointment.rescheduled",
    "appointment.officer_changed",
    "appointment.completed",
    "appointment.no_show",
)


class WebhookError(RuntimeError):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """sha256 HMAC over "<timestamp>.<body>", so a captured request cannot be replayed later."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, given: str, tolerance: int = 300) -> bool:
    if not timestamp.isascii() or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given.removeprefix("sha256="))


class WebhookSender:
    def __init__(self, url: str, secret: str, timeout: float = 10.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError("CRM_WEBHOOK_URL must be http or https")
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, event: str, event_id: str, data: dict) -> str:
        body = json.dumps({"id": event_id, "event": event, "data": data}, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310  (http or https, checked in __init__)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Doorstep-Event": event,
                "X-Doorstep-Event-Id": event_id,  # receivers drop repeats of an id they have seen
                "X-Doorstep-Timestamp": timestamp,
                "X-Doorstep-Signature": "sha256=" + signature(self.secret, timestamp, body),
            },
        )
        try:
            # the scheme was checked in __init__
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return f"{response.status}"
        except urllib.error.HTTPError as error:
            raise WebhookError(
                f"CRM answered {error.code}", permanent=400 <= error.code < 500 and error.code != 429
            ) from error
        except OSError as error:
            raise WebhookError(f"CRM unreachable: {error}") from error
