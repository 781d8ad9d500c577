"""Wake a waiting long poll as soon as the call it watches changes, whichever server made the change.

On PostgreSQL a change sends NOTIFY in its own transaction (so it is heard only once committed) and
each web process keeps one LISTEN connection, started on first use, that wakes its waiting requests.
Without PostgreSQL, or while that connection is down, a waiting request simply looks again every
half second. Either way the database stays the only state: a missed wake-up costs a little latency,
never a message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

import psycopg
from sqlalchemy import text

from app.extensions import db

log = logging.getLogger(__name__)
CHANNEL = "doorstep_kiosk_calls"
POLL_SECONDS = 0.5  # without notifications
LISTENING_POLL_SECONDS = 2.0  # with them: a safety net for a wake-up that came just before the wait


def notify(*keys: object) -> None:
    """Queue a wake-up for these keys (a call id, or "queue"), sent when the transaction commits."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in {str(k) for k in keys if k is not None}:
        db.session.execute(text("SELECT pg_notify(:channel, :key)"), {"channel": CHANNEL, "key": key})


def wait(keys: tuple, timeout: float) -> None:
    """Sleep until one of `keys` is notified or `timeout` passes (never longer than a polling interval)."""
    if timeout <= 0:
        return
    listener = _listener()
    if listener is None or not listener.listening:
        time.sleep(min(timeout, POLL_SECONDS))
        return
    listener.wait([str(k) for k in keys], min(timeout, LISTENING_POLL_SECONDS))


class _Listener:
    def __init__(self, dsn: str):
        self.dsn = dsn
        self.listening = False
        self._changes: Counter[str] = Counter()
        self._condition = threading.Condition()
        threading.Thread(target=self._run, name="kiosk-call-listener", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                with psycopg.connect(self.dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    while True:
                        for note in connection.notifies(timeout=30):
                            with self._condition:
                                self._changes[note.payload] += 1
                                self._condition.notify_all()
            except Exception:  # the database restarted or the network dropped: poll until back
                self.listening = False
                log.warning("kiosk call notifications stopped; polling until they are back", exc_info=True)
                time.sleep(5)

    def wait(self, keys: list[str], timeout: float) -> None:
        with self._condition:
            seen = [self._changes[k] for k in keys]
            self._condition.wait_for(lambda: [self._changes[k] for k in keys] != seen, timeout)


_listeners: dict[str, _Listener] = {}
_lock = threading.Lock()


def _listener() -> _Listener | None:
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return None
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _lock:  # one per process and database, started after any fork (on first use)
        if dsn not in _listeners:
            _listeners[dsn] = _Listener(dsn)
        return _listeners[dsn]
