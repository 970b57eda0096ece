"""Every figure of the hand-made province (tests/reports/conftest.py), against numbers computed by
hand; each rule of docs/indicators.md has its test here."""

from __future__ import annotations

from datetime import date

import pytest

from bwq_lab.refusals import Refusal
from tests.reports.conftest import NOVEMBER, TZ

# November 2026 has 21 weekdays and 30 days. Open minutes: I1 450 × 21 = 9,450; I2 240 × 21 =
# 5,040; I3 720 × 30 = 21,600; I4 480 × 21 = 10,080 (I5 is retired): 46,170 in all.
PROVINCE = {
    "sessions": 6,  # b1 b2 b3 b4 b7 b10 (not b8: it started in October; not the cancelled b6)
    "booked_hours": 10.0,  # completed and no-shows: 2 + 1 + 1 + 2 + 1 + 1 + (b5, b11) 1 + 1
    "effective_hours": 6.5,  # 90 + 60 + 60 + 120 + 60 minutes (b7's use was not recorded)
    "external_hours": 5.5,  # without b3 (internal): 330 minutes
    "sharing_rate": 0.846,  # 330 / 390
    "utilisation": 0.008,  # 390 / 46,170
    "no_shows": 2,
    "no_show_rate": 0.25,  # 2 / (6 + 2)
    "median_approval_hours": 14.0,  # decided in November after waiting: b7 1, b2 4, b4 24, b5 30 h
    "batches": 2,  # o1, o3 (o2 was first delivered in October; o4 never)
    "samples": 7,
    "service_records": 3,
    "service_hours": 4.5,
    "enterprises": 3,
    "enterprise_visits": 7,  # EA: P1 11-02, P2 11-02, P1 11-05, P2 11-30; EB: P1 11-02; EC: P3 11-01, 11-15
    "staff": 3,  # s1 s2 s3 (s4 worked only in October)
    "providers": 3,  # P1 P2 P3 (P4 had a no-show only)
    "agreements": 2,
    "agreements_paid_fen": 506_000_000,
    "provincial_projects": 1,  # r3: ¥5,000,000 paid
    "results": 3,
    "revenue_internal_fen": 28_000,  # b3 20,000 + o3 8,000
    "revenue_external_fen": 245_000,  # b1 b2 b4 b7 b10 + o1 (no-shows and the cancelled slot: none)
}
HANGZHOU = {
    "sessions": 5,
    "booked_hours": 8.0,
    "effective_hours": 5.5,
    "external_hours": 4.5,
    "sharing_rate": 0.818,
    "utilisation": 0.023,  # 330 / 14,490
    "no_shows": 1,
    "no_show_rate": 0.167,
    "median_approval_hours": 14.0,
    "batches": 1,
    "samples": 5,
    "service_records": 2,
    "service_hours": 3.0,
    "enterprises": 2,
    "enterprise_visits": 5,
    "staff": 2,
    "providers": 2,
    "agreements": 1,
    "agreements_paid_fen": 6_000_000,
    "provincial_projects": 0,
    "results": 1,
    "revenue_internal_fen": 20_000,
    "revenue_external_fen": 235_000,
}
NINGBO = {
    "sessions": 1,
    "booked_hours": 2.0,
    "effective_hours": 1.0,
    "external_hours": 1.0,
    "sharing_rate": 1.0,
    "utilisation": 0.002,  # 60 / 31,680
    "no_shows": 1,
    "no_show_rate": 0.5,
    "median_approval_hours": None,  # no decision taken in November
    "batches": 1,
    "samples": 2,
    "service_records": 1,
    "service_hours": 1.5,
    "enterprises": 1,  # EC (EB only failed to show up at P4)
    "enterprise_visits": 2,  # b10 and o3 on the same day at P3 are one visit; r3
    "staff": 1,
    "providers": 1,
    "agreements": 1,
    "agreements_paid_fen": 500_000_000,
    "provincial_projects": 1,
    "results": 2,
    "revenue_internal_fen": 8_000,
    "revenue_external_fen": 10_000,
}


def run(scope=None, first=NOVEMBER[0], last=NOVEMBER[1], group_by=None):
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.scope import PROVINCE as WHOLE

    return summary(db.session, scope or WHOLE, first, last, group_by=group_by, tz=TZ)


def test_every_figure_of_the_province(ctx, world):
    from bwq_lab.reports.figures import FIGURES

    result = run()
    assert result.totals == PROVINCE
    assert list(result.totals) == list(FIGURES)
    assert result.groups == []


def test_grouped_by_city(ctx, world):
    result = run(group_by="city")
    assert [(g.key, g.name, g.name_en) for g in result.groups] == [
        (world.hz, "杭州", "Hangzhou"),
        (world.nb, "宁波", "Ningbo"),
    ]
    assert result.groups[0].figures == HANGZHOU
    assert result.groups[1].figures == NINGBO
    assert result.totals == PROVINCE


def test_a_city_scope_counts_its_providers_only(ctx, world):
    from bwq_lab.reports.scope import Scope

    assert run(Scope("city", world.hz)).totals == HANGZHOU
    assert run(Scope("city", world.nb)).totals == NINGBO


def test_grouped_by_provider_county_and_kind(ctx, world):
    by_provider = {g.key: g.figures for g in run(group_by="provider").groups}
    assert set(by_provider) == {world.p1, world.p2, world.p3, world.p4}
    assert by_provider[world.p1]["sessions"] == 4 and by_provider[world.p1]["batches"] == 1
    assert by_provider[world.p4]["providers"] == 0 and by_provider[world.p4]["no_shows"] == 1
    assert by_provider[world.p2]["enterprise_visits"] == 2  # EA: b4 11-30 and r1 11-02
    by_county = {g.key: g.figures["sessions"] for g in run(group_by="county").groups}
    assert by_county == {world.hz_county: 4, world.hz_county2: 1, world.nb_county: 1}
    kinds = run(group_by="provider_kind").groups
    assert [(g.key, g.name) for g in kinds] == [
        ("university", "高校"),
        ("institute", "科研院所"),
        ("key_lab", "重点实验室"),
    ]
    assert kinds[1].figures["no_shows"] == 2  # b5 at P2 and b11 at P4, both institutes


def test_grouped_by_instrument_counts_sessions_only(ctx, world):
    groups = {g.key: g for g in run(group_by="instrument").groups}
    assert set(groups) == {world.i1, world.i2, world.i3, world.i4}  # every open instrument
    i1 = groups[world.i1].figures
    assert (i1["sessions"], i1["effective_hours"], i1["utilisation"]) == (4, 3.5, 0.022)  # 210 / 9,450
    assert i1["batches"] is None and i1["service_records"] is None and i1["agreements"] is None
    assert i1["enterprises"] == 2 and i1["enterprise_visits"] == 2  # EA and EB at P1 on 11-02
    assert i1["revenue_external_fen"] == 160_000  # sessions only
    assert groups[world.i4].figures["sessions"] == 0 and groups[world.i4].figures["utilisation"] == 0.0
    categories = {g.key: g.figures["sessions"] for g in run(group_by="instrument_category").groups}
    assert categories == {"electron_microscopy": 4, "xray_diffraction": 1, "nmr": 1}


def test_grouped_by_service_and_record_kind(ctx, world):
    kinds = run(group_by="service_kind").groups
    assert [(g.key, g.figures["batches"], g.figures["samples"]) for g in kinds] == [
        ("testing_analysis", 1, 5),
        ("research_development", 1, 2),
    ]
    assert kinds[0].figures["sessions"] is None and kinds[0].figures["utilisation"] is None
    records = {g.key: g.figures for g in run(group_by="record_kind").groups}
    assert {k: f["service_records"] for k, f in records.items()} == {"consultation": 1, "training": 1, "transfer": 1}
    assert records["transfer"]["provincial_projects"] == 1 and records["training"]["staff"] == 2


def test_grouped_by_enterprise_category(ctx, world):
    groups = run(group_by="enterprise_category").groups
    assert [g.key for g in groups] == ["high_tech", "tech_sme", None]  # None: P1's own manager's session
    high_tech, tech_sme, none = (g.figures for g in groups)
    assert (high_tech["sessions"], tech_sme["sessions"], none["sessions"]) == (1, 4, 1)
    assert (high_tech["enterprises"], tech_sme["enterprises"], none["enterprises"]) == (1, 2, 0)
    assert groups[2].name_en == "Not specified" and tech_sme["utilisation"] is None


def test_month_boundaries_are_local_and_a_session_counts_at_its_start(ctx, world):
    """b8 starts 10-31 23:00 and ends in November: October's. b10 starts 11-01 00:30 local (still
    10-31 in UTC): November's. b4 starts 11-30 23:00 and ends in December: November's."""
    result = run(first=date(2026, 10, 1), last=date(2026, 12, 31), group_by="month")
    months = {g.key: g.figures for g in result.groups}
    assert list(months) == ["2026-10", "2026-11", "2026-12"]  # every month, even an empty one
    assert [months[m]["sessions"] for m in months] == [1, 6, 0]
    assert result.groups[0].name == "2026年10月" and result.groups[0].name_en == "Oct 2026"
    assert months["2026-12"]["utilisation"] == 0.0


def test_a_reopened_batch_counts_once_at_its_first_delivery(ctx, world):
    october = run(first=date(2026, 10, 1), last=date(2026, 10, 31)).totals
    assert (october["batches"], october["samples"]) == (1, 3)  # o2, delivered again in November
    assert run().totals["batches"] == 2


def test_a_cancelled_then_rebooked_slot_counts_once(ctx, world):
    from bwq_lab.reports.scope import Scope

    day = run(Scope("enterprise", world.ea), first=date(2026, 11, 2), last=date(2026, 11, 2)).totals
    assert day["sessions"] == 2  # b1 and the rebooked b7; the cancelled b6 is not a session
    assert day["booked_hours"] == 3.0


def test_one_enterprise_served_by_two_providers_on_one_day_is_two_visits(ctx, world):
    from bwq_lab.reports.scope import Scope

    day = run(Scope("enterprise", world.ea), first=date(2026, 11, 2), last=date(2026, 11, 2)).totals
    assert day["enterprise_visits"] == 2  # P1 (b1, b7: one visit) and P2 (r1)
    assert day["enterprises"] == 1 and day["providers"] == 2


def test_the_enterprise_scope_counts_its_own_rows(ctx, world):
    from bwq_lab.reports.scope import Scope

    ea = run(Scope("enterprise", world.ea)).totals
    assert ea["sessions"] == 3 and ea["no_shows"] == 1 and ea["batches"] == 1
    assert ea["enterprises"] == 1 and ea["enterprise_visits"] == 4 and ea["providers"] == 2
    assert ea["utilisation"] is None  # an enterprise opens no instruments
    assert ea["revenue_external_fen"] == 80_000 + 50_000 + 40_000 + 25_000


def test_a_provider_and_a_county_scope(ctx, world):
    from bwq_lab.reports.scope import Scope

    p3 = run(Scope("provider", world.p3)).totals
    assert (p3["sessions"], p3["batches"], p3["service_records"], p3["staff"]) == (1, 1, 1, 1)
    county = run(Scope("county", world.hz_county)).totals
    assert county["sessions"] == 4 and county["providers"] == 1


def test_an_empty_period_is_zero_not_missing(ctx, world):
    totals = run(first=date(2025, 1, 1), last=date(2025, 1, 31)).totals
    assert totals["sessions"] == 0 and totals["enterprises"] == 0
    assert totals["no_show_rate"] is None and totals["median_approval_hours"] is None
    assert totals["sharing_rate"] is None and totals["utilisation"] is None  # no instrument yet


@pytest.mark.parametrize(
    ("kwargs", "codes"),
    [
        ({"group_by": "colour"}, ["UNKNOWN_GROUPING"]),
        ({"first": date(2026, 11, 2), "last": date(2026, 11, 1)}, ["PERIOD_REVERSED"]),
    ],
)
def test_bad_requests_are_refused_with_codes(ctx, world, kwargs, codes):
    with pytest.raises(Refusal) as caught:
        run(**kwargs)
    assert caught.value.status == 422 and caught.value.codes == codes


def test_a_long_period_is_fine(ctx, world):
    result = run(first=date(2024, 1, 1), last=date(2026, 12, 31), group_by="month")
    assert len(result.groups) == 36 and result.totals["sessions"] == 7


def test_local_days_need_a_fixed_offset_on_sqlite():
    from zoneinfo import ZoneInfo

    from bwq_lab.reports.local_time import fixed_offset_minutes

    assert fixed_offset_minutes(TZ, date(2026, 1, 1), date(2026, 12, 31)) == 480
    with pytest.raises(ValueError, match="Europe/Berlin"):
        fixed_offset_minutes(ZoneInfo("Europe/Berlin"), date(2026, 1, 1), date(2026, 12, 31))


def test_some_figures_only(ctx, world):
    """The goal dashboard asks for the six goal figures: the same numbers, nothing else counted."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.goals import GOAL_FIGURES
    from bwq_lab.reports.scope import PROVINCE as WHOLE

    result = summary(db.session, WHOLE, *NOVEMBER, group_by="city", tz=TZ, figures=GOAL_FIGURES)
    assert list(result.totals) == ["sessions", "batches", "enterprises", "enterprise_visits", "staff", "providers"]
    assert result.totals == {name: PROVINCE[name] for name in result.totals}
    assert [g.figures for g in result.groups] == [
        {name: HANGZHOU[name] for name in result.totals},
        {name: NINGBO[name] for name in result.totals},
    ]
    only = summary(db.session, WHOLE, *NOVEMBER, tz=TZ, figures=["enterprises"]).totals
    assert only == {"enterprises": 3}
    with pytest.raises(ValueError, match="colour"):
        summary(db.session, WHOLE, *NOVEMBER, tz=TZ, figures=["colour"])


def test_grouped_by_lab_service(ctx, world):
    groups = run(group_by="service").groups
    assert [(g.key, g.name, g.figures["batches"], g.figures["samples"]) for g in groups] == [
        (world.l1, "L1", 1, 5),
        (world.l3, "L3", 1, 2),
    ]
    assert groups[0].figures["sessions"] is None and groups[0].figures["enterprises"] == 1
