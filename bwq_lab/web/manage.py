"""Lab managers publish and edit their provider's instruments and lab services."""

from __future__ import annotations

import os
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bwq_lab import clock
from bwq_lab.domain.opening_hours import format_hours
from bwq_lab.edge.access import role_required
from bwq_lab.edge.images import reencode
from bwq_lab.edge.templating import locale_code
from bwq_lab.extensions import db
from bwq_lab.models import Instrument, LabService
from bwq_lab.models.catalogue import default_opening_hours
from bwq_lab.operations import catalogue as ops
from bwq_lab.operations.bookings.collisions import collisions
from bwq_lab.web.forms.catalogue import InstrumentForm, ServiceForm
from bwq_lab.web.pages import refusals, save_form

bp = Blueprint("manage", __name__, url_prefix="/manage")

# form fields that hold the model's value as it is (the others are converted: yuan, hours, text)
INSTRUMENT_COPY = (
    "name", "name_en", "model", "manufacturer", "category", "capabilities", "location", "description",
    "status", "voucher_eligible", "slot_minutes", "slot_anchor", "min_minutes", "max_minutes", "buffer_minutes",
    "min_notice_minutes", "max_days_ahead", "approval_required", "qualification_required",
    "max_future_bookings", "cancel_deadline_hours", "late_cancellation", "charge_by_use",
)  # fmt: skip
SERVICE_COPY = ("name", "name_en", "kind", "capabilities", "description", "unit", "turnaround_days",
                "voucher_eligible", "status", "min_samples", "max_samples", "daily_capacity", "working_weekdays",
                "sample_requirements", "hazardous_accepted")  # fmt: skip


# -------------------------------------------------------------------------------- instruments


@bp.get("/instruments")
@role_required("manager")
def instruments():
    return render_template("manage/instruments.html", instruments=ops.managed_instruments(current_user))


def instrument_form(instrument: Instrument | None = None) -> InstrumentForm:
    initial = {}
    if instrument is not None:
        initial = {name: getattr(instrument, name) for name in INSTRUMENT_COPY}
        initial.update(
            price_internal=instrument.price_internal_fen,
            price_external=instrument.price_external_fen,
            weekly_quota_hours=instrument.weekly_quota_minutes,
            monthly_quota_hours=instrument.monthly_quota_minutes,
            opening_hours=format_hours(instrument.opening_hours or [], locale_code()),
        )
    else:
        initial["opening_hours"] = format_hours(default_opening_hours(), locale_code())
    return InstrumentForm(data=initial).localize(locale_code(), ops.SLOT_CHOICES)


def _save_instrument(form: InstrumentForm, instrument: Instrument | None):
    """Run the operation; store the photo and commit only when it succeeds. None when refused."""
    data = form.values()
    upload = form.photo.data if form.photo.data and getattr(form.photo.data, "filename", "") else None
    old_photo = instrument.photo_path if instrument is not None else None
    image = None
    if upload is not None:
        # only the re-encoded pixels are kept (edge.images): no metadata, no bytes smuggled after them
        with refusals(form, (422,)) as refused:
            image, ext = reencode(upload.stream)
        if refused:
            return None
        data["photo_path"] = f"instruments/{secrets.token_hex(16)}.{ext}"
    elif form.remove_photo.data:
        data["photo_path"] = None
    with refusals(form, (422,)) as refused:
        if instrument is None:
            saved = ops.create_instrument(current_user, data)
        else:
            saved = ops.update_instrument(current_user, instrument.id, data)
    if refused:
        return None
    folder = current_app.config["UPLOAD_FOLDER"]
    written = None
    if upload is not None:
        written = os.path.join(folder, data["photo_path"])
        os.makedirs(os.path.dirname(written), exist_ok=True)
        with open(written, "wb") as out:
            out.write(image)
    try:
        db.session.commit()
    except Exception:
        if written:
            os.remove(written)
        raise
    if old_photo and "photo_path" in data and data["photo_path"] != old_photo:
        _remove_upload(folder, old_photo)
    return saved


def _remove_upload(folder: str, relative: str) -> None:
    path = os.path.realpath(os.path.join(folder, relative))
    if path.startswith(os.path.realpath(folder) + os.sep) and os.path.isfile(path):
        os.remove(path)


@bp.route("/instruments/new", methods=["GET", "POST"])
@role_required("manager")
def new_instrument():
    form = instrument_form()
    if form.validate_on_submit():
        saved = _save_instrument(form, None)
        if saved is not None:
            flash(_("Instrument published."), "success")
            return redirect(url_for("manage.instruments"))
    elif form.is_submitted():
        form.add_rule_problems(ops.instrument_problems(form.values()))
    return render_template("manage/instrument_form.html", form=form, instrument=None)


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
@role_required("manager")
def edit_instrument(instrument_id: int):
    instrument = ops.instrument_for_editing(current_user, instrument_id)
    form = instrument_form(instrument)
    if form.validate_on_submit():
        saved = _save_instrument(form, instrument)
        if saved is not None:
            flash(_("Instrument saved."), "success")
            stranded = [
                c
                for c in collisions(current_user, instrument_id, clock.now(), tz=current_app.config["TIMEZONE"])
                if "hours" in c.kinds
            ]
            if stranded:  # saved, but not silently: approved bookings now fall outside the hours
                flash(
                    _("%(n)d upcoming bookings now fall outside the opening hours: resolve them.", n=len(stranded)),
                    "error",
                )
                return redirect(url_for("bookings.collisions", instrument_id=instrument_id))
            return redirect(url_for("manage.instruments"))
        instrument = ops.instrument_for_editing(current_user, instrument_id)
    elif form.is_submitted():
        form.add_rule_problems(ops.instrument_problems(form.values()))
    return render_template("manage/instrument_form.html", form=form, instrument=instrument)


# ----------------------------------------------------------------------------------- services


@bp.get("/services")
@role_required("manager")
def services():
    return render_template("manage/services.html", services=ops.managed_services(current_user))


def service_form(service: LabService | None = None) -> ServiceForm:
    initial: dict = {}
    if service is not None:
        initial = {name: getattr(service, name) for name in SERVICE_COPY}
        initial["price_internal"] = service.price_internal_fen
        initial["price_external"] = service.price_external_fen
    return ServiceForm(data=initial).localize(locale_code())


@bp.route("/services/new", methods=["GET", "POST"])
@role_required("manager")
def new_service():
    form = service_form()
    if form.validate_on_submit():
        if save_form(form, ops.create_service, ops.update_service, None) is not None:
            flash(_("Lab service published."), "success")
            return redirect(url_for("manage.services"))
    elif form.is_submitted():
        form.add_rule_problems(ops.service_problems(form.values()))
    return render_template("manage/service_form.html", form=form, service=None)


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@role_required("manager")
def edit_service(service_id: int):
    service = ops.service_for_editing(current_user, service_id)
    form = service_form(service)
    if form.validate_on_submit():
        if save_form(form, ops.create_service, ops.update_service, service) is not None:
            flash(_("Lab service saved."), "success")
            return redirect(url_for("manage.services"))
        service = ops.service_for_editing(current_user, service_id)
    elif form.is_submitted():
        form.add_rule_problems(ops.service_problems(form.values()))
    return render_template("manage/service_form.html", form=form, service=service)
