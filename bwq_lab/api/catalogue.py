"""The public catalogue API: instruments, lab services and providers (no sign-in needed)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint

from bwq_lab.api.schemas import (
    InstrumentDetailSchema,
    InstrumentPageSchema,
    InstrumentQueryArgs,
    LabServiceDetailSchema,
    LabServicePageSchema,
    ProviderPageSchema,
    ProviderQueryArgs,
    ProviderSchema,
    ServiceQueryArgs,
)
from bwq_lab.errors import OperationError, Problem
from bwq_lab.operations import catalogue as ops

blp = Blueprint("api_catalogue", __name__, url_prefix="/api/v1", description="Instruments, lab services, providers")


def _city_id(value: str | None, field: str = "city") -> int | None:
    if value is None or not value.strip():
        return None
    city = ops.city_by_id_or_name(value)
    if city is None:
        raise OperationError(422, [Problem("INVALID", _("Unknown city: %(city)s.", city=value), field)])
    return city.id


def _page(page: ops.Page) -> dict:
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/instruments", methods=["GET"])
@blp.arguments(InstrumentQueryArgs, location="query", as_kwargs=True)
@blp.doc(security=[])  # public: no credentials needed
@blp.response(200, InstrumentPageSchema)
def list_instruments(q, city, category, provider, status, page, per_page, sort, near):
    """Search instruments (retired ones are never listed).

    `q` understands abbreviations and synonyms (电镜, 透射电镜 = TEM, 核磁 = NMR, 液质 = LC-MS...)
    and makers' Chinese and English names; results come by relevance (where the words matched:
    name, model, maker, capability, provider) or, with `sort=city`, nearest city first."""
    return _page(
        ops.search_instruments(
            q=q,
            category=category,
            city_id=_city_id(city),
            provider_id=provider,
            status=status,
            page=page,
            per_page=per_page,
            sort=sort,
            near_city_id=_city_id(near, "near"),
        )
    )


@blp.route("/instruments/<int:instrument_id>", methods=["GET"])
@blp.doc(security=[])  # public: no credentials needed
@blp.response(200, InstrumentDetailSchema)
def get_instrument(instrument_id: int):
    """One instrument with its provider and booking rules."""
    return ops.public_instrument(instrument_id)


@blp.route("/lab-services", methods=["GET"])
@blp.arguments(ServiceQueryArgs, location="query", as_kwargs=True)
@blp.doc(security=[])  # public: no credentials needed
@blp.response(200, LabServicePageSchema)
def list_services(q, city, kind, provider, page, per_page):
    """Search lab services (retired ones are never listed)."""
    return _page(
        ops.search_services(q=q, kind=kind, city_id=_city_id(city), provider_id=provider, page=page, per_page=per_page)
    )


@blp.route("/lab-services/<int:service_id>", methods=["GET"])
@blp.doc(security=[])  # public: no credentials needed
@blp.response(200, LabServiceDetailSchema)
def get_service(service_id: int):
    """One lab service."""
    return ops.public_service(service_id)


@blp.route("/providers", methods=["GET"])
@blp.arguments(ProviderQueryArgs, location="query", as_kwargs=True)
@blp.doc(security=[])  # public: no credentials needed
@blp.response(200, ProviderPageSchema)
def list_providers(q, city, kind, page, per_page):
    """Providers (universities, institutes, innovation complexes...)."""
    return _page(ops.list_providers(q=q, kind=kind, city_id=_city_id(city), page=page, per_page=per_page))


@blp.route("/providers/<int:provider_id>", methods=["GET"])
@blp.doc(security=[])  # public: no credentials needed
@blp.response(200, ProviderSchema)
def get_provider(provider_id: int):
    """One provider."""
    return ops.get_provider(provider_id)
