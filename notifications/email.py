"""Email over SMTP (smtplib), with the appointment's calendar file attached."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid


class EmailError(RuntimeError):
    pass


class SmtpEmail:
    def __init__(
        self,
        host: str,
        port: int = 25,
        username: str = "",
        password: str = "",
        from_address: str = "",
        starttls: bool = False,
        timeout: float = 15.0,
    ):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.from_address = from_address
        self.starttls = starttls
        self.timeout = timeout

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        attachments: list[tuple[str, bytes, str]] = (),
        message_id: str = "",
    ) -> str:
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = to
        message["Subject"] = subject
        # A stable Message-ID per outbox row: a resend after a crash is recognisably the same email.
        message["Message-ID"] = message_id or make_msgid(domain="doorstep")
        message.set_content(body)
        for filename, content, mimetype in attachments:
            maintype, subtype = mimetype.split("/", 1)
            # Calendar files carry the resident's language (Polish, Nepali): say they are UTF-8.
            params = {"method": "PUBLISH", "charset": "utf-8"} if subtype == "calendar" else {}
            message.add_attachment(
                content, maintype=maintype, subtype=subtype, filename=filename, params=params
            )
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                # The one recipient, said apart from the header: a To that a mail parser reads as
                # several mailboxes must never reach more than the address the outbox holds.
                smtp.send_message(message, to_addrs=[to])
        except (smtplib.SMTPException, OSError) as error:
            raise EmailError(f"SMTP failed: {error}") from error
        return message["Message-ID"]
