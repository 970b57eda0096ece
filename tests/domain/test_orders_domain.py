"""Order lifecycle and rules, and capacity planning: pure domain, no app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bwq_lab.domain import capacity as cap
from bwq_lab.domain import orders as o
from bwq_lab.domain.lifecycle import TransitionError

S, A = o.OrderStatus, o.OrderAction
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


# ------------------------------------------------------------------------------ lifecycle
@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (S.SUBMITTED, A.ACCEPT, S.ACCEPTED),
        (S.SUBMITTED, A.REJECT, S.REJECTED),
        (S.SUBMITTED, A.CANCEL, S.CANCELLED),
        (S.ACCEPTED, A.RECEIVE, S.SAMPLES_RECEIVED),
        (S.ACCEPTED, A.CANCEL, S.CANCELLED),
        (S.SAMPLES_RECEIVED, A.START, S.IN_PROGRESS),
        (S.IN_PROGRESS, A.DELIVER, S.DELIVERED),
        (S.DELIVERED, A.CONFIRM, S.CLOSED),
        (S.DELIVERED, A.CLOSE, S.CLOSED),
        (S.DELIVERED, A.REOPEN, S.REOPENED),
        (S.REOPENED, A.START, S.IN_PROGRESS),
        (S.REOPENED, A.DELIVER, S.DELIVERED),
    ],
)
def test_allowed_transitions(status, action, expected):
    assert o.MACHINE.next(status, action) is expected


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.ACCEPTED, A.DELIVER),  # deliver before received
        (S.SAMPLES_RECEIVED, A.DELIVER),
        (S.SUBMITTED, A.RECEIVE),
        (S.DELIVERED, A.CANCEL),
        (S.CLOSED, A.REOPEN),
        (S.REJECTED, A.ACCEPT),
        (S.CANCELLED, A.ACCEPT),
        (S.IN_PROGRESS, A.CONFIRM),
    ],
)
def test_forbidden_transitions(status, action):
    with pytest.raises(TransitionError) as info:
        o.MACHINE.next(status, action)
    assert info.value.params == {"kind": "order", "status": str(status), "action": str(action)}


def test_final_statuses():
    assert {s for s in S if o.MACHINE.is_final(s)} == {S.CLOSED, S.REJECTED, S.CANCELLED}


def test_enterprise_cancels_only_before_samples_are_received():
    assert o.may_cancel(S.SUBMITTED, by_manager=False)
    assert o.may_cancel(S.ACCEPTED, by_manager=False)
    assert not o.may_cancel(S.SAMPLES_RECEIVED, by_manager=False)
    assert o.may_cancel(S.SAMPLES_RECEIVED, by_manager=True)
    assert o.may_cancel(S.IN_PROGRESS, by_manager=True)
    assert not o.may_cancel(S.DELIVERED, by_manager=True)


def test_retest_window_edges():
    delivered = NOW
    assert o.may_reopen(delivered, NOW + timedelta(days=15))
    assert not o.may_reopen(delivered, NOW + timedelta(days=15, seconds=1))
    assert not o.may_reopen(None, NOW)
    assert o.may_reopen(delivered, NOW + timedelta(days=20), window_days=30)
    assert o.due_to_close(delivered, NOW + timedelta(days=15, seconds=1))
    assert not o.due_to_close(delivered, NOW + timedelta(days=14))


def test_quote_internal_and_external():
    assert o.quote(3, 100_00, 250_00, internal=False) == o.Quote(3, 250_00, 750_00, "external")
    assert o.quote(3, 100_00, 250_00, internal=True) == o.Quote(3, 100_00, 300_00, "internal")
    assert o.quote(0, 1, 2, internal=False).fee_fen == 0


def test_order_problems_collects_every_problem():
    problems = o.order_problems(
        samples=0, min_samples=1, max_samples=10, hazard="chemical", hazardous_accepted=False, service_active=False
    )
    assert [p[0] for p in problems] == ["SERVICE_UNAVAILABLE", "TOO_FEW_SAMPLES", "HAZARD_NOT_ACCEPTED"]
    assert o.order_problems(
        samples=11, min_samples=1, max_samples=10, hazard="none", hazardous_accepted=False, service_active=True
    ) == [("TOO_MANY_SAMPLES", "samples", {"max": 10})]
    assert not o.order_problems(
        samples=5, min_samples=1, max_samples=10, hazard="biological", hazardous_accepted=True, service_active=True
    )
    assert o.needs_hazard_acceptance("radioactive") and not o.needs_hazard_acceptance("none")


# ------------------------------------------------------------------------------ calendar
MON = date(2026, 9, 28)  # a Monday; National Day week follows


def test_calendar_weekdays_closures_and_makeup_days():
    national_day = cap.closed_days([(date(2026, 10, 1), date(2026, 10, 7))])
    calendar = cap.WorkingCalendar(closed=national_day, makeup=frozenset({date(2026, 10, 10)}))  # a Saturday
    assert calendar.is_working(MON)
    assert not calendar.is_working(date(2026, 10, 1))  # a Thursday, closed
    assert not calendar.is_working(date(2026, 10, 3))  # a Saturday
    assert calendar.is_working(date(2026, 10, 10))  # 调休 Saturday
    assert calendar.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    closed_makeup = cap.WorkingCalendar(closed=frozenset({date(2026, 10, 10)}), makeup=frozenset({date(2026, 10, 10)}))
    assert not closed_makeup.is_working(date(2026, 10, 10))  # a closure wins


# ------------------------------------------------------------------------------ planning
def test_plan_fills_earliest_days_within_capacity():
    calendar = cap.WorkingCalendar()
    result = cap.plan(12, calendar=calendar, daily_capacity=5, load={MON: 3}, earliest_start=MON, report_days=2)
    assert isinstance(result, cap.Plan)
    assert result.allocations == ((MON, 2), (MON + timedelta(1), 5), (MON + timedelta(2), 5))
    assert result.promised == date(2026, 10, 2)  # Wed + 2 working days = Fri
    assert result.meets_request and result.earliest_feasible is None


def test_plan_skips_closures_and_weekends():
    calendar = cap.WorkingCalendar(closed=cap.closed_days([(date(2026, 10, 1), date(2026, 10, 7))]))
    result = cap.plan(3, calendar=calendar, daily_capacity=1, load={}, earliest_start=date(2026, 9, 30), report_days=0)
    assert [d for d, _ in result.allocations] == [date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)]
    assert result.promised == date(2026, 10, 9)


def test_requested_date_not_met_offers_the_earliest_feasible():
    result = cap.plan(
        10,
        calendar=cap.WorkingCalendar(),
        daily_capacity=5,
        load={},
        earliest_start=MON,
        report_days=3,
        requested=MON + timedelta(days=2),
    )
    assert not result.meets_request
    assert result.earliest_feasible == result.promised == date(2026, 10, 2)


def test_full_lab_and_no_working_day_have_no_capacity():
    calendar = cap.WorkingCalendar()
    full = {MON + timedelta(days=i): 2 for i in range(20)}
    assert isinstance(
        cap.plan(1, calendar=calendar, daily_capacity=2, load=full, earliest_start=MON, report_days=0, horizon_days=10),
        cap.NoCapacity,
    )
    never = cap.WorkingCalendar(weekdays=frozenset())
    assert isinstance(
        cap.plan(1, calendar=never, daily_capacity=2, load={}, earliest_start=MON, report_days=0), cap.NoCapacity
    )


def test_first_processing_day_is_the_next_working_day():
    assert cap.first_processing_day(date(2026, 10, 2), cap.WorkingCalendar()) == date(2026, 10, 5)


# ------------------------------------------------------------------------------ properties
days = st.integers(min_value=0, max_value=40)
calendars = st.builds(
    cap.WorkingCalendar,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    closed=st.frozensets(days.map(lambda i: MON + timedelta(days=i)), max_size=15),
    makeup=st.frozensets(days.map(lambda i: MON + timedelta(days=i)), max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(
    calendar=calendars,
    capacity=st.integers(1, 8),
    batches=st.lists(st.integers(1, 30), min_size=1, max_size=8),
    report_days=st.integers(0, 5),
    start_offset=days,
)
def test_no_day_is_ever_over_capacity_and_promises_follow_the_work(
    calendar, capacity, batches, report_days, start_offset
):
    load: dict[date, int] = {}
    start = MON + timedelta(days=start_offset)
    for samples in batches:
        result = cap.plan(
            samples,
            calendar=calendar,
            daily_capacity=capacity,
            load=load,
            earliest_start=start,
            report_days=report_days,
        )
        if isinstance(result, cap.NoCapacity):
            continue
        assert result.samples == samples
        # earliest first: every working day before the first processing day was already full
        for day in calendar.working_days(start, result.first_day - timedelta(days=1)):
            assert load.get(day, 0) >= capacity
        for day, n in result.allocations:
            assert n > 0 and calendar.is_working(day) and day >= start
            load[day] = load.get(day, 0) + n
        # the promise is never earlier than the work allows: after the last processing day, with
        # at least report_days working days in between (the promised day included)
        assert result.promised >= result.last_day
        between = list(calendar.working_days(result.last_day + timedelta(days=1), result.promised))
        assert len(between) == report_days
    assert all(used <= capacity for used in load.values())


@settings(max_examples=200, deadline=None)
@given(capacity=st.integers(1, 6), samples=st.integers(1, 40), report_days=st.integers(0, 4))
def test_promised_date_is_at_least_the_minimum_work(capacity, samples, report_days):
    calendar = cap.WorkingCalendar()
    result = cap.plan(
        samples, calendar=calendar, daily_capacity=capacity, load={}, earliest_start=MON, report_days=report_days
    )
    needed_days = -(-samples // capacity)  # ceil: an empty lab still needs this many working days
    working = list(calendar.working_days(MON, result.promised))
    assert len(working) >= needed_days + report_days


# ------------------------------------------------------------------------------ result files
def test_result_files_by_content():
    import io

    from bwq_lab.domain import result_files as rf

    def kind(data: bytes, name: str):
        return rf.classify(io.BytesIO(data), name)

    assert kind(b"%PDF-1.7 ...", "a.pdf") == ("pdf", None)
    assert kind("样品,含量\n".encode("gb18030"), "a.csv") == ("csv", None)
    assert kind(("a," * 3000).encode() + "中".encode(), "a.csv") == ("csv", None)  # cut inside a character
    assert kind(b"MZ\x90", "a.csv") == (None, "FILE_TYPE_NOT_ACCEPTED")
    assert kind(b"abc\x00def", "a.csv") == (None, "FILE_TYPE_NOT_ACCEPTED")
    assert kind(b"plain text", "a.pdf") == (None, "FILE_TYPE_MISMATCH")
    assert kind(b"%PDF-1.7", "a/b.pdf") == (None, "FILE_NAME_UNSAFE")
    assert kind(b"%PDF-1.7", "a\x07.pdf") == (None, "FILE_NAME_UNSAFE")
    assert kind(b"%PDF-1.7", "") == (None, "FILE_NAME_MISSING")
    assert rf.sanitise_name('  报告 "final";\r.pdf ') == "报告 _final___.pdf"
    assert rf.sanitise_name("x" * 300 + ".pdf").endswith(".pdf") and len(rf.sanitise_name("x" * 300 + ".pdf")) == 150
