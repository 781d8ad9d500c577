"""What a fresh-eyes walk of the booking forms found (phone agent and resident): each test failed
before its fix."""

from __future__ import annotations

import re

from app.extensions import db
from tests.factories import CustomerFactory


def test_find_a_caller_heads_the_number_column_phone(client, sign_in):
    """Finding 5: the column headed "Mobile" showed landlines."""
    sign_in("agent")
    CustomerFactory(name="Lan Dline", phone="+441380722000")
    db.session.commit()
    html = client.get("/agent/", query_string={"q": "Lan Dline"}).get_data(as_text=True)
    headers = re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>', html)
    assert headers == ["Name", "Phone", "Address"]
    assert "01380 722000" in html
