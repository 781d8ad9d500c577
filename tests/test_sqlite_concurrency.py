"""`make run` on SQLite: the web app and the scheduler write at once, and both writes land.

In WAL mode SQLite refuses at once ("database is locked", without waiting) a write from a transaction
that has read, if another connection wrote since the read. A request reads before it writes (the user,
the booking), so a scheduler write in between used to turn the request into a 500. Here two threads,
one a web request and one a scheduler job, each on its own connection to one SQLite file, do exactly
that; both must succeed.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from app import create_app
from app.config import Settings
from app.extensions import db
from app.models import AuditEvent
from app.scheduler import Job, run_job


@pytest.fixture
def sqlite_app(tmp_path):
    import flask_migrate

    app = create_app(
        Settings(secret_key="test-secret-key", database_url=f"sqlite:///{tmp_path / 'make-run.db'}"),
        testing=True,
    )
    original = db.session
    db.session = db._make_scoped_session({})  # the harness swaps the session; this app has its own
    try:
        with app.app_context():
            flask_migrate.upgrade()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        db.session = original


# Without the fix the job's write lands inside the request's transaction, and the request's write fails.
JOB_GETS_ITS_CHANCE = 2.0  # seconds the request gives the job to write (with the fix, the job waits)


def test_a_request_and_a_scheduler_job_writing_at_once_both_succeed(sqlite_app):
    request_has_read, job_done = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def web_request():
        with sqlite_app.test_request_context("/"):
            try:
                db.session.scalar(text("SELECT count(*) FROM audit_event"))  # the request reads first
                request_has_read.set()
                job_done.wait(JOB_GETS_ITS_CHANCE)
                db.session.add(AuditEvent(action="from_the_web", object_type="test", object_id="1"))
                db.session.commit()
                outcome["web"] = "ok"
            except Exception as error:  # noqa: BLE001 (the assertion below reports it)
                outcome["web"] = error
            finally:
                db.session.remove()

    def scheduler_job():
        db.session.add(AuditEvent(action="from_the_scheduler", object_type="test", object_id="2"))
        db.session.commit()
        outcome["job"] = "ok"

    def scheduler():
        request_has_read.wait(60)
        run_job(sqlite_app, Job("test", None, scheduler_job, "writes once"))
        job_done.set()

    threads = [threading.Thread(target=web_request), threading.Thread(target=scheduler)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert outcome == {"web": "ok", "job": "ok"}
    with sqlite_app.app_context():
        actions = set(db.session.scalars(text("SELECT action FROM audit_event")))
    assert actions == {"from_the_web", "from_the_scheduler"}
