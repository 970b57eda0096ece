"""The managers' time pages: the week calendar of an instrument, maintenance windows, the
provider's closures, and qualifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from bwq_lab import clock
from bwq_lab.domain.booking_rules import local_midnight
from bwq_lab.edge.access import role_required
from bwq_lab.edge.messages.bookings import weekday_name
from bwq_lab.edge.messages.names import status_name
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.models import Instrument
from bwq_lab.operations import bookings as ops
from bwq_lab.operations.bookings import collisions as collision_ops
from bwq_lab.operations.bookings.queries import CalendarBooking
from bwq_lab.web.bookings.common import (
    CALENDAR_STATUSES,
    STATUS_BADGES,
    bp,
    local_zone,
    managed_instrument,
    week_of,
    zone,
)
from bwq_lab.web.bookings.week_layout import Remembered, build_week, id_link, link_pattern, managed_busy
from bwq_lab.web.forms.bookings import (
    ActionForm,
    CheckOutForm,
    ClosureForm,
    MaintenanceForm,
    QualificationForm,
    ReasonForm,
    aware,
)
from bwq_lab.web.pages import refusals, signed_in_user


@dataclass(frozen=True, slots=True)
class CalendarRow:
    """One booking in the calendar's list, as the template shows it (an object, not a dict: Jinja
    asks for an attribute first, and a dict answered each of a row's dozen lookups with an
    AttributeError before its item)."""

    booking: CalendarBooking
    href: str
    when: str
    status: str
    badge: str
    today: bool
    check_in: bool
    check_out: bool
    record: bool
    used_from: datetime
    used_until: datetime


@bp.get("/manage/instruments/<int:instrument_id>/calendar")
@role_required("manager")
def calendar(instrument_id: int):
    instrument = managed_instrument(instrument_id)
    policy = ops.policy_of(instrument)
    tz, now = local_zone(), clock.now()
    monday = week_of(tz, now)
    lo, hi = local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)
    views, _own = ops.availability(instrument, signed_in_user(), lo, now, tz=zone())
    bookings = ops.calendar_bookings(signed_in_user(), instrument.id, CALENDAR_STATUSES, lo, hi)
    free_link = link_pattern(
        ".book", instrument_id=instrument.id, week=monday.isoformat(), date=..., start=..., _anchor="book"
    )

    def free_href(day: date, start: datetime) -> str:
        return free_link(date=day.isoformat(), start=f"{start.hour:02d}:{start.minute:02d}")

    week = build_week(
        monday,
        views,
        tz,
        now,
        grid_minutes=policy.grid_minutes,
        policy=policy,
        busy_blocks=managed_busy(bookings, tz),
        free_href=free_href,
    )
    today = now.astimezone(tz).date()
    # checking in is offered on the booking's own day only: the lifecycle is asked about those
    todays = ops.bookings_by_id(b.id for b in bookings if b.start_at.astimezone(tz).date() == today)
    manager, detail = signed_in_user(), id_link(".detail", "booking_id")
    names, weekdays = Remembered(lambda status: status_name("booking", status)), Remembered(weekday_name)
    rows = []
    for b in bookings:
        start, end = b.start_at.astimezone(tz), b.end_at.astimezone(tz)
        check_in = b.id in todays and ops.allowed_actions(todays[b.id], manager, now)["check_in"]
        rows.append(
            CalendarRow(
                booking=b,
                href=detail(b.id),
                when=f"{weekdays[start.weekday()]} {start:%Y-%m-%d %H:%M}–{end:%H:%M}",
                status=names[b.status],
                badge=STATUS_BADGES.get(b.status, ""),
                today=start.date() == today,
                check_in=check_in,
                check_out=b.status == "in_use",
                record=b.status == "approved" and b.end_at <= now,
                used_from=start.replace(tzinfo=None),
                used_until=end.replace(tzinfo=None),
            )
        )
    return render_template(
        "bookings/calendar.html",
        instrument=instrument,
        week=week,
        rows=rows,
        # the forms give the rows' buttons their CSRF token: made only when a row has a button
        action_form=ActionForm() if any(row.check_in for row in rows) else None,
        checkout_form=CheckOutForm() if any(row.check_out or row.record for row in rows) else None,
        edit_url=url_for("manage.edit_instrument", instrument_id=instrument.id),
    )


def _maintenance_page(instrument: Instrument, form: MaintenanceForm, status: int = 200, **extra):
    return (
        render_template(
            "bookings/maintenance.html",
            instrument=instrument,
            form=form,
            windows=ops.maintenance_for(instrument.id, clock.now()),
            action_form=ActionForm(formdata=None),
            **extra,
        ),
        status,
    )


@bp.route("/manage/instruments/<int:instrument_id>/maintenance", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def maintenance(instrument_id: int):
    instrument = managed_instrument(instrument_id)
    form = MaintenanceForm()
    if not form.is_submitted():
        return _maintenance_page(instrument, form)
    if not form.validate():
        return _maintenance_page(instrument, form, 422)
    tz = local_zone()
    with refusals(form) as refused:
        window, affected = ops.add_maintenance(
            signed_in_user(),
            instrument.id,
            aware(form.start.data, tz),
            aware(form.end.data, tz),
            form.reason.data,
        )
    if refused:
        return _maintenance_page(managed_instrument(instrument_id), form, refused.status)
    flash(_("Maintenance added."), "success")
    # shown at once (not after a redirect): the live bookings it collides with, for the manager to act on
    return _maintenance_page(instrument, MaintenanceForm(formdata=None), added=window, affected=affected)


@bp.post("/manage/instruments/<int:instrument_id>/maintenance/<int:window_id>/delete")
@role_required("manager")
@unit_of_work
def delete_maintenance(instrument_id: int, window_id: int):
    managed_instrument(instrument_id)
    if ActionForm().validate_on_submit():
        ops.delete_maintenance(signed_in_user(), window_id)
        flash(_("Maintenance window deleted."), "success")
    return redirect(url_for(".maintenance", instrument_id=instrument_id))


def _closures_page(form: ClosureForm, status: int = 200, **extra):
    provider_id = signed_in_user().provider_id
    return (
        render_template(
            "bookings/closures.html",
            form=form,
            closures=ops.closures_for(provider_id, clock.now()),
            action_form=ActionForm(formdata=None),
            **extra,
        ),
        status,
    )


def _require_closure_rights() -> int:
    user = signed_in_user()
    if not ops.may_manage_closures(user, user.provider_id):
        abort(403)
    return user.provider_id


@bp.route("/manage/closures", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def closures():
    """Holidays and closures of the manager's provider: they block every instrument of it."""
    provider_id = _require_closure_rights()
    form = ClosureForm()
    if not form.is_submitted():
        return _closures_page(form)
    if not form.validate():
        return _closures_page(form, 422)
    with refusals(form) as refused:
        closure, affected = ops.add_closure(
            signed_in_user(), provider_id, form.first_day.data, form.last_day.data, form.reason.data, tz=zone()
        )
    if refused:
        return _closures_page(form, refused.status)
    flash(_("Closure added."), "success")
    return _closures_page(ClosureForm(formdata=None), added=closure, affected=affected)


@bp.post("/manage/closures/<int:closure_id>/delete")
@role_required("manager")
@unit_of_work
def delete_closure(closure_id: int):
    _require_closure_rights()
    if ActionForm().validate_on_submit():
        ops.delete_closure(signed_in_user(), closure_id)
        flash(_("Closure deleted."), "success")
    return redirect(url_for(".closures"))


QUALIFICATION_LABELS = {"active": _l("active"), "expired": _l("expired"), "revoked": _l("revoked")}


@bp.route("/manage/instruments/<int:instrument_id>/qualifications", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def qualifications(instrument_id: int):
    instrument = managed_instrument(instrument_id)
    form = QualificationForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            with refusals(form) as refused:
                ops.grant_qualification(
                    signed_in_user(),
                    instrument.id,
                    form.email.data,
                    form.expires_at(local_zone()),
                    clock.now(),
                    note=form.note.data or "",
                )
            if refused:
                status = refused.status
                instrument = managed_instrument(instrument_id)
            else:
                flash(_("Qualification granted to %(email)s.", email=form.email.data.strip()), "success")
                return redirect(url_for(".qualifications", instrument_id=instrument_id))
    now = clock.now()
    tz, tick = local_zone(), timedelta(microseconds=1)
    rows = [
        (q, ops.qualification_status(q, now), (q.expires_at - tick).astimezone(tz).date() if q.expires_at else None)
        for q in ops.qualifications_for(instrument.id)
    ]
    return (
        render_template(
            "bookings/qualifications.html",
            instrument=instrument,
            form=form,
            rows=rows,
            labels=QUALIFICATION_LABELS,
            action_form=ActionForm(formdata=None),
        ),
        status,
    )


@bp.post("/manage/instruments/<int:instrument_id>/qualifications/<int:qualification_id>/revoke")
@role_required("manager")
@unit_of_work
def revoke_qualification(instrument_id: int, qualification_id: int):
    managed_instrument(instrument_id)
    if ActionForm().validate_on_submit():
        ops.revoke_qualification(signed_in_user(), qualification_id, clock.now())
        flash(_("Qualification revoked."), "success")
    return redirect(url_for(".qualifications", instrument_id=instrument_id))


# -------------------------------------------------------------------------------- collisions


def _collisions_page(instrument: Instrument, form: ReasonForm, status: int = 200):
    found = collision_ops.collisions(signed_in_user(), instrument.id, clock.now(), tz=zone())
    return (
        render_template(
            "bookings/collisions.html",
            instrument=instrument,
            found=found,
            form=form,
            move_days=collision_ops.MOVE_SEARCH_DAYS,
        ),
        status,
    )


@bp.route("/manage/instruments/<int:instrument_id>/collisions", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def collisions(instrument_id: int):
    """Upcoming bookings that maintenance, a closure or changed opening hours now exclude, with
    the one action that resolves the chosen ones at once, with a reason: cancel them, or move
    each to the first free time of its length; either way each user is told."""
    instrument = managed_instrument(instrument_id)
    form = ReasonForm()
    if not form.is_submitted():
        return _collisions_page(instrument, ReasonForm(formdata=None))
    if not form.validate():
        return _collisions_page(instrument, form, 422)
    chosen = [int(x) for x in request.form.getlist("booking_id") if x.isdigit()]
    moving = request.form.get("action") == "move"
    with refusals(form) as refused:
        if moving:
            done = collision_ops.move_and_notify(
                signed_in_user(), instrument.id, chosen, form.reason.data, clock.now(), tz=zone()
            )
        else:
            done = collision_ops.cancel_and_notify(
                signed_in_user(), instrument.id, chosen, form.reason.data, clock.now()
            )
    if refused:
        return _collisions_page(managed_instrument(instrument_id), form, refused.status)
    if moving:
        flash(_("%(n)d bookings moved; their users have been told.", n=len(done)), "success")
    else:
        flash(_("%(n)d bookings cancelled; their users have been told.", n=len(done)), "success")
    return redirect(url_for(".collisions", instrument_id=instrument_id))
