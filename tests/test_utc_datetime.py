"""SQLite stores instants as naive UTC text; reading them back is cached (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects import sqlite

from bwq_lab.models.base import UTCDateTime


def test_sqlite_text_reads_back_as_aware_utc_and_is_shared():
    process = UTCDateTime().result_processor(sqlite.dialect(), None)
    first = process("2026-12-02 02:30:00.000000")
    assert first == datetime(2026, 12, 2, 2, 30, tzinfo=UTC) and first.utcoffset().total_seconds() == 0
    assert process("2026-12-02 02:30:00.000000") is first  # parsed once, shared (datetimes are immutable)
    assert process("2026-12-02 02:30:00.000001") == datetime(2026, 12, 2, 2, 30, 0, 1, tzinfo=UTC)
    assert process(None) is None
    assert process(datetime(2026, 12, 2, 2, 30)).tzinfo is UTC
