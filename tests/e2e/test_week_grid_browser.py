"""The week grid draws each free stretch as one link; a click picks the grid time under the
pointer and fills the booking form (static/js/week.js). A screenshot is saved in
instance/screenshots/ (or $BWQ_SCREENSHOTS)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import PASSWORD

SHOTS = Path(os.environ.get("BWQ_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "instance" / "screenshots")


def test_click_in_a_free_stretch_picks_the_time_under_the_pointer(
    page, app, frozen_clock, create_instrument, create_user
):
    with app.app_context():
        instrument_id = create_instrument(slot_minutes=30).id
        email = create_user("enterprise").email

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")
    page.goto(f"/instruments/{instrument_id}/book?week=2026-12-02")

    # Wednesday morning is free from 08:30 to 12:00: one element, not seven half-hour cells
    stretches = page.locator('.week a.blk.free[data-date="2026-12-02"]')
    assert stretches.count() == 2  # morning and afternoon
    morning = page.locator('.week a.blk.free[data-date="2026-12-02"][data-span="510-720"]')
    # without JavaScript the link books from the stretch's first grid time
    assert "start=08:30" in morning.get_attribute("href") and morning.get_attribute("data-start") == "08:30"
    box = morning.bounding_box()
    # 10:15 is 105 of the stretch's 210 minutes: the 10:00 cell
    morning.click(position={"x": box["width"] / 2, "y": box["height"] * (105 + 2) / 210})
    assert page.input_value("input[name=date]") == "2026-12-02"
    assert page.input_value("input[name=start]") == "10:00"
    # a click near the bottom still leaves room for one cell: 11:30
    morning.click(position={"x": box["width"] / 2, "y": box["height"] - 2})
    assert page.input_value("input[name=start]") == "11:30"

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".week").screenshot(path=str(SHOTS / "week-grid-intervals.png"))
