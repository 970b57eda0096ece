"""The rows the figures' rollup is made of (``operations.rollup``, ``operations.rollup_items``): each
counted session, batch and service record with its local day and what it adds to each sum."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select

from bwq_lab.models import Booking, Instrument, ServiceOrder, ServiceRecord
from bwq_lab.models.reports import PROVINCIAL_PROJECT_PAID_FEN
from bwq_lab.models.rollup import SUMS
from bwq_lab.reports.local_time import LocalCalendar, minutes_between

#: the period a whole rebuild's local days are computed for (SQLite: a fixed offset through it)
EVERYTHING = (date(1992, 1, 1), date(2099, 12, 31))
#: the sessions the figures count: completed ones, and no-shows (booked hours, the no-show rate)
COUNTED_SESSIONS = ("completed", "no_show")


def counted_rows(dialect: str, calendar: LocalCalendar) -> dict:
    """Every counted row of each source (``sessions``: completed and no-show, ``batches``:
    delivered, ``records``) as ``(enterprise_id, provider_id, day, <the sums' columns>)``, ``day``
    local; a caller narrows them with ``where`` on the sources' own columns."""
    completed = Booking.status == "completed"
    used = and_(completed, Booking.checked_in_at.is_not(None), Booking.checked_out_at.is_not(None))
    external = or_(
        Booking.price_tier == "external", and_(Booking.price_tier.is_(None), Booking.enterprise_id.is_not(None))
    )
    effective = minutes_between(dialect, Booking.checked_in_at, Booking.checked_out_at)
    zero, one = literal(0), literal(1)
    fee = func.coalesce(Booking.fee_fen, 0)
    order_fee = func.coalesce(ServiceOrder.fee_fen, 0)
    signed = ServiceRecord.agreement_signed.is_(True)
    nothing = dict.fromkeys(SUMS, zero)

    def row(enterprise, provider, day, **sums):
        values = {**nothing, **sums}
        return (enterprise.label("enterprise_id"), provider.label("provider_id"), day.label("day")) + tuple(
            values[name].label(name) for name in SUMS
        )

    sessions = (
        select(
            *row(
                Booking.enterprise_id,
                Instrument.provider_id,
                calendar.day(Booking.start_at),
                services=case((completed, one), else_=zero),
                sessions=case((completed, one), else_=zero),
                no_shows=case((Booking.status == "no_show", one), else_=zero),
                booked_minutes=minutes_between(dialect, Booking.start_at, Booking.end_at),
                effective_minutes=case((used, effective), else_=zero),
                external_minutes=case((and_(used, external), effective), else_=zero),
                session_internal_fen=case((and_(completed, Booking.price_tier == "internal"), fee), else_=zero),
                session_external_fen=case((and_(completed, Booking.price_tier == "external"), fee), else_=zero),
            )
        )
        .join(Instrument, Instrument.id == Booking.instrument_id)
        .where(Booking.status.in_(COUNTED_SESSIONS))
    )
    batches = select(
        *row(
            ServiceOrder.enterprise_id,
            ServiceOrder.provider_id,
            calendar.day(ServiceOrder.first_delivered_at),
            services=one,
            batches=one,
            samples=ServiceOrder.samples,
            batch_internal_fen=case((ServiceOrder.price_tier == "internal", order_fee), else_=zero),
            batch_external_fen=case((ServiceOrder.price_tier == "external", order_fee), else_=zero),
        )
    ).where(ServiceOrder.first_delivered_at.is_not(None))
    records = select(
        *row(
            ServiceRecord.enterprise_id,
            ServiceRecord.provider_id,
            calendar.plain_day(ServiceRecord.day),
            services=one,
            records=one,
            record_minutes=ServiceRecord.minutes,
            agreements=case((signed, one), else_=zero),
            agreements_paid_fen=case((signed, ServiceRecord.paid_fen), else_=zero),
            provincial_projects=case(
                (and_(signed, ServiceRecord.paid_fen >= PROVINCIAL_PROJECT_PAID_FEN), one),
                else_=zero,
            ),
            results=ServiceRecord.results_count,
        )
    )
    return {"sessions": sessions, "batches": batches, "records": records}
