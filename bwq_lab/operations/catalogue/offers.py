"""Instruments and lab services one by one: the public view of one, what a manager may edit, and
publishing and editing them (managers for their provider, province administrators for any).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Kind:
    """What differs between an instrument and a lab service here: the model, its stored values,
    the manager's list of them and the codes of refusal. Everything else is one code path."""

    model: type
    values: Callable[[Mapping[str, Any]], dict[str, Any]]
    managed: str  # the User relationship listing what a (not all-managing) manager keeps
    missing: str
    not_yours: str
    manages: Callable[[User, Any], bool]  # the User's own test: may this manager edit it?


_INSTRUMENT = _Kind(
    Instrument,
    instrument_values,
    "instruments",
    "catalogue.no_such_instrument",
    "catalogue.not_your_instrument",
    User.manages_instrument,
)
_SERVICE = _Kind(
    LabService,
    service_values,
    "services",
    "catalogue.no_such_service",
    "catalogue.not_your_service",
    User.manages_service,
)


def _managed(kind: _Kind, actor: User) -> list:
    """Every item of the kind the manager may edit, retired ones included."""
    if not actor.is_manager or actor.provider_id is None:
        return []
    model = kind.model
    query = select(model).where(model.provider_id == actor.provider_id)
    if not actor.manages_all:
        query = query.where(model.managers.any(User.id == actor.id))
    return list(db.session.execute(query.order_by(model.name, model.id)).scalars())


def _for_editing(kind: _Kind, actor: User, item_id: int):
    item = db.session.get(kind.model, item_id)
    if item is None:
        raise not_found(kind.missing)
    if not (actor.is_province_admin or kind.manages(actor, item)):
        raise forbidden(kind.not_yours)
    return item


def _provider_for_new_item(actor: User, data: Mapping[str, Any]) -> int:
    if actor.is_manager and actor.provider_id is not None:
        return actor.provider_id
    if actor.is_province_admin:
        provider_id = data.get("provider_id")
        if not isinstance(provider_id, int) or db.session.get(Provider, provider_id) is None:
            raise Refusal(422, [Problem("INVALID", field="provider_id", wording="catalogue.choose_provider")])
        return provider_id
    raise forbidden("catalogue.managers_publish")


def _create(kind: _Kind, actor: User, data: Mapping[str, Any]):
    item = kind.model(provider_id=_provider_for_new_item(actor, data), **kind.values(data))
    db.session.add(item)
    if actor.is_manager and not actor.manages_all:
        getattr(actor, kind.managed).append(item)  # a manager keeps what they publish
    db.session.flush()
    return item


def _update(kind: _Kind, actor: User, item_id: int, data: Mapping[str, Any]):
    item = _for_editing(kind, actor, item_id)
    for key, value in kind.values(data).items():
        setattr(item, key, value)
    db.session.flush()
    return item


def managed_instruments(actor: User) -> list[Instrument]:
    return _managed(_INSTRUMENT, actor)


def managed_services(actor: User) -> list[LabService]:
    return _managed(_SERVICE, actor)


def instrument_for_editing(actor: User, instrument_id: int) -> Instrument:
    return _for_editing(_INSTRUMENT, actor, instrument_id)


def service_for_editing(actor: User, service_id: int) -> LabService:
    return _for_editing(_SERVICE, actor, service_id)


def create_instrument(actor: User, data: Mapping[str, Any]) -> Instrument:
    return _create(_INSTRUMENT, actor, data)


def update_instrument(actor: User, instrument_id: int, data: Mapping[str, Any]) -> Instrument:
    return _update(_INSTRUMENT, actor, instrument_id, data)


def create_service(actor: User, data: Mapping[str, Any]) -> LabService:
    return _create(_SERVICE, actor, data)


def update_service(actor: User, service_id: int, data: Mapping[str, Any]) -> LabService:
    return _update(_SERVICE, actor, service_id, data)
