"""The values of an instrument, a lab service or a provider as a manager or an administrator types
them: every field checked at once, each mistake a :class:`Problem` with the data key as its field
and the words chosen at the edge (``edge/messages/catalogue.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bwq_lab.domain import catalogue as vocab
from bwq_lab.domain import opening_hours
from bwq_lab.refusals import Problem, Refusal

SLOT_CHOICES = (5, 10, 15, 20, 30, 60, 120)


LATE_CANCELLATION = ("refuse", "allow")


INSTRUMENT_TEXT_FIELDS = {
    "name": 120,
    "name_en": 160,
    "model": 80,
    "manufacturer": 80,
    "capabilities": 4000,
    "location": 160,
    "description": 8000,
}


class Checker:
    """Collects problems for one data dict: a code (``INVALID`` unless said), the data key as the
    field, and the wording (``edge/messages/catalogue.py``) with its params."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.problems: list[Problem] = []

    def add(self, field: str, wording: str | None, code: str = "INVALID", **params: Any) -> None:
        self.problems.append(Problem(code, field=field, params=params or None, wording=wording))

    def text(self, key: str, max_len: int, required: bool = False) -> str:
        value = str(self.data.get(key) or "").strip()
        if required and not value:
            self.add(key, None, "REQUIRED")
        elif len(value) > max_len:
            self.add(key, "catalogue.too_long", n=max_len)
        return value

    def choice(self, key: str, vocabulary: Mapping[str, Any]) -> str:
        value = self.data.get(key)
        if value not in vocabulary:
            self.add(key, "catalogue.not_listed")
        return value or ""

    def integer(self, key: str, lo: int | None = 0, hi: int | None = None, optional: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            if optional:
                return None
            self.add(key, None, "REQUIRED")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(key, "catalogue.whole_number")
            return None
        if lo is not None and value < lo:
            self.add(key, "catalogue.at_least", n=lo)
        elif hi is not None and value > hi:
            self.add(key, "catalogue.at_most", n=hi)
        return value

    def flag(self, key: str) -> bool:
        return bool(self.data.get(key))

    def fail_if_any(self) -> None:
        if self.problems:
            raise Refusal(422, self.problems)


def _opening_hours(check: Checker) -> list | None:
    raw = check.data.get("opening_hours")
    try:
        if raw is None or isinstance(raw, str):
            return opening_hours.parse(raw)
        return opening_hours.validate_rows(raw)
    except opening_hours.OpeningHoursError as exc:
        for issue in exc.issues:
            check.add("opening_hours", None, "BAD_OPENING_HOURS", **issue.params())
        return None


def _slot_anchor(check: Checker) -> str | None:
    """The grid's explicit anchor, "HH:MM", or None (each opening period's start)."""
    value = str(check.data.get("slot_anchor") or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        check.add("slot_anchor", "catalogue.time_of_day")
        return None
    return value


def instrument_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of an instrument, checked; raises with every problem at once."""
    c = Checker(data)
    v: dict[str, Any] = {k: c.text(k, n, required=(k == "name")) for k, n in INSTRUMENT_TEXT_FIELDS.items()}
    v["category"] = c.choice("category", vocab.INSTRUMENT_CATEGORIES)
    v["status"] = c.choice("status", vocab.INSTRUMENT_STATUSES)
    v["price_internal_fen"] = c.integer("price_internal_fen", 0, 10**9)
    v["price_external_fen"] = c.integer("price_external_fen", 0, 10**9)
    v["voucher_eligible"] = c.flag("voucher_eligible")
    v["charge_by_use"] = c.flag("charge_by_use")
    v["opening_hours"] = _opening_hours(c)
    slot = c.integer("slot_minutes", None)
    if slot is not None and slot not in SLOT_CHOICES:
        c.add("slot_minutes", "catalogue.slot_choices", choices=", ".join(map(str, SLOT_CHOICES)))
        slot = None
    v["slot_minutes"] = slot
    v["slot_anchor"] = _slot_anchor(c)
    v["min_minutes"] = lo = c.integer("min_minutes", 1, 7 * 24 * 60)
    v["max_minutes"] = hi = c.integer("max_minutes", 1, 7 * 24 * 60)
    for key, value in (("min_minutes", lo), ("max_minutes", hi)):
        if slot and value and value % slot:
            c.add(key, "catalogue.multiple_of_slot", "NOT_ON_SLOT_GRID", slot=slot)
    if lo and hi and lo > hi:
        c.add("max_minutes", "catalogue.longest_booking", "MIN_ABOVE_MAX")
    v["buffer_minutes"] = c.integer("buffer_minutes", 0, 24 * 60)
    v["min_notice_minutes"] = c.integer("min_notice_minutes", 0, 90 * 24 * 60)
    v["max_days_ahead"] = c.integer("max_days_ahead", 1, 730)
    v["approval_required"] = c.flag("approval_required")
    v["qualification_required"] = c.flag("qualification_required")
    v["weekly_quota_minutes"] = c.integer("weekly_quota_minutes", 0, 7 * 24 * 60, optional=True)
    v["monthly_quota_minutes"] = c.integer("monthly_quota_minutes", 0, 31 * 24 * 60, optional=True)
    v["max_future_bookings"] = c.integer("max_future_bookings", 0, 1000, optional=True)
    v["cancel_deadline_hours"] = c.integer("cancel_deadline_hours", 0, 30 * 24)
    v["late_cancellation"] = data.get("late_cancellation") or "refuse"
    if v["late_cancellation"] not in LATE_CANCELLATION:
        c.add("late_cancellation", "catalogue.not_listed")
    if "photo_path" in data:
        v["photo_path"] = data["photo_path"] or None
    c.fail_if_any()
    return v


def service_values(data: Mapping[str, Any]) -> dict[str, Any]:
    c = Checker(data)
    v: dict[str, Any] = {
        "name": c.text("name", 120, required=True),
        "name_en": c.text("name_en", 160),
        "capabilities": c.text("capabilities", 4000),
        "description": c.text("description", 8000),
    }
    v["kind"] = c.choice("kind", vocab.SERVICE_KINDS)
    v["unit"] = c.choice("unit", vocab.SERVICE_UNITS)
    v["status"] = c.choice("status", {"active": 1, "retired": 1})
    v["price_internal_fen"] = c.integer("price_internal_fen", 0, 10**9)
    v["price_external_fen"] = c.integer("price_external_fen", 0, 10**9)
    v["turnaround_days"] = c.integer("turnaround_days", 0, 365)
    v["voucher_eligible"] = c.flag("voucher_eligible")
    v["min_samples"] = lo = c.integer("min_samples", 1, 100_000)
    v["max_samples"] = hi = c.integer("max_samples", 1, 100_000)
    if lo and hi and lo > hi:
        c.add("max_samples", "catalogue.largest_order", "MIN_ABOVE_MAX")
    v["daily_capacity"] = c.integer("daily_capacity", 1, 100_000)
    v["working_weekdays"] = _weekdays(c)
    v["sample_requirements"] = c.text("sample_requirements", 4000)
    v["hazardous_accepted"] = c.flag("hazardous_accepted")
    c.fail_if_any()
    return v


def _weekdays(check: Checker) -> list[int]:
    raw = check.data.get("working_weekdays")
    if raw is None:
        return [0, 1, 2, 3, 4]
    try:
        days = sorted({int(d) for d in raw})
    except (TypeError, ValueError):
        days = []
    if not days or any(d < 0 or d > 6 for d in days):
        check.add("working_weekdays", "catalogue.working_weekdays")
    return days


def instrument_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with an instrument's data, without changing anything (for forms that
    already found some mistakes of their own and want to show the rest at once)."""
    try:
        instrument_values(data)
    except Refusal as exc:
        return exc.problems
    return []


def service_problems(data: Mapping[str, Any]) -> list[Problem]:
    try:
        service_values(data)
    except Refusal as exc:
        return exc.problems
    return []
