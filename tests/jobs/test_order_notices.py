"""Lab-service orders in the jobs: the enterprise is reminded before an open order's promised
date (once per promised date, caught up after downtime), and the managers' daily digest lists the
orders waiting to be accepted, received or delivered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import FIXED_NOW, local
from tests.jobs.test_booking_notices import _outbox, _run


@pytest.fixture
def lab(app, ctx, create_provider, create_service):
    provider = create_provider(address="杭州市西湖区余杭塘路866号", contact_name="王老师", contact_phone="0571-8888")
    return {
        "provider": provider,
        "icp": create_service(provider=provider),
        "xrd": create_service(provider=provider, name="X射线衍射分析", name_en="X-ray diffraction analysis"),
    }


@pytest.fixture
def place(app, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceOrder

    def make(service, status="accepted", *, user=None, promised=None, first_day=None, created_at=None, samples=4):
        user = user or create_user("enterprise")
        order = ServiceOrder(
            service_id=service.id,
            provider_id=service.provider_id,
            user_id=user.id,
            enterprise_id=user.enterprise_id,
            status=status,
            samples=samples,
            promised_date=promised,
            first_day=first_day,
            last_day=first_day,
            created_at=created_at or FIXED_NOW - timedelta(days=3),
            updated_at=created_at or FIXED_NOW - timedelta(days=3),
        )
        db.session.add(order)
        db.session.commit()
        return order

    return make


def test_reminded_once_a_day_before_the_promised_date_with_what_to_do(app, lab, place, create_user):
    en = create_user("enterprise", locale="en", name="Alice")
    due = place(lab["icp"], user=en, promised=date(2026, 12, 2), first_day=date(2026, 12, 1))
    place(lab["icp"], promised=date(2026, 12, 4), first_day=date(2026, 12, 2))  # not yet
    place(lab["icp"], "delivered", promised=date(2026, 12, 2))  # delivered already
    place(lab["icp"], "cancelled", promised=date(2026, 12, 2))
    place(lab["icp"], "in_progress", promised=date(2026, 11, 30))  # past: late, not a reminder

    assert _run(app, "order_reminders", FIXED_NOW) == 1
    assert _run(app, "order_reminders", FIXED_NOW) == 0  # the rerun sends nothing
    assert _run(app, "order_reminders", FIXED_NOW + timedelta(hours=20)) == 0  # nor the next day's run
    base = app.config.get("BASE_URL")
    app.config["BASE_URL"] = "https://lab.example.edu.cn"
    try:
        ((to, subject, body),) = _outbox()
    finally:
        app.config["BASE_URL"] = base
    assert to == en.email
    assert subject == (
        f"[BWQ Lab] Reminder: the results of order #{due.id} (Material composition testing) are promised for 2026-12-02"
    )
    assert "Dear Alice," in body and "Samples: 4" in body
    assert "Zhejiang University Analysis Centre, 杭州市西湖区余杭塘路866号" in body
    assert "has not received your samples" in body and "2026-12-01" in body  # accepted: send them
    assert "王老师" in body and "0571-8888" in body
    assert f"https://lab.example.edu.cn/orders/{due.id}" in body


def test_a_new_promised_date_is_reminded_again_in_chinese(app, lab, place, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceOrder

    order = place(lab["xrd"], "in_progress", user=create_user("enterprise", locale="zh"), promised=date(2026, 12, 2))
    assert _run(app, "order_reminders", FIXED_NOW) == 1
    db.session.get(ServiceOrder, order.id).promised_date = date(2026, 12, 1)  # a new promise
    db.session.commit()
    assert _run(app, "order_reminders", FIXED_NOW) == 1
    assert _run(app, "order_reminders", FIXED_NOW) == 0
    (_, first, body), (_, second, _) = _outbox()
    assert "提醒" in first and "X射线衍射分析" in first and "2026-12-02" in first
    assert "2026-12-01" in second
    assert "复检" in body  # in the lab: wait for the results, confirm or ask for a re-test


def test_catch_up_after_a_day_of_downtime_reminds_each_order_once(app, lab, place):
    for day in (2, 3):
        place(lab["icp"], "samples_received", promised=date(2026, 12, day))
    back = local("2026-12-02 10:00")  # the scheduler was down through the 1st
    assert _run(app, "order_reminders", back) == 2  # today's and tomorrow's
    for hours in (1, 5, 23):
        assert _run(app, "order_reminders", back + timedelta(hours=hours)) == 0
    assert len(_outbox()) == 2


def test_the_reminder_lead_is_configurable(app, lab, place):
    place(lab["icp"], promised=date(2026, 12, 4))
    app.config["ORDER_REMINDER_DAYS"] = 3
    try:
        assert _run(app, "order_reminders", FIXED_NOW) == 1
    finally:
        app.config["ORDER_REMINDER_DAYS"] = 1


def test_managers_digest_lists_orders_waiting_to_be_accepted_received_or_delivered(
    app, lab, place, create_user, create_provider, create_service
):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    boss = create_user("manager", provider=lab["provider"], manages_all=True, locale="en")
    xrd_only = create_user("manager", provider=lab["provider"], manages_all=False, locale="zh")
    db.session.get(User, xrd_only.id).services.append(lab["xrd"])
    db.session.commit()
    elsewhere = create_user("manager")  # another provider: its own order only
    other_order = place(create_service(provider=db.session.get(User, elsewhere.id).provider), "reopened")

    to_accept = place(lab["icp"], "submitted", created_at=FIXED_NOW - timedelta(hours=30))
    place(lab["icp"], "submitted", created_at=FIXED_NOW - timedelta(hours=3))  # too new
    to_receive = place(lab["xrd"], "accepted", first_day=date(2026, 12, 2), promised=date(2026, 12, 4))
    place(lab["xrd"], "accepted", first_day=date(2026, 12, 7), promised=date(2026, 12, 9))  # not yet
    overdue = place(lab["icp"], "in_progress", promised=date(2026, 11, 28))
    due = place(lab["xrd"], "samples_received", promised=date(2026, 12, 2))
    place(lab["icp"], "in_progress", promised=date(2026, 12, 10))  # not due
    place(lab["icp"], "delivered", promised=date(2026, 11, 20))  # delivered: nothing to do
    retest = place(lab["icp"], "reopened", promised=date(2026, 11, 20))

    assert _run(app, "manager_digests", FIXED_NOW) == 3
    assert _run(app, "manager_digests", FIXED_NOW + timedelta(hours=5)) == 0  # once a local day
    sent = {to: (subject, body) for to, subject, body in _outbox()}

    subject, body = sent[boss.email]
    assert subject == "[BWQ Lab] Lab-service orders waiting for you: 5"
    for order in (to_accept, to_receive, overdue, due, retest):
        assert f"/orders/{order.id}\n" in body
    assert f"/orders/{other_order.id}\n" not in body
    assert "waited longer than 24 hours to be accepted" in body and "4 samples" in body
    assert "first working day 2026-12-02" in body
    assert "overdue since 2026-11-28" in body and "promised for 2026-12-02" in body
    assert "What to do next: deliver the result files" in body
    assert "overdue since 2026-11-20" not in body  # a re-test has no promise to be late on

    subject, body = sent[xrd_only.email]  # only the service they manage
    assert "检测服务订单" in subject and "2" in subject
    assert f"/orders/{to_receive.id}\n" in body and f"/orders/{due.id}\n" in body
    assert f"/orders/{overdue.id}\n" not in body and f"/orders/{to_accept.id}\n" not in body

    subject, body = sent[elsewhere.email]
    assert f"/orders/{other_order.id}\n" in body and f"/orders/{retest.id}\n" not in body
