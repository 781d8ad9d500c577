"""Kiosk calls across app servers: two gunicorns with gthread workers (as README says to run them)
sharing PostgreSQL, as behind a load balancer. Either may answer either end; a long poll on one is
woken by a message posted through the other, well before its 20-second limit."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import time as clock_time
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.timeutil import local_now, local_to_utc, next_working_day
from tests.booking_helpers import World
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def _gunicorn(env: dict, log_dir: Path, name: str):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    errors = log_dir / f"{name}.err"
    with open(errors, "w") as err:
        process = subprocess.Popen(  # noqa: S603  (the test's own arguments)
            [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
             "--threads", "8", "--bind", f"fd://{listener.fileno()}", "tests.standins.clock_wsgi:app"],
            cwd=ROOT, env=env, pass_fds=[listener.fileno()], stdout=err, stderr=err,
        )  # fmt: skip
    return process, listener, f"http://127.0.0.1:{listener.getsockname()[1]}", errors


@pytest.fixture
def servers(postgres, committed, tmp_path):
    """Two app servers (gunicorn, gthread) sharing the database, as behind a load balancer, with
    their clocks at 10am on a working day."""
    opening = local_to_utc(next_working_day(local_now().date()), clock_time(10))
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": postgres,
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdef",
        "RATELIMIT_ENABLED": "false",
        "DOORSTEP_TEST_NOW": opening.isoformat(),
    }
    started = [_gunicorn(env, tmp_path, name) for name in ("a", "b")]
    try:
        deadline = time.monotonic() + 120
        for process, _listener, base, errors in started:
            while True:
                assert process.poll() is None, errors.read_text()[-3000:]
                try:
                    if requests.get(f"{base}/healthz", timeout=30).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert time.monotonic() < deadline, "gunicorn did not answer within 120 s"
                time.sleep(0.2)
        yield [base for _p, _l, base, _e in started]
    finally:
        for process, listener, _base, _errors in started:
            process.terminate()
            process.wait(60)
            listener.close()
        for *_rest, errors in started:
            assert "Traceback" not in errors.read_text(), errors.read_text()[-3000:]


def _browser() -> requests.Session:
    """A new connection for each request: a kept-alive one that the server has just timed out would
    be reset under the test (a load balancer retries those; requests does not)."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)


def test_the_two_ends_of_a_call_meet_through_the_database_whichever_server_answers(servers):
    """Cookies belong to the host, not the port: each browser session may reach either server."""
    a, b = servers
    world = World()
    _device, activation = kiosks.register(world.hub, "Reception kiosk")
    agent_user = UserFactory(role="agent")
    db.session.commit()

    kiosk = _browser()
    confirm = kiosk.get(f"{a}/kiosk/activate/{activation}", timeout=60).text
    kiosk.post(f"{a}/kiosk/activate/{activation}", data={"csrf_token": _token(confirm)}, timeout=60)
    notice = kiosk.get(f"{a}/kiosk/call/?step=kiosk.start", timeout=60).text
    started = kiosk.post(
        f"{a}/kiosk/call/",
        data={"csrf_token": _token(notice), "step": "kiosk.start", "mode": "text"},
        timeout=60,
    )
    call_url = started.url
    assert re.search(r"/kiosk/call/\d+$", call_url), started.text[:500]
    kiosk_csrf = re.search(r'data-csrf="([^"]+)"', started.text).group(1)

    agent = _browser()
    page = agent.get(f"{a}/sign-in", timeout=60).text
    agent.post(
        f"{a}/sign-in",
        data={"email": agent_user.email, "password": PASSWORD, "csrf_token": _token(page)},
        timeout=60,
    )
    console = agent.get(f"{a}/agent/kiosk-calls/", timeout=60).text
    call_id = call_url.rsplit("/", 1)[1]
    answered = agent.post(
        f"{a}/agent/kiosk-calls/{call_id}/answer", data={"csrf_token": _token(console)}, timeout=60
    )
    assert answered.url.endswith(f"/agent/kiosk-calls/{call_id}"), answered.text[:500]
    agent_csrf = re.search(r'data-csrf="([^"]+)"', answered.text).group(1)

    news = kiosk.get(f"{call_url}/news", timeout=60).json()
    assert news["status"] == "connected"
    path = call_url.removeprefix(a)
    for round_, (kiosk_server, agent_server) in enumerate([(a, b), (b, a), (b, b), (a, a)]):
        # The kiosk waits (up to 20 s) on one server while the agent, on this or the other, types.
        result = {}

        def wait(result=result, server=kiosk_server, after=news["after"], known=news["token"]):
            began = time.monotonic()
            result["news"] = kiosk.get(
                f"{server}{path}/news", params={"after": after, "state": known, "wait": 20}, timeout=60
            ).json()
            result["seconds"] = time.monotonic() - began

        waiting = threading.Thread(target=wait)
        waiting.start()
        time.sleep(1)
        sent = agent.post(
            f"{agent_server}/agent/kiosk-calls/{call_id}/signal",
            json={"kind": "chat", "data": {"text": f"Line {round_}"}},
            headers={"X-CSRFToken": agent_csrf},
            timeout=60,
        )
        assert sent.status_code == 201, sent.text
        waiting.join(60)
        news = result["news"]
        assert [s["data"]["text"] for s in news["signals"]] == [f"Line {round_}"]
        assert result["seconds"] < 12, "woken by the message, not by the 20-second limit"
    reply = kiosk.post(
        f"{b}{path}/signal",
        json={"kind": "chat", "data": {"text": "Thank you"}},
        headers={"X-CSRFToken": kiosk_csrf},
        timeout=60,
    )
    assert reply.status_code == 201
    assert [
        s["data"]["text"]
        for s in agent.get(f"{a}/agent/kiosk-calls/{call_id}/news", timeout=60).json()["signals"]
    ] == ["Thank you"]
