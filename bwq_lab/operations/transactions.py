"""Transaction helpers shared by operations."""

from __future__ import annotations

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
    ``before_request`` hook). A read-only transaction already under way (a CLI command or a test
    that read first) is ended and restarted as a write transaction; one with unsaved changes
    is a programming error."""
    if not is_sqlite():
        return
    session = db.session()
    if session.in_transaction():
        conn = session.connection()
        if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            return
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unsaved changes; call it before changing anything")
        session.rollback()  # a read snapshot only: nothing is lost
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)


def is_slot_taken(exc: BaseException) -> bool:
    return sqlstate(exc) in SLOT_TAKEN_SQLSTATES
