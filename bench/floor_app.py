"""The floor: a bare Flask app doing the minimum correct work of BWQ Lab's hot paths.

Benchmarks print every figure beside this app's, measured in the same run and served the same
way (gunicorn with the repository's gunicorn.conf.py, the same number of workers, driven by the
same wrk script), because absolute figures on a shared machine drift 3-4x from day to day.

It uses the application's own database (same schema, indexes and PostgreSQL exclusion
constraint):

- ``POST /api/v1/bookings`` (same path and JSON body as the real API): bearer-token lookup by
  SHA-256 digest, overlap check against live bookings, insert, one write transaction, 201 with the
  booking as JSON; 409 when the slot is taken, 401 without a valid token, 422 for a bad body.
  SQLite: writers queue on the same file gate the app uses, then ``BEGIN IMMEDIATE``.
  PostgreSQL: the same per-instrument advisory lock the app takes (so neither side pays
  1-second deadlock stalls); the exclusion constraint stays the guarantee (23P01 -> 409).
- ``GET /floor/instruments/<id>/week?start=<ISO instant>``: a bare read of one instrument's live
  bookings overlapping the 7 days from ``start``, as JSON (no auth, no opening hours, no rules).

Two data layers, chosen by ``BWQ_FLOOR_DRIVER``:

- ``sqlalchemy`` (default; THE floor the targets refer to): the stack BWQ Lab is built on,
  SQLAlchemy Core with a connection pool and cached ``text()`` statements, the same engine
  settings as the app (WAL, synchronous=NORMAL, busy timeout). It is the cost of the work itself
  in our stack, so the ratio measures what our own code adds.
- ``raw``: the DB-API driver directly (sqlite3 / psycopg), one connection per worker: the
  machine's floor, printed for reference only.

Serve it with ``gunicorn -c bench/gunicorn_bench.conf.py --pythonpath bench floor_app:app`` and
``BWQ_DATABASE_URL`` set like the app's.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from datetime import UTC, datetime, timedelta

from flask import Flask, jsonify, request

URL = os.environ["BWQ_DATABASE_URL"]
DRIVER = os.environ.get("BWQ_FLOOR_DRIVER", "sqlalchemy")
SQLITE = URL.startswith("sqlite")
SQLITE_PATH = URL.split("///", 1)[1] if SQLITE else None
LIVE = "status IN ('pending', 'approved', 'in_use')"
LOCK_CLASS = 7301  # bwq_lab.operations.transactions.INSTRUMENT_LOCK_CLASS

TOKEN_SQL = (
    "SELECT t.user_id, u.enterprise_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.digest = :digest AND t.revoked_at IS NULL"
)
LOCK_SQL = "SELECT pg_advisory_xact_lock(:lock_class, :instrument_id)"
OVERLAP_SQL = (
    f"SELECT 1 FROM bookings WHERE instrument_id = :instrument_id AND {LIVE} "
    "AND start_at < :end AND blocked_until > :start LIMIT 1"
)
INSERT_SQL = (
    "INSERT INTO bookings (instrument_id, user_id, enterprise_id, status, start_at, end_at, blocked_until, "
    "purpose, project_code, created_at, updated_at) VALUES (:instrument_id, :user_id, :enterprise_id, 'approved', "
    ":start, :end, :end, :purpose, '', :now, :now) RETURNING id"
)
WEEK_SQL = (
    f"SELECT id, start_at, end_at, blocked_until, status FROM bookings WHERE instrument_id = :instrument_id "
    f"AND {LIVE} AND start_at < :end AND blocked_until > :start ORDER BY start_at"
)


def stored(value: datetime):
    """The app's storage format: naive UTC text with microseconds on SQLite, timestamptz on PG."""
    value = value.astimezone(UTC)
    return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if SQLITE else value


class _Gate:
    """SQLite writers queue on a file lock before BEGIN IMMEDIATE (as the app does)."""

    fd = None

    def __enter__(self):
        if SQLITE:
            self.fd = os.open(SQLITE_PATH + ".write-gate", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


class RawDriver:
    """sqlite3 / psycopg directly; one connection per worker, opened after gunicorn forks."""

    def __init__(self) -> None:
        self._conn = None
        self._sql = {}

    def _connection(self):
        if self._conn is None:
            if SQLITE:
                import sqlite3

                self._conn = sqlite3.connect(SQLITE_PATH, isolation_level=None, check_same_thread=False)
                for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=10000"):
                    self._conn.execute(f"PRAGMA {pragma}")
            else:
                import psycopg

                self._conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
        return self._conn

    def _paramstyle(self, sql: str) -> str:
        if sql not in self._sql:
            import re

            self._sql[sql] = sql if SQLITE else re.sub(r":(\w+)", r"%(\1)s", sql)
        return self._sql[sql]

    def begin(self, write: bool):
        conn = self._connection()
        if SQLITE and write:
            conn.execute("BEGIN IMMEDIATE")
        return conn

    def run(self, conn, sql: str, params: dict):
        return conn.execute(self._paramstyle(sql), params)

    def end(self, conn, commit: bool) -> None:
        conn.commit() if commit else conn.rollback()


class CoreDriver:
    """SQLAlchemy Core: pooled connections, cached text() statements, the app's engine settings."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine, event, text

        url = URL.replace("postgresql://", "postgresql+psycopg://", 1) if URL.startswith("postgresql://") else URL
        self.engine = create_engine(url)
        self._text = {}
        self.text = text
        if SQLITE:

            @event.listens_for(self.engine, "connect")
            def _on_connect(dbapi_conn, _record):
                dbapi_conn.isolation_level = None
                for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=10000"):
                    dbapi_conn.execute(f"PRAGMA {pragma}")

            @event.listens_for(self.engine, "begin")
            def _on_begin(conn):
                conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

    def begin(self, write: bool):
        conn = self.engine.connect()
        if SQLITE and write:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        conn.begin()
        return conn

    def run(self, conn, sql: str, params: dict):
        statement = self._text.get(sql)
        if statement is None:
            statement = self._text[sql] = self.text(sql)
        return conn.execute(statement, params)

    def end(self, conn, commit: bool) -> None:
        try:
            conn.commit() if commit else conn.rollback()
        finally:
            conn.close()


db = RawDriver() if DRIVER == "raw" else CoreDriver()
app = Flask(__name__)


def problem(status: int, code: str):
    return jsonify(errors=[{"code": code, "message": code, "field": None}]), status


def _instant(text) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo is not None else None


def _slot_taken(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return getattr(getattr(orig, "diag", None), "sqlstate", None) in ("23P01", "40P01")


@app.post("/api/v1/bookings")
def create_booking():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return problem(401, "UNAUTHORIZED")
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    data = request.get_json(silent=True) or {}
    start, end, instrument_id = _instant(data.get("start")), _instant(data.get("end")), data.get("instrument_id")
    if start is None or end is None or end <= start or not isinstance(instrument_id, int):
        return problem(422, "INVALID")
    now = datetime.now(UTC)
    with _Gate():
        conn = db.begin(write=True)
        try:
            row = db.run(conn, TOKEN_SQL, {"digest": digest}).fetchone()
            if row is None:
                db.end(conn, commit=False)
                return problem(401, "UNAUTHORIZED")
            user_id, enterprise_id = row
            if not SQLITE:
                db.run(conn, LOCK_SQL, {"lock_class": LOCK_CLASS, "instrument_id": instrument_id}).fetchone()
            window = {"instrument_id": instrument_id, "start": stored(start), "end": stored(end)}
            if db.run(conn, OVERLAP_SQL, window).fetchone():
                db.end(conn, commit=False)
                return problem(409, "OVERLAPS_BOOKING")
            new = dict(window, user_id=user_id, enterprise_id=enterprise_id, purpose=str(data.get("purpose") or ""))
            booking_id = db.run(conn, INSERT_SQL, dict(new, now=stored(now))).fetchone()[0]
            db.end(conn, commit=True)
        except Exception as exc:
            db.end(conn, commit=False)
            if _slot_taken(exc):
                return problem(409, "OVERLAPS_BOOKING")
            raise
    body = {
        "id": booking_id,
        "instrument_id": instrument_id,
        "status": "approved",
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    return jsonify(body), 201


@app.get("/floor/instruments/<int:instrument_id>/week")
def week(instrument_id: int):
    start = _instant(request.args.get("start"))
    if start is None:
        return problem(422, "INVALID")
    window = {"instrument_id": instrument_id, "start": stored(start), "end": stored(start + timedelta(days=7))}
    conn = db.begin(write=False)
    try:
        rows = db.run(conn, WEEK_SQL, window).fetchall()
    finally:
        db.end(conn, commit=False)
    return jsonify(
        instrument_id=instrument_id,
        bookings=[
            {"id": r[0], "start": str(r[1]), "end": str(r[2]), "blocked_until": str(r[3]), "status": r[4]} for r in rows
        ],
    )


@app.get("/floor/ping")
def ping():
    return "ok"
