"""The year's targets (百千万), set by province administrators: one ``YearGoal`` row per year and
figure, the programme's defaults (``reports.goals.DEFAULT_TARGETS``) where there is none.

    goals.set_targets(admin, 2026, {"sessions": 25000, ...}, now=now)

Every figure is checked at once (``Refusal(422)`` listing each problem with its field); nothing is
written unless all are good. A change is audited (``goals.set``) with the figures it changed, old
and new.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import User, YearGoal
from bwq_lab.operations import audit
from bwq_lab.refusals import Problem, Refusal, forbidden
from bwq_lab.reports.goals import GOAL_FIGURES, targets

#: years a target may be set for (the programme runs for a handful of years; this only stops typos)
FIRST_YEAR, LAST_YEAR = 2020, 2100
#: the largest target (the column is a 32-bit integer)
MAX_TARGET = 2_000_000_000


def set_targets(actor: User, year: int, wanted: Mapping[str, object], *, now: datetime) -> dict[str, int]:
    """Set ``year``'s targets to ``wanted`` (figure → positive whole number; figures left out keep
    theirs). Returns the year's targets afterwards. Province administrators only (else 403)."""
    if getattr(actor, "role", None) != "province_admin":
        raise forbidden()
    problems = []
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(
            Problem("GOAL_YEAR_OUT_OF_RANGE", field="year", params={"first": FIRST_YEAR, "last": LAST_YEAR})
        )
    clean: dict[str, int] = {}
    for figure, value in wanted.items():
        if figure not in GOAL_FIGURES:
            problems.append(Problem("UNKNOWN_GOAL_FIGURE", field=figure, params={"figure": figure}))
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TARGET:
            problems.append(Problem("TARGET_NOT_POSITIVE", field=figure, params={"max": MAX_TARGET}))
        else:
            clean[figure] = value
    if problems:
        raise Refusal(422, problems)
    before = targets(db.session, year)
    rows = {
        row.figure: row for row in db.session.execute(select(YearGoal).where(YearGoal.year == year)).scalars().all()
    }
    changed = {}
    for figure, value in clean.items():
        row = rows.get(figure)
        if row is None:
            if value == before[figure]:
                continue  # the default already: no row needed
            row = YearGoal(year=year, figure=figure, target=value, updated_by_id=actor.id, updated_at=now)
            db.session.add(row)
        elif row.target != value:
            row.target, row.updated_by_id, row.updated_at = value, actor.id, now
        else:
            continue
        changed[figure] = [before[figure], value]
    if changed:
        db.session.flush()
        audit.record(actor, "goals.set", None, now=now, year=year, changed=changed)
    return targets(db.session, year)
