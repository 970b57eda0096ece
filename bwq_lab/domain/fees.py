"""Fees (integer fen, never floats): what a booking or an order costs, as a snapshot the reports
and innovation vouchers read later.

- Lab-service orders: price per unit × units (``domain.orders.quote``), taken on acceptance.
- Bookings: the hourly price × the booked hours when the booking is approved; recomputed from the
  actual use (check-in to check-out) at completion when the instrument charges by use.

The internal price is for the provider's own staff, the external one for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

TIERS = ("internal", "external")


@dataclass(frozen=True)
class Fee:
    tier: str  # internal | external
    unit_price_fen: int  # per hour (bookings) or per unit (orders)
    fee_fen: int
    basis: str  # booked | used | units


def tier_for(user_provider_id: int | None, seller_provider_id: int) -> str:
    return "internal" if user_provider_id is not None and user_provider_id == seller_provider_id else "external"


def for_minutes(minutes: int, hourly_fen: int) -> int:
    """``hourly_fen`` × ``minutes`` / 60, rounded half up to a whole fen."""
    if minutes < 0 or hourly_fen < 0:
        raise ValueError("minutes and prices are never negative")
    return (hourly_fen * minutes * 2 + 60) // 120


def booking_fee(minutes: int, *, tier: str, price_internal_fen: int, price_external_fen: int, basis: str) -> Fee:
    hourly = price_internal_fen if tier == "internal" else price_external_fen
    return Fee(tier, hourly, for_minutes(minutes, hourly), basis)
