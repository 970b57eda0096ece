"""Opening hours as people write them, and as the database keeps them.

Text:   ``"Mon-Fri 08:30-12:00, 13:30-17:30; Sat 09:00-12:00"`` (or ``"周一至周五 08:30-12:00，13:30-17:30；周六 09:00-12:00"``)
Stored: ``[[0, "08:30", "12:00"], [0, "13:30", "17:30"], ..., [5, "09:00", "12:00"]]`` (weekday 0 = Monday)

Groups are separated by ``;`` (or a new line); each group is a set of days (single days, ranges
like ``Mon-Fri`` / ``周一至周五``, lists, or words such as ``daily`` / ``weekdays`` / ``每天`` / ``工作日``)
followed by one or more ``HH:MM-HH:MM`` ranges. ``24:00`` may end a range. An empty text means no
opening hours at all, which the booking rules read as "open around the clock".

Pure Python: :func:`parse` raises :class:`OpeningHoursError` carrying every problem found, each with
a stable code, the fragment of the text it is about and, for an overlap, the day (the words are
the edge's: ``edge/messages/catalogue.py``, code ``BAD_OPENING_HOURS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

Row = list  # [weekday: int, "HH:MM", "HH:MM"]

DAY_ABBR = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}

_EN_DAYS = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_ZH_DIGITS = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "七": 6,
}
_DAY_SETS = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
    "weekend": (5, 6),
    "每天": tuple(range(7)),
    "每日": tuple(range(7)),
    "工作日": tuple(range(5)),
    "周末": (5, 6),
}

_TRANSLATE = str.maketrans(
    {
        "：": ":",
        "，": ",",
        "、": ",",
        "；": ";",
        "～": "-",
        "~": "-",
        "–": "-",
        "—": "-",
        "－": "-",
        "至": "-",
        "到": "-",
        "\u3000": " ",
        "/": ",",
    }
)
_TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Issue:
    code: str
    fragment: str
    day: int | None = None

    def params(self) -> dict:
        """What its message is made from (the words are the edge's: ``BAD_OPENING_HOURS``)."""
        return {"issue": self.code, "fragment": self.fragment, **({} if self.day is None else {"day": self.day})}


@dataclass
class OpeningHoursError(ValueError):
    issues: list[Issue] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{i.code}: {i.fragment}" for i in self.issues)


# ------------------------------------------------------------------------------------- parsing


def parse(text: str | None) -> list[Row]:
    """Text → sorted rows ``[[weekday, "HH:MM", "HH:MM"], ...]``; raises :class:`OpeningHoursError`."""
    normalised = (text or "").translate(_TRANSLATE)
    normalised = re.sub(r"\s*-\s*", "-", normalised)
    issues: list[Issue] = []
    rows: list[Row] = []
    for group in re.split(r"[;\n]+", normalised):
        group = group.strip(" ,\t\r")
        if not group:
            continue
        match = re.match(r"^([^\d]*?)[\s,]*(\d.*)$", group)
        if match is None or not match.group(1).strip(" ,"):
            issues.append(Issue("EMPTY_GROUP", group))
            continue
        days, day_issues = _parse_days(match.group(1))
        ranges, time_issues = _parse_times(match.group(2))
        issues.extend(day_issues + time_issues)
        rows.extend([d, s, e] for d in days for s, e in ranges)
    rows = _sorted_unique(rows)
    issues.extend(_overlaps(rows))
    if issues:
        raise OpeningHoursError(issues)
    return rows


def _day_index(token: str) -> int | None:
    token = token.strip().lower().rstrip(".")
    if token in _EN_DAYS:
        return _EN_DAYS[token]
    for prefix in ("星期", "礼拜", "周"):
        if token.startswith(prefix) and token[len(prefix) :] in _ZH_DIGITS:
            return _ZH_DIGITS[token[len(prefix) :]]
    return None


def _parse_days(text: str) -> tuple[list[int], list[Issue]]:
    days: list[int] = []
    issues: list[Issue] = []
    for item in re.split(r"[,\s]+", text.strip(" ,")):
        if not item:
            continue
        if item.lower() in _DAY_SETS:
            days.extend(_DAY_SETS[item.lower()])
            continue
        if "-" in item:
            first, _, last = item.partition("-")
            lo = _day_index(first)
            # "周一-五": the second end may omit the prefix
            hi = _day_index(last) if _day_index(last) is not None else _ZH_DIGITS.get(last.strip())
            if lo is None or hi is None:
                issues.append(Issue("UNKNOWN_DAY", item))
                continue
            span = (hi - lo) % 7
            days.extend((lo + k) % 7 for k in range(span + 1))
            continue
        index = _day_index(item)
        if index is None:
            issues.append(Issue("UNKNOWN_DAY", item))
        else:
            days.append(index)
    return sorted(set(days)), issues


def _parse_times(text: str) -> tuple[list[tuple[str, str]], list[Issue]]:
    ranges: list[tuple[str, str]] = []
    issues: list[Issue] = []
    for item in re.split(r"[,\s]+", text.strip(" ,")):
        if not item:
            continue
        match = _TIME_RANGE.match(item)
        if match is None:
            issues.append(Issue("BAD_TIME", item))
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not _valid_clock(h1, m1, allow_24=False) or not _valid_clock(h2, m2, allow_24=True):
            issues.append(Issue("BAD_TIME", item))
            continue
        start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if end <= start:
            issues.append(Issue("END_BEFORE_START", item))
            continue
        ranges.append((start, end))
    return ranges, issues


def _valid_clock(hour: int, minute: int, allow_24: bool) -> bool:
    if allow_24 and hour == 24:
        return minute == 0
    return 0 <= hour <= 23 and 0 <= minute <= 59


def _sorted_unique(rows: Iterable[Sequence]) -> list[Row]:
    seen = {(int(d), str(s), str(e)) for d, s, e in rows}
    return [list(r) for r in sorted(seen)]


def _overlaps(rows: list[Row]) -> list[Issue]:
    issues = []
    for prev, cur in pairwise(rows):
        if prev[0] == cur[0] and cur[1] < prev[2]:
            issues.append(Issue("OVERLAP", f"{prev[1]}-{prev[2]}, {cur[1]}-{cur[2]}", day=cur[0]))
    return issues


def validate_rows(rows: object) -> list[Row]:
    """Stored/JSON rows → the same rows, checked and sorted; raises :class:`OpeningHoursError`."""
    if not isinstance(rows, list | tuple):
        raise OpeningHoursError([Issue("BAD_ROW", repr(rows))])
    issues: list[Issue] = []
    clean: list[Row] = []
    for row in rows:
        ok = (
            isinstance(row, list | tuple)
            and len(row) == 3
            and isinstance(row[0], int)
            and not isinstance(row[0], bool)
            and 0 <= row[0] <= 6
            and all(isinstance(t, str) for t in row[1:])
        )
        if not ok:
            issues.append(Issue("BAD_ROW", repr(row)))
            continue
        ranges, time_issues = _parse_times(f"{row[1]}-{row[2]}")
        issues.extend(time_issues)
        clean.extend([row[0], s, e] for s, e in ranges)
    clean = _sorted_unique(clean)
    issues.extend(_overlaps(clean))
    if issues:
        raise OpeningHoursError(issues)
    return clean


# ---------------------------------------------------------------------------------- formatting


def format_hours(rows: Iterable[Sequence] | None, locale: str = "en") -> str:
    """Rows → text that :func:`parse` reads back: consecutive days with the same ranges are joined.

    ``format_hours(parse(t))`` is the canonical form of ``t``; an empty list gives ``""``.
    """
    english = locale.startswith("en")
    names = DAY_ABBR["en" if english else "zh"]
    by_day: dict[int, tuple[tuple[str, str], ...]] = {}
    for d, s, e in _sorted_unique(rows or []):
        by_day[d] = by_day.get(d, ()) + ((s, e),)
    groups: list[str] = []
    day = 0
    while day < 7:
        ranges = by_day.get(day)
        if not ranges:
            day += 1
            continue
        last = day
        while last + 1 < 7 and by_day.get(last + 1) == ranges:
            last += 1
        if last == day:
            days = names[day]
        else:
            days = f"{names[day]}-{names[last]}" if english else f"{names[day]}至{names[last]}"
        groups.append(f"{days} " + ", ".join(f"{s}-{e}" for s, e in ranges))
        day = last + 1
    return ("; " if english else "；").join(groups)
