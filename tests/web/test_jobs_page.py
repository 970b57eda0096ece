"""Province administrators see the background jobs and every run; nobody else does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import FIXED_NOW


@pytest.fixture
def runs(app):
    from bwq_lab.jobs import Job, find, run_job

    def broken(now):
        raise ValueError("<script>alert('x')</script> went wrong")

    run_job(app, find("deliver_mail"), FIXED_NOW)
    with pytest.raises(ValueError):
        run_job(app, Job("qualification_warnings", timedelta(days=1), broken, "x"), FIXED_NOW)


def _user(app, create_user, role):
    with app.app_context():
        user = create_user(role)
        return type("U", (), {"email": user.email})()


def test_province_admin_sees_the_timetable_last_runs_and_errors(app, client, login, create_user, runs):
    login(_user(app, create_user, "province_admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Background jobs" in page and "Send queued e-mail" in page and "every 15 seconds" in page
    assert "cron 0 9 * * *" in page
    assert "sent=0" in page and "badge err" in page and "ValueError" in page and "Traceback" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # escaped
    assert "No scheduler is running" in page
    only_failed = client.get("/admin/jobs?outcome=failed").get_data(as_text=True)
    table = only_failed.split('id="run-table"')[1]
    assert "qualification_warnings" in table and "deliver_mail" not in table
    only_mail = client.get("/admin/jobs?job=deliver_mail&outcome=nonsense").get_data(as_text=True)
    table = only_mail.split('id="run-table"')[1]
    assert "deliver_mail" in table and "qualification_warnings" not in table
    assert client.get("/admin/jobs?lang=zh").status_code == 200
    zh = client.get("/admin/jobs").get_data(as_text=True)
    assert "后台任务" in zh


@pytest.mark.parametrize("role", ["manager", "city_admin", "enterprise"])
def test_others_are_refused(app, client, login, create_user, role):
    login(_user(app, create_user, role))
    assert client.get("/admin/jobs").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/jobs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
