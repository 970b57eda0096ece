"""Booking pages: an instrument's week and the booking form, "My bookings", one booking with its
history and actions, and the managers' approvals, week calendar, maintenance and qualifications.

Each POST parses a form, calls one operation, commits once and redirects. When the operation
refuses (409/422), the transaction is rolled back and the page is shown again with the user's
input and every problem; 403/404 go to the app's error pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bwq_lab import clock
from bwq_lab.domain import messages
from bwq_lab.domain.booking_rules import ceil_to_grid, local_midnight, week_start_of
from bwq_lab.errors import OperationError, Problem
from bwq_lab.extensions import db
from bwq_lab.feeds.ics import booking_calendar
from bwq_lab.models import Booking, Instrument
from bwq_lab.models.booking import LIVE
from bwq_lab.operations import bookings as ops
from bwq_lab.operations import catalogue as catalogue_ops
from bwq_lab.operations.transactions import locks_itself
from bwq_lab.web.access import role_required
from bwq_lab.web.auth import safe_next
from bwq_lab.web.forms.bookings import (
    ActionForm,
    BookingForm,
    BulkDecisionForm,
    CheckOutForm,
    ClosureForm,
    MaintenanceForm,
    MoveForm,
    QualificationForm,
    ReasonForm,
    aware,
    duration_choices,
    input_step,
)
from bwq_lab.web.helpers import locale_code
from bwq_lab.web.pages import REFUSALS, flash_problems, int_arg, refusals, signed_in_user

bp = Blueprint("bookings", __name__)

STATUSES = ("pending", "approved", "in_use", "completed", "cancelled", "rejected", "no_show")
#: statuses a calendar draws (refused and withdrawn requests no longer hold time)
CALENDAR_STATUSES = (*LIVE, "completed", "no_show")
EVENT_LABELS = {
    "created": _l("requested"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "cancelled": _l("cancelled"),
    "moved": _l("moved"),
    "checked_in": _l("checked in"),
    "checked_out": _l("checked out"),
    "completed": _l("completed"),
    "no_show": _l("marked as a no-show"),
}
STATUS_BADGES = {"pending": "warn", "approved": "ok", "in_use": "ok", "rejected": "err", "no_show": "err"}


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        booking_status_label=lambda status: messages.status_name(status, locale_code()),
        booking_status_badge=lambda status: STATUS_BADGES.get(status, ""),
        booking_event_label=lambda action: str(EVENT_LABELS.get(action, action)),
        duration_label=lambda minutes: messages.format_duration(minutes, locale_code()),
        weekday_label=weekday_label,
    )


def weekday_label(value: date | datetime) -> str:
    """The local weekday of a date, or of an instant in the configured zone."""
    if isinstance(value, datetime):
        value = value.astimezone(_tz())
    return messages.weekday_name(value.weekday(), locale_code())


# ------------------------------------------------------------------------------------ helpers


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _locale() -> str:
    return clock.request_locale()


def _next_url(default: str) -> str:
    """The form's ``next`` when it is a path on this site, else ``default``."""
    return safe_next(request.form.get("next")) or default


def _problem_dicts(items) -> list[dict]:
    """Violations (from a preview) or Problems (from a refusal) in one shape for templates/JSON."""
    out = []
    for item in items:
        if isinstance(item, Problem):
            out.append(item.as_dict() | {"overridable": bool(item.overridable)})
        else:
            out.append(item.to_dict(_locale()))
    return out


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _time_arg(name: str) -> time | None:
    try:
        return time.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _week_of(tz: ZoneInfo, now: datetime, fallback: date | None = None) -> date:
    """The Monday of ``?week=`` (any day of that week), else of ``fallback``, else of today."""
    chosen = _date_arg("week") or fallback or now.astimezone(tz).date()
    return week_start_of(chosen)


def _managed_instrument(instrument_id: int) -> Instrument:
    """404 for no such instrument, 403 when the signed-in manager does not manage it."""
    return catalogue_ops.instrument_for_editing(signed_in_user(), instrument_id)


# ------------------------------------------------------------------------ the week calendar


@dataclass
class Block:
    """Something drawn in a day column, positioned in percent of the visible hours."""

    kind: str  # open | busy | own | booking | buffer | maintenance | closure | free
    start: datetime  # local
    end: datetime
    label: str = ""
    href: str | None = None
    booking: Booking | None = None
    top: float = 0.0
    height: float = 0.0
    data: dict = field(default_factory=dict)


@dataclass
class Day:
    day: date
    is_today: bool
    opening: list[Block]
    blocks: list[Block]
    free: list[Block]  # clickable cells on the grid
    free_spans: list[Block]  # whole free stretches (the list view for phones)

    @property
    def agenda(self) -> list[Block]:
        """Bookings, blackouts and free stretches in time order (the list view for phones)."""
        return sorted((b for b in (*self.blocks, *self.free_spans) if b.kind != "buffer"), key=lambda b: b.start)


@dataclass
class Week:
    monday: date
    days: list[Day]
    hours: list[tuple[int, float]]  # (hour, top %) for the hour lines
    first_hour: int
    last_hour: int

    @property
    def prev(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def _minutes_into(day: date, value: datetime, tz: ZoneInfo) -> float:
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    return min(max((value - midnight).total_seconds() / 60, 0.0), 24 * 60.0)


def _cell_minutes(grid: int) -> int:
    """Clickable cells are whole grid steps of at least half an hour."""
    grid = max(grid, 1)
    return grid * -(-30 // grid)


def build_week(
    monday: date,
    views: list,
    tz: ZoneInfo,
    now: datetime,
    *,
    grid_minutes: int,
    busy_blocks,
    free_href,
    bookable: tuple[datetime, datetime] | None = None,
) -> Week:
    """Lay a week out for the template. ``views`` are the DayViews of ``ops.availability``;
    ``busy_blocks(day_view) -> list[Block]`` draws the bookings of one day (public or full);
    ``free_href(day, start)`` links a free cell to the pre-filled booking form. With
    ``bookable=(earliest, latest)`` only free time starting in that range is offered (the notice
    and how far ahead one may book)."""
    today = now.astimezone(tz).date()
    earliest, latest = bookable or (now, datetime.max.replace(tzinfo=tz))
    cell = timedelta(minutes=_cell_minutes(grid_minutes))
    days = []
    for view in views:
        opening = [Block("open", s, e) for s, e in view.opening]
        blocks = list(busy_blocks(view))
        for b in view.blackouts:
            label = _("Maintenance") if b.kind == "maintenance" else _("Closed")
            blocks.append(Block(b.kind, b.start, b.end, f"{label}: {b.reason}" if b.reason else label))
        free, spans = [], []
        for s, e in view.free:
            s = max(s, earliest.astimezone(tz))
            start = ceil_to_grid(s, tz, int(cell.total_seconds() // 60)).astimezone(tz)
            if start < e and start <= latest:
                spans.append(Block("free", s, e, href=free_href(view.day, start), data=_cell_data(start)))
            while start + cell <= e and start <= latest:
                free.append(Block("free", start, start + cell, href=free_href(view.day, start), data=_cell_data(start)))
                start += cell
        days.append(Day(view.day, view.day == today, opening, blocks, free, spans))

    edges = [(d.day, x) for d in days for b in (*d.opening, *d.blocks) for x in (b.start, b.end)]
    minutes = [_minutes_into(day, x, tz) for day, x in edges]
    first_hour = int(min(minutes) // 60) if minutes else 8
    last_hour = int(-(-max(minutes) // 60)) if minutes else 18
    if last_hour <= first_hour:
        first_hour, last_hour = 8, 18
    lo, span = first_hour * 60, (last_hour - first_hour) * 60
    for d in days:
        for b in (*d.opening, *d.blocks, *d.free):
            top = _minutes_into(d.day, b.start, tz) - lo
            bottom = _minutes_into(d.day, b.end, tz) - lo
            b.top = round(max(top, 0) / span * 100, 3)
            b.height = round(max(min(bottom, span) - max(top, 0), 0) / span * 100, 3)
        d.blocks = [b for b in d.blocks if b.end > b.start]
    hours = [(h, round((h * 60 - lo) / span * 100, 3)) for h in range(first_hour, last_hour)]
    return Week(monday, days, hours, first_hour, last_hour)


def _cell_data(start: datetime) -> dict:
    return {"date": start.date().isoformat(), "start": start.strftime("%H:%M")}


def _buffer_block(start: datetime, end: datetime, blocked_until: datetime) -> Block | None:
    return Block("buffer", end, blocked_until, _("cleanup")) if blocked_until > end else None


def public_busy(own: dict[int, Booking], tz: ZoneInfo):
    """Others' bookings as anonymous "booked" time; the viewer's own in full, with a link."""

    def draw(view) -> list[Block]:
        blocks = []
        for b in view.busy:
            mine = own.get(b.booking_id) if b.own else None
            if mine is not None:
                label = f"{messages.status_name(mine.status, locale_code())} · {mine.purpose}"
                href = url_for(".detail", booking_id=mine.id)
                blocks.append(Block("own", b.start, b.end, label, href, mine))
            else:
                blocks.append(Block("busy", b.start, b.end, _("booked")))
            buffer = _buffer_block(b.start, b.end, b.blocked_until)
            if buffer:
                blocks.append(buffer)
        return blocks

    return draw


def managed_busy(bookings: list[Booking], tz: ZoneInfo):
    """Every booking with who, enterprise, purpose and status (managers' calendar)."""

    def draw(view) -> list[Block]:
        day_start, day_end = local_midnight(view.day, tz), local_midnight(view.day + timedelta(days=1), tz)
        blocks = []
        for booking in bookings:
            if not (booking.start_at < day_end and booking.blocked_until > day_start):
                continue
            start = max(booking.start_at, day_start).astimezone(tz)
            end = max(min(booking.end_at, day_end), day_start).astimezone(tz)
            who = f"{booking.user.name}, {booking.enterprise.name}" if booking.enterprise else booking.user.name
            label = f"{messages.status_name(booking.status, locale_code())} · {who} · {booking.purpose}"
            href = url_for(".detail", booking_id=booking.id)
            blocks.append(Block("booking " + booking.status, start, end, label, href, booking))
            buffer = _buffer_block(start, end, min(booking.blocked_until, day_end).astimezone(tz))
            if buffer:
                blocks.append(buffer)
        return blocks

    return draw


# --------------------------------------------------------------------------- booking an instrument


def _booking_form(instrument: Instrument, policy, tz: ZoneInfo, now: datetime) -> BookingForm:
    if request.method == "POST":
        return BookingForm().localize(policy, locale_code())
    prefill: dict = {}
    if (day := _date_arg("date")) is not None:
        prefill["date"] = day
    if (start := _time_arg("start")) is not None:
        prefill["start"] = start
    if (duration := int_arg("duration")) is not None:
        prefill["duration"] = duration
    prefill.setdefault("date", max(now.astimezone(tz).date(), _week_of(tz, now)))
    return BookingForm(data=prefill).localize(policy, locale_code())


@bp.route("/instruments/<int:instrument_id>/book", methods=["GET", "POST"])
@locks_itself  # create_booking takes SQLite's write lock itself, after its reads; the rest only reads
def book(instrument_id: int):
    """The week's free/busy and the booking form. Anyone may look; booking needs an approved
    enterprise member or one of the instrument's managers (the operation decides)."""
    instrument = catalogue_ops.public_instrument(instrument_id)
    policy = ops.policy_of(instrument)
    tz, now = _tz(), clock.now()
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
                booking = ops.create_booking(
                    signed_in_user(),
                    instrument.id,
                    start,
                    end,
                    now,
                    purpose=form.purpose.data,
                    project_code=form.project_code.data,
                    override_reason=form.override_reason.data if manager else None,
                    locale=_locale(),
                )
            if refused:
                status, problems = refused.status, _problem_dicts(refused.problems)
            else:
                db.session.commit()
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
        violations = ops.preview_booking(signed_in_user(), instrument_id, start, end, now, locale=_locale())
    except OperationError as exc:
        if exc.status not in REFUSALS:
            raise
        return _problem_dicts(exc.problems)
    return _problem_dicts(violations)


def _book_page(instrument, policy, form, tz, now, *, problems=None, checked=False) -> str:
    fallback = form.date.data if isinstance(form.date.data, date) else None
    monday = _week_of(tz, now, fallback)
    viewer = signed_in_user() if current_user.is_authenticated else None
    instrument, views = ops.availability(instrument.id, viewer, local_midnight(monday, tz), now)
    own: dict[int, Booking] = {}
    if viewer is not None:
        lo, hi = local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)
        page = ops.list_bookings(
            viewer, instrument_id=instrument.id, start_from=lo - ops.MAX_SPAN, start_to=hi, per_page=500
        )
        own = {b.id: b for b in page.items}

    def free_href(day: date, start: datetime) -> str:
        return url_for(
            ".book",
            instrument_id=instrument.id,
            week=monday.isoformat(),
            date=day.isoformat(),
            start=start.strftime("%H:%M"),
            duration=form.duration.data or None,
            _anchor="book",
        )

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
        durations=duration_choices(policy, locale_code()),
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
@locks_itself  # read-only: the live check never holds SQLite's write lock
def check(instrument_id: int):
    """JSON for the live check: every rule the entered interval breaks, nothing saved."""
    if not current_user.is_authenticated:
        return jsonify({"errors": [{"code": "UNAUTHENTICATED", "message": _("Please sign in."), "field": None}]}), 401
    instrument = catalogue_ops.public_instrument(instrument_id)
    policy = ops.policy_of(instrument)
    tz, now = _tz(), clock.now()
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
        }
    )


# ------------------------------------------------------------------------------ my bookings


@bp.get("/bookings")
@role_required()
def mine():
    tz, now = _tz(), clock.now()
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
    )
    rows = [(b, ops.allowed_actions(b, signed_in_user(), now)) for b in page.items]
    return render_template("bookings/mine.html", page=page, rows=rows, status=status, when=when, statuses=STATUSES)


@bp.get("/bookings/<int:booking_id>")
@role_required()
def detail(booking_id: int):
    return _detail_page(booking_id)


def _detail_page(booking_id: int, status: int = 200, **forms):
    tz, now = _tz(), clock.now()
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
    return (
        render_template(
            "bookings/detail.html",
            booking=booking,
            actions=ops.allowed_actions(booking, signed_in_user(), now),
            is_manager=signed_in_user().manages_instrument(booking.instrument),
            action_form=ActionForm(formdata=None),
            step=input_step(ops.policy_of(booking.instrument)),
            **forms,
        ),
        status,
    )


@bp.post("/bookings/<int:booking_id>/move")
@role_required()
def move(booking_id: int):
    form = MoveForm()
    if not form.validate_on_submit():
        return _detail_page(booking_id, 422, move_form=form)
    start, end = form.interval(_tz())
    with refusals(form) as refused:
        ops.move_booking(
            signed_in_user(),
            booking_id,
            start,
            end,
            clock.now(),
            override_reason=form.override_reason.data or None,
            locale=_locale(),
        )
    if refused:
        return _detail_page(booking_id, refused.status, move_form=form)
    db.session.commit()
    flash(_("The booking was moved."), "success")
    return redirect(url_for(".detail", booking_id=booking_id))


@bp.post("/bookings/<int:booking_id>/cancel")
@role_required()
def cancel(booking_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        return _detail_page(booking_id, 422, cancel_form=form)
    with refusals(form) as refused:
        ops.cancel_booking(signed_in_user(), booking_id, clock.now(), reason=form.reason.data, locale=_locale())
    if refused:
        return _detail_page(booking_id, refused.status, cancel_form=form)
    db.session.commit()
    flash(_("The booking was cancelled."), "success")
    return redirect(_next_url(url_for(".detail", booking_id=booking_id)))


@bp.post("/bookings/<int:booking_id>/check-in")
@role_required()
def check_in(booking_id: int):
    form = ActionForm()
    back = _next_url(url_for(".detail", booking_id=booking_id))
    if form.validate_on_submit():
        with refusals() as refused:
            ops.check_in(signed_in_user(), booking_id, clock.now(), locale=_locale())
        if refused:
            flash_problems(refused.problems)
        else:
            db.session.commit()
            flash(_("Checked in."), "success")
    return redirect(back)


@bp.post("/bookings/<int:booking_id>/check-out")
@role_required()
def check_out(booking_id: int):
    form = CheckOutForm()
    if not form.validate_on_submit():
        return _detail_page(booking_id, 422, checkout_form=form)
    tz = _tz()
    with refusals(form) as refused:
        ops.check_out(
            signed_in_user(),
            booking_id,
            clock.now(),
            used_from=aware(form.used_from.data, tz),
            used_until=aware(form.used_until.data, tz),
            locale=_locale(),
        )
    if refused:
        return _detail_page(booking_id, refused.status, checkout_form=form)
    db.session.commit()
    flash(_("The use was recorded."), "success")
    return redirect(_next_url(url_for(".detail", booking_id=booking_id)))


@bp.get("/bookings/<int:booking_id>.ics")
@role_required()
def ics(booking_id: int):
    booking = ops.get_booking(signed_in_user(), booking_id)
    body = booking_calendar([booking], _tz(), locale=locale_code())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="booking-{booking.id}.ics"'},
    )


# ------------------------------------------------------------------------------- approvals


def _approvals_page(status: int = 200, *, failed: tuple[int, ReasonForm] | None = None, bulk_form=None):
    items = ops.approval_queue(signed_in_user(), clock.now())
    return (
        render_template(
            "bookings/approvals.html",
            items=items,
            failed=failed,
            bulk_form=bulk_form or BulkDecisionForm(formdata=None),
            action_form=ActionForm(formdata=None),
            reject_form=ReasonForm(formdata=None),
            locale=_locale(),
        ),
        status,
    )


@bp.get("/manage/approvals")
@role_required("manager")
def approvals():
    return _approvals_page()


@bp.post("/manage/approvals/<int:booking_id>/approve")
@role_required("manager")
def approve(booking_id: int):
    if ActionForm().validate_on_submit():
        with refusals() as refused:
            ops.approve_booking(signed_in_user(), booking_id, clock.now(), locale=_locale())
        if refused:
            flash_problems(refused.problems, _("Request #%(id)d: ", id=booking_id))
        else:
            db.session.commit()
            flash(_("Request #%(id)d approved.", id=booking_id), "success")
    return redirect(_next_url(url_for(".approvals")))


@bp.post("/manage/approvals/<int:booking_id>/reject")
@role_required("manager")
def reject(booking_id: int):
    form = ReasonForm()
    if form.validate_on_submit():
        with refusals(form) as refused:
            ops.reject_booking(signed_in_user(), booking_id, form.reason.data, clock.now(), locale=_locale())
        if refused:
            return _approvals_page(refused.status, failed=(booking_id, form))
        db.session.commit()
        flash(_("Request #%(id)d rejected.", id=booking_id), "success")
        return redirect(_next_url(url_for(".approvals")))
    return _approvals_page(422, failed=(booking_id, form))


@bp.post("/manage/approvals/bulk")
@role_required("manager")
def bulk_decide():
    """Approve or reject the ticked requests: each gets its own result; one commit for all."""
    form = BulkDecisionForm()
    rejecting = bool(form.reject.data)
    valid = form.validate_on_submit()
    if valid and rejecting and not (form.reason.data or "").strip():
        form.reason.errors = [*form.reason.errors, _("Give a reason for rejecting.")]
        valid = False
    if not valid:
        return _approvals_page(422, bulk_form=form)
    now, results = clock.now(), []
    for booking_id in dict.fromkeys(form.ids.data):
        try:
            if rejecting:
                ops.reject_booking(signed_in_user(), booking_id, form.reason.data, now, locale=_locale())
            else:
                ops.approve_booking(
                    signed_in_user(), booking_id, now, reason=form.reason.data or None, locale=_locale()
                )
        except OperationError as exc:
            if exc.status not in (*REFUSALS, 403, 404):
                raise
            results.append((booking_id, False, "; ".join(p.message for p in exc.problems)))
        else:
            results.append((booking_id, True, None))
    db.session.commit()
    for booking_id, ok, message in results:
        if ok and rejecting:
            flash(_("Request #%(id)d rejected.", id=booking_id), "success")
        elif ok:
            flash(_("Request #%(id)d approved.", id=booking_id), "success")
        else:
            flash(_("Request #%(id)d: %(message)s", id=booking_id, message=message), "error")
    return redirect(url_for(".approvals"))


# --------------------------------------------------------------------- manager's week calendar


@bp.get("/manage/instruments/<int:instrument_id>/calendar")
@role_required("manager")
def calendar(instrument_id: int):
    instrument = _managed_instrument(instrument_id)
    policy = ops.policy_of(instrument)
    tz, now = _tz(), clock.now()
    monday = _week_of(tz, now)
    lo, hi = local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)
    instrument, views = ops.availability(instrument.id, signed_in_user(), lo, now)
    page = ops.list_bookings(
        signed_in_user(),
        scope="managed",
        instrument_id=instrument.id,
        status=CALENDAR_STATUSES,
        start_from=lo - ops.MAX_SPAN,
        start_to=hi,
        per_page=1000,
    )
    bookings = sorted((b for b in page.items if b.blocked_until > lo), key=lambda b: (b.start_at, b.id))

    def free_href(day: date, start: datetime) -> str:
        return url_for(
            ".book",
            instrument_id=instrument.id,
            week=monday.isoformat(),
            date=day.isoformat(),
            start=start.strftime("%H:%M"),
            _anchor="book",
        )

    week = build_week(
        monday,
        views,
        tz,
        now,
        grid_minutes=policy.grid_minutes,
        busy_blocks=managed_busy(bookings, tz),
        free_href=free_href,
    )
    today = now.astimezone(tz).date()
    rows = []
    for b in bookings:
        actions = ops.allowed_actions(b, signed_in_user(), now)
        rows.append(
            {
                "booking": b,
                "today": b.start_at.astimezone(tz).date() == today,
                "check_in": actions["check_in"] and b.start_at.astimezone(tz).date() == today,
                "check_out": b.status == "in_use",
                "record": b.status == "approved" and b.end_at <= now,
                "used_from": b.start_at.astimezone(tz).replace(tzinfo=None),
                "used_until": b.end_at.astimezone(tz).replace(tzinfo=None),
            }
        )
    return render_template(
        "bookings/calendar.html",
        instrument=instrument,
        week=week,
        rows=rows,
        action_form=ActionForm(),
        checkout_form=CheckOutForm(),
        edit_url=url_for("manage.edit_instrument", instrument_id=instrument.id),
    )


# --------------------------------------------------------------------------------- maintenance


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
def maintenance(instrument_id: int):
    instrument = _managed_instrument(instrument_id)
    form = MaintenanceForm()
    if not form.is_submitted():
        return _maintenance_page(instrument, form)
    if not form.validate():
        return _maintenance_page(instrument, form, 422)
    tz = _tz()
    with refusals(form) as refused:
        window, affected = ops.add_maintenance(
            signed_in_user(),
            instrument.id,
            aware(form.start.data, tz),
            aware(form.end.data, tz),
            form.reason.data,
            locale=_locale(),
        )
    if refused:
        return _maintenance_page(_managed_instrument(instrument_id), form, refused.status)
    db.session.commit()
    flash(_("Maintenance added."), "success")
    # shown at once (not after a redirect): the live bookings it collides with, for the manager to act on
    return _maintenance_page(instrument, MaintenanceForm(formdata=None), added=window, affected=affected)


@bp.post("/manage/instruments/<int:instrument_id>/maintenance/<int:window_id>/delete")
@role_required("manager")
def delete_maintenance(instrument_id: int, window_id: int):
    _managed_instrument(instrument_id)
    if ActionForm().validate_on_submit():
        ops.delete_maintenance(signed_in_user(), window_id, locale=_locale())
        db.session.commit()
        flash(_("Maintenance window deleted."), "success")
    return redirect(url_for(".maintenance", instrument_id=instrument_id))


# ------------------------------------------------------------------------------ provider closures


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
            signed_in_user(), provider_id, form.first_day.data, form.last_day.data, form.reason.data, locale=_locale()
        )
    if refused:
        return _closures_page(form, refused.status)
    db.session.commit()
    flash(_("Closure added."), "success")
    return _closures_page(ClosureForm(formdata=None), added=closure, affected=affected)


@bp.post("/manage/closures/<int:closure_id>/delete")
@role_required("manager")
def delete_closure(closure_id: int):
    _require_closure_rights()
    if ActionForm().validate_on_submit():
        ops.delete_closure(signed_in_user(), closure_id, locale=_locale())
        db.session.commit()
        flash(_("Closure deleted."), "success")
    return redirect(url_for(".closures"))


# ------------------------------------------------------------------------------ qualifications


QUALIFICATION_LABELS = {"active": _l("active"), "expired": _l("expired"), "revoked": _l("revoked")}


@bp.route("/manage/instruments/<int:instrument_id>/qualifications", methods=["GET", "POST"])
@role_required("manager")
def qualifications(instrument_id: int):
    instrument = _managed_instrument(instrument_id)
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
                    form.expires_at(_tz()),
                    clock.now(),
                    note=form.note.data or "",
                    locale=_locale(),
                )
            if refused:
                status = refused.status
                instrument = _managed_instrument(instrument_id)
            else:
                db.session.commit()
                flash(_("Qualification granted to %(email)s.", email=form.email.data.strip()), "success")
                return redirect(url_for(".qualifications", instrument_id=instrument_id))
    now = clock.now()
    tz, tick = _tz(), timedelta(microseconds=1)
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
def revoke_qualification(instrument_id: int, qualification_id: int):
    _managed_instrument(instrument_id)
    if ActionForm().validate_on_submit():
        ops.revoke_qualification(signed_in_user(), qualification_id, clock.now(), locale=_locale())
        db.session.commit()
        flash(_("Qualification revoked."), "success")
    return redirect(url_for(".qualifications", instrument_id=instrument_id))
