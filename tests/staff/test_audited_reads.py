"""Staff reads of residents' names and addresses are audited however they are made: the JSON look-up
was, and now so are the calendar file with a bearer token and every fetch of an officer's feed."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import AuditEvent
from app.officers import calendar_feed
from app.staff.tokens import create_token
from app.timeutil import utcnow
from tests.booking_helpers import World
from tests.factories import AppointmentFactory, UserFactory
from tests.safety_helpers import officer_user


def _audited(action: str) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).all()


def test_a_staff_download_of_a_calendar_file_is_audited_like_the_json(client):
    world = World()
    agent = UserFactory(role="agent")
    visit = AppointmentFactory(service=world.service, window_start=utcnow() + timedelta(days=2))
    bearer = {"Authorization": f"Bearer {create_token(agent, 'crm')}"}
    db.session.commit()
    answer = client.get(f"/api/v1/appointments/{visit.reference}/calendar.ics", headers=bearer)
    assert answer.status_code == 200 and "12 High Street" in answer.get_data(as_text=True)
    (event,) = _audited("appointment_viewed")
    assert (event.user_id, event.object_id) == (agent.id, visit.reference)
    # The resident's own signed link is theirs to use: not a staff read.
    assert client.get(f"/api/v1/appointments/{visit.reference}/calendar.ics").status_code == 404
    assert len(_audited("appointment_viewed")) == 1


def test_every_fetch_of_an_officers_calendar_feed_is_audited(client):
    world = World()
    user, officer = officer_user(world)
    AppointmentFactory(service=world.service, officer=officer, window_start=utcnow() + timedelta(days=1))
    url = f"/calendar/officer/{calendar_feed.issue_token(officer)}.ics"
    db.session.commit()
    for _ in range(2):
        assert client.get(url).status_code == 200
    fetched = _audited("calendar_feed_fetched")
    assert len(fetched) == 2
    assert {(e.user_id, e.object_id, e.detail["visits"]) for e in fetched} == {(user.id, str(officer.id), 1)}
