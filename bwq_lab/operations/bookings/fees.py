"""A booking's fee snapshot: taken when it is approved (hourly price × booked hours), kept when it
is moved by the snapshot's own hourly price, and recomputed from the actual use at completion when
the instrument charges by use. Reports and vouchers read ``fee_fen`` only, never today's prices."""

from __future__ import annotations

from bwq_lab.domain import fees
from bwq_lab.models import Booking, Instrument, User

NO_FEE: dict = {"price_tier": None, "unit_price_fen": None, "fee_fen": None, "fee_basis": None}


def _fee(instrument: Instrument, owner: User, minutes: int) -> fees.Fee:
    return fees.booking_fee(
        minutes,
        tier=fees.tier_for(owner.provider_id, instrument.provider_id),
        price_internal_fen=instrument.price_internal_fen,
        price_external_fen=instrument.price_external_fen,
        basis="booked",
    )


def approval_values(instrument: Instrument, owner: User, minutes: int) -> dict:
    """The snapshot's columns for a booking created already approved (the create path inserts)."""
    fee = _fee(instrument, owner, minutes)
    return {
        "price_tier": fee.tier,
        "unit_price_fen": fee.unit_price_fen,
        "fee_fen": fee.fee_fen,
        "fee_basis": fee.basis,
    }


def snapshot_on_approval(booking: Booking, instrument: Instrument, owner: User) -> None:
    _apply(booking, _fee(instrument, owner, booking.minutes))


def follow_move(booking: Booking) -> None:
    """An approved booking moved or shortened: the booked hours changed, the price did not."""
    if booking.unit_price_fen is None or booking.price_tier is None:
        return
    booking.fee_fen = fees.for_minutes(booking.minutes, booking.unit_price_fen)


def settle_on_completion(booking: Booking, instrument: Instrument) -> None:
    """At completion: by use when the instrument charges by use (and the use is recorded)."""
    if booking.unit_price_fen is None:
        snapshot_on_approval(booking, instrument, booking.user)
    minutes = booking.effective_minutes
    if instrument.charge_by_use and minutes is not None:
        booking.fee_fen = fees.for_minutes(minutes, booking.unit_price_fen)
        booking.fee_basis = "used"


def _apply(booking: Booking, fee: fees.Fee) -> None:
    booking.price_tier, booking.unit_price_fen, booking.fee_fen, booking.fee_basis = (
        fee.tier,
        fee.unit_price_fen,
        fee.fee_fen,
        fee.basis,
    )
