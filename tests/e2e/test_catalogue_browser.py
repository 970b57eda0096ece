"""A visitor finds an instrument in the browser, in Chinese and in English."""

from __future__ import annotations


def test_search_and_open_an_instrument_in_chinese_then_english(page, app, create_instrument):
    with app.app_context():
        create_instrument(name="场发射扫描电子显微镜", name_en="Field-emission SEM", model="SU8010")
        create_instrument(
            name="X射线衍射仪", name_en="X-ray diffractometer", model="D8 Advance", category="xray_diffraction"
        )
    page.goto("/instruments")
    page.fill("input[name=q]", "电子显微镜")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=" in page.url
    body = page.inner_text("body")
    assert "场发射扫描电子显微镜" in body
    assert "X射线衍射仪" not in body
    page.click("text=场发射扫描电子显微镜")
    assert "SU8010" in page.inner_text("body")
    page.goto("/instruments?lang=en&q=diffractometer")
    body = page.inner_text("body")
    assert "X-ray diffractometer" in body
    assert "Field-emission SEM" not in body
