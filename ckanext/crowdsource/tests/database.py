"""The test database, reset quickly, and saved states of it.

``clean_db`` as CKAN makes it costs about a second a test: CKAN's
``reset_db`` asks PostgreSQL, table by table, whether each of CKAN's tables
exists and deletes its rows, then the plugins' migrations run (three alembic
environments, which find nothing to do). Here the first reset of a session
(of each pytest-xdist worker) is CKAN's own, migrations included; after it,
while the tables are exactly what that reset left (the same tables, columns
and migration versions, checked before every reset: a test that migrated
down and up again, or left a table of its own, is seen), a reset deletes the
rows of every table but the migration versions in one round trip.

A *saved state* is what a fixture builds on a clean database (people,
organizations, datasets...) kept in temporary tables of a connection of its
own, with the Redis keys and the names CKAN's factories have handed out. The
first test that asks for it builds it; the next ones get the same rows put
back in a few milliseconds and a copy of the same fixture value. A state is
saved only when the database was exactly the clean one (or exactly another
saved state) when the fixture began, and it is kept apart for each set of
``ckan_config`` / ``with_plugins`` marks: a test gets what building would
have given it.
"""
from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable, Hashable
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from sqlalchemy.orm import close_all_sessions

from ckanext.crowdsource.search.model import DOCNUM_SEQUENCE
from ckanext.crowdsource.search.model import TABLE as SEARCH_TABLE

log = logging.getLogger(__name__)

CLEAN = "clean"  # the state a reset leaves


def _engine() -> sa.engine.Engine:
    return model.ensure_engine()


@dataclasses.dataclass
class Schema:
    """What a fast reset needs to know of the tables, as the first reset of
    the session left them."""

    fingerprint: tuple[str, str]
    tables: list[str]  # with rows to delete, each before those it refers to
    versions: list[str]  # the alembic version tables
    serials: list[tuple[str, str, str]]  # (table, column, sequence)


def _fingerprint(conn: sa.engine.Connection, versions: list[str] | None) -> tuple[str, str]:
    """(the tables and their columns, the migration versions) as one text each."""
    columns = conn.execute(sa.text(
        "SELECT md5(string_agg(c.relname || '.' || a.attname || ':'"
        " || format_type(a.atttypid, a.atttypmod), ',' ORDER BY c.relname, a.attnum))"
        " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
        " AND a.attnum > 0 AND NOT a.attisdropped")).scalar() or ""
    if versions is None:
        versions = _version_tables(conn)
    numbers = ""
    if versions:
        # (a test that dropped every table, as CKAN's own reset does, took a
        # version table with them: the tables are not those of the last reset)
        missing = conn.execute(sa.text(
            "SELECT count(*) FROM unnest(CAST(:t AS text[])) v WHERE to_regclass(v) IS NULL"),
            {"t": versions}).scalar()
        if missing:
            return columns, "a version table is missing"
        numbers = conn.execute(sa.text(" UNION ALL ".join(
            f"SELECT '{t}:' || version_num FROM \"{t}\"" for t in versions)
            + " ORDER BY 1")).scalars().all()
        numbers = ",".join(numbers)
    return columns, numbers


def _tables(conn: sa.engine.Connection) -> list[str]:
    return list(conn.execute(sa.text(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
        " AND c.relkind IN ('r', 'p') ORDER BY 1")).scalars())


def _version_tables(conn: sa.engine.Connection) -> list[str]:
    return [t for t in _tables(conn) if t.endswith("alembic_version")]


def _discover(conn: sa.engine.Connection) -> Schema:
    names = _tables(conn)
    versions = [t for t in names if t.endswith("alembic_version")]
    tables = [t for t in names if t not in versions]
    refers: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in conn.execute(sa.text(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text"
            " FROM pg_constraint c WHERE c.contype = 'f'"
            " AND c.connamespace = current_schema()::regnamespace")):
        child, parent = child.strip('"'), parent.strip('"')
        if child in refers and parent in refers and child != parent:
            refers[child].add(parent)
    # children first: a table comes after every table that refers to it
    order: list[str] = []
    referred_by = {t: {c for c, ps in refers.items() if t in ps} for t in tables}
    while referred_by:
        ready = sorted(t for t, kids in referred_by.items() if not kids - set(order))
        ready = ready or sorted(referred_by)  # a cycle: TRUNCATE would be needed
        for t in ready:
            order.append(t)
            referred_by.pop(t)
    serials = [(t, c, s) for t, c, s in conn.execute(sa.text(
        "SELECT table_name, column_name, pg_get_serial_sequence("
        "quote_ident(table_name), column_name) FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"))
        if s and t in tables]
    # the search index takes its document numbers from a sequence of its own
    # (no column default names it): put back with rows, it must go on past them
    if SEARCH_TABLE in tables:
        serials.append((SEARCH_TABLE, "docnum", DOCNUM_SEQUENCE))
    return Schema(_fingerprint(conn, versions), order, versions, serials)


class Database:
    """The fast reset and the saved states of one test process."""

    def __init__(self) -> None:
        self.schema: Schema | None = None
        self.saved: dict[Hashable, SavedState] = {}
        self.conn: sa.engine.Connection | None = None  # holds the saved rows
        self.current: tuple[Hashable, Any] | None = None  # (state, its digest)
        self.counter = 0
        self.resets = {"fast": 0, "full": 0}

    # --- the reset -------------------------------------------------------------

    def reset(self, full_reset: Callable[[], None]) -> None:
        """Empty every table (and the Redis database); ``full_reset``: CKAN's
        way, when the tables are not what the last full reset left."""
        close_all_sessions()  # as CKAN's reset_db: nothing left holding a lock
        model.Session.remove()
        fast = False
        if self.schema is not None:
            with _engine().begin() as conn:
                if _fingerprint(conn, self.schema.versions) == self.schema.fingerprint:
                    self._wipe(conn)
                    fast = True
        if not fast:
            self.forget()
            full_reset()
            with _engine().begin() as conn:
                self.schema = _discover(conn)
        self.resets["fast" if fast else "full"] += 1
        connect_to_redis().flushdb()
        model.Session.remove()
        self.current = (CLEAN, None)

    def _wipe(self, conn: sa.engine.Connection) -> None:
        assert self.schema is not None
        # DELETE, not TRUNCATE: a TRUNCATE of fifty tables costs most of a
        # second (new files for every table and index), and its exclusive
        # locks would wait for any reader
        conn.exec_driver_sql("SET LOCAL lock_timeout = '60s'; " + "; ".join(
            f'DELETE FROM "{t}"' for t in self.schema.tables))

    def forget(self) -> None:
        """Drop every saved state (the tables changed under them)."""
        self.saved.clear()
        self.current = None
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - a connection that is gone
                pass
            self.conn = None

    # --- what the database holds -----------------------------------------------

    def digest(self, conn: sa.engine.Connection) -> dict[str, tuple[int, int | None]]:
        """Per table, its rows and the newest transaction that wrote one:
        equal digests, the same rows (an insert, update or delete shows)."""
        assert self.schema is not None
        rows = conn.execute(sa.text(" UNION ALL ".join(
            f"SELECT '{t}', count(*), max(xmin::text::bigint) FROM \"{t}\""
            for t in self.schema.tables)))
        return {t: (n, x) for t, n, x in rows}

    def _saving_connection(self) -> sa.engine.Connection:
        if self.conn is None or self.conn.closed or self.conn.invalidated:
            self.saved.clear()  # temporary tables die with their connection
            self.conn = _engine().connect()
        return self.conn

    # --- saved states ----------------------------------------------------------

    def state(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()``'s value, and the rows it made: built, or put back."""
        if self.schema is None or self.current is None:
            return build()
        with _engine().begin() as conn:
            same = _fingerprint(conn, self.schema.versions) == self.schema.fingerprint
            now = self.digest(conn) if same else {}
        if not same:  # the tables changed: nothing saved fits them
            self.forget()
            return build()
        base, digest = self.current
        if base == CLEAN:
            exact = not any(n for n, _x in now.values())
        else:
            exact = now == digest
        if not exact:  # something else wrote: build on top of it, keep nothing
            self.current = None
            return build()
        full_key = (base, key)
        saved = self.saved.get(full_key)
        try:
            if saved is not None:
                value = saved.restore(self)
            else:
                value = build()
                model.Session.commit()  # what the fixture wrote (actions commit already)
                model.Session.remove()
                saved = SavedState.save(self, value)
                self.saved[full_key] = saved
                value = copy.deepcopy(saved.value)
        except Exception:
            self.current = None
            raise
        with _engine().begin() as conn:
            self.current = (full_key, self.digest(conn))
        return value


@dataclasses.dataclass
class SavedState:
    value: Any
    tables: list[tuple[str, str]]  # (table, the temporary table with its rows)
    redis: list[tuple[bytes, int, bytes]]  # (key, milliseconds to live or 0, dump)
    names: dict[Any, set[Any]]  # what factories' fake.unique handed out

    @classmethod
    def save(cls, db: Database, value: Any) -> SavedState:
        assert db.schema is not None
        conn = db._saving_connection()
        db.counter += 1
        tables = []
        with conn.begin():  # (SQLAlchemy 1.4, CKAN 2.11, commits only this way)
            full = [t for t, (n, _x) in db.digest(conn).items() if n]
            for i, t in enumerate(full):
                copy_name = f"crowdsource_saved_{db.counter}_{i}"
                conn.exec_driver_sql(
                    f'CREATE TEMP TABLE "{copy_name}" AS SELECT * FROM "{t}"')
                tables.append((t, copy_name))
        redis = connect_to_redis()
        kept = []
        for key in redis.keys("*"):
            dump = redis.dump(key)
            if dump is not None:
                kept.append((key, max(redis.pttl(key), 0), dump))
        unique = factories.fake.unique
        names = {k: set(v) for k, v in unique._seen.items()}
        return cls(copy.deepcopy(value), tables, kept, names)

    def restore(self, db: Database) -> Any:
        assert db.schema is not None
        conn = db._saving_connection()
        order = {t: i for i, t in enumerate(reversed(db.schema.tables))}  # parents first
        statements = ["SET LOCAL lock_timeout = '60s'"]
        statements += [f'DELETE FROM "{t}"' for t in db.schema.tables]
        statements += [f'INSERT INTO "{t}" SELECT * FROM "{copy_name}"'
                       for t, copy_name in sorted(self.tables, key=lambda c: order[c[0]])]
        # a serial column's sequence goes on from the rows put back (a table
        # made again by a migration starts its sequence anew)
        statements += [f"SELECT setval('{seq}', (SELECT max(\"{col}\") FROM \"{t}\"))"
                       f" WHERE EXISTS (SELECT 1 FROM \"{t}\")"
                       f" AND (SELECT max(\"{col}\") FROM \"{t}\") > "
                       f"(SELECT last_value FROM {seq})"
                       for t, col, seq in db.schema.serials]
        with conn.begin():
            conn.exec_driver_sql("; ".join(statements))
        redis = connect_to_redis()
        redis.flushdb()
        for key, ttl, dump in self.redis:
            redis.restore(key, ttl, dump, replace=True)
        factories.fake.unique._seen.update({k: set(v) for k, v in self.names.items()})
        model.Session.remove()
        return copy.deepcopy(self.value)


DATABASE = Database()


def marks_key(request: pytest.FixtureRequest) -> Hashable:
    """The marks that change CKAN's configuration or plugins for a test."""
    out = []
    for name in ("ckan_config", "with_plugins", "provide_plugin"):
        for mark in request.node.iter_markers(name):
            out.append((name, repr(mark.args), repr(sorted(mark.kwargs.items()))))
    return tuple(sorted(out))


def saved_state(request: pytest.FixtureRequest, build: Callable[[], Any]) -> Any:
    """``build()`` on the clean database a fixture asked for (``clean_db``),
    made once and put back for the next tests of the same marks.

    ``build`` must only write to the database (and Redis) and return plain
    data (dicts and lists); its rows and value are the same for every test
    that gets them."""
    key = (f"{build.__module__}.{build.__qualname__}", marks_key(request))
    return DATABASE.state(key, build)
