"""Flask extensions, created once and bound in the app factory: the database, migrations and sign-in.
(The web layer's CSRF protection and rate limits are in app/web/guards.py.)"""

import os
import select
import threading
import time
from collections import deque
from contextvars import ContextVar

from flask import has_request_context
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from psycopg import IsolationLevel
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import MetaData, event, exc

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


def rollback_keeping_prepared(dbapi_connection) -> None:
    """ROLLBACK on a psycopg connection without forgetting its prepared statements.

    psycopg's own rollback() also deallocates every statement it has prepared on the connection (it
    guards against a rolled-back transaction that had created a type or table a statement used; this
    app changes its schema only in migrations, on connections of their own). Every read-only request,
    refused booking and pool check-in ends with a ROLLBACK, so each pooled connection kept losing its
    statements: PostgreSQL then parsed and planned nearly every statement again (20,000 plans in 32,000
    statements in one bench run; 7,300 with this; PostgreSQL CPU per request 1.49 -> 1.09 ms,
    bench/README.md section 3). libpq's own call ends the transaction; psycopg reads the connection's
    state from libpq, so nothing else needs to know."""
    pgconn = dbapi_connection.pgconn
    if pgconn.transaction_status == TransactionStatus.IDLE:
        return
    result = pgconn.exec_(b"ROLLBACK")
    if result.status != ExecStatus.COMMAND_OK:
        dbapi_connection.rollback()  # the connection is broken: psycopg raises and the pool replaces it


def keep_prepared_statements(engine) -> None:
    """Every rollback SQLAlchemy makes on this engine (a session's, the pool's reset on check-in) keeps
    the connection's prepared statements (see rollback_keeping_prepared). Used for PostgreSQL."""
    engine.dialect.do_rollback = rollback_keeping_prepared


def check_pooled_connections(engine) -> None:
    """Hand out only live connections, without a round trip to the server for each one.

    pool_pre_ping would cost a round trip per request (two for a booking, which commits before it takes
    its lock). A server that restarts, or ends a session, says so on the socket, which then reads as
    ready while no query is in flight; a connection idle for long may have been cut without a word (a
    firewall). Only those are pinged, and one that fails is replaced by a new one. Used for PostgreSQL."""

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
                rollback_keeping_prepared(dbapi_connection)
        except Exception as error:  # noqa: BLE001  (any failure means: not this connection)
            raise exc.DisconnectionError() from error


class HotRead:
    """A read that (nearly) every API request makes (the bearer token, a slot's claim), sent straight to
    the driver on PostgreSQL.

    Through the ORM session such a one-row read costs about 1 ms of Python, 10 to 20 times what the
    query itself costs PostgreSQL; through psycopg, about 0.07 ms (bench/README.md, section 3). The
    statement is written once with SQLAlchemy, compiled for PostgreSQL on first use, and sent with its
    bound parameters; on SQLite (development) it goes through SQLAlchemy as usual. Rows are plain
    tuples of the columns' values, the same on both. Like any query it first flushes what the session
    holds (unless in `no_autoflush`), so it sees this transaction's own changes. For reads only: writes
    go through the session, which tracks what the unit of work wrote.

    Inside the session's transaction it reads on the transaction's connection. Before the session has
    begun one (the bearer token, a 409's claim, the health ping: what a request reads first) it reads
    on a pooled connection of its own, on its own (autocommit): no session, no BEGIN and no ROLLBACK
    round trip, so a request that only reads costs one round trip per read and none of the session's
    machinery (about 0.1 ms of Python a request). Under READ COMMITTED that read sees what it would
    have seen as the transaction's first statement: the transaction has nothing of its own to see yet,
    and each of its statements reads what is committed when it starts."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: tuple[str, dict] | None = None

    def rows(self, **params) -> list[tuple]:
        session = db.session() if db.session.registry.has() else None  # none made yet: none is needed
        if session is not None and session.autoflush and (session.new or session.dirty or session.deleted):
            session.flush()
        if _before_any_transaction(session):
            engine = db.engine
            if engine.dialect.name == "postgresql":
                found = read_connections_of(engine).read(self, params)
                if found is not None:
                    return found
                pooled = engine.raw_connection()
                try:
                    return self._read(pooled.driver_connection, pooled.info, engine.dialect, params)
                finally:
                    pooled.close()
        connection = (session or db.session()).connection()
        if connection.dialect.name != "postgresql":
            return [tuple(row) for row in connection.execute(self.statement, params)]
        pooled = connection.connection
        return self._read(pooled.dbapi_connection, pooled.info, connection.dialect, params)

    def _read(self, driver, info: dict, dialect, params: dict) -> list[tuple]:
        if self._compiled is None:
            compiled = self.statement.compile(dialect=dialect)
            self._compiled = (str(compiled), dict(compiled.params))
        sql, defaults = self._compiled
        # One cursor per connection, kept with it: making one costs a third of the read.
        cursor = info.get(_CURSOR)
        if cursor is None or cursor.closed or cursor.connection is not driver:
            cursor = info[_CURSOR] = driver.cursor()
        in_transaction = driver.info.transaction_status != TransactionStatus.IDLE
        if in_transaction or driver.autocommit or driver.isolation_level not in _EACH_STATEMENT:
            return cursor.execute(sql, defaults | params).fetchall()
        driver.autocommit = True  # a transaction of its own: no BEGIN, nothing to end
        try:
            return cursor.execute(sql, defaults | params).fetchall()
        finally:
            driver.autocommit = False


class ReadConnections:
    """A few connections per process, always in autocommit, for the hot reads a request makes before
    its session begins a transaction (the bearer token, a 409's claim, the health ping).

    Taking one from the SQLAlchemy pool for each such read cost about 65 µs of Python (check-out and
    check-in, their events, switching autocommit on and off) for a read of 17 µs: a 409 makes two.
    These are kept apart from the pool, taken and given back without a lock (a deque), and never
    leave autocommit. When all are in use, or one has been idle long enough to be cut, the read goes
    through the pool as before; a connection that fails is closed and the read is made again through
    the pool, so a server restart costs one failed attempt per connection, never an error. Closed with
    the engine (`engine.dispose()`, as before a database is copied). Per process: a forked worker
    opens its own."""

    def __init__(self, engine, size: int) -> None:
        self.engine, self.size = engine, size
        self.idle: deque = deque()
        self.opened = 0
        self.lock = threading.Lock()

    def read(self, hot: HotRead, params: dict) -> list[tuple] | None:
        """The rows, or None when no read connection is free (then the caller uses the pool)."""
        taken = self._take()
        if taken is None:
            return None
        driver, info = taken
        try:
            found = hot._read(driver, info, self.engine.dialect, params)
        except Exception:  # noqa: BLE001  (a broken connection: not this one; the pool's path decides)
            self._discard(driver)
            return None
        self.idle.append((driver, info, time.monotonic()))
        return found

    def _take(self) -> tuple | None:
        while True:
            try:
                driver, info, since = self.idle.pop()
            except IndexError:
                break
            if driver.closed or time.monotonic() - since > IDLE_PING_SECONDS:
                self._discard(driver)  # may have been cut while idle: open a fresh one instead
                continue
            return driver, info
        with self.lock:
            if self.opened >= self.size:
                return None
            self.opened += 1
        try:
            dialect = self.engine.dialect
            cargs, cparams = dialect.create_connect_args(self.engine.url)
            driver = dialect.connect(*cargs, **cparams)
            set_up = dialect.on_connect()  # what the pool does to each new connection (type adapters)
            if set_up is not None:
                set_up(driver)
            driver.autocommit = True
        except Exception:  # noqa: BLE001  (no new connection now: the pool's path will say why)
            with self.lock:
                self.opened -= 1
            return None
        return driver, {}

    def _discard(self, driver) -> None:
        try:
            driver.close()
        finally:
            with self.lock:
                self.opened -= 1

    def close(self) -> None:
        while self.idle:
            self._discard(self.idle.pop()[0])


READ_CONNECTIONS_PER_PROCESS = 4


_read_connections: dict = {}  # engine -> its ReadConnections in this process
_inherited: list = []  # a forked child's copies of its parent's: kept, never used nor closed


def read_connections_of(engine) -> ReadConnections:
    found = _read_connections.get(engine)
    if found is None:
        found = _read_connections[engine] = ReadConnections(engine, READ_CONNECTIONS_PER_PROCESS)
        if not event.contains(engine, "engine_disposed", _close_read_connections):
            event.listen(engine, "engine_disposed", _close_read_connections)
    return found


def _close_read_connections(engine) -> None:
    found = _read_connections.pop(engine, None)
    if found is not None:
        found.close()


def _forget_inherited_read_connections() -> None:
    _inherited.extend(_read_connections.values())
    _read_connections.clear()


# A forked process (a gunicorn worker of a preloaded app) opens its own: a connection is one process's.
os.register_at_fork(after_in_child=_forget_inherited_read_connections)


def _before_any_transaction(session) -> bool:
    """The request's session has begun no transaction, on the app's own engine (the tests bind their
    session to a connection in a transaction of theirs)."""
    if session is None:
        return db.session.session_factory.kw.get("bind") is None
    return session.bind is None and not session.in_transaction()


_CURSOR = "hot_read_cursor"  # in the pooled connection's info

# Isolation levels where each statement reads what is committed when it starts (None: the server's
# default, PostgreSQL's READ COMMITTED unless it was changed).
_EACH_STATEMENT = (None, IsolationLevel.READ_COMMITTED)
