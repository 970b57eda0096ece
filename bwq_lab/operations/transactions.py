"""Transaction helpers shared by operations."""

from __future__ import annotations

import fcntl
import os
import threading

from flask_sqlalchemy.session import Session
from sqlalchemy import Integer, bindparam, event, func, select

from bwq_lab.extensions import db

# SQLSTATEs that mean "someone else took this slot first" on PostgreSQL (DESIGN.md, pitfalls)
SLOT_TAKEN_SQLSTATES = {"23P01", "40P01"}


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def begin_write() -> None:
    """Make the current transaction a write transaction from its first statement.

    On SQLite this is ``BEGIN IMMEDIATE``: the check-then-insert of a booking then runs under
    the database's single write lock. On PostgreSQL nothing is needed (the exclusion constraint
    decides races).

    Call it before the transaction reads anything (every writing request does, in a
    ``before_request`` hook), or after reads that need not be under the lock (the create path
    reads the token's user and the instrument first). A read-only transaction already under way
    is ended and restarted as a write transaction on the same connection (``COMMIT`` of the read
    snapshot, ``BEGIN IMMEDIATE``; loaded objects stay as they are: the session's own commit and a
    second pool checkout cost about a tenth of a booking's creation); one with unsaved changes is
    a programming error."""
    if not is_sqlite():
        return
    session = db.session()
    if session.info.get("bwq_immediate"):
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes; call it before changing anything")
        conn = session.connection()
        if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            return
        _GATE.acquire(db.engine.url.database)
        session.info["bwq_write_gate"] = True
        # a read snapshot has nothing to commit; the session's transaction (and its connection) go
        # on. Straight to the driver: two control statements need no result or execution context.
        driver = conn.connection.driver_connection
        driver.execute("COMMIT")
        driver.execute("BEGIN IMMEDIATE")
        session.info["bwq_immediate"] = True
        return
    _GATE.acquire(db.engine.url.database)
    session.info["bwq_write_gate"] = True
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


class _WriteGate:
    """Writers queue on a file lock before ``BEGIN IMMEDIATE``.

    SQLite's own busy handler waits by sleeping (1, 2, 5, 10 … 100 ms) and retrying, so
    writers contending for the lock lose most of their time asleep. A blocking ``flock`` wakes
    the next writer the moment the lock is released: the write transactions of all workers run
    back to back. The lock is released when the transaction ends (commit or rollback)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def acquire(self, database: str | None) -> None:
        if not database or database == ":memory:" or getattr(self._local, "fd", None) is not None:
            return
        fd = os.open(database + ".write-gate", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._local.fd = fd

    def release(self) -> None:
        fd = getattr(self._local, "fd", None)
        if fd is not None:
            self._local.fd = None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


_GATE = _WriteGate()


@event.listens_for(Session, "after_transaction_end")
def _release_write_gate(session, transaction) -> None:
    """Whenever the outermost transaction ends: commit, rollback, or the session closing."""
    if transaction.parent is None:
        session.info.pop("bwq_immediate", None)
        if session.info.pop("bwq_write_gate", None):
            _GATE.release()


#: advisory-lock namespace for "writing bookings of one instrument" (pg_advisory_xact_lock(int, int))
INSTRUMENT_LOCK_CLASS = 7301
#: the lock as a column: a statement that reads the instrument can take it on the way (bind
#: ``lock_class`` = INSTRUMENT_LOCK_CLASS and ``instrument_id``)
INSTRUMENT_LOCK = func.pg_advisory_xact_lock(
    bindparam("lock_class", type_=Integer), bindparam("instrument_id", type_=Integer)
)
_INSTRUMENT_LOCK = select(INSTRUMENT_LOCK)


def lock_instrument(instrument_id: int) -> None:
    """PostgreSQL: writers of one instrument's bookings take turns until their commit.

    The exclusion constraint alone is the guarantee, but two transactions inserting conflicting
    rows at the same moment can deadlock on it, and PostgreSQL only notices after
    ``deadlock_timeout`` (1 s): a one-second stall for the loser. Taking this lock first makes the
    loser wait for the winner's commit, then its own check sees the booking and answers 409 at
    once. Bind types are explicit (psycopg would send a small int as int2). SQLite: a no-op, its
    write transaction already holds the database's only write lock."""
    if not is_sqlite():
        db.session.execute(_INSTRUMENT_LOCK, {"lock_class": INSTRUMENT_LOCK_CLASS, "instrument_id": instrument_id})


def commit(*, keep_loaded: bool = False) -> None:
    """Commit the request's transaction. ``keep_loaded`` keeps loaded objects as they are
    instead of expiring them, so a response built right after the commit needs no reloads."""
    session = db.session()
    if not keep_loaded:
        session.commit()
        return
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)


def is_slot_taken(exc: BaseException) -> bool:
    return sqlstate(exc) in SLOT_TAKEN_SQLSTATES
