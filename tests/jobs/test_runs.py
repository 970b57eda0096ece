"""The run history, failure isolation, the operator commands and catching up a missed day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW


def _runs():
    from bwq_lab.extensions import db
    from bwq_lab.models import JobRun

    rows = db.session.execute(select(JobRun).order_by(JobRun.id)).scalars().all()
    db.session.remove()
    return rows


def test_every_run_is_recorded_with_its_counts(app, ctx):
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.jobs import find, run_job

    mail.queue("alice@example.com", "hello", "body")
    db.session.commit()
    assert run_job(app, find("deliver_mail"), FIXED_NOW) == 1
    assert run_job(app, find("deliver_mail"), FIXED_NOW) == 0
    first, second = _runs()
    assert (first.job, first.outcome, first.counts, first.as_of) == ("deliver_mail", "ok", {"sent": 1}, FIXED_NOW)
    assert second.counts == {"sent": 0} and second.total == 0
    assert first.finished_at >= first.started_at and first.error is None and first.period is None


def test_a_failing_job_is_recorded_with_its_traceback_rolled_back_and_the_others_still_run(app, ctx, caplog):
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.jobs import Job, find, run_all
    from bwq_lab.models import OutboxMessage

    def broken(now):
        mail.queue("nobody@example.com", "half-done", "must not survive the rollback")
        db.session.flush()
        raise ZeroDivisionError("the job broke")

    app.logger.disabled = False  # alembic's logging fileConfig (test_migrations) disables existing loggers
    mail.queue("alice@example.com", "hello", "body")
    db.session.commit()
    outcomes = run_all(app, [Job("broken", timedelta(minutes=1), broken, "breaks"), find("deliver_mail")], FIXED_NOW)
    assert [(o.job, o.total) for o in outcomes] == [("broken", None), ("deliver_mail", 1)]
    assert "ZeroDivisionError: the job broke" in outcomes[0].error
    broken_run, mail_run = _runs()
    assert broken_run.outcome == "failed" and broken_run.finished_at is not None
    assert "Traceback" in broken_run.error and "ZeroDivisionError: the job broke" in broken_run.error
    assert mail_run.outcome == "ok"
    assert "job broken failed" in caplog.text and "ZeroDivisionError" in caplog.text
    subjects = db.session.execute(select(OutboxMessage.subject)).scalars().all()
    assert subjects == ["hello"]


def test_a_period_runs_once_whoever_asks(app):
    from bwq_lab.jobs import PeriodTaken, find, run_job

    period = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    run_job(app, find("deliver_mail"), FIXED_NOW, period=period, holder="a")
    with pytest.raises(PeriodTaken):
        run_job(app, find("deliver_mail"), FIXED_NOW, period=period, holder="b")
    run_job(app, find("deliver_mail"), FIXED_NOW, period=period + timedelta(seconds=15), holder="b")
    with app.app_context():
        assert [(r.holder, r.period) for r in _runs()] == [("a", period), ("b", period + timedelta(seconds=15))]


def test_a_new_leader_catches_up_calendar_jobs_missed_while_no_scheduler_ran(app, monkeypatch):
    from bwq_lab.jobs import scheduler as sched
    from bwq_lab.jobs import table

    calls = []
    daily = table.Job("daily", table.Cron("0 9 * * *"), lambda now: calls.append(now) or 0, "once a day")
    runner = sched.Runner(app, (daily,), holder="me")
    runner.catch_up()
    runner.catch_up()  # the same period again: already ran
    assert len(calls) == 1
    with app.app_context():
        (run,) = _runs()
    assert run.period == sched.last_fire(daily.schedule, datetime.now(UTC), app.config["TIMEZONE"])


def test_prune_forgets_finished_runs_older_than_the_history(app, ctx):
    from bwq_lab.extensions import db
    from bwq_lab.jobs import find, run_job
    from bwq_lab.models import JobRun

    old = JobRun(job="deliver_mail", as_of=FIXED_NOW, started_at=FIXED_NOW - timedelta(days=20), outcome="ok")
    old.finished_at = old.started_at
    stuck = JobRun(job="deliver_mail", as_of=FIXED_NOW, started_at=FIXED_NOW - timedelta(days=20))
    db.session.add_all([old, stuck])
    db.session.commit()
    assert run_job(app, find("prune_job_runs"), FIXED_NOW) == 1
    assert run_job(app, find("prune_job_runs"), FIXED_NOW) == 0
    assert [r.outcome for r in _runs()] == ["running", "ok", "ok"]


# ------------------------------------------------------------------ operator commands
def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["bwq", *args])


def test_jobs_list_shows_schedule_last_run_and_outcome(app):
    from bwq_lab.jobs import find, run_job

    run_job(app, find("deliver_mail"), FIXED_NOW)
    result = _cli(app, "jobs", "list")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert (
        "every 15 s" in lines["deliver_mail"] and " ok " in lines["deliver_mail"] and "sent=0" in lines["deliver_mail"]
    )
    assert "cron 0 9 * * *" in lines["qualification_warnings"] and "never" in lines["qualification_warnings"]


def test_jobs_run_at_a_given_instant(app):
    result = _cli(app, "jobs", "run", "deliver_mail", "--now", "2026-12-02T08:00:00+08:00")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "deliver_mail: 0"
    with app.app_context():
        (run,) = _runs()
    assert run.as_of == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nothing",), "no job 'nothing'"),
        (("deliver_mail", "--now", "tomorrow"), "ISO 8601"),
        (("deliver_mail", "--now", "2026-12-02T08:00:00"), "offset"),
    ],
)
def test_jobs_run_refuses_bad_input(app, args, message):
    result = _cli(app, "jobs", "run", *args)
    assert result.exit_code == 2 and message in result.output
    with app.app_context():
        assert _runs() == []


def test_run_jobs_reports_a_failure_and_exits_1_after_running_the_rest(app, monkeypatch):
    from bwq_lab.jobs import table

    def broken(now):
        raise RuntimeError("boom")

    jobs = (table.Job("broken", timedelta(minutes=1), broken, "breaks"), table.find("deliver_mail"))
    monkeypatch.setattr(table, "JOBS", jobs)
    result = _cli(app, "run-jobs")
    assert result.exit_code == 1
    assert "broken: FAILED RuntimeError: boom" in result.output and "deliver_mail: 0" in result.output


def test_configured_schedules_and_disabled_jobs(app):
    from bwq_lab.jobs import configured

    jobs = {j.name: j for j in configured({"JOB_SCHEDULES": {"deliver_mail": 2}, "JOBS_DISABLED": ["prune_job_runs"]})}
    assert jobs["deliver_mail"].every == timedelta(seconds=2) and "prune_job_runs" not in jobs
    with pytest.raises(ValueError, match="unknown"):
        configured({"JOB_SCHEDULES": {"nope": 2}})
