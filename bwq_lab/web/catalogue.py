"""The public catalogue: instruments, lab services and providers. No sign-in needed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_babel import gettext as _
from flask_login import current_user

from bwq_lab import clock
from bwq_lab.domain import catalogue as vocab
from bwq_lab.domain.opening_hours import format_hours
from bwq_lab.edge.messages.bookings import weekday_name
from bwq_lab.edge.templating import locale_code
from bwq_lab.models import Instrument
from bwq_lab.operations import catalogue as ops
from bwq_lab.operations.bookings.availability import next_free_starts
from bwq_lab.operations.regions import cities
from bwq_lab.web.pages import int_arg, page_arg, search_arg

bp = Blueprint("catalogue", __name__)


@bp.record_once
def _template_globals(state) -> None:
    # the home page asks for its counts only when it renders them
    state.app.jinja_env.globals.update(
        catalogue_summary=ops.catalogue_summary,
        duration_words=duration_words,
    )


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _code_arg(name: str, vocabulary: dict) -> str | None:
    value = request.args.get(name) or None
    return value if value in vocabulary else None


# -------------------------------------------------------------------------------- instruments


@bp.get("/instruments")
def instruments():
    q = search_arg()
    filters = dict(
        category=_code_arg("category", vocab.INSTRUMENT_CATEGORIES),
        city_id=int_arg("city"),
        provider_id=int_arg("provider"),
    )
    sort = request.args.get("sort") if request.args.get("sort") in ("relevance", "city", "next_free") else None
    near = int_arg("near") or _home_city()
    now, tz = clock.now(), current_app.config["TIMEZONE"]
    if sort == "next_free":
        page, next_free = _by_next_free(q, filters, now, tz)
    else:
        page = ops.search_instruments(
            q=q, page=page_arg(), per_page=_per_page(), sort=sort, near_city_id=near, **filters
        )
        next_free = next_free_starts(page.items, now, tz=tz)
    provider = ops.get_provider(filters["provider_id"]) if filters["provider_id"] else None
    return render_template(
        "catalogue/instruments.html",
        page=page,
        q=q,
        filters=filters,
        cities=cities(),
        provider=provider,
        sort=sort or "relevance",
        near=near,
        next_free={iid: _slot_words(start) for iid, start in next_free.items()},
    )


#: "Soonest free first" orders the best matches by their next free start (it is computed per
#: instrument, so not over thousands of them).
NEXT_FREE_POOL = 100


def _by_next_free(q, filters, now, tz):
    pool = ops.search_instruments(q=q, page=1, per_page=NEXT_FREE_POOL, **filters)
    starts = next_free_starts(pool.items, now, tz=tz)
    never = now.replace(year=now.year + 100)
    ordered = sorted(pool.items, key=lambda i: (starts.get(i.id, never), i.id))
    number, size = page_arg(), _per_page()
    items = ordered[(number - 1) * size : number * size]
    return ops.Page(items, len(ordered), number, size), {i.id: starts[i.id] for i in items if i.id in starts}


def _slot_words(start) -> str:
    local = start.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return f"{weekday_name(local.weekday())} {local:%m-%d %H:%M}"


def _home_city() -> int | None:
    """The signed-in reader's city (their enterprise's, or an administrator's), for "nearest first"."""
    if not current_user.is_authenticated:
        return None
    if current_user.enterprise is not None:
        return current_user.enterprise.city_id
    return current_user.city_id


@bp.get("/instruments/<int:instrument_id>")
def instrument(instrument_id: int):
    item = ops.public_instrument(instrument_id)
    return render_template("catalogue/instrument.html", instrument=item, rules=rules_in_words(item))


@bp.get("/instruments/<int:instrument_id>/photo")
def instrument_photo(instrument_id: int):
    """Photos live in UPLOAD_FOLDER (never under static/); served for public instruments only."""
    item = ops.public_instrument(instrument_id)
    if not item.photo_path:
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], item.photo_path, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def duration_words(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(h)d h %(m)d min", h=hours, m=rest)
    if hours:
        return _("%(h)d h", h=hours)
    return _("%(m)d min", m=rest)


def rules_in_words(item: Instrument) -> list[str]:
    """The instrument's booking rules as sentences in the reader's language."""
    hours = format_hours(item.opening_hours or [], locale_code())
    rules = [_("Opening hours: %(hours)s.", hours=hours) if hours else _("Open around the clock.")]
    if item.slot_minutes and item.slot_minutes > 1:
        rules.append(_("Bookings start and end on a %(slot)s grid.", slot=duration_words(item.slot_minutes)))
        if item.slot_anchor:
            rules.append(_("Time slots are counted from %(time)s.", time=item.slot_anchor))
    rules.append(
        _(
            "A booking lasts from %(min)s to %(max)s.",
            min=duration_words(item.min_minutes),
            max=duration_words(item.max_minutes),
        )
    )
    if item.min_notice_minutes:
        rules.append(_("Book at least %(notice)s in advance.", notice=duration_words(item.min_notice_minutes)))
    rules.append(_("You can book up to %(days)d days ahead.", days=item.max_days_ahead))
    if item.buffer_minutes:
        rules.append(_("%(buffer)s is kept free after each booking.", buffer=duration_words(item.buffer_minutes)))
    rules.append(
        _("A lab manager approves each request.") if item.approval_required else _("Requests are confirmed at once.")
    )
    if item.qualification_required:
        rules.append(_("Only users with a recorded qualification (training) may book it."))
    if item.weekly_quota_minutes is not None:
        rules.append(_("Each enterprise may book at most %(q)s per week.", q=duration_words(item.weekly_quota_minutes)))
    if item.monthly_quota_minutes is not None:
        rules.append(
            _("Each enterprise may book at most %(q)s per month.", q=duration_words(item.monthly_quota_minutes))
        )
    if item.max_future_bookings is not None:
        rules.append(_("Each user may hold at most %(n)d upcoming bookings.", n=item.max_future_bookings))
    rules.append(_("Free cancellation until %(h)d hours before the start.", h=item.cancel_deadline_hours))
    rules.append(
        _("Innovation vouchers can pay for it.") if item.voucher_eligible else _("Innovation vouchers cannot be used.")
    )
    return rules


# ------------------------------------------------------------------------------------ services


@bp.get("/services")
def services():
    q = search_arg()
    filters = dict(
        kind=_code_arg("kind", vocab.SERVICE_KINDS),
        city_id=int_arg("city"),
        provider_id=int_arg("provider"),
    )
    page = ops.search_services(q=q, page=page_arg(), per_page=_per_page(), **filters)
    return render_template("catalogue/services.html", page=page, q=q, filters=filters, cities=cities())


@bp.get("/services/<int:service_id>")
def service(service_id: int):
    return render_template("catalogue/service.html", service=ops.public_service(service_id))


# ----------------------------------------------------------------------------------- providers


@bp.get("/providers")
def providers():
    q = search_arg()
    filters = dict(kind=_code_arg("kind", vocab.PROVIDER_KINDS), city_id=int_arg("city"))
    page = ops.list_providers(q=q, page=page_arg(), per_page=_per_page(), **filters)
    counts = ops.offer_counts(p.id for p in page.items)
    return render_template("catalogue/providers.html", page=page, q=q, filters=filters, cities=cities(), counts=counts)


@bp.get("/providers/<int:provider_id>")
def provider(provider_id: int):
    item = ops.get_provider(provider_id)
    instruments = ops.search_instruments(provider_id=item.id, page=page_arg(), per_page=50)
    services = ops.search_services(provider_id=item.id, per_page=100)
    return render_template("catalogue/provider.html", provider=item, instruments=instruments, services=services)
