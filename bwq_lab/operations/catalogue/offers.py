"""Instruments and lab services one by one: the public view of one, what a manager may edit, and
publishing and editing them (managers for their provider, province administrators for any).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from bwq_lab.extensions import db
from bwq_lab.models import Instrument, LabService, Provider, User
from bwq_lab.operations.catalogue.values import instrument_values, service_values
from bwq_lab.refusals import Problem, Refusal, forbidden, not_found


@functools.cache
def _public_statement(model):
    """Built once per model (the booking page asks on every request): building and cache-keying
    a select with its eager loads cost more than running it."""
    return (
        select(model)
        .where(model.id == bindparam("object_id"))
        .options(joinedload(model.provider).joinedload(Provider.city))
    )


def _public(model, object_id: int, missing: str):
    """An instrument or lab service as the public catalogue shows it (with its provider and
    city, in the same query); retired ones are gone from the public view."""
    row = db.session.execute(_public_statement(model), {"object_id": object_id}).scalar_one_or_none()
    if row is None or row.status == "retired":
        raise not_found(missing)
    return row


def public_instrument(instrument_id: int) -> Instrument:
    return _public(Instrument, instrument_id, "catalogue.no_such_instrument")


def public_service(service_id: int) -> LabService:
    return _public(LabService, service_id, "catalogue.no_such_service")


def managed_instruments(actor: User) -> list[Instrument]:
    """Every instrument the manager may edit, retired ones included."""
    if not actor.is_manager or actor.provider_id is None:
        return []
    query = select(Instrument).where(Instrument.provider_id == actor.provider_id)
    if not actor.manages_all:
        query = query.where(Instrument.managers.any(User.id == actor.id))
    return list(db.session.execute(query.order_by(Instrument.name, Instrument.id)).scalars())


def managed_services(actor: User) -> list[LabService]:
    if not actor.is_manager or actor.provider_id is None:
        return []
    query = select(LabService).where(LabService.provider_id == actor.provider_id)
    if not actor.manages_all:
        query = query.where(LabService.managers.any(User.id == actor.id))
    return list(db.session.execute(query.order_by(LabService.name, LabService.id)).scalars())


def instrument_for_editing(actor: User, instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        raise not_found("catalogue.no_such_instrument")
    if not (actor.is_province_admin or actor.manages_instrument(instrument)):
        raise forbidden("catalogue.not_your_instrument")
    return instrument


def service_for_editing(actor: User, service_id: int) -> LabService:
    service = db.session.get(LabService, service_id)
    if service is None:
        raise not_found("catalogue.no_such_service")
    if not (actor.is_province_admin or actor.manages_service(service)):
        raise forbidden("catalogue.not_your_service")
    return service


def _provider_for_new_item(actor: User, data: Mapping[str, Any]) -> int:
    if actor.is_manager and actor.provider_id is not None:
        return actor.provider_id
    if actor.is_province_admin:
        provider_id = data.get("provider_id")
        if not isinstance(provider_id, int) or db.session.get(Provider, provider_id) is None:
            raise Refusal(422, [Problem("INVALID", field="provider_id", wording="catalogue.choose_provider")])
        return provider_id
    raise forbidden("catalogue.managers_publish")


def create_instrument(actor: User, data: Mapping[str, Any]) -> Instrument:
    provider_id = _provider_for_new_item(actor, data)
    instrument = Instrument(provider_id=provider_id, **instrument_values(data))
    db.session.add(instrument)
    if actor.is_manager and not actor.manages_all:
        actor.instruments.append(instrument)  # a manager keeps what they publish
    db.session.flush()
    return instrument


def update_instrument(actor: User, instrument_id: int, data: Mapping[str, Any]) -> Instrument:
    instrument = instrument_for_editing(actor, instrument_id)
    for key, value in instrument_values(data).items():
        setattr(instrument, key, value)
    db.session.flush()
    return instrument


def create_service(actor: User, data: Mapping[str, Any]) -> LabService:
    provider_id = _provider_for_new_item(actor, data)
    service = LabService(provider_id=provider_id, **service_values(data))
    db.session.add(service)
    if actor.is_manager and not actor.manages_all:
        actor.services.append(service)
    db.session.flush()
    return service


def update_service(actor: User, service_id: int, data: Mapping[str, Any]) -> LabService:
    service = service_for_editing(actor, service_id)
    for key, value in service_values(data).items():
        setattr(service, key, value)
    db.session.flush()
    return service
