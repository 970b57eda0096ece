"""The goal dashboard (百千万): each goal figure's count, share, pace needed, projection, a
month-by-month chart against the target and a breakdown one level down; and the province
administrators' page for the year's targets.

Readers see their own area (``reports.scope.scope_for``): province admins the province (or a city,
county or provider they pick), city admins their city, county admins their county, managers their
provider. Enterprises read their own figures through the API; the dashboard is the programme's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from bwq_lab import clock
from bwq_lab.edge.access import role_required
from bwq_lab.edge.messages.goals import GOAL_LABELS, GOAL_UNITS
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.extensions import db
from bwq_lab.models import Provider, Region
from bwq_lab.operations import goals as ops
from bwq_lab.reports import progress
from bwq_lab.reports.goals import GOAL_FIGURES, cumulative_by_month
from bwq_lab.reports.scope import PROVINCE, scope_for
from bwq_lab.web.goal_chart import chart
from bwq_lab.web.pages import int_arg, refusals, signed_in_user

bp = Blueprint("goals", __name__, url_prefix="/reports/goals")

READERS = ("province_admin", "city_admin", "county_admin", "manager")
#: the group links narrow to: a city's row opens the city, a county's the county, a provider's the provider
NARROW_ARG = {"city": "city_id", "county": "county_id", "provider": "provider_id"}


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: int) -> str:
    """A month's short name on the chart's axis and in its table: "3月" or "Mar"."""
    from bwq_lab.edge.templating import locale_code

    return MONTHS_EN[month - 1] if locale_code() == "en" else f"{month}月"


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> date:
    return clock.now().astimezone(tz()).date()


def chosen_year() -> int:
    year = int_arg("year")
    return year if year is not None and ops.FIRST_YEAR <= year <= ops.LAST_YEAR else today().year


def year_choices(year: int) -> list[int]:
    this = today().year
    return sorted({*range(max(ops.FIRST_YEAR, this - 3), min(ops.LAST_YEAR, this + 1) + 1), year})


def area_name(scope) -> str | None:
    """The name of the area a scope reads, in the reader's language (None for the province)."""
    model = {"city": Region, "county": Region, "provider": Provider}.get(scope.level)
    row = db.session.get(model, scope.id) if model else None
    if row is None:
        return None
    from bwq_lab.edge.templating import display

    return display(row)


# ------------------------------------------------------------------ a short cache of the counts
T = TypeVar("T")
_CACHE: dict[tuple, tuple[float, datetime, object]] = {}
_CACHE_LOCK = threading.Lock()


def cache_seconds() -> int:
    configured = current_app.config.get("GOALS_CACHE_SECONDS")
    if configured is None:
        return 0 if current_app.testing else 120
    return int(configured)


def cached(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept per process for GOALS_CACHE_SECONDS under ``key`` (which names the
    database, the scope, the year and the last day counted: a reader only ever gets counts of the
    scope they were allowed). The year's counts move slowly; the targets are never cached. When
    the counts may be kept, the request remembers when the oldest it shows were counted
    (``counted_at``), and the page says so: a kept count is never passed off as a fresh one."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], *key)
    hit = _CACHE.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        _note_counted_at(hit[1])
        return hit[2]  # type: ignore[return-value]
    value = compute()
    counted_at = clock.now()
    with _CACHE_LOCK:
        if len(_CACHE) >= 512:
            _CACHE.clear()
        _CACHE[key] = (time.monotonic(), counted_at, value)  # kept from when it was counted
    _note_counted_at(counted_at)
    return value


def _note_counted_at(moment: datetime) -> None:
    if g.get("counted_at") is None or moment < g.counted_at:
        g.counted_at = moment


def counted_at_note() -> dict | None:
    """When the counts this request shows were counted (local time) and how long they are kept,
    or None when they are counted on every request."""
    moment = g.get("counted_at")
    if moment is None:
        return None
    return {"time": moment.astimezone(tz()).strftime("%H:%M"), "minutes": max(1, -(-cache_seconds() // 60))}


def goal_board(scope, year: int) -> progress.Board:
    until = progress.last_day_counted(year, today())
    cumulative = cached(
        ("cumulative", scope, year, until),
        lambda: cumulative_by_month(db.session, scope, year, tz=tz(), until=until),
    )
    return progress.board(db.session, scope, year, today=today(), tz=tz(), cumulative=cumulative)


@bp.get("")
@role_required(*READERS)
def dashboard():
    g.pop("counted_at", None)  # (an app context may outlive one request: tests, CLI)
    year = chosen_year()
    narrowed = {name: int_arg(name) for name in ("city_id", "county_id", "provider_id")}
    scope = scope_for(signed_in_user(), **narrowed)
    board = goal_board(scope, year)
    groups = cached(
        ("breakdown", scope, year, board.until),
        lambda: progress.breakdown(db.session, scope, year, today=today(), tz=tz()),
    )
    charts = {
        p.figure: chart(board.cumulative[p.figure], p.target, board.even_pace[p.figure], p.projection)
        for p in board.progress
    }
    return render_template(
        "goals/dashboard.html",
        board=board,
        charts=charts,
        groups=groups,
        narrow_arg=NARROW_ARG.get(groups.group_by) if groups else None,
        area=area_name(scope),
        narrowed=any(v is not None for v in narrowed.values()),
        years=year_choices(year),
        labels=GOAL_LABELS,
        units=GOAL_UNITS,
        figures=GOAL_FIGURES,
        month_label=month_label,
        counted_at=counted_at_note(),
    )


@bp.record_once
def _home_strip(state) -> None:
    """``province_goals()`` for the public home page's strip (this year, the whole province)."""

    def province_goals() -> progress.Board:
        return goal_board(PROVINCE, today().year)

    state.app.jinja_env.globals.update(province_goals=province_goals, goal_labels=GOAL_LABELS, goal_readers=READERS)


def targets_form(current: dict[str, int]) -> FlaskForm:
    class TargetsForm(FlaskForm):
        submit = SubmitField(_l("Save the targets"))

    for name in GOAL_FIGURES:
        field = IntegerField(
            GOAL_LABELS[name],
            validators=[InputRequired(_l("This field is required.")), NumberRange(min=1, max=ops.MAX_TARGET)],
            default=current[name],
        )
        setattr(TargetsForm, name, field)
    return TargetsForm()


@bp.route("/targets", methods=["GET", "POST"])
@role_required("province_admin")
@unit_of_work
def targets():
    from bwq_lab.reports.goals import DEFAULT_TARGETS
    from bwq_lab.reports.goals import targets as year_targets

    year = chosen_year()
    form = targets_form(year_targets(db.session, year))
    if form.validate_on_submit():
        wanted = {name: form[name].data for name in GOAL_FIGURES}
        with refusals() as refused:
            ops.set_targets(signed_in_user(), year, wanted, now=clock.now())
        if not refused:
            db.session.commit()
            flash(_("The targets for %(year)s are saved.", year=year), "success")
            return redirect(url_for("goals.dashboard", year=year))
        for problem in refused.problems:
            target = form._fields.get(problem.field or "")
            (target.errors.append if target is not None else form.form_errors.append)(problem.message)
    return render_template(
        "goals/targets.html",
        form=form,
        year=year,
        years=year_choices(year),
        defaults=DEFAULT_TARGETS,
        figures=GOAL_FIGURES,
    ), (422 if form.errors else 200)
