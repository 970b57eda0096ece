"""The background jobs for province administrators: the timetable, who leads, every run."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, request
from flask import render_template as render
from flask_babel import lazy_gettext as _l

from bwq_lab.edge.access import role_required
from bwq_lab.jobs.table import JOBS, configured
from bwq_lab.operations import job_runs as ops
from bwq_lab.web.pages import page_arg

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

#: what each job does, in the reader's language (the table's descriptions are for operators' terminals)
TITLES = {
    "deliver_mail": _l("Send queued e-mail"),
    "mark_no_shows": _l("Mark approved sessions nobody checked in to as no-shows"),
    "close_the_day": _l("Close sessions still in use after their end, for a manager to confirm the use"),
    "expire_requests": _l("Expire requests nobody decided in time"),
    "qualification_warnings": _l("Warn users a week before a qualification expires"),
    "booking_reminders": _l("Remind users a day before an approved session"),
    "manager_digests": _l("Send managers the requests waiting longer than a day"),
    "prune_job_runs": _l("Forget old job runs"),
}
OUTCOME_LABELS = {"running": _l("running"), "ok": _l("ok"), "failed": _l("failed")}


def schedule_label(schedule) -> str:
    from datetime import timedelta

    from flask_babel import gettext as _

    if isinstance(schedule, timedelta):
        seconds = int(schedule.total_seconds())
        if seconds % 60:
            return _("every %(n)s seconds", n=seconds)
        return _("every %(n)s minutes", n=seconds // 60)
    return _("cron %(expression)s", expression=schedule.expression)


@bp.get("")
@role_required("province_admin")
def runs():
    from flask import current_app

    job = request.args.get("job") or None
    outcome = request.args.get("outcome") or None
    if job not in {j.name for j in JOBS}:
        job = None
    if outcome not in ops.OUTCOMES:
        outcome = None
    jobs = configured(current_app.config)
    return render(
        "admin/jobs.html",
        jobs=jobs,
        titles=TITLES,
        schedule_label=schedule_label,
        outcome_labels=OUTCOME_LABELS,
        outcomes=ops.OUTCOMES,
        last=ops.last_runs([j.name for j in jobs]),
        lease=ops.lease(),
        now=datetime.now(UTC),
        page=ops.recent_runs(job=job, outcome=outcome, page=page_arg(), per_page=current_app.config["PER_PAGE"]),
        job=job,
        outcome=outcome,
    )
