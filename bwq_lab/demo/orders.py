"""Demo lab-service orders: a few batches in every status for the demo enterprise and the demo
manager's lab, so "My orders", the order board and its load table show something on first run.

They go through the order operations (plans, capacity rows, fee snapshots, history, e-mails in the
outbox), at instants before ``now`` so the delivered and closed ones have a past."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import LabService, ServiceOrder, User
from bwq_lab.operations import orders as ops

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

#: (samples, hazard, what happens, days before now it was ordered)
STORIES = (
    (6, "none", ("accept", "receive", "start", "deliver", "confirm"), 30),
    (4, "none", ("reject",), 12),
    (3, "none", ("cancel",), 10),
    (8, "none", ("accept", "receive", "start", "deliver"), 9),
    (5, "none", ("accept", "receive", "start", "deliver", "reopen"), 8),
    (10, "none", ("accept", "receive", "start"), 4),
    (12, "none", ("accept", "receive"), 2),
    (20, "none", ("accept",), 1),
    (15, "none", ("accept",), 1),
    (2, "chemical", (), 0),
    (9, "none", (), 0),
)


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.filename = name
        self.stream = io.BytesIO(data)


def seed_demo_orders(now: datetime, tz: ZoneInfo, results_folder: str) -> int:
    """Add the demo orders unless there are orders already; returns how many were added."""
    if db.session.execute(select(ServiceOrder.id).limit(1)).first() is not None:
        return 0
    customer = db.session.execute(select(User).where(User.email == "enterprise@demo.bwq")).scalar_one_or_none()
    manager = db.session.execute(select(User).where(User.email == "manager@demo.bwq")).scalar_one_or_none()
    if customer is None or manager is None:
        return 0
    service = db.session.execute(
        select(LabService)
        .where(
            LabService.provider_id == manager.provider_id,
            LabService.status == "active",
            LabService.unit == "sample",
        )
        .order_by(LabService.id)
        .limit(1)
    ).scalar_one_or_none()
    if service is None:
        return 0
    service.hazardous_accepted = True
    service.sample_requirements = service.sample_requirements or "每个样品不少于 5 g，密封并编号。"
    service.max_samples = max(service.max_samples, 20)
    count = 0
    for samples, hazard, steps, days_ago in STORIES:
        at = now - timedelta(days=days_ago, hours=3)
        order = ops.create_order(
            customer,
            service.id,
            samples=samples,
            sample_description=f"演示样品 {samples} 个 · demo samples",
            hazard=hazard,
            requested_date=None,
            project_code="DEMO-2026-01" if samples % 2 else "",
            now=at,
            tz=tz,
        )
        for i, step in enumerate(steps, start=1):
            _apply(step, order.id, customer, manager, at + timedelta(hours=6 * i), tz, results_folder)
        count += 1
    return count


def _apply(step: str, order_id: int, customer: User, manager: User, at: datetime, tz: ZoneInfo, folder: str) -> None:
    if step == "accept":
        ops.accept_order(manager, order_id, now=at, tz=tz, note="已排期，请按样品要求送样。")
    elif step == "reject":
        ops.reject_order(manager, order_id, reason="样品类型不在本实验室检测范围内。", now=at)
    elif step == "cancel":
        ops.cancel_order(customer, order_id, reason="项目计划调整。", now=at)
    elif step == "receive":
        ops.receive_samples(manager, order_id, now=at)
    elif step == "start":
        ops.start_work(manager, order_id, now=at)
    elif step == "deliver":
        ops.deliver_results(
            manager,
            order_id,
            [_Upload(f"检测报告-{order_id}.pdf", DEMO_PDF)],
            now=at,
            folder=folder,
            max_bytes=10 * 2**20,
            note="报告已出具。",
        )
    elif step == "confirm":
        ops.confirm_receipt(customer, order_id, now=at)
    elif step == "reopen":
        ops.reopen_order(customer, order_id, reason="第 3 号样品数据异常，请复测。", now=at, window_days=15)
