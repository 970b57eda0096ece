"""The goal dashboard's pages (web/goals.py), the targets and the home page's strip, on the small
province of tests/reports/conftest.py (today is 2026-12-01 in Asia/Shanghai)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import FIXED_NOW, PASSWORD, password_hash

ZERO9 = "0,0,0,0,0,0,0,0,0"


@pytest.fixture
def signed_in(ctx, client, login, user_of, frozen_clock):
    from bwq_lab.extensions import db

    def sign_in(name: str):
        user = user_of(name)
        user.password_hash = password_hash(PASSWORD)
        db.session.commit()
        login(user)
        return client

    return sign_in


def cell(html: str, figure: str, col: str) -> str:
    row = re.search(rf'<tr data-figure="{figure}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-col="{col}">([^<]*)<', row).group(1).strip()


def breakdown(html: str) -> dict[str, dict[str, str]]:
    table = re.search(r'<table class="goal-breakdown"[^>]*>(.*?)</table>', html, re.S).group(1)
    body = table.split("<tfoot>")[0]
    rows = {}
    for key, row in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', body, re.S):
        rows[key] = dict(re.findall(r'data-col="(\w+)">([^<]*)<', row))
    return rows


def chart_values(html: str, figure: str) -> str:
    svg = re.search(rf'<svg class="goal-chart"[^>]*data-figure="{figure}".*?</svg>', html, re.S).group(0)
    return re.search(r'class="actual-line"[^>]*data-values="([^"]*)"', svg).group(1)


def test_the_province_admin_sees_every_goal_with_its_chart_and_the_cities(signed_in, world):
    html = signed_in("province").get("/reports/goals?lang=en").get_data(as_text=True)
    assert cell(html, "sessions", "count") == "7" and cell(html, "sessions", "target") == "20,000"
    assert cell(html, "batches", "count") == "3" and cell(html, "enterprise_visits", "count") == "10"
    assert cell(html, "staff", "count") == "4" and cell(html, "providers", "count") == "3"
    # 7 sessions by day 335 of 365: floor(7 × 365 / 335) = 7; (20,000 − 7) over the 30 days left
    assert cell(html, "sessions", "projection") == "7"
    assert cell(html, "sessions", "per_month") == f"{19_993 / (30 * 12 / 365):,.1f}"
    # the charts: 0 on 1 January, then January..December (December so far = November)
    assert chart_values(html, "sessions") == f"{ZERO9},1,7,7"
    assert chart_values(html, "enterprises") == f"{ZERO9},2,3,3"
    assert 'class="target-line"' in html and 'data-target="20000"' in html
    assert "Content-Security-Policy" not in html  # nothing inline: the chart is plain SVG
    cities = breakdown(html)
    assert cities[str(world.hz)]["sessions"] == "5" and cities[str(world.nb)]["sessions"] == "2"
    # every city is listed: one that served nobody shows 0s
    idle = [row for key, row in cities.items() if key not in (str(world.hz), str(world.nb))]
    assert idle and all(set(row.values()) == {"0"} for row in idle)
    assert f"/reports/goals?year=2026&amp;city_id={world.hz}" in html


def test_the_page_speaks_chinese(signed_in, world, chinese_browser):
    html = signed_in("province").get("/reports/goals").get_data(as_text=True)
    assert "开放科研设施与仪器台次" in html or "台次" in html
    assert "11月" in html and "杭州" in html


def test_a_city_admin_sees_their_city_by_county_and_no_other_city(signed_in, world):
    client = signed_in("nb_admin")
    html = client.get("/reports/goals").get_data(as_text=True)
    assert cell(html, "sessions", "count") == "2" and cell(html, "staff", "count") == "2"
    counties = breakdown(html)
    assert 'data-group-by="county"' in html and counties[str(world.nb_county)]["sessions"] == "2"
    assert all(set(row.values()) == {"0"} for key, row in counties.items() if key != str(world.nb_county))
    assert client.get(f"/reports/goals?city_id={world.hz}").status_code == 404
    assert client.get(f"/reports/goals?provider_id={world.p1}").status_code == 404
    assert client.get(f"/reports/goals?provider_id={world.p3}").status_code == 200


def test_a_province_admin_narrows_to_a_city(signed_in, world):
    html = signed_in("province").get(f"/reports/goals?city_id={world.nb}").get_data(as_text=True)
    assert cell(html, "sessions", "count") == "2" and 'data-group-by="county"' in html


def test_a_county_admin_sees_their_county_by_provider(signed_in, world):
    html = signed_in("county_admin").get("/reports/goals").get_data(as_text=True)
    assert 'data-group-by="provider"' in html and list(breakdown(html)) == [str(world.p1)]  # P1 alone there


def test_a_manager_sees_their_provider_only(signed_in, world):
    client = signed_in("m3")
    html = client.get("/reports/goals").get_data(as_text=True)
    assert cell(html, "sessions", "count") == "2" and "goal-breakdown" not in html
    assert client.get(f"/reports/goals?city_id={world.nb}").status_code == 404


def test_enterprises_are_refused_and_visitors_sent_to_sign_in(client, signed_in, world):
    assert client.get("/reports/goals").status_code == 302
    assert signed_in("ua").get("/reports/goals").status_code == 403


def test_another_year(signed_in, world):
    client = signed_in("province")
    past = client.get("/reports/goals?year=2025").get_data(as_text=True)
    assert cell(past, "sessions", "count") == "0" and cell(past, "sessions", "per_month") == "—"
    future = client.get("/reports/goals?year=2027").get_data(as_text=True)
    assert cell(future, "sessions", "projection") == "—" and "goal-breakdown" not in future
    assert client.get("/reports/goals?year=banana").status_code == 200  # this year


def test_the_province_admin_sets_the_targets(signed_in, world, csrf_token):
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import AuditEvent, YearGoal
    from bwq_lab.reports.goals import DEFAULT_TARGETS

    client = signed_in("province")
    form = {name: str(value) for name, value in DEFAULT_TARGETS.items()}
    page = client.get("/reports/goals/targets?year=2027")
    assert page.status_code == 200 and 'value="20000"' in page.get_data(as_text=True)
    response = client.post(
        "/reports/goals/targets?year=2027", data={**form, "sessions": "25000", "csrf_token": csrf_token()}
    )
    assert response.status_code == 302
    rows = db.session.execute(select(YearGoal.year, YearGoal.figure, YearGoal.target)).all()
    assert rows == [(2027, "sessions", 25_000)]  # the defaults need no row
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "goals.set")).scalar_one()
    assert event.details == {"year": 2027, "changed": {"sessions": [20_000, 25_000]}}
    html = client.get("/reports/goals?year=2027").get_data(as_text=True)
    assert cell(html, "sessions", "target") == "25,000"

    refused = client.post(
        "/reports/goals/targets?year=2027", data={**form, "batches": "0", "staff": "", "csrf_token": csrf_token()}
    )
    assert refused.status_code == 422
    assert db.session.execute(select(YearGoal.figure)).scalars().all() == ["sessions"]


def test_only_province_admins_set_targets(signed_in, world):
    client = signed_in("nb_admin")
    assert client.get("/reports/goals/targets").status_code == 403
    assert client.post("/reports/goals/targets", data={"sessions": "1"}).status_code in (400, 403)


def test_set_targets_checks_every_figure_at_once(ctx, world, user_of):
    from bwq_lab.extensions import db
    from bwq_lab.operations.goals import set_targets
    from bwq_lab.refusals import Refusal

    with pytest.raises(Refusal) as refused:
        set_targets(user_of("province"), 1999, {"sessions": 0, "bogus": 5, "batches": True}, now=FIXED_NOW)
    assert refused.value.status == 422
    assert sorted((p.code, p.field) for p in refused.value.problems) == [
        ("GOAL_YEAR_OUT_OF_RANGE", "year"),
        ("TARGET_NOT_POSITIVE", "batches"),
        ("TARGET_NOT_POSITIVE", "sessions"),
        ("UNKNOWN_GOAL_FIGURE", "bogus"),
    ]
    with pytest.raises(Refusal) as refused:
        set_targets(user_of("hz_admin"), 2026, {"sessions": 5}, now=FIXED_NOW)
    assert refused.value.status == 403
    assert set_targets(user_of("province"), 2026, {"staff": 1200}, now=FIXED_NOW)["staff"] == 1200
    assert set_targets(user_of("province"), 2026, {"staff": 1000}, now=FIXED_NOW)["staff"] == 1000
    db.session.rollback()


def test_the_home_page_shows_this_years_province_totals(ctx, client, world, frozen_clock):
    html = client.get("/?lang=en").get_data(as_text=True)
    strip = re.search(r'<section class="goal-strip-wrap".*?</section>', html, re.S).group(0)
    counts = dict(re.findall(r'data-figure="(\w+)">.*?data-col="count">([^<]*)<', strip, re.S))
    assert counts == {
        "providers": "3", "staff": "4", "enterprises": "3", "enterprise_visits": "10", "sessions": "7", "batches": "3",
    }  # fmt: skip
    assert "/ 20,000" in strip and str(date(2026, 12, 1)) in strip
    assert "/reports/goals" not in strip  # a visitor gets no link to a page they may not open


def test_the_api_gives_the_dashboards_progress(client, world, token_for, user_of, ctx, frozen_clock):
    body = client.get("/api/v1/reports/goals?year=2026", headers=token_for(user_of("province"))).get_json()
    sessions = body["progress"]["sessions"]
    assert sessions == {
        "target": 20_000, "count": 7, "share": 0.0003, "remaining": 19_993,
        "per_month_needed": round(19_993 / (30 * 12 / 365), 1), "per_week_needed": round(19_993 * 7 / 30, 1),
        "projection": 7, "expected": 18_356, "on_track": False, "reached": False,
    }  # fmt: skip
    assert body["until"] == "2026-12-01" and body["so_far"]["batches"] == body["progress"]["batches"]["count"] == 3
    future = client.get("/api/v1/reports/goals?year=2027", headers=token_for(user_of("province"))).get_json()
    assert future["progress"]["sessions"]["projection"] is None and future["until"] == "2026-12-31"


def test_the_counts_are_kept_a_while_but_the_targets_never(app, ctx, client, world, frozen_clock, user_of, signed_in):
    from sqlalchemy import delete

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking
    from bwq_lab.operations.goals import set_targets
    from bwq_lab.web import goals as page

    def strip():
        html = client.get("/?lang=en").get_data(as_text=True)
        tile = re.search(r'data-figure="sessions">.*?data-col="count">([^<]*)<.*?/ ([\d,]+)', html, re.S)
        return tile.group(1), tile.group(2)

    app.config["GOALS_CACHE_SECONDS"] = 60
    try:
        assert strip() == ("7", "20,000")
        db.session.execute(delete(Booking).where(Booking.status == "completed", Booking.instrument_id == world.i3))
        set_targets(user_of("province"), 2026, {"sessions": 30_000}, now=FIXED_NOW)
        db.session.commit()
        assert strip() == ("7", "30,000")  # the counts from the cache, the target afresh
        page._CACHE.clear()
        assert strip() == ("5", "30,000")  # b8 and b10 (I3, October and November) are gone
        page_html = signed_in("province").get("/reports/goals?year=2026&lang=en").get_data(as_text=True)
        # the dashboard says when what it shows was counted (FIXED_NOW: 09:00 in Asia/Shanghai)
        assert "Counted at 09:00; the counts are kept up to 1 minute before" in page_html
    finally:
        app.config.pop("GOALS_CACHE_SECONDS")
        page._CACHE.clear()
    counted_afresh = client.get("/reports/goals?year=2026&lang=en").get_data(as_text=True)
    assert "Goals 2026" in counted_afresh and 'id="goal-counted-at"' not in counted_afresh  # nothing kept
