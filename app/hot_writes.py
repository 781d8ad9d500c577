"""Rows that (nearly) every booking writes, inserted without the ORM's unit of work.

A booking's flush through the ORM (customer, appointment, status event, audit row) cost about half of
its CPU: the unit of work sorts the objects, fires attribute events and runs one INSERT per object
through SQLAlchemy's execution machinery (bench/README.md, section 3). `HotWrite` does for an INSERT
what `app.extensions.HotRead` does for a read: the statement is written once with SQLAlchemy, compiled
for PostgreSQL on first use and sent to psycopg in the session's transaction, with each value passed
through its column type's bind processor (UTC times, JSON), so the row is the one the ORM would have
written. On SQLite (development) it goes through SQLAlchemy as usual.

`insert_now` writes one new model object's row that way and keeps the object in the session as if it
had been flushed: persistent, every column loaded, nothing pending. It commits or rolls back with the
unit of work like any other write (`app.unit_of_work` is told the unit wrote). `new_row` and `adopt` are
its two halves, for a statement that writes the object's row together with others (a booking's, on
PostgreSQL: app/booking/writes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from app.extensions import db
from app.unit_of_work import mark_written

Build = Callable[[Callable[[Table], Any]], Any]  # given the dialect's insert(), the statement


class HotWrite:
    """An INSERT (... RETURNING) for the database in use, compiled once, sent straight to the driver on
    PostgreSQL. `build` receives the dialect's `insert` (so ON CONFLICT can be said) and returns the
    statement; parameters are its bind parameters by name. Does not flush the session: what it writes
    must not depend on pending changes."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self._statements: dict[str, Any] = {}
        self._compiled: tuple[str, dict, dict] | None = None

    def rows(self, **params) -> list[tuple]:
        connection = db.session().connection()
        dialect = connection.dialect
        if dialect.name != "postgresql":
            statement = self._statements.get(dialect.name)
            if statement is None:
                statement = self._statements[dialect.name] = self.build(sqlite.insert)
            found = [tuple(row) for row in connection.execute(statement, params)]
        else:
            if self._compiled is None:
                compiled = self.build(postgresql.insert).compile(dialect=dialect)
                processors = {}
                for name, bind in compiled.binds.items():
                    process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                    if process is not None:
                        processors[name] = process
                self._compiled = (str(compiled), dict(compiled.params), processors)
            sql, defaults, processors = self._compiled
            values = defaults | params
            for name, process in processors.items():
                values[name] = process(values[name])
            found = connection.connection.dbapi_connection.execute(sql, values).fetchall()
        mark_written()
        return found


def column_defaults(table: Table, given: dict[str, Any]) -> dict[str, Any]:
    """Every column's value for a new row of `table` (its primary key aside): what was given, else
    (nothing, or None, as the ORM's flush does) the column's Python-side default."""
    values = {}
    for column in table.columns:
        if column.primary_key:
            continue
        if given.get(column.key) is not None:
            values[column.key] = given[column.key]
        elif column.default is None:
            values[column.key] = None
        elif column.default.is_callable:
            values[column.key] = column.default.arg(None)
        else:
            values[column.key] = column.default.arg
    return values


_INSERTS: dict[tuple[str, str | None], HotWrite] = {}


def _insert_returning_id(table: Table, unique: str | None = None) -> HotWrite:
    """INSERT of every column but the id, RETURNING the id; with `unique`, ON CONFLICT on that column
    DO NOTHING (no row comes back)."""
    found = _INSERTS.get((table.name, unique))
    if found is None:
        columns = [c for c in table.columns if not c.primary_key]

        def build(insert):
            statement = insert(table).values({c.key: bindparam(c.key, type_=c.type) for c in columns})
            if unique is not None:
                statement = statement.on_conflict_do_nothing(index_elements=[table.c[unique]])
            return statement.returning(table.c.id)

        found = _INSERTS[(table.name, unique)] = HotWrite(build)
    return found


def insert_row(table: Table, **given: Any) -> int:
    """Insert one row (defaults filled in) and return its id: for rows nothing reads back as an object
    in this unit of work (a status event, an audit entry)."""
    return _insert_returning_id(table).rows(**column_defaults(table, given))[0][0]


def insert_now(obj: Any, *, unless_taken: str | None = None) -> bool:
    """Write a new model object's row now and keep the object in the session as if flushed. Its
    many-to-one relationships give their foreign keys (the objects they name must be stored already).
    With `unless_taken` (a unique column), a row that would repeat that column's value is not written:
    then False is returned and the object stays new (outside the session)."""
    values = new_row(obj)
    written = _insert_returning_id(inspect(obj).mapper.local_table, unless_taken).rows(**values)
    if not written:
        return False
    adopt(obj, values, written[0][0])
    return True


def new_row(obj: Any) -> dict[str, Any]:
    """The row insert_now writes for a new model object (every column but the id): for a statement that
    writes it with others (then `adopt` it). The object is taken out of the session if it was pending
    there, so the ORM's next flush does not insert it too."""
    session = db.session()
    if obj in session:
        session.expunge(obj)
    mapper = inspect(obj).mapper
    table = mapper.local_table
    given = {column.key: obj.__dict__[column.key] for column in table.columns if column.key in obj.__dict__}
    for relationship in mapper.relationships:
        if relationship.direction.name != "MANYTOONE" or relationship.key not in obj.__dict__:
            continue
        related = obj.__dict__[relationship.key]
        if related is not None and inspect(related).pending:
            db.session.flush()  # added in this unit of work: its id
        for local, remote in relationship.local_remote_pairs:
            given[local.key] = getattr(related, remote.key) if related is not None else None
    return column_defaults(table, given)


def json_row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """A row (as new_row gives it) as one JSON parameter, for a statement that reads it with
    json_populate_record(NULL::<table>, ...): each value as its column's type passes it to PostgreSQL
    (UTC times), times and dates in ISO 8601, which PostgreSQL reads back exactly. PostgreSQL only."""
    dialect = db.session().get_bind().dialect
    row = {}
    for name, value in values.items():
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        value = process(value) if process is not None else value
        row[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return row


def adopt(obj: Any, values: dict[str, Any], id_: int) -> None:
    """The object's row (`values`, as new_row gave them) has been written with this id: keep the object in
    the session as if flushed (persistent, every column loaded, nothing pending)."""
    # The row as stored, straight into the object's state (no attribute events: what make_transient_
    # to_detached does next makes all of it the committed state, as a load from a query would).
    obj.__dict__.update(values, id=id_)
    make_transient_to_detached(obj)
    db.session().add(obj)
