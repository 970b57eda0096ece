"""SQLite's write gate: every path that takes it gives it back, whatever the outcome."""

from __future__ import annotations

import fcntl
import os

import pytest


@pytest.fixture
def gate_file(app):
    from bwq_lab.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the write gate serialises SQLite writers; PostgreSQL needs none")
        return db.engine.url.database + ".write-gate"


def gate_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_gate_is_released_after_success_rule_failure_and_conflict(
    client, gate_file, frozen_clock, create_instrument, create_user, token_for, app
):
    with app.app_context():
        instrument_id = create_instrument(approval_required=False).id
        headers = token_for(create_user("enterprise"))
    ok = {
        "instrument_id": instrument_id,
        "start": "2026-12-02T10:00:00+08:00",
        "end": "2026-12-02T11:00:00+08:00",
        "purpose": "XRD",
    }
    too_short = {**ok, "end": "2026-12-02T10:10:00+08:00"}
    for payload, status in ((too_short, 422), (ok, 201), (ok, 409)):
        response = client.post("/api/v1/bookings", json=payload, headers=headers)
        assert response.status_code == status
        assert gate_is_free(gate_file), f"write gate still held after a {status}"


def test_begin_write_refuses_to_drop_unsaved_changes(app, gate_file, create_provider):
    from bwq_lab.extensions import db
    from bwq_lab.operations.transactions import begin_write

    with app.app_context():
        provider = create_provider()
        provider.name = "changed"
        with pytest.raises(RuntimeError):
            begin_write()
        db.session.rollback()
        assert gate_is_free(gate_file)
