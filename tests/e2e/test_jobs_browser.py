"""A province administrator opens the background jobs page, narrows it to the failures and reads
a traceback; a screenshot is saved in instance/screenshots/ (or $BWQ_SCREENSHOTS)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW, PASSWORD

SHOTS = Path(os.environ.get("BWQ_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "instance" / "screenshots")


def test_province_admin_reads_the_job_runs_and_a_failure(page, app, create_user):
    from bwq_lab.jobs import Job, find, run_job

    def broken(now):
        raise ConnectionError("SMTP server refused the connection")

    run_job(app, find("deliver_mail"), FIXED_NOW)
    run_job(app, find("qualification_warnings"), FIXED_NOW)
    with pytest.raises(ConnectionError):
        run_job(app, Job("deliver_mail", timedelta(seconds=15), broken, ""), FIXED_NOW)
    with app.app_context():
        email = create_user("province_admin").email

    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")
    with page.expect_navigation():
        page.click("nav >> text=后台任务")
    assert "后台任务" in page.inner_text("h1")
    jobs = page.inner_text("#job-table")
    assert "发送待发邮件" in jobs and "每 15 秒" in jobs and "失败" in jobs
    page.select_option("select[name=outcome]", "failed")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    runs = page.inner_text("#run-table")
    assert "deliver_mail" in runs and "qualification_warnings" not in runs
    page.click("#run-table summary")
    assert "SMTP server refused the connection" in page.inner_text("#run-table pre")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin_jobs.png"), full_page=True)
