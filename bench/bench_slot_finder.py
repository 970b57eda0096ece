"""Slot finder benchmark: earliest free slots across many instruments (a plain script).

    .venv/bin/python bench/bench_slot_finder.py [instruments] [repeats]

Each instrument: Mon–Fri 08:30–12:00 and 13:30–17:30 (Asia/Shanghai), 30-minute grid,
15-minute buffer, ~10 random existing bookings in the searched week. Prints the time
find_slots_many needs for a one-week window and limit 20, best and median of the repeats,
in three cases: the usual one; one where every instrument is busy on Monday morning (so
far more instruments must be searched); and a search whose earliest free slots are late
in the week (each instrument's morning and early afternoon booked every day).
"""

from __future__ import annotations

import random
import statistics
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bwq_lab.domain.booking_rules import (  # noqa: E402
    BookingContext,
    BookingPolicy,
    BusyBlock,
    OpeningRange,
)
from bwq_lab.domain.slots import find_slots_many  # noqa: E402

HOURS = tuple(
    OpeningRange(day, start, end)
    for day in range(5)
    for start, end in ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
)
POLICY = BookingPolicy(opening_hours=HOURS, slot_minutes=30, buffer_minutes=15)
# Monday 2026-11-30 00:00 in Asia/Shanghai
WEEK_START = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
NOW = WEEK_START - timedelta(days=1)
SHANGHAI = timedelta(hours=8)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time on day `day` (0=Monday) of the benchmark week, in UTC."""
    return WEEK_START + timedelta(days=day, hours=hour, minutes=minute)


def random_bookings(rng: random.Random, count: int, first_id: int) -> list[BusyBlock]:
    blocks: list[BusyBlock] = []
    attempts = 0
    while len(blocks) < count and attempts < 200:
        attempts += 1
        day = rng.randrange(5)
        half_hours = rng.choice([(17, 24), (27, 35)])  # morning or afternoon, in half hours
        length = rng.choice([1, 2, 3, 4])
        first = rng.randrange(half_hours[0], half_hours[1] - length + 1)
        start = local(day, 0, 30 * first)
        end = start + timedelta(minutes=30 * length)
        blocked = end + timedelta(minutes=15)
        if any(start < b.blocked_until and b.start < blocked for b in blocks):
            continue
        blocks.append(BusyBlock(first_id + len(blocks), start, end, blocked, user_id=1))
    return sorted(blocks, key=lambda b: b.start)


def fully_booked(instrument: int, scenario: str) -> list[BusyBlock]:
    """Blocks that fill whole opening ranges: Monday morning ("monday-busy"), or every morning
    and the Monday–Thursday afternoons ("late-week")."""
    ranges = []
    if scenario == "monday-busy":
        ranges = [(0, 8, 30, 12)]
    elif scenario == "late-week":
        ranges = [(day, 8, 30, 12) for day in range(5)] + [(day, 13, 30, 17.5) for day in range(4)]
    blocks = []
    for n, (day, hour, minute, until) in enumerate(ranges):
        start = local(day, hour, minute)
        end = local(day, 0) + timedelta(hours=until)
        blocks.append(BusyBlock(instrument * 1000 + 900 + n, start, end, end))
    return blocks


def build(instruments: int, scenario: str, seed: int = 7) -> dict[int, BookingContext]:
    rng = random.Random(seed)
    contexts = {}
    for instrument in range(1, instruments + 1):
        full = fully_booked(instrument, scenario)
        blocks = [
            b
            for b in random_bookings(rng, 10, instrument * 1000)
            if not any(b.start < f.blocked_until and f.start < b.blocked_until for f in full)
        ]
        contexts[instrument] = BookingContext(POLICY, busy=tuple(sorted(blocks + full, key=lambda b: b.start)))
    return contexts


def run(contexts: dict[int, BookingContext], repeats: int) -> tuple[float, float, list]:
    timings = []
    result: list = []
    for _ in range(repeats):
        began = clock.perf_counter()
        result = find_slots_many(
            contexts,
            user_id=1,
            enterprise_id=1,
            duration_minutes=60,
            window_start=WEEK_START,
            window_end=WEEK_START + timedelta(days=7),
            now=NOW,
            limit=20,
        )
        timings.append((clock.perf_counter() - began) * 1000)
    return min(timings), statistics.median(timings), result


def main() -> None:
    instruments = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for scenario in ("usual", "monday-busy", "late-week"):
        contexts = build(instruments, scenario)
        began = clock.perf_counter()  # what operations pay to wrap loaded rows in contexts
        contexts = {key: BookingContext(POLICY, busy=ctx.busy) for key, ctx in contexts.items()}
        built = (clock.perf_counter() - began) * 1000
        best, median, result = run(contexts, repeats)
        first = result[0] if result else None
        when = (first[1] + SHANGHAI).strftime("%a %H:%M") if first else "-"
        print(
            f"{scenario:12s} {instruments} instruments, 1-week window, limit 20: "
            f"best {best:.1f} ms, median {median:.1f} ms "
            f"({len(result)} slots, first {when} local; building the contexts took {built:.0f} ms)"
        )


if __name__ == "__main__":
    main()
