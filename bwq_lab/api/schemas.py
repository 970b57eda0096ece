"""Marshmallow schemas of the catalogue API. Only public facts: names, prices (integer fen),
booking rules and the providers' public contacts; never users, managers or bookings."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from marshmallow import Schema, fields, validate

from bwq_lab.domain import catalogue as vocab
from bwq_lab.domain.opening_hours import format_hours
from bwq_lab.edge.templating import locale_code
from bwq_lab.operations.catalogue import MAX_PER_PAGE, PUBLIC_INSTRUMENT_STATUSES


class LocalDateTime(fields.DateTime):
    """ISO 8601 with the offset of the configured zone (``2026-12-01T09:00:00+08:00``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        local = value.astimezone(zone)
        offset = local.utcoffset()
        if offset is not None and offset.seconds % 60:
            # before ~1900 the zone database gives local mean time (Shanghai +08:05:43), which
            # RFC 3339 cannot carry: use the zone's standard offset instead
            local = value.astimezone(timezone(zone.utcoffset(datetime(2000, 1, 1))))
        return local.isoformat()


class SameObject(fields.Nested):
    """Nests a group of the object's own fields under one key (e.g. ``booking_rules``)."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj


def _label(vocabulary: dict, attr: str) -> fields.Function:
    return fields.Function(lambda obj: vocab.label(vocabulary, getattr(obj, attr), locale_code()))


# ------------------------------------------------------------------------------------ query args


class _QueryArgs(Schema):
    q = fields.Str(load_default=None, validate=validate.Length(max=100), metadata={"description": "keyword, zh or en"})
    city = fields.Str(
        load_default=None, metadata={"description": "city id, or its Chinese or English name (杭州, Hangzhou)"}
    )
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class InstrumentQueryArgs(_QueryArgs):
    category = fields.Str(load_default=None, validate=validate.OneOf(list(vocab.INSTRUMENT_CATEGORIES)))
    sort = fields.Str(
        load_default=None,
        validate=validate.OneOf(["relevance", "city"]),
        metadata={"description": "relevance (default with q) or city (nearest to `near` first)"},
    )
    near = fields.Str(load_default=None, metadata={"description": "City id or name for sort=city"})
    provider = fields.Int(load_default=None, validate=validate.Range(min=1))
    status = fields.Str(load_default=None, validate=validate.OneOf(PUBLIC_INSTRUMENT_STATUSES))


class ServiceQueryArgs(_QueryArgs):
    kind = fields.Str(load_default=None, validate=validate.OneOf(list(vocab.SERVICE_KINDS)))
    provider = fields.Int(load_default=None, validate=validate.Range(min=1))


class ProviderQueryArgs(_QueryArgs):
    kind = fields.Str(load_default=None, validate=validate.OneOf(list(vocab.PROVIDER_KINDS)))


# ------------------------------------------------------------------------------------- objects


class RegionSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    name_en = fields.Str()


class ProviderBriefSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    name_en = fields.Str()
    kind = fields.Str()
    kind_label = _label(vocab.PROVIDER_KINDS, "kind")
    city = fields.Nested(RegionSchema)


class ProviderSchema(ProviderBriefSchema):
    region = fields.Nested(RegionSchema, metadata={"description": "county or district (the city when unknown)"})
    address = fields.Str()
    contact_name = fields.Str()
    contact_phone = fields.Str()
    contact_email = fields.Str()
    website = fields.Str()
    description = fields.Str()
    url = fields.Function(lambda p: url_for("catalogue.provider", provider_id=p.id, _external=True))


class BookingRulesSchema(Schema):
    timezone = fields.Function(lambda _obj: current_app.config["TIMEZONE"])
    opening_hours = fields.List(
        fields.Tuple((fields.Int(), fields.Str(), fields.Str())),
        metadata={"description": '[[weekday (0=Monday), "HH:MM", "HH:MM"], ...]; empty = around the clock'},
    )
    opening_hours_text = fields.Function(lambda i: format_hours(i.opening_hours or [], locale_code()))
    slot_minutes = fields.Int()
    slot_anchor = fields.Str(
        allow_none=True,
        metadata={"description": '"HH:MM": slots are counted from this time; null = from each opening\'s start'},
    )
    min_minutes = fields.Int()
    max_minutes = fields.Int()
    buffer_minutes = fields.Int()
    min_notice_minutes = fields.Int()
    max_days_ahead = fields.Int()
    approval_required = fields.Bool()
    qualification_required = fields.Bool()
    weekly_quota_minutes = fields.Int(allow_none=True)
    monthly_quota_minutes = fields.Int(allow_none=True)
    max_future_bookings = fields.Int(allow_none=True)
    cancel_deadline_hours = fields.Int()
    late_cancellation = fields.Str(metadata={"description": "refuse or allow (counted as late)"})


class InstrumentSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    name_en = fields.Str()
    model = fields.Str()
    manufacturer = fields.Str()
    category = fields.Str()
    category_label = _label(vocab.INSTRUMENT_CATEGORIES, "category")
    status = fields.Str()
    price_internal_fen = fields.Int(metadata={"description": "per hour, integer fen"})
    price_external_fen = fields.Int(metadata={"description": "per hour, integer fen"})
    charge_by_use = fields.Bool(metadata={"description": "the fee follows the actual use, not the booked hours"})
    voucher_eligible = fields.Bool()
    provider = fields.Nested(ProviderBriefSchema)
    url = fields.Function(lambda i: url_for("catalogue.instrument", instrument_id=i.id, _external=True))
    updated_at = LocalDateTime()


class InstrumentDetailSchema(InstrumentSchema):
    capabilities = fields.Str()
    location = fields.Str()
    description = fields.Str()
    photo_url = fields.Function(
        lambda i: url_for("catalogue.instrument_photo", instrument_id=i.id, _external=True) if i.photo_path else None
    )
    booking_rules = SameObject(BookingRulesSchema)


class LabServiceSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    name_en = fields.Str()
    kind = fields.Str()
    kind_label = _label(vocab.SERVICE_KINDS, "kind")
    unit = fields.Str()
    price_internal_fen = fields.Int(metadata={"description": "per unit, integer fen, for the provider's own staff"})
    price_external_fen = fields.Int(metadata={"description": "per unit, integer fen"})
    turnaround_days = fields.Int(metadata={"description": "report days: working days after the last processing day"})
    min_samples = fields.Int()
    max_samples = fields.Int()
    daily_capacity = fields.Int(metadata={"description": "samples (or jobs) per working day"})
    working_weekdays = fields.List(fields.Int(), metadata={"description": "0 = Monday"})
    hazardous_accepted = fields.Bool()
    voucher_eligible = fields.Bool()
    status = fields.Str()
    provider = fields.Nested(ProviderBriefSchema)
    url = fields.Function(lambda s: url_for("catalogue.service", service_id=s.id, _external=True))
    updated_at = LocalDateTime()


class LabServiceDetailSchema(LabServiceSchema):
    capabilities = fields.Str()
    description = fields.Str()
    sample_requirements = fields.Str()


def staff_id_field(description: str) -> fields.Int:
    """An optional staff member (科技人员) named by a manager; the operation checks it is theirs."""
    return fields.Int(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1),
        metadata={"description": description},
    )  # fmt: skip


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A list answer: ``{"items": [...], "total": N, "page": P, "per_page": K}``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Int(),
            "page": fields.Int(),
            "per_page": fields.Int(),
        },
        name=name,
    )


InstrumentPageSchema = page_of(InstrumentSchema, "InstrumentPage")
LabServicePageSchema = page_of(LabServiceSchema, "LabServicePage")
ProviderPageSchema = page_of(ProviderSchema, "ProviderPage")
