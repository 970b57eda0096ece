"""Issue 7 in a real browser: pages work under the Content-Security-Policy (no inline script),
and the province administrator reads the audit log. Screenshots go to ``BWQ_SCREENSHOT_DIR``
(default: the test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import PASSWORD


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("BWQ_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_registration_script_runs_under_the_csp_without_violations(page, tmp_path):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto("/register?lang=en")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.select_option("select[name=city]", label="Ningbo")
    visible = page.eval_on_selector_all(
        "select[name=county] optgroup", "gs => gs.filter(g => !g.hidden).map(g => g.label)"
    )
    assert visible == ["Ningbo"]  # static/js/register.js ran: only the chosen city's counties show
    page.fill("input[name=password]", "1234567890")
    page.fill("input[name=confirm]", "1234567890")
    page.click("button[type=submit], input[type=submit]")
    assert "passwords people use most" in page.inner_text("body")
    page.screenshot(path=str(_shots(tmp_path) / "security-register-weak-password.png"), full_page=True)
    assert not violations, violations


def test_province_admin_reads_the_audit_log(page, app, create_user, token_for, tmp_path):
    with app.app_context():
        admin = create_user("province_admin")
        admin_email = admin.email
        user = create_user("enterprise")
        from bwq_lab.extensions import db
        from bwq_lab.operations import accounts
        from tests.conftest import FIXED_NOW

        accounts.issue_token(user, "nightly export", now=FIXED_NOW)
        db.session.commit()
    page.goto("/login?lang=en")
    page.fill("input[name=email]", admin_email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit], input[type=submit]")
    page.click("text=Audit log")
    body = page.inner_text("body")
    assert "token.create" in body and "nightly export" in body
    page.screenshot(path=str(_shots(tmp_path) / "security-audit-log.png"), full_page=True)
