"""Flask extensions, created once and bound in the app factory."""

import copy
import select
import time
from contextvars import ContextVar

from flask import Flask, current_app, has_app_context, has_request_context
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


def _rate_limit_key() -> str:
    from app.services.kiosk import rate_limit_key

    return rate_limit_key()


# What Flask-Limiter's init_app and its checks set on the Limiter object: the switch, the storage and
# its strategy, the key prefix, the fallback and the settings read from the app's config.
_PER_APP_STATE = frozenset(
    {
        "enabled",
        "initialized",
        "_storage",
        "_storage_options",
        "_strategy",
        "_limiter",
        "_key_prefix",
        "_storage_dead",
        "_fallback_storage",
        "_fallback_limiter",
        "_in_memory_fallback",
        "_in_memory_fallback_enabled",
        "_swallow_errors",
        "_fail_on_first_breach",
        "_headers_enabled",
        "_header_mapping",
        "_retry_after",
        "_request_identifier",
        "_on_breach",
        "_on_meta_breach",
        "_meta_limits",
        "_default_limits_per_method",
        "_default_limits_exempt_when",
        "_default_limits_deduct_when",
        "_default_limits_cost",
        "_application_limits_per_method",
        "_application_limits_exempt_when",
        "_application_limits_deduct_when",
        "_application_limits_cost",
        "_Limiter__check_backend_count",
        "_Limiter__last_check_backend",
    }
)
_STATE_KEY = "doorstep_limiter_state"


class PerAppLimiter(Limiter):
    """Flask-Limiter keeps its switch, storage and settings on the Limiter object, so with several apps
    in one process (the tests make many) the last one set up would decide for every one of them, and
    the first one's key prefix would stick. The routes' decorators need one object: this one keeps that
    state per app (in app.extensions), each from its own settings."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        defaults = {name: value for name, value in vars(self).items() if name in _PER_APP_STATE}
        object.__setattr__(self, "_defaults", defaults)

    @staticmethod
    def _app_state() -> dict | None:
        return current_app.extensions.get(_STATE_KEY) if has_app_context() else None

    def __getattribute__(self, name: str):
        if name in _PER_APP_STATE:
            state = PerAppLimiter._app_state()
            if state is not None and name in state:
                return state[name]
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value) -> None:
        state = PerAppLimiter._app_state() if name in _PER_APP_STATE else None
        if state is None:
            object.__setattr__(self, name, value)
        else:
            state[name] = value

    def init_app(self, app: Flask) -> None:
        app.extensions[_STATE_KEY] = {name: copy.copy(value) for name, value in self._defaults.items()}
        with app.app_context():
            super().init_app(app)


limiter = PerAppLimiter(key_func=_rate_limit_key, default_limits=[])


# Set while a scheduler job runs: like a web request, a unit of work that may write after it has read.
in_scheduled_job: ContextVar[bool] = ContextVar("in_scheduled_job", default=False)
SQLITE_BUSY_TIMEOUT_MS = 30_000  # longer than the nightly plan holds the database on the demo county


def _writes_may_follow() -> bool:
    return has_request_context() or in_scheduled_job.get()


def configure_sqlite(engine) -> None:
    """Make SQLite behave: real transactions (so SAVEPOINT works), foreign keys, and waiting for locks.

    Waiting (busy_timeout) is not enough on its own: in WAL mode a transaction that has read cannot
    start writing once another connection has written since, and SQLite refuses at once ("database is
    locked", no waiting). So the units of work that race each other under `make run` (web requests and
    scheduler jobs) take the write lock when they begin (BEGIN IMMEDIATE): they queue for up to
    busy_timeout instead. Other connections (CLI reads, the test harness) begin as before."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes_may_follow() else "BEGIN")


# A pooled connection unused for longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 30


def check_pooled_connections(engine) -> None:
    """Hand out only live connections, without a round trip to the server for each one.

    pool_pre_ping would cost a round trip per request (two for a booking, which commits before it takes
    its lock). A server that restarts, or ends a session, says so on the socket, which then reads as
    ready while no query is in flight; a connection idle for long may have been cut without a word (a
    firewall). Only those are pinged, and one that fails is replaced by a new one. Used for PostgreSQL."""
    from sqlalchemy import event, exc

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None:
            return  # just connected
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        try:
            if readable or time.monotonic() - idle_since > IDLE_PING_SECONDS:
                dbapi_connection.execute("SELECT 1")
                dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001  (any failure means: not this connection)
            raise exc.DisconnectionError() from error
