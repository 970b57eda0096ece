"""A province administrator opens the goal dashboard: every chart (SVG) and the table beside it
show the numbers GET /api/v1/reports/goals gives; a screenshot is saved in instance/screenshots/
(or $BWQ_SCREENSHOTS). The small province of tests/reports/conftest.py, on 2026-12-01."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import PASSWORD, password_hash
from tests.reports.conftest import user_of, world  # noqa: F401 - the fixtures

SHOTS = Path(os.environ.get("BWQ_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "instance" / "screenshots")


def test_province_admin_reads_the_goals_as_the_api_counts_them(page, app, world, user_of, frozen_clock):  # noqa: F811
    from bwq_lab.extensions import db

    with app.app_context():
        admin = user_of("province")
        admin.password_hash = password_hash(PASSWORD)
        db.session.commit()
        email = admin.email

    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")
    with page.expect_navigation():
        page.click("nav >> text=年度目标")
    assert "2026 年度目标" in page.inner_text("h1")

    # the API's numbers, read with the same browser session
    api = page.request.get("/api/v1/reports/goals?year=2026").json()
    assert api["so_far"]["sessions"] == 7

    for figure in api["figures"]:
        counted = [v for v in api["cumulative"][figure] if v is not None]
        chart = page.locator(f'svg.goal-chart[data-figure="{figure}"]')
        assert chart.get_attribute("data-target") == str(api["targets"][figure])
        assert chart.locator("polyline.actual-line").get_attribute("data-values") == ",".join(map(str, counted))
        points = chart.locator("circle.actual-point")
        assert points.count() == len(counted)
        # the points climb (or stay): a lower y is a higher count, and the target line sits at the target
        ys = [float(points.nth(i).get_attribute("cy")) for i in range(points.count())]
        assert ys == sorted(ys, reverse=True)
        assert chart.locator("line.target-line").get_attribute("data-value") == str(api["targets"][figure])
        # the table beside the chart: the same twelve values
        cells = page.locator(f'table.goal-months[data-figure="{figure}"] td[data-col="cumulative"]')
        shown = [cells.nth(i).inner_text().replace(",", "") for i in range(12)]
        assert shown == [str(v) if v is not None else "—" for v in api["cumulative"][figure]]
        # the overview row: count, target and projection as the API's progress
        row = page.locator(f'#goal-overview tr[data-figure="{figure}"]')
        progress = api["progress"][figure]
        assert row.locator('[data-col="count"]').inner_text().replace(",", "") == str(progress["count"])
        assert row.locator('[data-col="target"]').inner_text().replace(",", "") == str(progress["target"])
        assert row.locator('[data-col="projection"]').inner_text().replace(",", "") == str(progress["projection"])

    cities = page.inner_text("table.goal-breakdown")
    assert "杭州" in cities and "宁波" in cities
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "goal_dashboard.png"), full_page=True)

    # a city opens from the breakdown: Ningbo's own dashboard
    with page.expect_navigation():
        page.click("table.goal-breakdown >> text=宁波")
    assert "宁波" in page.inner_text("h1")
    assert page.locator('#goal-overview tr[data-figure="sessions"] [data-col="count"]').inner_text() == "2"
