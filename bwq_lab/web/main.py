from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required

from bwq_lab import clock
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import notices

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; answer with the SVG icon."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.record_once
def _notice_helpers(state) -> None:
    from bwq_lab.edge.messages.notices import notice_text

    def my_notices():
        if not current_user.is_authenticated:
            return []
        if request.method in ("GET", "HEAD") and current_user.unread_notices_as_loaded is False:
            return []  # the session's loader read that there are none, and a GET writes none
        return notices.unread(current_user)

    state.app.jinja_env.globals.update(my_notices=my_notices, notice_text=notice_text)


@bp.post("/notices/<int:notice_id>/dismiss")
@bp.post("/notices/dismiss", defaults={"notice_id": None})
@login_required
@unit_of_work
def dismiss_notice(notice_id: int | None):
    """Dismiss one notice (or all); only the signed-in user's own."""
    notices.dismiss(current_user, notice_id, clock.now())
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("main.index"))
