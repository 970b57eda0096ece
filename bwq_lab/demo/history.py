"""The demo province's last twelve months: staff, instrument sessions, lab-service batches and
service records, so every figure, summary and goal chart shows something on first run.

Everything that happened goes through the operations, each given the ``now`` of its moment
(booked days before, approved, checked in, recorded by a manager naming the staff member who
operated, no-shows marked by the job's own operation, orders accepted into capacity, delivered
with a result file, service records entered the day after), so every rule holds as it would
have. An attempt a rule refuses (a quota, the opening hours) is simply not made. Only the
people are rows: the providers' staff, a lab account per provider that has no demo manager, and
one (not signed-in) user per active enterprise. E-mail of the past is marked sent.

Deterministic: the same seed and the same ``now`` give the same history."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bwq_lab.demo.data import GIVEN, SEED, SURNAMES
from bwq_lab.demo.orders import DEMO_PDF
from bwq_lab.domain.catalogue import SERVICE_RECORD_KINDS
from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, Instrument, LabService, OutboxMessage, Provider, Staff, User
from bwq_lab.operations import orders as order_ops
from bwq_lab.operations import rollup, service_records
from bwq_lab.operations.bookings import lifecycle as booking_ops
from bwq_lab.operations.bookings.create import create_booking
from bwq_lab.operations.transactions import begin_write
from bwq_lab.refusals import Refusal

#: how much happens (make run must stay under two minutes: ``bench``-like numbers in the report)
SESSIONS = 1100
BATCHES = 160
RECORDS = 260
DAYS = 365

TITLES = ("研究员", "副研究员", "高级工程师", "工程师", "教授", "副教授", "实验师", "助理研究员")
FIELDS = ("材料表征", "分析化学", "电子显微学", "波谱分析", "环境监测", "生物医药检测", "计量校准", "机械性能测试",
          "光谱分析", "电磁兼容", "热分析", "质谱分析")  # fmt: skip
#: relative activity by month (1..12): quiet around the Spring Festival and in August
SEASON = {1: 0.9, 2: 0.45, 3: 1.1, 4: 1.1, 5: 1.05, 6: 1.15, 7: 0.9, 8: 0.7, 9: 1.1, 10: 0.85, 11: 1.2, 12: 1.1}
CONTENT = {
    "consultation": "走访企业，诊断工艺与质量问题，提出改进建议",
    "training": "开展仪器操作与检测方法培训",
    "transfer": "专利成果转化对接，提供技术许可方案",
    "joint_rd": "联合开展关键技术攻关",
    "commissioned": "受托开发检测方法与工艺",
    "commissioner_visit": "科技特派员驻企服务",
    "policy_briefing": "宣讲创新券与科技政策",
    "other": "技术咨询与资料服务",
}
RESULT_TITLES = ("新型涂层工艺", "高精度检测方法", "废水处理新工艺", "智能控制算法", "新材料配方", "快速检测试剂盒")


@dataclass
class HistoryResult:
    staff: int = 0
    sessions: int = 0
    no_shows: int = 0
    cancelled: int = 0
    rejected: int = 0
    batches: int = 0
    records: int = 0
    refused: int = 0  # attempts a rule refused (not made)


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.filename = name
        self.stream = io.BytesIO(data)


def seed_history(now: datetime, tz: ZoneInfo, results_folder: str, *, seed: int = SEED, scale: float = 1.0):
    """Add the last twelve months of activity (once: not when staff exist already)."""
    if db.session.execute(select(Staff.id).limit(1)).first() is not None:
        return HistoryResult()
    rng = random.Random(seed)
    result = HistoryResult()
    begin_write()  # one write transaction for the whole history (SQLite), savepoints per attempt
    # the figures' rollup is rebuilt once at the end: refreshing it per change tripled the history's time
    with rollup.deferred(db.session, tz=tz):
        providers = list(db.session.execute(select(Provider).order_by(Provider.id)).scalars())
        staff = _staff(rng, providers, result)
        labs = _lab_accounts(providers)
        customers = _customers(rng)
        days = _days(rng, now, tz, int(DAYS))
        _sessions(rng, now, tz, days, labs, staff, customers, result, int(SESSIONS * scale))
        _batches(rng, now, tz, days, labs, staff, customers, results_folder, result, int(BATCHES * scale))
        _records(rng, now, tz, days, labs, staff, customers, result, int(RECORDS * scale))
    # the catalogue existed through the whole year: utilisation counts an instrument's opening
    # hours from its creation, and the demo's rows were created today
    opened = now - timedelta(days=DAYS + 30)
    db.session.execute(update(Instrument).where(Instrument.created_at > opened).values(created_at=opened))
    # the e-mail of the past went out at the time: the outbox keeps only today's
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.created_at < now - timedelta(days=1))
        .values(sent_at=OutboxMessage.created_at)
    )
    db.session.flush()
    return result


# ------------------------------------------------------------------------------------- people
def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _staff(rng: random.Random, providers: list[Provider], result: HistoryResult) -> dict[int, list[Staff]]:
    managers = {
        u.provider_id: u
        for u in db.session.execute(select(User).where(User.role == "manager").order_by(User.id)).scalars()
    }
    out: dict[int, list[Staff]] = {}
    for provider in providers:
        people = [Staff(provider_id=provider.id, name=_name(rng), title=rng.choice(TITLES), field=rng.choice(FIELDS))
                  for _ in range(rng.randint(3, 7))]  # fmt: skip
        manager = managers.get(provider.id)
        if manager is not None and manager.email.endswith("@demo.bwq"):  # the demo managers are staff too
            people[0].name, people[0].user_id = manager.name, manager.id
        if len(people) > 3 and rng.random() < 0.3:
            people[-1].active = False  # someone left: their past work still counts
        out[provider.id] = people
        db.session.add_all(people)
    db.session.flush()
    result.staff = sum(len(v) for v in out.values())
    return {k: [s for s in v if s.active] for k, v in out.items()}


def _lab_accounts(providers: list[Provider]) -> dict[int, User]:
    """Each provider's manager of everything: the demo login where there is one, else a lab
    account nobody signs in with (``!`` is no password hash)."""
    labs = {
        u.provider_id: u
        for u in db.session.execute(select(User).where(User.role == "manager", User.manages_all.is_(True))).scalars()
    }
    for provider in providers:
        if provider.id not in labs:
            labs[provider.id] = User(email=f"lab{provider.id}@demo.bwq", name=f"{provider.name}管理员", role="manager",
                                     password_hash="!", provider_id=provider.id, manages_all=True)  # fmt: skip
            db.session.add(labs[provider.id])
    db.session.flush()
    return labs


def _customers(rng: random.Random) -> list[User]:
    """One active member per enterprise (the demo login for the first), to book and order."""
    members = {
        u.enterprise_id: u
        for u in db.session.execute(
            select(User).where(User.role == "enterprise", User.membership == "active")
        ).scalars()
    }
    for e in db.session.execute(select(Enterprise).order_by(Enterprise.id)).scalars():
        if e.id not in members:
            members[e.id] = User(email=f"e{e.id}@demo.bwq", name=_name(rng), role="enterprise", password_hash="!",
                                 enterprise_id=e.id, membership="active")  # fmt: skip
            db.session.add(members[e.id])
    db.session.flush()
    return [members[k] for k in sorted(members)]


def _days(rng: random.Random, now: datetime, tz: ZoneInfo, n: int) -> list[date]:
    """Working days of the last ``n`` days (not today), weighted by the season: one per draw."""
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=i) for i in range(2, n + 1)]
    days = [d for d in days if d.weekday() < 5]
    return rng.choices(days, weights=[SEASON[d.month] for d in days], k=4 * n)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


# ------------------------------------------------------------------------------------ sessions
def _sessions(rng, now, tz, days, labs, staff, customers, result, count) -> None:
    instruments = list(
        db.session.execute(
            select(Instrument)
            .where(Instrument.status == "active", Instrument.qualification_required.is_(False))
            .order_by(Instrument.id)
        ).scalars()
    )
    zju = {p.id for p in db.session.execute(select(Provider).where(Provider.name.like("浙江大学%"))).scalars()}
    weights = [6 if i.provider_id in zju else 1 for i in instruments]
    taken: set[tuple[int, date]] = set()
    plans = []
    for _ in range(count):
        instrument = rng.choices(instruments, weights)[0]
        day = rng.choice(days)
        if (instrument.id, day) in taken:
            continue
        taken.add((instrument.id, day))
        start, minutes = _slot(rng, instrument, day, tz)
        if start is None:
            continue
        # now and then the provider's own staff use it (internal price, not an enterprise's visit)
        user = labs[instrument.provider_id] if rng.random() < 0.07 else rng.choice(customers)
        plans.append((start, instrument, minutes, user, rng.random()))
    plans.sort(key=lambda p: (p[0], p[1].id))
    zone = str(tz)
    for start, instrument, minutes, customer, fate in plans:
        end = start + timedelta(minutes=minutes)
        lab = labs[instrument.provider_id]
        booked = start - timedelta(days=3, hours=rng.randint(0, 40))
        try:
            with db.session.begin_nested():
                _session(rng, start, end, booked, instrument, lab, customer, fate, staff, zone, result)
        except Refusal:
            result.refused += 1  # the attempt is not made (its savepoint is rolled back)


def _slot(rng: random.Random, instrument: Instrument, day: date, tz: ZoneInfo) -> tuple[datetime | None, int]:
    """A start on the instrument's grid inside one of its opening windows that day, and a length
    its rules allow (None when it is closed that day)."""
    windows = [(s, e) for d, s, e in (instrument.opening_hours or []) if d == day.weekday()]
    if not instrument.opening_hours:
        windows = [("09:00", "18:00")]
    if not windows:
        return None, 0
    opens, closes = rng.choice(windows)
    first = int(opens[:2]) * 60 + int(opens[3:])
    length = int(closes[:2]) * 60 + int(closes[3:]) - first
    slot = instrument.slot_minutes
    longest = min(instrument.max_minutes, length, 6 * 60)
    shortest = -(-instrument.min_minutes // slot) * slot
    if shortest > longest:
        return None, 0
    minutes = rng.randrange(shortest, longest + 1, slot)
    offset = slot * rng.randint(0, (length - minutes) // slot)
    return _local(day, time(), tz) + timedelta(minutes=first + offset), minutes


def _session(rng, start, end, booked, instrument, lab, customer, fate, staff, zone, result) -> None:
    """One session's life: booked, decided, then cancelled, missed or used (and recorded)."""
    booking = create_booking(customer, instrument.id, start, end, booked, purpose="演示：样品测试 demo", tz=zone)
    if fate < 0.04 and str(booking.status) == "pending":
        booking_ops.reject_booking(lab, booking.id, "该时段仪器需校准，请改约。", booked + timedelta(hours=5))
        result.rejected += 1
        return
    if str(booking.status) == "pending":
        booking_ops.approve_booking(lab, booking.id, booked + timedelta(hours=5), tz=zone)
    if fate < 0.12:
        booking_ops.cancel_booking(customer, booking.id, booked + timedelta(days=1), reason="计划调整")
        result.cancelled += 1
    elif fate < 0.2:
        result.no_shows += booking_ops.mark_no_shows(start + timedelta(minutes=20))
    else:
        booking_ops.check_in(customer, booking.id, start + timedelta(minutes=rng.randint(-10, 10)))
        people = staff.get(instrument.provider_id) or [None]
        who = rng.choice(people)
        early = rng.choice((0, 0, 15, 30)) if end - start >= timedelta(minutes=90) else 0  # stopped early
        finish = end - timedelta(minutes=early)
        booking_ops.check_out(lab, booking.id, end + timedelta(minutes=30), used_until=finish,
                              staff_id=who.id if who else None)  # fmt: skip
        result.sessions += 1


# ------------------------------------------------------------------------------------- batches
def _batches(rng, now, tz, days, labs, staff, customers, folder, result, count) -> None:
    services = list(
        db.session.execute(select(LabService).where(LabService.status == "active").order_by(LabService.id)).scalars()
    )
    plans = [(rng.choice(days), rng.choice(services), rng.choice(customers), rng.random()) for _ in range(count)]
    plans.sort(key=lambda p: (p[0], p[1].id, p[2].id))
    for day, service, customer, fate in plans:
        at = _local(day, time(9), tz)
        lab = labs[service.provider_id]
        samples = max(service.min_samples, min(service.max_samples, rng.randint(1, 8)))
        try:
            with db.session.begin_nested():
                order = order_ops.create_order(customer, service.id, samples=samples, sample_description="演示样品",
                                               hazard="none", requested_date=None, project_code="", now=at, tz=tz)  # fmt: skip
                if fate < 0.06:
                    order_ops.reject_order(lab, order.id, reason="不在检测范围内", now=at + timedelta(hours=4))
                    continue
                if fate < 0.1:
                    order_ops.cancel_order(customer, order.id, reason="项目调整", now=at + timedelta(hours=4))
                    continue
                accepted = at + timedelta(hours=4)
                order_ops.accept_order(lab, order.id, now=accepted, tz=tz, note=None)
                order = db.session.get(type(order), order.id)
                work = _local(order.allocations[0].day, time(9), tz) if order.allocations else accepted
                people = staff.get(service.provider_id) or [None]
                who = rng.choice(people)
                order_ops.receive_samples(lab, order.id, now=max(accepted, work - timedelta(hours=1)))
                order_ops.start_work(lab, order.id, now=max(accepted, work) + timedelta(minutes=5),
                                     staff_id=who.id if who else None)  # fmt: skip
                done = _local(order.promised_date or day, time(16), tz) if order.promised_date else work
                done = max(done, work + timedelta(hours=2))
                if done >= now:
                    continue  # still in progress today
                order_ops.deliver_results(lab, order.id, [_Upload(f"检测报告-{order.id}.pdf", DEMO_PDF)], now=done,
                                          folder=folder, max_bytes=2**20, note=None)  # fmt: skip
                result.batches += 1
                if fate > 0.97 and done + timedelta(days=2) < now:
                    order_ops.reopen_order(customer, order.id, reason="复测", now=done + timedelta(days=1),
                                           window_days=15)  # fmt: skip
                    order_ops.start_work(lab, order.id, now=done + timedelta(days=1, hours=2))
                    order_ops.deliver_results(lab, order.id, [_Upload(f"复测报告-{order.id}.pdf", DEMO_PDF)],
                                              now=done + timedelta(days=2), folder=folder, max_bytes=2**20)  # fmt: skip
                elif fate > 0.5 and done + timedelta(days=1) < now:
                    order_ops.confirm_receipt(customer, order.id, now=done + timedelta(days=1))
        except Refusal:
            result.refused += 1


# ------------------------------------------------------------------------------ service records
def _records(rng, now, tz, days, labs, staff, customers, result, count) -> None:
    kinds = list(SERVICE_RECORD_KINDS)
    providers = sorted(staff)
    zju = db.session.execute(select(Provider.id).where(Provider.name.like("浙江大学%"))).scalar()
    plans = [(rng.choice(days), rng.choice(providers), rng.choice(customers), kinds[i % len(kinds)])
             for i in range(count)]  # fmt: skip
    plans.sort(key=lambda p: (p[0], p[1], p[2].id))
    big_done = False
    for i, (day, provider_id, customer, kind) in enumerate(plans):
        people = staff.get(provider_id)
        if not people:
            continue
        values = {
            "enterprise_id": customer.enterprise_id,
            "day": day,
            "kind": kind,
            "staff_ids": [s.id for s in rng.sample(people, min(len(people), rng.randint(1, 3)))],
            "minutes": 60 * rng.choice((1, 2, 3, 4, 8)),
            "content": CONTENT[kind],
        }
        if kind in ("joint_rd", "commissioned", "transfer") and rng.random() < 0.5:
            contract = rng.choice((5, 10, 20, 50, 80, 120)) * 10_000_00
            values.update(
                agreement_signed=True, contract_fen=contract, paid_fen=contract * rng.choice((3, 5, 10)) // 10
            )
        if not big_done and kind == "joint_rd" and provider_id == zju or (not big_done and i == len(plans) - 1):
            values.update(kind="joint_rd", content=CONTENT["joint_rd"] + "（重大合作项目）", agreement_signed=True,
                          contract_fen=6_800_000_00, paid_fen=5_200_000_00)  # fmt: skip
            big_done = True
        if rng.random() < 0.2:
            titles = rng.sample(RESULT_TITLES, rng.randint(1, 2))
            values.update(results_count=len(titles) + rng.randint(0, 1), results_titles=titles)
        try:
            service_records.create_record(labs[provider_id], values, now=_local(day, time(18), tz), tz=tz)
            result.records += 1
        except Refusal:
            result.refused += 1
