"""The quarterly carrier report job: when a quarter has ended, each provider that served anyone in
it gets its report (载体季度报送) as an Excel attachment, to the managers of the whole provider,
once per quarter. The data is the reports' hand-counted November 2026 (P1 and P3 served)."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.conftest import local
from tests.feeds.test_approval_mail import delivered
from tests.jobs.test_booking_notices import _outbox, _run
from tests.reports.conftest import world  # noqa: F401  (the hand-counted November 2026)

NEW_YEAR = local("2027-01-01 07:30")  # Q4 2026 has ended


def test_each_serving_provider_gets_its_quarter_once_with_the_report_attached(app, ctx, world):  # noqa: F811
    from bwq_lab.extensions import db
    from bwq_lab.models import User
    from bwq_lab.reports.carrier import quarterly_report

    db.session.get(User, world.users["m1"]).locale = "en"
    db.session.commit()
    assert _run(app, "quarterly_reports", NEW_YEAR) == 2  # m1 (P1) and m3 (P3); P2 and P4 have no manager
    assert _run(app, "quarterly_reports", NEW_YEAR) == 0  # the rerun sends nothing
    assert _run(app, "quarterly_reports", NEW_YEAR + timedelta(days=20)) == 0  # nor a later run in January
    sent = {to: (subject, body) for to, subject, body in _outbox()}
    assert set(sent) == {"m1@reports.example", "m3@reports.example"}
    subject, body = sent["m1@reports.example"]
    assert subject == "[BWQ Lab] Quarterly carrier report 2026 Q4: P1 en"
    assert "2026-10-01 to 2026-12-31" in body and "/reports/quarterly?year=2026&quarter=4" in body
    assert "季度" in sent["m3@reports.example"][0]  # m3 reads Chinese

    messages = {m["To"]: m for m in delivered(app)}
    (attachment,) = list(messages["m1@reports.example"].iter_attachments())
    assert attachment.get_filename() == f"quarterly-report-{world.p1}-2026Q4.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.get_payload(decode=True))).active
    report = quarterly_report(db.session, world.p1, 2026, 4, tz=ZoneInfo("Asia/Shanghai"))
    assert len(report.lines) > 0
    # the page's download, the same bytes' worth: the title names P1, one row per line, then totals
    assert "P1" in " ".join(str(row[0]) for row in sheet.iter_rows(max_row=3, values_only=True))
    header = int(sheet.freeze_panes[1:]) - 1
    assert sheet.max_row == header + len(report.lines) + 1


def test_nothing_is_sent_for_a_quarter_in_which_nobody_was_served(app, ctx, world):  # noqa: F811
    assert _run(app, "quarterly_reports", local("2026-10-01 07:30")) == 0  # Q3 2026: the world has none
