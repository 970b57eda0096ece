"""The provider's staff roster and its service records: pages for lab managers (enter, edit,
delete), and the records list their readers share (the enterprise sees its own, administrators
their region's)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from bwq_lab import clock
from bwq_lab.edge.access import role_required
from bwq_lab.edge.templating import locale_code
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.models import ServiceRecord, Staff
from bwq_lab.operations import service_records as records
from bwq_lab.operations import staff as staff_ops
from bwq_lab.web.forms.bookings import ActionForm
from bwq_lab.web.forms.records import RecordFilterForm, RecordForm, StaffForm
from bwq_lab.web.pages import page_arg, refusals, signed_in_user

bp = Blueprint("records", __name__)

READERS = ("manager", "enterprise", "county_admin", "city_admin", "province_admin")


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


# ------------------------------------------------------------------------------------- staff
@bp.get("/manage/staff")
@role_required("manager")
def staff():
    user = signed_in_user()
    page = staff_ops.list_staff(user, page=page_arg(), per_page=100)
    return render_template(
        "records/staff.html",
        page=page,
        may_edit=user.manages_all,
        action_form=ActionForm(formdata=None),
    )


def _staff_form(item: Staff | None) -> StaffForm:
    initial = {}
    if item is not None:
        initial = {"name": item.name, "title": item.title, "field": item.field, "user_id": item.user_id}
    return StaffForm(data=initial).localize(staff_ops.linkable_users(signed_in_user().provider_id))


@bp.route("/manage/staff/new", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def new_staff():
    staff_ops.require_roster_editor(signed_in_user())
    form = _staff_form(None)
    if form.validate_on_submit():
        with refusals(form, (403, 422)) as refused:
            saved = staff_ops.create_staff(signed_in_user(), form.values(), now=clock.now())
        if not refused:
            flash(_("%(name)s added to the staff.", name=saved.name), "success")
            return redirect(url_for("records.staff"))
        return render_template("records/staff_form.html", form=form, item=None), refused.status
    return render_template("records/staff_form.html", form=form, item=None), 422 if form.is_submitted() else 200


@bp.route("/manage/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def edit_staff(staff_id: int):
    item = staff_ops.get_staff(signed_in_user(), staff_id)
    staff_ops.require_roster_editor(signed_in_user(), item.provider_id)
    form = _staff_form(item)
    if form.validate_on_submit():
        with refusals(form, (403, 422)) as refused:
            staff_ops.update_staff(signed_in_user(), staff_id, form.values(), now=clock.now())
        if not refused:
            flash(_("Staff member saved."), "success")
            return redirect(url_for("records.staff"))
        item = staff_ops.get_staff(signed_in_user(), staff_id)
        return render_template("records/staff_form.html", form=form, item=item), refused.status
    return render_template("records/staff_form.html", form=form, item=item), 422 if form.is_submitted() else 200


@bp.post("/manage/staff/<int:staff_id>/active")
@role_required("manager")
@unit_of_work
def staff_active(staff_id: int):
    """Deactivate (``active=0``) or reactivate (``active=1``) a staff member."""
    if ActionForm().validate_on_submit():
        active = request.form.get("active") == "1"
        item = staff_ops.set_active(signed_in_user(), staff_id, active, now=clock.now())
        flash(
            _("%(name)s is active again.", name=item.name)
            if active
            else _("%(name)s is deactivated; past records keep their name.", name=item.name),
            "success",
        )
    return redirect(url_for("records.staff"))


# ---------------------------------------------------------------------------- service records
@bp.get("/service-records")
@role_required(*READERS)
def service_records():
    """Every record the signed-in user may read, with filters; managers add and edit from here."""
    user = signed_in_user()
    filters = RecordFilterForm(request.args).localize(locale_code())
    filters.validate()
    enterprise_id = None
    if filters.enterprise.data and not filters.enterprise.errors:
        matches = records.search_enterprises(filters.enterprise.data, limit=1)
        enterprise_id = matches[0].id if matches else -1
    page = records.list_records(
        user,
        day_from=filters.day_from.data if not filters.day_from.errors else None,
        day_to=filters.day_to.data if not filters.day_to.errors else None,
        kind=(filters.kind.data or None) if not filters.kind.errors else None,
        enterprise_id=enterprise_id,
        page=page_arg(),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "records/list.html",
        page=page,
        filters=filters,
        may_enter=user.is_manager,
        may_edit=lambda r: records.may_edit(user, r),
        action_form=ActionForm(formdata=None),
    )


def _record_form(record: ServiceRecord | None) -> RecordForm:
    initial: dict = {}
    if record is not None:
        initial = {
            "enterprise": record.enterprise.uscc,
            "day": record.day,
            "kind": record.kind,
            "staff_ids": [s.id for s in record.staff],
            "hours": record.minutes,
            "content": record.content,
            "project_code": record.project_code,
            "agreement_signed": record.agreement_signed,
            "contract": record.contract_fen if record.agreement_signed else None,
            "paid": record.paid_fen if record.agreement_signed else None,
            "results_count": record.results_count,
            "results_titles": record.results_titles,
        }
    else:
        initial["day"] = clock.now().astimezone(_tz()).date()
    staff = staff_ops.active_staff(signed_in_user().provider_id)
    if record is not None:  # staff deactivated since stay choosable on the records naming them
        staff += [s for s in record.staff if not s.active]
    return RecordForm(data=initial).localize(locale_code(), staff)


def _record_page(form: RecordForm, record: ServiceRecord | None, status: int = 200):
    return render_template("records/form.html", form=form, record=record), status


@bp.route("/manage/service-records/new", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def new_record():
    form = _record_form(None)
    if form.validate_on_submit():
        with refusals(form, (403, 422)) as refused:
            saved = records.create_record(signed_in_user(), form.values(), now=clock.now(), tz=_tz())
        if not refused:
            _flash_saved(saved, _("Service record saved."))
            return redirect(url_for("records.service_records"))
        return _record_page(form, None, refused.status)
    if form.is_submitted():
        return _record_page(form, None, 422)
    return _record_page(form, None)


@bp.route("/manage/service-records/<int:record_id>/edit", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def edit_record(record_id: int):
    record = records.get_editable(signed_in_user(), record_id)
    form = _record_form(record)
    if form.validate_on_submit():
        with refusals(form, (403, 422)) as refused:
            saved = records.update_record(signed_in_user(), record_id, form.values(), now=clock.now(), tz=_tz())
        if not refused:
            _flash_saved(saved, _("Service record saved."))
            return redirect(url_for("records.service_records"))
        return _record_page(form, records.get_record(signed_in_user(), record_id), refused.status)
    if form.is_submitted():
        return _record_page(form, record, 422)
    return _record_page(form, record)


def _flash_saved(record: ServiceRecord, message: str) -> None:
    flash(message, "success")
    if record.counts_as_provincial_project:
        flash(_("It counts as a provincial science-plan project (视同省级科技计划项目)."), "success")


@bp.post("/manage/service-records/<int:record_id>/delete")
@role_required("manager")
@unit_of_work
def delete_record(record_id: int):
    if ActionForm().validate_on_submit():
        records.delete_record(signed_in_user(), record_id, now=clock.now())
        flash(_("Service record deleted."), "success")
    return redirect(url_for("records.service_records"))


@bp.get("/manage/enterprises/search")
@role_required("manager")
def enterprise_search():
    """Names and codes for the enterprise picker (a datalist filled as the manager types)."""
    found = records.search_enterprises(request.args.get("q", ""), limit=10)
    return jsonify([{"id": e.id, "name": e.name, "uscc": e.uscc} for e in found])
