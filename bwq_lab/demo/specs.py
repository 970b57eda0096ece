"""What a demo plan is made of: plain frozen records of the providers, their instruments and lab
services, the enterprises and the demo logins (no rows, no database).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str


@dataclass(frozen=True)
class InstrumentSpec:
    name: str
    name_en: str
    model: str
    manufacturer: str
    category: str
    capabilities: str
    location: str
    description: str
    status: str
    price_internal_fen: int
    price_external_fen: int
    voucher_eligible: bool
    opening_hours: tuple[tuple[int, str, str], ...]
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    max_days_ahead: int
    approval_required: bool
    qualification_required: bool
    weekly_quota_minutes: int | None
    monthly_quota_minutes: int | None
    max_future_bookings: int | None
    cancel_deadline_hours: int


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    name_en: str
    kind: str
    capabilities: str
    description: str
    unit: str
    price_internal_fen: int
    price_external_fen: int
    turnaround_days: int  # report days: working days after the last processing day
    voucher_eligible: bool
    status: str
    min_samples: int
    max_samples: int
    daily_capacity: int
    sample_requirements: str
    hazardous_accepted: bool


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    name: str
    name_en: str
    kind: str
    city_code: str
    county: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    description: str
    instruments: tuple[InstrumentSpec, ...]
    services: tuple[ServiceSpec, ...]


@dataclass(frozen=True)
class EnterpriseSpec:
    name: str
    uscc: str
    city_code: str
    county: str
    category: str


@dataclass(frozen=True)
class DemoPlan:
    providers: tuple[ProviderSpec, ...]
    enterprises: tuple[EnterpriseSpec, ...]
