import pytest

from bwq_lab.domain.opening_hours import (
    OpeningHoursError,
    format_hours,
    parse,
    validate_rows,
)
from tests.edge.words import words

WORKDAY = [[d, "08:30", "12:00"] for d in range(5)] + [[d, "13:30", "17:30"] for d in range(5)]


def _sorted(rows):
    return sorted(rows)


def test_parses_the_usual_lab_week():
    rows = parse("Mon-Fri 08:30-12:00, 13:30-17:30; Sat 09:00-12:00")
    assert rows == _sorted(WORKDAY + [[5, "09:00", "12:00"]])


@pytest.mark.parametrize(
    "text",
    [
        "周一至周五 08:30-12:00，13:30-17:30；周六 09:00-12:00",
        "周一-周五 8:30-12:00 13:30-17:30\n星期六 09:00～12:00",
        "mon - fri 08:30 - 12:00, 13:30-17:30; saturday 09:00-12:00",
        "工作日 08:30-12:00、13:30-17:30；周六 09:00-12:00",
        "Mon,Tue,Wed Thu/Fri 08:30-12:00,13:30-17:30; Sat 09:00-12:00",
        "周一-五 08:30-12:00, 13:30-17:30; 礼拜六 09:00-12:00",
    ],
)
def test_accepts_chinese_and_english_spellings(text):
    assert parse(text) == _sorted(WORKDAY + [[5, "09:00", "12:00"]])


def test_wrapping_day_range_and_daily_and_midnight_end():
    assert [r[0] for r in parse("Sat-Mon 10:00-11:00")] == [0, 5, 6]
    assert len(parse("每天 00:00-24:00")) == 7
    assert parse("Sun 22:00-24:00") == [[6, "22:00", "24:00"]]


def test_empty_text_means_no_opening_hours():
    assert parse("") == []
    assert parse("  ;  ") == []
    assert parse(None) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Funday 08:00-09:00", "UNKNOWN_DAY"),
        ("Mon 8-12", "BAD_TIME"),
        ("Mon 25:00-26:00", "BAD_TIME"),
        ("Mon 12:00-08:00", "END_BEFORE_START"),
        ("Mon 08:00-12:00, 11:00-13:00", "OVERLAP"),
        ("08:00-12:00", "EMPTY_GROUP"),
        ("Mon 09:00-10:00; Mon-Tue 09:30-11:00", "OVERLAP"),
    ],
)
def test_reports_problems_with_codes(text, code):
    with pytest.raises(OpeningHoursError) as info:
        parse(text)
    assert code in [i.code for i in info.value.issues]


def test_collects_every_problem_with_messages_in_both_languages():
    with pytest.raises(OpeningHoursError) as info:
        parse("Funday 08:00-09:00; Mon 10:00-09:00")
    codes = [i.code for i in info.value.issues]
    assert codes == ["UNKNOWN_DAY", "END_BEFORE_START"]
    first = info.value.issues[0].params()  # (the words are the edge's)
    assert "Funday" in words("BAD_OPENING_HOURS", first, "en")
    assert "无法识别" in words("BAD_OPENING_HOURS", first, "zh")


def test_touching_ranges_are_fine():
    assert parse("Mon 08:00-12:00, 12:00-13:00") == [
        [0, "08:00", "12:00"],
        [0, "12:00", "13:00"],
    ]


def test_format_joins_consecutive_days_and_round_trips():
    rows = parse("Mon-Fri 08:30-12:00, 13:30-17:30; Sat 09:00-12:00")
    assert format_hours(rows, "en") == "Mon-Fri 08:30-12:00, 13:30-17:30; Sat 09:00-12:00"
    assert format_hours(rows, "zh") == "周一至周五 08:30-12:00, 13:30-17:30；周六 09:00-12:00"
    assert parse(format_hours(rows, "zh")) == rows
    assert parse(format_hours(rows, "en")) == rows


def test_format_keeps_gaps_between_days():
    rows = [[0, "09:00", "10:00"], [2, "09:00", "10:00"], [3, "09:00", "10:00"]]
    assert format_hours(rows, "en") == "Mon 09:00-10:00; Wed-Thu 09:00-10:00"
    assert format_hours([], "en") == ""


def test_validate_rows_checks_the_stored_shape():
    assert validate_rows([[1, "09:00", "10:00"], [0, "09:00", "10:00"]]) == [
        [0, "09:00", "10:00"],
        [1, "09:00", "10:00"],
    ]
    for bad in (
        [[7, "09:00", "10:00"]],
        [[0, "10:00", "09:00"]],
        [["x", "09:00", "10:00"]],
        "Mon",
        [[0, "09:00"]],
    ):
        with pytest.raises(OpeningHoursError):
            validate_rows(bad)
