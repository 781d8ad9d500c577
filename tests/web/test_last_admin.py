"""Never no admin: nobody switches off the only admin who can sign in, even two admins switching each
other off at the same moment (second attack, December 2026: both succeeded, and nobody could sign in to
switch anyone on again)."""

from __future__ import annotations

import threading
import time

from app.extensions import db
from app.models import User
from app.staff.staff import switch_off
from tests.factories import UserFactory
from tests.pages import csrf_token, error_summary
from tests.safety_helpers import sign_in_as

ONLY_ANN = (
    "You cannot switch off Ann Admin: they are the only admin who can sign in. "
    "Switch on or add another admin first"
)


def _active_admins() -> list[str]:
    db.session.expire_all()
    return [u.full_name for u in db.session.query(User).filter_by(role="admin", active=True)]


def test_two_admins_switching_each_other_off_at_once_leave_one_admin(app, client, postgres, committed):
    ann = UserFactory(role="admin", full_name="Ann Admin")
    bob = UserFactory(role="admin", full_name="Bob Admin")
    db.session.commit()
    ann_id, bob_id = ann.id, bob.id
    sign_in_as(client, bob)
    page = client.get("/admin/users").get_data(as_text=True)
    switching = threading.Event()

    def ann_switches_bob_off():
        """Ann's switch, on its own connection, held open while Bob's arrives."""
        with app.app_context():
            try:
                switch_off(db.session.get(User, bob_id), by=db.session.get(User, ann_id))
                db.session.flush()
                switching.set()
                time.sleep(1)
                db.session.commit()
            finally:
                db.session.remove()

    ann_thread = threading.Thread(target=ann_switches_bob_off)
    ann_thread.start()
    assert switching.wait(10)
    answer = client.post(
        "/admin/users", data={"switch_off": ann_id, "confirmed": "yes", "csrf_token": csrf_token(page)}
    )
    ann_thread.join(10)
    assert answer.status_code == 200
    assert error_summary(answer.get_data(as_text=True)) == [ONLY_ANN]
    assert _active_admins() == ["Ann Admin"]


def test_flask_users_deactivate_refuses_the_only_admin(app):
    UserFactory(role="admin", full_name="Ann Admin", email="ann@example.gov.uk")
    UserFactory(role="admin", full_name="Cat Admin", email="cat@example.gov.uk", active=False)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "deactivate", "--email", "ann@example.gov.uk"])
    assert result.exit_code == 1 and ONLY_ANN in result.output
    assert _active_admins() == ["Ann Admin"]
