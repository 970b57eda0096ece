"""Reminder and warning jobs: operations say who is due a notice; these queue the e-mail (a
template and its facts, rendered at delivery in each recipient's language, see ``bwq_lab.mail``)
and mark it sent, in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from bwq_lab import mail
from bwq_lab.domain import periods
from bwq_lab.operations import job_notices as notices


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _local(instant: datetime) -> str:
    return instant.astimezone(_tz()).strftime("%Y-%m-%d %H:%M")


def _contact(provider) -> str:
    return " ".join(x for x in (provider.contact_name, provider.contact_email, provider.contact_phone) if x)


def qualification_warnings(now: datetime) -> dict[str, int]:
    """Warn each holder ``QUALIFICATION_WARNING_DAYS`` (7) before a qualification expires."""
    ahead = timedelta(days=int(current_app.config.get("QUALIFICATION_WARNING_DAYS") or 7))
    sent = 0
    for q in notices.expiring_qualifications(now, ahead):
        instrument, provider = q.instrument, q.instrument.provider
        mail.queue_template(
            [(q.user.email, q.user.locale)],
            "qualification_expiring",
            name=q.user.name,
            instrument_id=instrument.id,
            instrument=instrument.name,
            instrument_en=instrument.name_en or instrument.name,
            model=instrument.model or "",
            provider=provider.name,
            provider_en=provider.name_en or provider.name,
            location=" ".join(x for x in (provider.address, instrument.location or "") if x),
            contact=_contact(provider),
            expires=_local(q.expires_at),
        )
        notices.claim(notices.QUALIFICATION_EXPIRY, q.id, notices.key_of(q.expires_at), now)
        sent += 1
    return {"warned": sent}


def booking_reminders(now: datetime) -> dict[str, int]:
    """Remind each user ``BOOKING_REMINDER_HOURS`` (24) before an approved session, once per start."""
    from bwq_lab.operations.bookings.notifications import booking_facts

    ahead = timedelta(hours=float(current_app.config.get("BOOKING_REMINDER_HOURS") or 24))
    sent = 0
    for booking in notices.due_booking_reminders(now, ahead):
        provider = booking.instrument.provider
        mail.queue_template(
            [(booking.user.email, booking.user.locale)],
            "booking_reminder",
            name=booking.user.name,
            contact=_contact(provider),
            **booking_facts(booking, booking.instrument),
        )
        notices.claim(notices.BOOKING_REMINDER, booking.id, notices.key_of(booking.start_at), now)
        sent += 1
    return {"reminded": sent}


def order_reminders(now: datetime) -> dict[str, int]:
    """Remind the enterprise user ``ORDER_REMINDER_DAYS`` (1) before an open order's promised
    completion date, once per promised date."""
    from bwq_lab.operations.orders.notify import language_of, order_facts

    days = int(current_app.config.get("ORDER_REMINDER_DAYS") or 1)
    sent = 0
    for order in notices.due_order_reminders(now, _tz(), days):
        provider = order.service.provider
        mail.queue_template(
            [(order.user.email, language_of(order.user))],
            "order_reminder",
            name=order.user.name,
            provider=provider.name,
            provider_en=provider.name_en or provider.name,
            location=provider.address or "",
            contact=_contact(provider),
            first_day=order.first_day.isoformat() if order.first_day else None,
            retest_days=int(current_app.config["ORDER_RETEST_DAYS"]),
            **order_facts(order),
        )
        notices.claim(notices.ORDER_REMINDER, order.id, order.promised_date.isoformat(), now)
        sent += 1
    return {"reminded": sent}


def _order_row(o) -> dict:
    return {
        "order_id": o.id,
        "service": o.service.name,
        "service_en": o.service.name_en or o.service.name,
        "samples": o.samples,
        "customer": o.user.name,
        "customer_email": o.user.email,
        "enterprise": o.enterprise.name if o.enterprise else "",
        "submitted": _local(o.created_at),
        "first_day": o.first_day.isoformat() if o.first_day else None,
        "promised_date": o.promised_date.isoformat() if o.promised_date else None,
        "status": str(o.status),
    }


def _digest_row(b) -> dict:
    return {
        "booking_id": b.id,
        "instrument": b.instrument.name,
        "instrument_en": b.instrument.name_en or b.instrument.name,
        "start": b.start_at.isoformat(),
        "end": b.end_at.isoformat(),
        "requester": b.user.name,
        "requester_email": b.user.email,
        "requested": _local(b.created_at),
    }


def manager_digests(now: datetime) -> dict[str, int]:
    """Each manager's daily list of requests waiting longer than ``DIGEST_PENDING_HOURS`` (24),
    sessions whose use to confirm, and lab-service orders waiting to be accepted, received or
    delivered."""
    older = timedelta(hours=float(current_app.config.get("DIGEST_PENDING_HOURS") or 24))
    day = now.astimezone(_tz()).date().isoformat()
    sent = 0
    for digest in notices.manager_digests(now, older, day):
        manager = digest.manager
        mail.queue_template(
            [(manager.email, manager.locale)],
            "manager_digest",
            name=manager.name,
            older_hours=int(older.total_seconds() // 3600),
            bookings=[_digest_row(b) for b in digest.bookings],
            to_confirm=[_digest_row(b) for b in digest.to_confirm],
            today=day,
            orders_to_accept=[_order_row(o) for o in digest.orders_to_accept],
            orders_to_receive=[_order_row(o) for o in digest.orders_to_receive],
            orders_to_deliver=[_order_row(o) for o in digest.orders_to_deliver],
        )
        notices.claim(notices.MANAGER_DIGEST, manager.id, day, now)
        sent += 1
    return {"digests": sent}


#: the figures the monthly summary shows, in order (their words: templates/mail/monthly_summary.txt)
SUMMARY_FIGURES = (
    "sessions",
    "booked_hours",
    "effective_hours",
    "utilisation",
    "no_shows",
    "batches",
    "samples",
    "service_records",
    "enterprises",
    "enterprise_visits",
    "staff",
    "revenue_internal_fen",
    "revenue_external_fen",
)


def monthly_summaries(now: datetime) -> dict[str, int]:
    """The previous local month's figures (``reports.figures.summary``, nothing counted here) to
    each provider's managers, each city admin and each county admin, once per reader and month:
    a run on any later day of the month (a catch-up, or by hand) sends what is still unsent."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.scope import Scope

    tz = _tz()
    last_day = now.astimezone(tz).date().replace(day=1) - timedelta(days=1)
    first_day = last_day.replace(day=1)
    month = f"{first_day:%Y-%m}"
    totals: dict[tuple[str, int], dict] = {}
    sent = 0
    for reader in notices.monthly_summary_readers(month):
        scope = (reader.level, reader.object_id)
        if scope not in totals:  # the managers of one provider share one count
            totals[scope] = summary(db.session, Scope(*scope), first_day, last_day, tz=tz).totals
        mail.queue_template(
            [(reader.user.email, reader.user.locale)],
            "monthly_summary",
            name=reader.user.name,
            month=month,
            first_day=first_day.isoformat(),
            last_day=last_day.isoformat(),
            level=reader.level,
            scope=reader.name,
            scope_en=reader.name_en,
            figures={name: totals[scope][name] for name in SUMMARY_FIGURES},
        )
        notices.claim(notices.MONTHLY_SUMMARY, reader.user.id, month, now)
        sent += 1
    return {"sent": sent}


def quarterly_reports(now: datetime) -> dict[str, int]:
    """When a quarter has ended: each provider that served anyone in it gets its quarterly carrier
    report (载体季度报送) as an Excel attachment, made at delivery in each manager's language, sent
    to the managers of the whole provider once per quarter (a later run sends what is unsent)."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.scope import PROVINCE

    tz = _tz()
    year, quarter = periods.previous_quarter(now.astimezone(tz).date())
    first_day, last_day = periods.quarter_days(year, quarter)
    counted = summary(
        db.session, PROVINCE, first_day, last_day, group_by="provider", tz=tz,
        figures=("sessions", "batches", "service_records"),
    )  # fmt: skip
    active = {
        group.key: (group.name, group.name_en or group.name)
        for group in counted.groups
        if any(group.figures.get(name) for name in ("sessions", "batches", "service_records"))
    }
    key = f"{year}Q{quarter}"
    sent = 0
    for manager in notices.quarterly_report_readers(sorted(active), key):
        mail.queue_template(
            [(manager.email, manager.locale)],
            "quarterly_report",
            attachments=[
                {"kind": "quarterly_report", "provider_id": manager.provider_id, "year": year, "quarter": quarter}
            ],
            name=manager.name,
            provider=active[manager.provider_id][0],
            provider_en=active[manager.provider_id][1],
            year=year,
            quarter=quarter,
            first_day=first_day.isoformat(),
            last_day=last_day.isoformat(),
        )
        notices.claim(notices.QUARTERLY_REPORT, manager.id, key, now)
        sent += 1
    return {"sent": sent}
