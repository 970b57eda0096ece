"""The monthly summary: on the 1st, the previous month's figures (``reports.figures.summary``,
counted nowhere else) to each provider's managers and the city and county admins, once per reader
and month, caught up by a later run. The province is the reports' hand-counted November."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import FIXED_NOW, local
from tests.jobs.test_booking_notices import _outbox, _run
from tests.reports.conftest import world  # noqa: F401  (the hand-counted November 2026)

TZ = ZoneInfo("Asia/Shanghai")
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def _totals(ids, level: str, key: str) -> dict:
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.scope import Scope

    return summary(db.session, Scope(level, getattr(ids, key)), *NOVEMBER, tz=TZ).totals


def test_on_the_first_each_reader_gets_their_scopes_figures_once(app, ctx, world):  # noqa: F811
    from bwq_lab.edge.templating import yuan
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    db.session.get(User, world.users["m1"]).locale = "en"
    db.session.commit()
    assert FIXED_NOW.astimezone(TZ).day == 1
    assert _run(app, "monthly_summaries", FIXED_NOW) == 5  # m1, m3, two city admins, a county admin
    assert _run(app, "monthly_summaries", FIXED_NOW) == 0  # the rerun sends nothing
    assert _run(app, "monthly_summaries", FIXED_NOW + timedelta(days=4)) == 0  # nor a later run in December
    sent = {to: (subject, body) for to, subject, body in _outbox()}
    assert len(sent) == 5

    p1 = _totals(world, "provider", "p1")
    subject, body = sent["m1@reports.example"]
    assert subject == "[BWQ Lab] Monthly summary 2026-11: P1 en"
    assert "2026-11-01 to 2026-11-30" in body
    assert f"Instrument sessions: {p1['sessions']:,}\n" in body and p1["sessions"] > 0
    assert f"Booked hours: {p1['booked_hours']:,}\n" in body
    assert f"Lab-service batches: {p1['batches']:,}\n" in body
    assert f"Utilisation of opening hours: {p1['utilisation'] * 100:.1f}%\n" in body
    assert f"Revenue, external prices: ¥{yuan(p1['revenue_external_fen'])}\n" in body
    assert "/reports/goals" in body and "/reports/quarterly" in body

    for reader, level, key, name in (
        ("m3", "provider", "p3", "P3"),
        ("hz_admin", "city", "hz", "杭州"),
        ("nb_admin", "city", "nb", "宁波"),
        ("county_admin", "county", "hz_county", None),
    ):
        subject, body = sent[f"{reader}@reports.example"]
        totals = _totals(world, level, key)
        assert "2026-11" in subject and (name is None or name in subject)
        assert f": {totals['sessions']:,}\n" in body.split("\n", 4)[-1]  # the first figure's line
        assert f"¥{yuan(totals['revenue_external_fen'])}" in body
    assert "/reports/quarterly" not in sent["hz_admin@reports.example"][1]  # a provider's report


def test_a_reader_added_later_in_the_month_is_caught_up_and_the_next_month_comes_on_the_1st(app, ctx, world):  # noqa: F811
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    assert _run(app, "monthly_summaries", FIXED_NOW) == 5
    db.session.add(User(email="m2@reports.example", name="m2", password_hash="-", role="manager", provider_id=world.p2))
    db.session.commit()
    assert _run(app, "monthly_summaries", local("2026-12-03 10:00")) == 1  # only the new one
    assert _run(app, "monthly_summaries", local("2026-12-31 23:59")) == 0
    assert _run(app, "monthly_summaries", local("2027-01-01 07:00")) == 6  # December's, to everyone
    subjects = [subject for _, subject, _ in _outbox()]
    assert sum("2026-11" in s for s in subjects) == 6 and sum("2026-12" in s for s in subjects) == 6
