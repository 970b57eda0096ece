"""Schedules and their periods (no app needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bwq_lab.jobs.schedule import Cron, describe, last_fire, parse

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 1, 1, 0, 14, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 1, 0, 15, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, 15, tzinfo=UTC)),
        (datetime(2026, 12, 1, 1, 0, 29, 999999, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, 15, tzinfo=UTC)),
    ],
)
def test_interval_periods_are_aligned_so_every_process_agrees(now, expected):
    assert last_fire(timedelta(seconds=15), now, TZ) == expected


@pytest.mark.parametrize(
    ("expression", "now", "expected"),
    [
        # 09:00 Shanghai = 01:00 UTC; just before it, the period is yesterday's
        ("0 9 * * *", datetime(2026, 12, 1, 0, 59, tzinfo=UTC), datetime(2026, 11, 30, 1, 0, tzinfo=UTC)),
        ("0 9 * * *", datetime(2026, 12, 1, 1, 0, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("0 9 * * *", datetime(2026, 12, 1, 13, 0, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        # the 1st of the month at 06:00 Shanghai (22:00 UTC the day before)
        ("0 6 1 * *", datetime(2026, 12, 20, tzinfo=UTC), datetime(2026, 11, 30, 22, 0, tzinfo=UTC)),
        ("0 6 1 * *", datetime(2026, 11, 30, 21, 59, tzinfo=UTC), datetime(2026, 10, 31, 22, 0, tzinfo=UTC)),
        # six fields: seconds first
        ("*/10 * * * * *", datetime(2026, 12, 1, 1, 0, 25, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, 20, tzinfo=UTC)),
    ],
)
def test_cron_period_is_the_newest_fire_time_in_the_programme_zone(expression, now, expected):
    assert last_fire(Cron(expression), now, TZ) == expected


def test_schedules_from_configuration():
    assert parse(5) == timedelta(seconds=5)
    assert parse("0 9 * * 1") == Cron("0 9 * * 1")
    for bad in ("soon", 0, -3, True, "99 * * * *"):
        with pytest.raises(ValueError):
            parse(bad)
    assert describe(timedelta(seconds=15)) == "every 15 s"
    assert describe(timedelta(minutes=5)) == "every 5 min"
    assert describe(Cron("0 9 * * *")) == "cron 0 9 * * *"
