"""Attack of 2 December (afternoon): "x<victim@example.com>" and "victim@example.com,1" passed the email
rule, each a new allowance key, and SMTP delivered both to the victim (the second to "1" as well). An
email address is now a plain mailbox, and the sender names its one recipient to the server itself."""

from __future__ import annotations

import pytest

from app.messaging.contact import valid_email
from notifications.email import SmtpEmail
from tests.standins.smtp_server import SmtpStandIn


@pytest.mark.parametrize(
    "typed",
    [
        "x<victim@example.com>",
        "victim@example.com,1",
        "victim@example.com;other@example.com",
        '"victim"@example.com',
        "victim @example.com",
        "victim@localhost",
    ],
)
def test_an_address_that_smtp_would_read_as_another_or_as_several_is_refused(typed):
    assert not valid_email(typed)


@pytest.mark.parametrize(
    "typed", ["jo.bloggs@example.org", "jo+dentist@example.co.uk", "zofia.wiśniewska@poczta.pl"]
)
def test_ordinary_addresses_are_accepted(typed):
    assert valid_email(typed)


def test_the_server_is_told_the_one_recipient_the_outbox_holds():
    with SmtpStandIn() as server:
        sender = SmtpEmail("127.0.0.1", server.port, from_address="council@example.gov.uk")
        sender.send("jo.bloggs@example.org", "Your appointment", "Body")
    assert server.recipients == [["jo.bloggs@example.org"]]
    assert server.messages[0]["To"] == "jo.bloggs@example.org"
