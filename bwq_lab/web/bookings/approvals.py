"""The managers' approval queue: approve or reject one request, or many at once."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from bwq_lab import clock
from bwq_lab.edge.access import role_required
from bwq_lab.edge.messages import localize
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import bookings as ops
from bwq_lab.refusals import Refusal
from bwq_lab.web.bookings.common import (
    bp,
    next_url,
    zone,
)
from bwq_lab.web.forms.bookings import (
    ActionForm,
    BulkDecisionForm,
    ReasonForm,
)
from bwq_lab.web.pages import REFUSALS, flash_problems, refusals, signed_in_user


def _approvals_page(status: int = 200, *, failed: tuple[int, ReasonForm] | None = None, bulk_form=None):
    items = ops.approval_queue(signed_in_user(), clock.now(), tz=zone())
    return (
        render_template(
            "bookings/approvals.html",
            items=items,
            failed=failed,
            bulk_form=bulk_form or BulkDecisionForm(formdata=None),
            action_form=ActionForm(formdata=None),
            reject_form=ReasonForm(formdata=None),
        ),
        status,
    )


@bp.get("/manage/approvals")
@role_required("manager")
def approvals():
    return _approvals_page()


@bp.post("/manage/approvals/<int:booking_id>/approve")
@role_required("manager")
@unit_of_work
def approve(booking_id: int):
    if ActionForm().validate_on_submit():
        with refusals() as refused:
            ops.approve_booking(signed_in_user(), booking_id, clock.now(), tz=zone())
        if refused:
            flash_problems(refused.problems, _("Request #%(id)d: ", id=booking_id))
        else:
            flash(_("Request #%(id)d approved.", id=booking_id), "success")
    return redirect(next_url(url_for(".approvals")))


@bp.post("/manage/approvals/<int:booking_id>/reject")
@role_required("manager")
@unit_of_work
def reject(booking_id: int):
    form = ReasonForm()
    if form.validate_on_submit():
        with refusals(form) as refused:
            ops.reject_booking(signed_in_user(), booking_id, form.reason.data, clock.now())
        if refused:
            return _approvals_page(refused.status, failed=(booking_id, form))
        flash(_("Request #%(id)d rejected.", id=booking_id), "success")
        return redirect(next_url(url_for(".approvals")))
    return _approvals_page(422, failed=(booking_id, form))


@bp.post("/manage/approvals/bulk")
@role_required("manager")
@unit_of_work
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
                ops.reject_booking(signed_in_user(), booking_id, form.reason.data, now)
            else:
                ops.approve_booking(signed_in_user(), booking_id, now, reason=form.reason.data or None, tz=zone())
        except Refusal as exc:
            if exc.status not in (*REFUSALS, 403, 404):
                raise
            results.append((booking_id, False, "; ".join(p.message for p in localize(exc.problems))))
        else:
            results.append((booking_id, True, None))
    for booking_id, ok, message in results:
        if ok and rejecting:
            flash(_("Request #%(id)d rejected.", id=booking_id), "success")
        elif ok:
            flash(_("Request #%(id)d approved.", id=booking_id), "success")
        else:
            flash(_("Request #%(id)d: %(message)s", id=booking_id, message=message), "error")
    return redirect(url_for(".approvals"))
