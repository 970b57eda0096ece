"""One instrument's week and the booking form, "My bookings", and one booking with its history
and actions (move, cancel, check in, check out, .ics)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from bwq_lab import clock
from bwq_lab.domain import booking_lifecycle as lifecycle
from bwq_lab.domain.booking_rules import local_midnight, week_start_of
from bwq_lab.edge.access import role_required
from bwq_lab.edge.form_html import escaped
from bwq_lab.edge.templating import locale_code
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.feeds.ics import booking_calendar
from bwq_lab.models import Instrument
from bwq_lab.operations import bookings as ops
from bwq_lab.operations import staff as staff_ops
from bwq_lab.operations.bookings.notifications import manager_users
from bwq_lab.refusals import Refusal
from bwq_lab.web.bookings.common import (
    STATUSES,
    bp,
    date_arg,
    local_zone,
    next_url,
    problem_dicts,
    time_arg,
    week_of,
    zone,
)
from bwq_lab.web.bookings.week_layout import _cell_data, build_week, link_pattern, public_busy
from bwq_lab.web.forms.bookings import (
    ActionForm,
    BookingForm,
    CheckOutForm,
    MoveForm,
    ReasonForm,
    aware,
    input_step,
)
from bwq_lab.web.forms.staff import offer_staff
from bwq_lab.web.pages import REFUSALS, flash_problems, int_arg, refusals, signed_in_user


def _booking_form(instrument: Instrument, policy, tz: ZoneInfo, now: datetime) -> BookingForm:
    if request.method == "POST":
        return BookingForm().localize(policy, locale_code())
    prefill: dict = {}
    if (day := date_arg("date")) is not None:
        prefill["date"] = day
    if (start := time_arg("start")) is not None:
        prefill["start"] = start
    if (duration := int_arg("duration")) is not None:
        prefill["duration"] = duration
    prefill.setdefault("date", max(now.astimezone(tz).date(), week_of(tz, now)))
    return BookingForm(data=prefill).localize(policy, locale_code())


@bp.route("/instruments/<int:instrument_id>/book", methods=["GET", "POST"])
@unit_of_work(locks_itself=True)  # create_booking takes SQLite's write lock itself, after its reads
def book(instrument_id: int):
    """The week's free/busy and the booking form. Anyone may look; booking needs an approved
    enterprise member or one of the instrument's managers (the operation decides)."""
    instrument = ops.bookable_instrument(instrument_id)
    policy = ops.policy_of(instrument)
    tz, now = local_zone(), clock.now()
    form = _booking_form(instrument, policy, tz, now)
    status, problems, checked = 200, None, False
    if request.method == "POST":
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if form.check.data:
            if form.validate_interval():
                problems, checked = _preview(instrument.id, form, tz, now), True
            else:
                status = 422
        elif form.validate_on_submit():
            start, end = form.interval(tz)
            manager = signed_in_user().manages_instrument(instrument)
            with refusals() as refused:
                on_behalf = None
                if manager and (form.on_behalf_email.data or "").strip():
                    on_behalf = ops.enterprise_user_id(form.on_behalf_email.data, field="on_behalf_email")
                booking = ops.create_booking(
                    signed_in_user(),
                    instrument.id,
                    start,
                    end,
                    now,
                    purpose=form.purpose.data,
                    project_code=form.project_code.data,
                    override_reason=form.override_reason.data if manager else None,
                    tz=zone(),
                    on_behalf_of=on_behalf,
                )
            if refused:
                status, problems = refused.status, problem_dicts(refused.problems)
            else:
                if booking.status == "pending":
                    flash(_("Request sent. A lab manager will confirm it; you will get an e-mail."), "success")
                else:
                    flash(_("Booked. See you at the instrument."), "success")
                return redirect(url_for(".detail", booking_id=booking.id))
        else:
            status = 422
    return _book_page(instrument, policy, form, tz, now, problems=problems, checked=checked), status


def _preview(instrument_id: int, form: BookingForm, tz: ZoneInfo, now: datetime) -> list[dict]:
    start, end = form.interval(tz)
    try:
        violations = ops.preview_booking(signed_in_user(), instrument_id, start, end, now, tz=zone())
    except Refusal as exc:
        if exc.status not in REFUSALS:
            raise
        return problem_dicts(exc.problems)
    return problem_dicts(violations)


def _book_page(instrument, policy, form, tz, now, *, problems=None, checked=False) -> str:
    fallback = form.date.data if isinstance(form.date.data, date) else None
    monday = week_of(tz, now, fallback)
    viewer = signed_in_user() if current_user.is_authenticated else None
    views, own = ops.availability(instrument, viewer, local_midnight(monday, tz), now, tz=zone())
    free_link = link_pattern(
        ".book",
        instrument_id=instrument.id,
        week=monday.isoformat(),
        date=...,
        start=...,
        duration=form.duration.data or None,
        _anchor="book",
    )

    def free_href(day: date, start: datetime) -> str:
        return free_link(date=day.isoformat(), start=f"{start.hour:02d}:{start.minute:02d}")

    manager = viewer is not None and viewer.manages_instrument(instrument)
    bookable = None  # managers may override the notice and the horizon
    if not manager:
        bookable = (
            now + timedelta(minutes=policy.min_notice_minutes),
            now + timedelta(days=policy.max_days_ahead),
        )
    week = build_week(
        monday,
        views,
        tz,
        now,
        grid_minutes=policy.grid_minutes,
        policy=policy,
        busy_blocks=public_busy(own, tz),
        free_href=free_href,
        bookable=bookable,
    )
    slots, slot_duration = _found_slots(instrument, policy, tz, now)
    return render_template(
        "bookings/book.html",
        instrument=instrument,
        policy=policy,
        form=form,
        week=week,
        problems=problems,
        checked=checked,
        can_book=viewer is not None and ops.may_book(viewer, instrument),
        lacks_qualification=viewer is not None and ops.lacks_qualification(viewer, instrument, now),
        is_manager=manager,
        step=input_step(policy),
        slots=slots,
        slot_duration=slot_duration,
        # the same choices as the form's (duration_choices), written once here (a Jinja loop over them
        # cost an attribute lookup and an escape per value)
        duration_options=Markup(
            "".join(
                f'<option value="{escaped(minutes)}"{" selected" if minutes == slot_duration else ""}>'
                f"{escaped(label)}</option>"
                for minutes, label in form.duration.choices
            )
        ),
        edit_url=url_for("manage.edit_instrument", instrument_id=instrument.id) if manager else None,
    )


def _found_slots(instrument, policy, tz, now):
    """``?slot_duration=`` asks for the earliest free slots that pass every rule for the viewer."""
    duration = int_arg("slot_duration")
    if duration is None or not current_user.is_authenticated:
        return None, duration
    found = ops.find_slots(
        signed_in_user(),
        now,
        duration_minutes=duration,
        window_start=now,
        window_end=now + timedelta(days=min(policy.max_days_ahead + 1, 31)),
        instrument_id=instrument.id,
        limit=10,
        tz=zone(),
    )
    slots = []
    for _instrument, start, end in found:
        start, end = start.astimezone(tz), end.astimezone(tz)
        href = url_for(
            ".book",
            instrument_id=instrument.id,
            week=week_start_of(start.date()).isoformat(),
            date=start.date().isoformat(),
            start=start.strftime("%H:%M"),
            duration=duration,
            _anchor="book",
        )
        slots.append({"start": start, "end": end, "href": href, "data": _cell_data(start) | {"duration": duration}})
    return slots, duration


@bp.post("/instruments/<int:instrument_id>/book/check")
@unit_of_work(locks_itself=True)  # read-only: the live check never holds SQLite's write lock
def check(instrument_id: int):
    """JSON for the live check: every rule the entered interval breaks, nothing saved."""
    if not current_user.is_authenticated:
        return jsonify({"errors": [{"code": "UNAUTHENTICATED", "message": _("Please sign in."), "field": None}]}), 401
    instrument = ops.bookable_instrument(instrument_id)
    policy = ops.policy_of(instrument)
    tz, now = local_zone(), clock.now()
    form = BookingForm().localize(policy, locale_code())
    if not form.validate_interval():
        errors = [
            {"code": "INVALID", "message": str(message), "field": name}
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
        return jsonify({"errors": errors}), 422
    problems = _preview(instrument.id, form, tz, now)
    start, end = form.interval(tz)
    return jsonify(
        {
            "ok": not problems,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "overridable": bool(problems) and all(p["overridable"] for p in problems),
            "violations": problems,
            "warnings": cancellation_warnings(instrument, start, now),
        }
    )


def cancellation_warnings(instrument, start, now) -> list[dict]:
    """A booking starting inside the free-cancellation window: say so before it is made."""
    if signed_in_user().manages_instrument(instrument):
        return []
    hours = instrument.cancel_deadline_hours
    if not lifecycle.is_late_cancellation(start, now, hours):
        return []
    if instrument.late_cancellation == "allow":
        message = _(
            "This booking starts within %(h)d hours: if you cancel it, the cancellation counts as late.", h=hours
        )
    else:
        message = _(
            "This booking starts within %(h)d hours: once made, you cannot cancel it yourself; "
            "only the lab's manager can.",
            h=hours,
        )
    return [{"code": "INSIDE_CANCELLATION_WINDOW", "message": message, "field": "start"}]


def cancellation_facts(booking, now) -> dict:
    """For the booking page: the free-cancellation deadline and, when its owner can no longer
    cancel, why and whom to ask (the lab's managers and the provider's contact)."""
    instrument = booking.instrument
    hours = instrument.cancel_deadline_hours
    free_until = lifecycle.free_cancellation_until(booking.start_at, hours)
    live = booking.status in ("pending", "approved") and booking.start_at > now
    inside = live and lifecycle.is_late_cancellation(booking.start_at, now, hours)
    return {
        "hours": hours,
        "free_until": free_until,
        "live": live,
        "inside": inside,
        "late_allowed": instrument.late_cancellation == "allow",
        "managers": manager_users(instrument) if inside else [],
        "provider": instrument.provider,
    }


@bp.get("/bookings")
@role_required()
def mine():
    tz, now = local_zone(), clock.now()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    when = request.args.get("when") if request.args.get("when") in ("upcoming", "past", "all") else "upcoming"
    today = local_midnight(now.astimezone(tz).date(), tz)
    page = ops.list_bookings(
        signed_in_user(),
        status=[status] if status else None,
        start_from=today if when == "upcoming" else None,
        start_to=today if when == "past" else None,
        page=max(1, int_arg("page") or 1),
        per_page=current_app.config["PER_PAGE"],
        nearest_first=when == "upcoming",
    )
    rows = [(b, ops.allowed_actions(b, signed_in_user(), now)) for b in page.items]
    return render_template("bookings/mine.html", page=page, rows=rows, status=status, when=when, statuses=STATUSES)


@bp.get("/bookings/<int:booking_id>")
@role_required()
def detail(booking_id: int):
    return _detail_page(booking_id)


def _detail_page(booking_id: int, status: int = 200, **forms):
    tz, now = local_zone(), clock.now()
    booking = ops.get_booking(signed_in_user(), booking_id, with_history=True)
    start, end = booking.start_at.astimezone(tz), booking.end_at.astimezone(tz)
    forms.setdefault(
        "move_form", MoveForm(formdata=None, data={"date": start.date(), "start": start.time(), "end": end.time()})
    )
    forms.setdefault("cancel_form", ReasonForm(formdata=None))
    forms.setdefault("reject_form", ReasonForm(formdata=None))
    forms.setdefault(
        "checkout_form",
        CheckOutForm(
            formdata=None,
            data={
                "used_from": (booking.checked_in_at or booking.start_at).astimezone(tz).replace(tzinfo=None),
                "used_until": min(booking.end_at, max(now, booking.start_at)).astimezone(tz).replace(tzinfo=None),
            },
        ),
    )
    is_manager = signed_in_user().manages_instrument(booking.instrument)
    if is_manager:  # who operated or assisted: the provider's active staff, the manager's own first
        offer_staff(
            forms["checkout_form"].staff_id,
            staff_ops.active_staff(booking.instrument.provider_id),
            booking.staff_id or staff_ops.default_staff_id(signed_in_user()),
        )
    return (
        render_template(
            "bookings/detail.html",
            booking=booking,
            actions=ops.allowed_actions(booking, signed_in_user(), now),
            is_manager=is_manager,
            action_form=ActionForm(formdata=None),
            step=input_step(ops.policy_of(booking.instrument)),
            cancellation=cancellation_facts(booking, now),
            show_purpose=ops.may_read_purpose(signed_in_user(), booking),
            **forms,
        ),
        status,
    )


@bp.post("/bookings/<int:booking_id>/move")
@role_required()
@unit_of_work
def move(booking_id: int):
    form = MoveForm()
    if not form.validate_on_submit():
        return _detail_page(booking_id, 422, move_form=form)
    start, end = form.interval(local_zone())
    with refusals(form) as refused:
        ops.move_booking(
            signed_in_user(),
            booking_id,
            start,
            end,
            clock.now(),
            override_reason=form.override_reason.data or None,
            tz=zone(),
        )
    if refused:
        return _detail_page(booking_id, refused.status, move_form=form)
    flash(_("The booking was moved."), "success")
    return redirect(url_for(".detail", booking_id=booking_id))


@bp.post("/bookings/<int:booking_id>/cancel")
@role_required()
@unit_of_work
def cancel(booking_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        return _detail_page(booking_id, 422, cancel_form=form)
    with refusals(form) as refused:
        ops.cancel_booking(signed_in_user(), booking_id, clock.now(), reason=form.reason.data)
    if refused:
        return _detail_page(booking_id, refused.status, cancel_form=form)
    flash(_("The booking was cancelled."), "success")
    return redirect(next_url(url_for(".detail", booking_id=booking_id)))


@bp.post("/bookings/<int:booking_id>/check-in")
@role_required()
@unit_of_work
def check_in(booking_id: int):
    form = ActionForm()
    back = next_url(url_for(".detail", booking_id=booking_id))
    if form.validate_on_submit():
        with refusals() as refused:
            ops.check_in(signed_in_user(), booking_id, clock.now())
        if refused:
            flash_problems(refused.problems)
        else:
            flash(_("Checked in."), "success")
    return redirect(back)


@bp.post("/bookings/<int:booking_id>/check-out")
@role_required()
@unit_of_work
def check_out(booking_id: int):
    form = CheckOutForm()
    if not form.validate_on_submit():
        return _detail_page(booking_id, 422, checkout_form=form)
    refused = _record_use(ops.check_out, booking_id, form)
    if refused:
        return _detail_page(booking_id, refused.status, checkout_form=form)
    flash(_("The use was recorded."), "success")
    return redirect(next_url(url_for(".detail", booking_id=booking_id)))


def _record_use(operation, booking_id: int, form: CheckOutForm):
    """Check-out or confirm-use: the form's local times and staff member to ``operation``; the
    refusal (shown next to the fields) or None."""
    tz = local_zone()
    with refusals(form) as refused:
        operation(
            signed_in_user(),
            booking_id,
            clock.now(),
            used_from=aware(form.used_from.data, tz),
            used_until=aware(form.used_until.data, tz),
            staff_id=form.staff_id.data,
        )
    return refused


@bp.post("/bookings/<int:booking_id>/confirm-use")
@role_required("manager")
@unit_of_work
def confirm_use(booking_id: int):
    """A manager confirms (or corrects) the use of a session the system closed at its end."""
    form = CheckOutForm()
    if not form.validate_on_submit() or form.used_from.data is None or form.used_until.data is None:
        for name in ("used_from", "used_until"):
            if getattr(form, name).data is None and not getattr(form, name).errors:
                getattr(form, name).errors.append(_("This field is required."))
        return _detail_page(booking_id, 422, checkout_form=form)
    refused = _record_use(ops.confirm_use, booking_id, form)
    if refused:
        return _detail_page(booking_id, refused.status, checkout_form=form)
    flash(_("The actual use was confirmed."), "success")
    return redirect(url_for(".detail", booking_id=booking_id))


@bp.get("/bookings/<int:booking_id>.ics")
@role_required()
def ics(booking_id: int):
    booking = ops.get_booking(signed_in_user(), booking_id)
    body = booking_calendar([booking], local_zone(), locale=locale_code())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="booking-{booking.id}.ics"'},
    )
