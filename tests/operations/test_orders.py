"""Order operations against a real database: every transition, every forbidden one, who may act,
capacity held and freed, the fee snapshot, result files, e-mails in the recipient's language."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bwq_lab.domain.orders import OrderStatus
from bwq_lab.extensions import db
from bwq_lab.models import OutboxMessage, ServiceDayLoad, ServiceOrder
from bwq_lab.operations import orders as ops
from bwq_lab.refusals import Refusal

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
S = OrderStatus


class Upload:
    def __init__(self, name: str, data: bytes):
        self.filename = name
        self.stream = io.BytesIO(data)


@pytest.fixture
def lab(ctx, create_provider, create_user, create_service, create_enterprise):
    provider = create_provider()
    service = create_service(
        provider=provider, daily_capacity=4, min_samples=1, max_samples=20, turnaround_days=2, hazardous_accepted=True
    )
    manager = create_user("manager", provider=provider, manages_all=True, locale="en")
    enterprise = create_enterprise()
    customer = create_user("enterprise", enterprise=enterprise, locale="zh")
    colleague = create_user("enterprise", enterprise=enterprise)
    stranger = create_user("enterprise")
    other_manager = create_user("manager")  # another provider
    return type(
        "Lab",
        (),
        dict(
            service=service,
            manager=manager,
            customer=customer,
            colleague=colleague,
            stranger=stranger,
            other_manager=other_manager,
        ),
    )


@pytest.fixture
def order_for(lab, now):
    def make(samples=6, hazard="none", requested=None, **kw):
        order = ops.create_order(
            lab.customer,
            lab.service.id,
            samples=samples,
            sample_description="粉末 5 g",
            hazard=hazard,
            requested_date=requested,
            project_code=kw.pop("project_code", "RD-1"),
            now=now,
            tz=TZ,
        )
        db.session.commit()
        return order

    return make


def loads(service_id):
    return dict(
        db.session.execute(
            select(ServiceDayLoad.day, ServiceDayLoad.used).where(ServiceDayLoad.service_id == service_id)
        ).all()
    )


def refused(fn, *args, **kwargs) -> Refusal:
    with pytest.raises(Refusal) as info:
        fn(*args, **kwargs)
    db.session.rollback()
    return info.value


def test_order_quote_plan_and_fee_snapshot(lab, order_for, now):
    order = order_for(samples=6)
    assert order.status is S.SUBMITTED and order.quoted_fee_fen == 6 * 50000 and order.price_tier == "external"
    assert order.enterprise_id == lab.customer.enterprise_id and order.events[0].action == "submit"
    accepted = ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    db.session.commit()
    # now is Tue 2026-12-01 09:00 local: processing from Wed, 4 a day, report 2 working days after
    assert [(a.day, a.samples) for a in order.allocations] == [(date(2026, 12, 2), 4), (date(2026, 12, 3), 2)]
    assert accepted.plan.promised == order.promised_date == date(2026, 12, 7)
    assert loads(lab.service.id) == {date(2026, 12, 2): 4, date(2026, 12, 3): 2}
    assert (order.unit_price_fen, order.fee_fen) == (50000, 300000)
    lab.service.price_external_fen = 99999  # later price edits do not change the snapshot
    db.session.commit()
    assert db.session.get(ServiceOrder, order.id).fee_fen == 300000


def test_internal_staff_pay_the_internal_price(lab, now):
    order = ops.create_order(
        lab.manager, lab.service.id, samples=2, sample_description="", hazard="none", requested_date=None,
        project_code="", now=now, tz=TZ,
    )  # fmt: skip
    assert (order.price_tier, order.quoted_fee_fen, order.enterprise_id) == ("internal", 60000, None)


def test_order_problems_all_at_once(lab, now):
    lab.service.hazardous_accepted = False
    db.session.commit()
    err = refused(
        ops.create_order, lab.customer, lab.service.id, samples=99, sample_description="", hazard="chemical",
        requested_date=date(2026, 11, 30), project_code="", now=now, tz=TZ,
    )  # fmt: skip
    assert err.status == 422
    assert sorted(err.codes) == ["HAZARD_NOT_ACCEPTED", "REQUESTED_DATE_PAST", "TOO_MANY_SAMPLES"]
    assert refused(
        ops.create_order, lab.stranger, 999999, samples=1, sample_description="", hazard="none",
        requested_date=None, project_code="", now=now, tz=TZ,
    ).status == 404  # fmt: skip


def test_requested_date_not_met_is_said_and_earliest_offered(lab, now):
    p = ops.preview(lab.customer, lab.service.id, 10, requested=date(2026, 12, 3), now=now, tz=TZ)
    assert p.quote.fee_fen == 500000 and not p.plan.meets_request
    assert p.plan.earliest_feasible == p.earliest_promised == date(2026, 12, 8)  # Wed,Thu,Fri + 2 working days


def test_the_whole_happy_path_and_first_delivery(lab, order_for, now, app, tmp_path):
    order = order_for()
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    ops.receive_samples(lab.manager, order.id, now=now + timedelta(hours=1))
    ops.start_work(lab.manager, order.id, now=now + timedelta(hours=2))
    ops.deliver_results(
        lab.manager,
        order.id,
        [Upload("报告.pdf", PDF)],
        now=now + timedelta(days=1),
        folder=str(tmp_path),
        max_bytes=10**6,
    )
    db.session.commit()
    assert order.status is S.DELIVERED and order.first_delivered_at == now + timedelta(days=1)
    assert order.analyst_id == lab.manager.id and order.files[0].original_name == "报告.pdf"
    assert (tmp_path / order.files[0].stored_name).read_bytes() == PDF
    # a re-test, then a second delivery: first_delivered_at stays
    ops.reopen_order(lab.colleague, order.id, reason="峰形异常", now=now + timedelta(days=3))
    ops.start_work(lab.manager, order.id, now=now + timedelta(days=4))
    ops.deliver_results(
        lab.manager,
        order.id,
        [Upload("r2.pdf", PDF)],
        now=now + timedelta(days=5),
        folder=str(tmp_path),
        max_bytes=10**6,
    )
    ops.confirm_receipt(lab.customer, order.id, now=now + timedelta(days=6))
    db.session.commit()
    assert order.status is S.CLOSED and order.reopen_count == 1
    assert order.first_delivered_at == now + timedelta(days=1) and order.delivered_at == now + timedelta(days=5)
    actions = [e.action for e in order.events]
    assert actions == ["submit", "accept", "receive", "start", "deliver", "reopen", "start", "deliver", "confirm"]
    assert all(e.at and (e.actor_id or e.action == "close") for e in order.events)


@pytest.mark.parametrize(
    ("status", "action"),
    [("accepted", "deliver"), ("submitted", "receive"), ("submitted", "start"), ("delivered", "receive")],
)
def test_forbidden_transitions_are_409(lab, order_for, now, tmp_path, status, action):
    order = order_for()
    order.status = OrderStatus(status)
    db.session.commit()
    calls = {
        "deliver": lambda: ops.deliver_results(
            lab.manager, order.id, [Upload("r.pdf", PDF)], now=now, folder=str(tmp_path), max_bytes=10**6
        ),
        "receive": lambda: ops.receive_samples(lab.manager, order.id, now=now),
        "start": lambda: ops.start_work(lab.manager, order.id, now=now),
    }
    err = refused(calls[action])
    assert err.status == 409 and err.codes == ["INVALID_TRANSITION"]
    assert err.problems[0].params == {"kind": "order", "status": status, "action": action}
    assert not list(tmp_path.iterdir())  # nothing stored


def test_reject_needs_a_reason_and_cancel_frees_capacity(lab, order_for, now):
    order = order_for(samples=4)
    assert refused(ops.reject_order, lab.manager, order.id, reason=" ", now=now).codes == ["REASON_REQUIRED"]
    ops.reject_order(lab.manager, order.id, reason="超出检测范围", now=now)
    db.session.commit()
    assert order.status is S.REJECTED and order.reject_reason == "超出检测范围"
    second = order_for(samples=4)
    ops.accept_order(lab.manager, second.id, now=now, tz=TZ)
    db.session.commit()
    assert loads(lab.service.id) == {date(2026, 12, 2): 4}
    ops.cancel_order(lab.customer, second.id, reason=None, now=now)
    db.session.commit()
    assert second.status is S.CANCELLED and loads(lab.service.id) == {date(2026, 12, 2): 0}
    assert not second.allocations


def test_enterprise_cancels_only_before_samples_arrive_managers_with_reason(lab, order_for, now):
    order = order_for()
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    ops.receive_samples(lab.manager, order.id, now=now)
    db.session.commit()
    assert refused(ops.cancel_order, lab.customer, order.id, reason="x", now=now).codes == ["TOO_LATE_TO_CANCEL"]
    assert refused(ops.cancel_order, lab.manager, order.id, reason="", now=now).codes == ["REASON_REQUIRED"]
    ops.cancel_order(lab.manager, order.id, reason="样品损坏", now=now)
    db.session.commit()
    assert order.status is S.CANCELLED and order.cancelled_by_id == lab.manager.id
    assert sum(loads(lab.service.id).values()) == 0


def test_who_may_see_and_act(lab, order_for, now):
    order = order_for()
    for outsider in (lab.stranger, lab.other_manager):
        assert refused(ops.get_order, outsider, order.id).status == 404
        assert refused(ops.accept_order, outsider, order.id, now=now, tz=TZ).status == 404
        assert refused(ops.cancel_order, outsider, order.id, reason="x", now=now).status == 404
    assert ops.get_order(lab.colleague, order.id) is not None  # same enterprise
    assert refused(ops.accept_order, lab.customer, order.id, now=now, tz=TZ).codes == ["LAB_ONLY"]
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    assert refused(ops.add_note, lab.customer, order.id, "hi", now=now).status == 403
    assert refused(ops.confirm_receipt, lab.manager, order.id, now=now).status == 403
    assert ops.list_orders(lab.stranger).total == 0 and ops.list_orders(lab.colleague).total == 1
    assert ops.list_orders(lab.other_manager, scope="managed").total == 0
    assert ops.list_orders(lab.manager, scope="managed").total == 1


def test_hazard_needs_explicit_acceptance(lab, order_for, now):
    order = order_for(hazard="biological")
    err = refused(ops.accept_order, lab.manager, order.id, now=now, tz=TZ)
    assert err.codes == ["HAZARD_ACCEPTANCE_REQUIRED"] and loads(lab.service.id) == {}
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ, hazard_accepted=True)
    db.session.commit()
    assert order.hazard_accepted_by_id == lab.manager.id


def test_no_capacity_within_the_horizon(lab, order_for, now):
    lab.service.working_weekdays = []
    db.session.commit()
    order = order_for(samples=1)
    err = refused(ops.accept_order, lab.manager, order.id, now=now, tz=TZ)
    assert err.status == 409 and err.codes == ["NO_CAPACITY"]


def test_retest_window_and_the_closing_job(lab, order_for, now, tmp_path):
    order = order_for()
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    ops.receive_samples(lab.manager, order.id, now=now)
    ops.start_work(lab.manager, order.id, now=now)
    ops.deliver_results(
        lab.manager, order.id, [Upload("r.csv", b"a,b\n1,2\n")], now=now, folder=str(tmp_path), max_bytes=100
    )
    db.session.commit()
    late = now + timedelta(days=15, hours=1)
    assert refused(ops.reopen_order, lab.customer, order.id, reason="x", now=late).codes == ["RETEST_WINDOW_PASSED"]
    assert ops.close_expired(now + timedelta(days=14)) == 0
    assert ops.close_expired(late) == 1
    db.session.commit()
    assert order.status is S.CLOSED and order.events[-1].action == "close" and order.events[-1].actor_id is None
    assert ops.close_expired(late) == 0  # safe to run twice


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data/raw.txt", "1 2 3")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("report.pdf", b"MZ\x90\x00 executable", "FILE_TYPE_NOT_ACCEPTED"),
        ("report.pdf", _zip(), "FILE_TYPE_MISMATCH"),
        ("data.csv", b"\x00\x01\x02binary", "FILE_TYPE_NOT_ACCEPTED"),
        ("../../etc/passwd.pdf", PDF, "FILE_NAME_UNSAFE"),
        ("..\\evil.pdf", PDF, "FILE_NAME_UNSAFE"),
        (".hidden.pdf", PDF, "FILE_NAME_UNSAFE"),
        ("big.pdf", PDF + b"x" * 2000, "FILE_TOO_LARGE"),
        ("empty.pdf", b"", "FILE_EMPTY"),
        ("broken.zip", b"PK\x03\x04garbage", "FILE_TYPE_NOT_ACCEPTED"),
    ],
)
def test_bad_uploads_store_nothing(lab, order_for, now, tmp_path, name, data, code):
    order = order_for()
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    ops.receive_samples(lab.manager, order.id, now=now)
    ops.start_work(lab.manager, order.id, now=now)
    db.session.commit()
    err = refused(
        ops.deliver_results,
        lab.manager,
        order.id,
        [Upload("good.pdf", PDF), Upload(name, data)],
        now=now,
        folder=str(tmp_path),
        max_bytes=1500,
    )
    assert err.status == 422 and err.codes == [code] and err.problems[0].field == "files"
    assert list(tmp_path.iterdir()) == []
    assert db.session.get(ServiceOrder, order.id).status is S.IN_PROGRESS


def test_good_uploads_of_every_kind(lab, order_for, now, tmp_path):
    order = order_for()
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    ops.receive_samples(lab.manager, order.id, now=now)
    ops.start_work(lab.manager, order.id, now=now)
    uploads = [
        Upload("谱图 1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
        Upload("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        Upload("数据.csv", "样品,含量\nA,1.2\n".encode()),
        Upload("table.xlsx", _xlsx()),
        Upload("raw.zip", _zip()),
        Upload('a"b;c.pdf', PDF),
    ]
    ops.deliver_results(lab.manager, order.id, uploads, now=now, folder=str(tmp_path), max_bytes=10**6)
    db.session.commit()
    assert [f.kind for f in order.files] == ["png", "jpeg", "csv", "xlsx", "zip", "pdf"]
    assert order.files[-1].original_name == "a_b_c.pdf"
    assert len({f.stored_name for f in order.files}) == 6 and all(len(f.stored_name) > 32 for f in order.files)


def test_emails_in_the_recipients_language(lab, order_for, now):
    from bwq_lab import mail

    order = order_for()  # the manager (en) hears of it
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)  # the customer (zh) hears of it
    db.session.commit()
    mails = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [(m.recipients, m.template, m.language) for m in mails] == [
        ([lab.manager.email], "order_submitted", "en"),
        ([lab.customer.email], "order_accepted", "zh"),
    ]
    subject, body = mail.render(mails[0].template, mails[0].context, mails[0].language)
    assert subject.startswith("[BWQ Lab] New order #") and "Material composition testing" in subject
    assert f"/orders/{order.id}" in body
    subject, body = mail.render(mails[1].template, mails[1].context, mails[1].language)
    assert "材料成分检测" in subject and "New order" not in body
    assert "2026-12-07" in body and "1,500.00" not in body and "3,000.00" in body


def test_notes_are_history_the_enterprise_sees(lab, order_for, now):
    order = order_for()
    assert refused(ops.add_note, lab.manager, order.id, "  ", now=now).codes == ["NOTE_REQUIRED"]
    ops.add_note(lab.manager, order.id, "请用干冰寄送", now=now)
    db.session.commit()
    seen = ops.get_order(lab.colleague, order.id, with_history=True)
    assert [(e.action, e.reason) for e in seen.events][-1] == ("note", "请用干冰寄送")


def test_allowed_actions(lab, order_for, now):
    order = order_for()
    assert ops.allowed_actions(lab.manager, order, now, 15) == ["accept", "reject", "cancel"]
    assert ops.allowed_actions(lab.customer, order, now, 15) == ["cancel"]
    ops.accept_order(lab.manager, order.id, now=now, tz=TZ)
    ops.receive_samples(lab.manager, order.id, now=now)
    assert ops.allowed_actions(lab.customer, order, now, 15) == []
    assert db.session.execute(select(func.count()).select_from(ServiceDayLoad)).scalar_one() == 2
