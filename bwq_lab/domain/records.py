"""Staff (科技人员) and service records (技术帮扶, 合作协议, 科技特派员…): the rules that decide
whether what a provider's manager typed may be kept. Pure Python: plain values in, every problem
out at once, each a stable code with the field it is about (``bwq_lab.refusals.Problem``).

    problems = check_record(RecordInput(...), today=local_day)

``today`` is the provider's local day, handed in (the domain never reads the clock). Money is
integer fen; a record whose paid amount reaches ¥5,000,000 counts as a provincial science-plan
project (视同省级科技计划项目, :func:`counts_as_provincial_project`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bwq_lab.domain.catalogue import SERVICE_RECORD_KINDS
from bwq_lab.refusals import Problem

#: ¥5,000,000 in fen: a technical-service contract paid at least this much counts as a
#: provincial science-plan project (the programme's announcement)
PROVINCIAL_PROJECT_PAID_FEN = 5_000_000 * 100
#: the largest amount accepted (¥10,000,000,000): beyond it is a typing mistake
MAX_AMOUNT_FEN = 10_000_000_000 * 100
#: at most this much time on one record (a long training course is still one record)
MAX_MINUTES = 1_000 * 60
MAX_RESULTS = 1_000
MAX_TITLE = 120
MAX_CONTENT = 4_000
MAX_PROJECT_CODE = 60
#: how far back a record may be entered (the programme started after this)
EARLIEST_DAY = date(2000, 1, 1)

STAFF_LIMITS = {"name": 80, "title": 80, "field": 120}


# ------------------------------------------------------------------------------------- staff
@dataclass(frozen=True)
class StaffInput:
    name: str
    title: str = ""
    field: str = ""


def check_staff(staff: StaffInput) -> list[Problem]:
    """Every problem with a staff member's details: a name is required; each text has a limit."""
    problems = []
    if not staff.name.strip():
        problems.append(Problem("STAFF_NAME_REQUIRED", field="name"))
    for name, limit in STAFF_LIMITS.items():
        if len(getattr(staff, name)) > limit:
            problems.append(Problem("TEXT_TOO_LONG", field=name, params={"max": limit}))
    return problems


# ----------------------------------------------------------------------------- service records
@dataclass(frozen=True)
class RecordInput:
    """What a manager entered. ``staff_ids`` are checked against the provider by the operation."""

    day: date | None
    kind: str
    staff_ids: tuple[int, ...] = ()
    minutes: int = 0
    content: str = ""
    project_code: str = ""
    agreement_signed: bool = False
    contract_fen: int = 0
    paid_fen: int = 0
    results_count: int = 0
    results_titles: tuple[str, ...] = field(default=())


Rule = Callable[[RecordInput, date], "Problem | None"]
_RULES: list[tuple[str, Rule]] = []


def _rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES.append((code, fn))
        return fn

    return register


def check_record(record: RecordInput, *, today: date) -> list[Problem]:
    """Every rule the record breaks, in a stable order (one problem per rule at most)."""
    return [p for _code, rule in _RULES if (p := rule(record, today)) is not None]


def codes() -> tuple[str, ...]:
    return tuple(code for code, _ in _RULES)


@_rule("DAY_REQUIRED")
def _day_required(r: RecordInput, today: date) -> Problem | None:
    return Problem("DAY_REQUIRED", field="day") if r.day is None else None


@_rule("DAY_IN_FUTURE")
def _day_in_future(r: RecordInput, today: date) -> Problem | None:
    if r.day is not None and r.day > today:
        return Problem("DAY_IN_FUTURE", field="day", params={"day": r.day.isoformat(), "today": today.isoformat()})
    return None


@_rule("DAY_TOO_EARLY")
def _day_too_early(r: RecordInput, today: date) -> Problem | None:
    if r.day is not None and r.day < EARLIEST_DAY:
        return Problem("DAY_TOO_EARLY", field="day", params={"earliest": EARLIEST_DAY.isoformat()})
    return None


@_rule("KIND_INVALID")
def _kind_invalid(r: RecordInput, today: date) -> Problem | None:
    return None if r.kind in SERVICE_RECORD_KINDS else Problem("KIND_INVALID", field="kind")


@_rule("STAFF_REQUIRED")
def _staff_required(r: RecordInput, today: date) -> Problem | None:
    # the programme counts the scientists who delivered: a record names at least one
    return None if r.staff_ids else Problem("STAFF_REQUIRED", field="staff_ids")


@_rule("HOURS_OUT_OF_RANGE")
def _hours(r: RecordInput, today: date) -> Problem | None:
    if not 0 <= r.minutes <= MAX_MINUTES:
        return Problem("HOURS_OUT_OF_RANGE", field="minutes", params={"max": MAX_MINUTES // 60})
    return None


@_rule("CONTENT_REQUIRED")
def _content_required(r: RecordInput, today: date) -> Problem | None:
    return None if r.content.strip() else Problem("CONTENT_REQUIRED", field="content")


@_rule("CONTENT_TOO_LONG")
def _content_too_long(r: RecordInput, today: date) -> Problem | None:
    if len(r.content) > MAX_CONTENT:
        return Problem("TEXT_TOO_LONG", field="content", params={"max": MAX_CONTENT})
    return None


@_rule("PROJECT_CODE_TOO_LONG")
def _project_code(r: RecordInput, today: date) -> Problem | None:
    if len(r.project_code) > MAX_PROJECT_CODE:
        return Problem("TEXT_TOO_LONG", field="project_code", params={"max": MAX_PROJECT_CODE})
    return None


@_rule("AMOUNT_OUT_OF_RANGE")
def _amount_range(r: RecordInput, today: date) -> Problem | None:
    for name in ("contract_fen", "paid_fen"):
        if not 0 <= getattr(r, name) <= MAX_AMOUNT_FEN:
            return Problem("AMOUNT_OUT_OF_RANGE", field=name, params={"max_yuan": MAX_AMOUNT_FEN // 100})
    return None


@_rule("AMOUNT_WITHOUT_AGREEMENT")
def _amount_without_agreement(r: RecordInput, today: date) -> Problem | None:
    # amounts belong to a signed cooperation agreement; without one they would be counted nowhere
    if not r.agreement_signed and (r.contract_fen or r.paid_fen):
        return Problem("AMOUNT_WITHOUT_AGREEMENT", field="contract_fen" if r.contract_fen else "paid_fen")
    return None


@_rule("PAID_EXCEEDS_CONTRACT")
def _paid_exceeds_contract(r: RecordInput, today: date) -> Problem | None:
    if r.agreement_signed and r.paid_fen > r.contract_fen >= 0:
        return Problem(
            "PAID_EXCEEDS_CONTRACT", field="paid_fen", params={"paid_fen": r.paid_fen, "contract_fen": r.contract_fen}
        )
    return None


@_rule("RESULTS_OUT_OF_RANGE")
def _results_range(r: RecordInput, today: date) -> Problem | None:
    if not 0 <= r.results_count <= MAX_RESULTS:
        return Problem("RESULTS_OUT_OF_RANGE", field="results_count", params={"max": MAX_RESULTS})
    return None


@_rule("TITLES_EXCEED_COUNT")
def _titles_exceed_count(r: RecordInput, today: date) -> Problem | None:
    if len(r.results_titles) > max(r.results_count, 0):
        return Problem(
            "TITLES_EXCEED_COUNT",
            field="results_titles",
            params={"titles": len(r.results_titles), "count": r.results_count},
        )
    return None


@_rule("TITLE_TOO_LONG")
def _title_too_long(r: RecordInput, today: date) -> Problem | None:
    if any(len(t) > MAX_TITLE for t in r.results_titles):
        return Problem("TEXT_TOO_LONG", field="results_titles", params={"max": MAX_TITLE})
    return None


def titles_from_text(text: str) -> tuple[str, ...]:
    """Short titles typed one a line (blank lines dropped, spaces trimmed)."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def counts_as_provincial_project(agreement_signed: bool, paid_fen: int) -> bool:
    """视同省级科技计划项目: a signed agreement with at least ¥5,000,000 actually paid."""
    return agreement_signed and paid_fen >= PROVINCIAL_PROJECT_PAID_FEN
