"""Staff and service-record rules: pure domain, no app. Every rule with its code and field, all
problems at once, and the ¥5,000,000 line of 视同省级科技计划项目."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bwq_lab.domain import records as r

TODAY = date(2026, 12, 1)
GOOD = r.RecordInput(day=TODAY, kind="consultation", staff_ids=(1,), minutes=90, content="现场诊断")


def found(record: r.RecordInput) -> list[tuple[str, str | None]]:
    return [(p.code, p.field) for p in r.check_record(record, today=TODAY)]


def test_a_good_record_has_no_problem():
    assert found(GOOD) == []
    assert found(replace(GOOD, agreement_signed=True, contract_fen=100, paid_fen=100, results_count=2,
                         results_titles=("新工艺", "新产品"))) == []  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"day": None}, ("DAY_REQUIRED", "day")),
        ({"day": date(2026, 12, 2)}, ("DAY_IN_FUTURE", "day")),  # tomorrow in local time
        ({"day": date(1999, 12, 31)}, ("DAY_TOO_EARLY", "day")),
        ({"kind": "lunch"}, ("KIND_INVALID", "kind")),
        ({"staff_ids": ()}, ("STAFF_REQUIRED", "staff_ids")),
        ({"minutes": -1}, ("HOURS_OUT_OF_RANGE", "minutes")),
        ({"minutes": r.MAX_MINUTES + 1}, ("HOURS_OUT_OF_RANGE", "minutes")),
        ({"content": "  "}, ("CONTENT_REQUIRED", "content")),
        ({"content": "x" * 4001}, ("TEXT_TOO_LONG", "content")),
        ({"project_code": "x" * 61}, ("TEXT_TOO_LONG", "project_code")),
        ({"contract_fen": 100}, ("AMOUNT_WITHOUT_AGREEMENT", "contract_fen")),
        ({"paid_fen": 100}, ("AMOUNT_WITHOUT_AGREEMENT", "paid_fen")),
        ({"agreement_signed": True, "contract_fen": 100, "paid_fen": 101}, ("PAID_EXCEEDS_CONTRACT", "paid_fen")),
        ({"agreement_signed": True, "contract_fen": -1}, ("AMOUNT_OUT_OF_RANGE", "contract_fen")),
        ({"agreement_signed": True, "contract_fen": r.MAX_AMOUNT_FEN + 1}, ("AMOUNT_OUT_OF_RANGE", "contract_fen")),
        ({"results_count": -1}, ("RESULTS_OUT_OF_RANGE", "results_count")),
        ({"results_count": 1, "results_titles": ("a", "b")}, ("TITLES_EXCEED_COUNT", "results_titles")),
        ({"results_count": 1, "results_titles": ("x" * 121,)}, ("TEXT_TOO_LONG", "results_titles")),
    ],
)
def test_each_rule_names_its_code_and_field(changes, expected):
    assert found(replace(GOOD, **changes)) == [expected]


def test_today_is_allowed_and_every_problem_comes_at_once():
    assert found(replace(GOOD, day=TODAY)) == []
    codes = [c for c, _ in found(r.RecordInput(day=None, kind="", content="", paid_fen=5, results_titles=("t",)))]
    assert codes == ["DAY_REQUIRED", "KIND_INVALID", "STAFF_REQUIRED", "CONTENT_REQUIRED",
                     "AMOUNT_WITHOUT_AGREEMENT", "TITLES_EXCEED_COUNT"]  # fmt: skip


def test_paid_equal_to_the_contract_is_fine():
    assert found(replace(GOOD, agreement_signed=True, contract_fen=500, paid_fen=500)) == []


@pytest.mark.parametrize(
    ("signed", "paid", "flag"),
    [
        (True, 5_000_000_00, True),
        (True, 4_999_999_99, False),
        (False, 9_000_000_00, False),
        (True, 12_000_000_00, True),
    ],
)
def test_five_million_yuan_paid_counts_as_a_provincial_project(signed, paid, flag):
    assert r.counts_as_provincial_project(signed, paid) is flag


def test_titles_are_typed_one_a_line():
    assert r.titles_from_text(" 新工艺 \n\n新材料\r\n") == ("新工艺", "新材料")


def test_staff_rules():
    assert r.check_staff(r.StaffInput(name="王敏", title="研究员", field="材料")) == []
    codes = [(p.code, p.field) for p in r.check_staff(r.StaffInput(name=" ", title="x" * 81, field="y" * 121))]
    assert codes == [("STAFF_NAME_REQUIRED", "name"), ("TEXT_TOO_LONG", "title"), ("TEXT_TOO_LONG", "field")]
