"""Lab-service order pages: ordering from a service page, "My orders", the manager's board with
the lab's load per day, the order page (history, notes, files, the steps), make-up working days.

Views stay thin: parse the form, call one operation in one unit of work, redirect or show the
page again with the operation's problems next to the fields."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bwq_lab import clock
from bwq_lab.domain import capacity as cap
from bwq_lab.domain.orders import OrderStatus
from bwq_lab.edge.access import role_required
from bwq_lab.edge.messages.names import status_name
from bwq_lab.edge.messages.orders import step_name
from bwq_lab.edge.result_files import result_upload_limit, send_result_file
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import orders as ops
from bwq_lab.operations import staff as staff_ops
from bwq_lab.operations.catalogue import managed_services, public_service
from bwq_lab.operations.orders.access import today
from bwq_lab.web.forms.orders import DeliverForm, NoteForm, OrderForm, StepForm, WorkdayForm
from bwq_lab.web.forms.staff import offer_staff
from bwq_lab.web.pages import flash_problems, int_arg, page_arg, refusals, signed_in_user

bp = Blueprint("orders", __name__)

STATUS_BADGES = {
    "submitted": "warn",
    "accepted": "",
    "samples_received": "",
    "in_progress": "",
    "delivered": "ok",
    "closed": "ok",
    "rejected": "err",
    "cancelled": "err",
    "reopened": "warn",
}
LOAD_DAYS = 28


@bp.app_template_global()
def order_status_name(status) -> str:
    return status_name("order", str(status))


@bp.app_template_global()
def order_action_name(action) -> str:
    """A step's name in an order's history ("deliver the results")."""
    return step_name(str(action))


@bp.app_template_global()
def order_status_badge(status) -> str:
    return STATUS_BADGES.get(str(status), "")


@bp.app_template_global()
def order_box(service):
    """What the service page shows under "Order": the form with the quote and the earliest
    promised date (for people who may order), else how to become one."""
    user = current_user if current_user.is_authenticated else None
    may = user is not None and ops.may_order(user)
    form = OrderForm(samples=service.min_samples, formdata=None) if may else None
    preview = None
    if service.status == "active":
        preview = ops.preview(
            signed_in_user() if user else None,
            service.id,
            service.min_samples,
            requested=None,
            now=clock.now(),
            tz=_tz(),
        )
    return {"may_order": may, "form": form, "preview": preview}


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _retest_days() -> int:
    return int(current_app.config["ORDER_RETEST_DAYS"])


# ------------------------------------------------------------------------------ ordering
@bp.route("/services/<int:service_id>/order", methods=["GET", "POST"])
@role_required()
@unit_of_work
def new_order(service_id: int):
    service = public_service(service_id)
    form = OrderForm()
    if request.method == "GET":
        form.samples.data = form.samples.data or service.min_samples
    status = 200
    if form.validate_on_submit():
        with refusals(form) as refused:
            order = ops.create_order(
                signed_in_user(),
                service.id,
                samples=form.samples.data,
                sample_description=form.sample_description.data or "",
                hazard=form.hazard.data,
                requested_date=form.requested_date.data,
                project_code=form.project_code.data or "",
                now=clock.now(),
                tz=_tz(),
            )
        if not refused:
            flash(_("Order #%(id)d submitted. The lab will confirm the plan.", id=order.id), "success")
            return redirect(url_for("orders.detail", order_id=order.id))
        status = refused.status
    elif form.is_submitted():
        status = 422
    samples = form.samples.data if isinstance(form.samples.data, int) and form.samples.data > 0 else service.min_samples
    preview = ops.preview(
        signed_in_user(), service.id, samples, requested=form.requested_date.data, now=clock.now(), tz=_tz()
    )
    return render_template(
        "orders/new.html", service=service, form=form, preview=preview, may_order=ops.may_order(signed_in_user())
    ), status


# ------------------------------------------------------------------------------ lists
@bp.get("/orders")
@role_required()
def mine():
    status = request.args.get("status") or None
    statuses = [s.value for s in OrderStatus]
    page = ops.list_orders(
        signed_in_user(), status=[status] if status in statuses else None, page=page_arg(), per_page=20
    )
    return render_template("orders/mine.html", page=page, status=status, statuses=statuses)


@bp.get("/orders/board")
@role_required("manager")
def board():
    services = managed_services(current_user)
    chosen = next((s for s in services if s.id == int_arg("service")), services[0] if services else None)
    first = today(clock.now(), _tz()) + timedelta(days=1)
    load = ops.service_load(chosen, first, first + timedelta(days=LOAD_DAYS - 1), _tz()) if chosen else []
    return render_template(
        "orders/board.html",
        columns=ops.board(signed_in_user()),
        services=services,
        chosen=chosen,
        load=load,
        weeks=_weeks(load),
    )


def _weeks(load: list[ops.DayLoad]) -> list[list[ops.DayLoad | None]]:
    """The load as calendar weeks (Monday first) for the heat table."""
    if not load:
        return []
    cells: list[ops.DayLoad | None] = [None] * load[0].day.weekday() + list(load)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


# ------------------------------------------------------------------------------ the order page
def _page(order_id: int, status: int = 200, **forms):
    user = signed_in_user()
    order = ops.get_order(user, order_id, with_history=True)
    lab = ops.is_lab_side(user, order)
    actions = ops.allowed_actions(user, order, clock.now(), _retest_days())
    plan = None
    if lab and "accept" in actions:
        plan = ops.preview_acceptance(user, order_id, now=clock.now(), tz=_tz())
    forms.setdefault("step_form", StepForm(formdata=None))
    forms.setdefault("deliver_form", DeliverForm(formdata=None))
    forms.setdefault("note_form", NoteForm(formdata=None))
    if lab and ("start" in actions or "deliver" in actions):  # who analysed the samples
        staff = staff_ops.active_staff(order.provider_id)
        default = order.staff_id or staff_ops.default_staff_id(user)
        offer_staff(forms["step_form"].staff_id, staff, default)
        offer_staff(forms["deliver_form"].staff_id, staff, default)
    return render_template(
        "orders/detail.html",
        order=order,
        lab=lab,
        actions=actions,
        plan=plan if isinstance(plan, cap.Plan) else None,
        no_capacity=isinstance(plan, cap.NoCapacity),
        retest_days=_retest_days(),
        **forms,
    ), status


@bp.get("/orders/<int:order_id>")
@role_required()
def detail(order_id: int):
    return _page(order_id)


STEPS = {
    "accept": lambda u, i, f: ops.accept_order(
        u, i, now=clock.now(), tz=_tz(), hazard_accepted=f.hazard_accepted.data, note=f.note.data
    ),
    "reject": lambda u, i, f: ops.reject_order(u, i, reason=f.reason.data, now=clock.now()),
    "receive": lambda u, i, f: ops.receive_samples(u, i, now=clock.now(), note=f.note.data),
    "start": lambda u, i, f: ops.start_work(u, i, now=clock.now(), note=f.note.data, staff_id=f.staff_id.data),
    "confirm": lambda u, i, f: ops.confirm_receipt(u, i, now=clock.now()),
    "cancel": lambda u, i, f: ops.cancel_order(u, i, reason=f.reason.data, now=clock.now()),
    "reopen": lambda u, i, f: ops.reopen_order(u, i, reason=f.reason.data, now=clock.now(), window_days=_retest_days()),
}


@bp.post("/orders/<int:order_id>/<any(accept, reject, receive, start, confirm, cancel, reopen):step>")
@role_required()
@unit_of_work
def step(order_id: int, step: str):
    form = StepForm()
    if not form.validate_on_submit():
        return _page(order_id, 422, step_form=form)
    with refusals(form) as refused:
        STEPS[step](signed_in_user(), order_id, form)
    if refused:
        return _page(order_id, refused.status, step_form=form)
    flash(_("Done: %(action)s.", action=order_action_name(step)), "success")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.url_value_preprocessor
def _result_upload_limit(endpoint, values):
    """Deliveries carry result files: their own size limit, set before the CSRF check reads the body."""
    if endpoint == "orders.deliver":
        request.max_content_length = result_upload_limit(current_app.config)


@bp.post("/orders/<int:order_id>/deliver")
@role_required("manager")
@unit_of_work
def deliver(order_id: int):
    form = DeliverForm()
    if not form.validate_on_submit():
        return _page(order_id, 422, deliver_form=form)
    config = current_app.config
    with refusals(form) as refused:
        ops.deliver_results(
            signed_in_user(),
            order_id,
            request.files.getlist("files"),
            now=clock.now(),
            folder=config["RESULTS_FOLDER"],
            max_bytes=config["RESULT_FILE_MAX_BYTES"],
            max_files=config["RESULT_FILES_PER_DELIVERY"],
            note=form.note.data,
            staff_id=form.staff_id.data,
        )
    if refused:
        return _page(order_id, refused.status, deliver_form=form)
    flash(_("Results delivered."), "success")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.post("/orders/<int:order_id>/notes")
@role_required("manager")
@unit_of_work
def add_note(order_id: int):
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(order_id, 422, note_form=form)
    with refusals(form) as refused:
        ops.add_note(signed_in_user(), order_id, form.note.data or "", now=clock.now())
    if refused:
        return _page(order_id, refused.status, note_form=form)
    flash(_("Note added."), "success")
    return redirect(url_for("orders.detail", order_id=order_id) + "#history")


@bp.get("/orders/<int:order_id>/files/<int:file_id>")
@role_required()
def download(order_id: int, file_id: int):
    return send_result_file(ops.get_order(signed_in_user(), order_id, with_history=True), file_id)


# ------------------------------------------------------------------------------ make-up working days
@bp.route("/orders/workdays", methods=["GET", "POST"])
@role_required("manager")
@unit_of_work
def workdays():
    user = signed_in_user()
    form = WorkdayForm()
    status = 200
    if form.validate_on_submit():
        with refusals(form) as refused:
            ops.add_workday(user, form.day.data, form.reason.data or "", now=clock.now(), tz=_tz())
        if not refused:
            flash(_("Make-up working day added."), "success")
            return redirect(url_for("orders.workdays"))
        status = refused.status
    elif form.is_submitted():
        status = 422
    rows = ops.workdays_for(user.provider_id, today(clock.now(), _tz())) if user.provider_id else []
    may = user.provider_id is not None and ops.may_manage_workdays(user, user.provider_id)
    return render_template("orders/workdays.html", form=form, rows=rows, may=may), status


@bp.post("/orders/workdays/<int:workday_id>/delete")
@role_required("manager")
@unit_of_work
def delete_workday(workday_id: int):
    with refusals(None, (404,)) as refused:
        ops.delete_workday(signed_in_user(), workday_id)
    if refused:
        flash_problems(refused.problems)
        return redirect(url_for("orders.workdays")), 303
    flash(_("Make-up working day removed."), "success")
    return redirect(url_for("orders.workdays"))
