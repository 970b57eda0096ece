"""Who reads which rows (scope_for), and the goals month by month (cumulative, distinct so far)."""

from __future__ import annotations

from datetime import date

import pytest

from bwq_lab.refusals import Refusal
from tests.reports.conftest import TZ


def test_each_role_reads_its_own_area(ctx, world, user_of):
    from bwq_lab.reports.scope import PROVINCE, Scope, scope_for

    assert scope_for(user_of("province")) == PROVINCE
    assert scope_for(user_of("hz_admin")) == Scope("city", world.hz)
    assert scope_for(user_of("county_admin")) == Scope("county", world.hz_county)
    assert scope_for(user_of("m3")) == Scope("provider", world.p3)
    assert scope_for(user_of("ua")) == Scope("enterprise", world.ea)


def test_narrowing_inside_ones_own_area(ctx, world, user_of):
    from bwq_lab.reports.scope import Scope, scope_for

    province = user_of("province")
    assert scope_for(province, city_id=world.nb) == Scope("city", world.nb)
    assert scope_for(province, county_id=world.hz_county2) == Scope("county", world.hz_county2)
    assert scope_for(province, city_id=world.hz, provider_id=world.p1) == Scope("provider", world.p1)
    hz_admin = user_of("hz_admin")
    assert scope_for(hz_admin, city_id=world.hz) == Scope("city", world.hz)
    assert scope_for(hz_admin, county_id=world.hz_county) == Scope("county", world.hz_county)
    assert scope_for(hz_admin, provider_id=world.p2) == Scope("provider", world.p2)
    assert scope_for(user_of("county_admin"), provider_id=world.p1) == Scope("provider", world.p1)
    assert scope_for(user_of("m3"), provider_id=world.p3) == Scope("provider", world.p3)


@pytest.mark.parametrize(
    ("who", "ask"),
    [
        ("hz_admin", {"city_id": "nb"}),  # another city
        ("hz_admin", {"county_id": "nb_county"}),
        ("hz_admin", {"provider_id": "p3"}),
        ("nb_admin", {"provider_id": "p1"}),
        ("county_admin", {"provider_id": "p2"}),  # Hangzhou, but another county
        ("county_admin", {"city_id": "hz"}),  # wider than the county
        ("m3", {"provider_id": "p1"}),
        ("m3", {"city_id": "nb"}),  # a manager reads their provider only
        ("ua", {"provider_id": "p1"}),
        ("province", {"city_id": "hz", "provider_id": "p3"}),  # P3 is not in Hangzhou
        ("province", {"city_id": "hz_county"}),  # a county is not a city
        ("province", {"provider_id": 99_999}),
    ],
)
def test_another_area_is_not_found(ctx, world, user_of, who, ask):
    from bwq_lab.reports.scope import scope_for

    ids = {k: (getattr(world, v) if isinstance(v, str) else v) for k, v in ask.items()}
    with pytest.raises(Refusal) as caught:
        scope_for(user_of(who), **ids)
    assert caught.value.status == 404


def test_a_pending_member_or_anonymous_reads_nothing(ctx, world, user_of):
    from bwq_lab.extensions import db
    from bwq_lab.reports.scope import scope_for

    pending = user_of("ub")
    pending.membership = "pending"
    for reader in (pending, None, object()):
        with pytest.raises(Refusal) as caught:
            scope_for(reader)
        assert caught.value.status == 403
    db.session.rollback()


def test_a_city_admin_gets_no_other_citys_rows(ctx, world, user_of):
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.scope import scope_for

    result = summary(
        db.session, scope_for(user_of("nb_admin")), date(2026, 10, 1), date(2026, 11, 30), group_by="provider", tz=TZ
    )
    assert {g.key for g in result.groups} == {world.p3, world.p4}
    assert result.totals["sessions"] == 2  # b8 and b10, nothing of Hangzhou's


# ------------------------------------------------------------------------------------ goals
def cumulative(scope=None, until=date(2026, 12, 1), year=2026):
    from bwq_lab.extensions import db
    from bwq_lab.reports.goals import cumulative_by_month
    from bwq_lab.reports.scope import PROVINCE

    return cumulative_by_month(db.session, scope or PROVINCE, year, tz=TZ, until=until)


def test_goals_month_by_month(ctx, world):
    """October: b8 (EC at P3, s4), o2 (EA at P1, s1), r4 (EA at P2). November adds EB, s2, s3."""
    values = cumulative()
    zero = [0] * 9
    assert values == {
        "providers": zero + [3, 3, 3],
        "staff": zero + [2, 4, 4],
        "enterprises": zero + [2, 3, 3],  # distinct so far, not 2 + 3
        "enterprise_visits": zero + [3, 10, 10],
        "sessions": zero + [1, 7, 7],
        "batches": zero + [1, 3, 3],
    }


def test_goals_stop_at_until(ctx, world):
    values = cumulative(until=date(2026, 11, 15))
    assert values["sessions"][9:] == [1, 6, None]  # b4 (11-30) is not yet counted
    # November to the 15th: EA@P1 11-02 and 11-05, EA@P2 11-02, EB@P1 11-02, EC@P3 11-01 and 11-15
    assert values["enterprise_visits"][9:] == [3, 9, None]
    assert cumulative(until=date(2025, 12, 31))["sessions"] == [None] * 12
    assert cumulative(until=date(2027, 3, 1), year=2025)["sessions"] == [0] * 12


def test_goals_in_a_scope(ctx, world):
    from bwq_lab.reports.scope import Scope

    ningbo = cumulative(Scope("city", world.nb))
    assert ningbo["sessions"][9:] == [1, 2, 2]
    assert ningbo["staff"][9:] == [1, 2, 2]  # s4 in October, s3 in November
    assert ningbo["providers"][9:] == [1, 1, 1]


def test_targets_default_to_the_programmes(ctx, world):
    from bwq_lab.extensions import db
    from bwq_lab.models import YearGoal
    from bwq_lab.reports.goals import DEFAULT_TARGETS, targets

    assert targets(db.session, 2026) == DEFAULT_TARGETS
    db.session.add(YearGoal(year=2026, figure="sessions", target=25_000))
    db.session.flush()
    assert targets(db.session, 2026) == {**DEFAULT_TARGETS, "sessions": 25_000}
    assert targets(db.session, 2027) == DEFAULT_TARGETS
    db.session.rollback()
