"""The app for a real server (gunicorn) in tests, with its clock set to DOORSTEP_TEST_NOW (ISO 8601)
and running on from there: for flows that depend on the time of day, such as phone hours."""

import os
from datetime import datetime

import time_machine

time_machine.travel(datetime.fromisoformat(os.environ["DOORSTEP_TEST_NOW"]), tick=True).start()

from app import create_app  # noqa: E402  (after the clock is set)

app = create_app()
