"""Operator commands for the background jobs: the scheduler process, one job by hand, the list."""

from __future__ import annotations

import signal
from datetime import datetime

import click
from flask import current_app

from bwq_lab.cli import bwq


def _app():
    return current_app._get_current_object()


@bwq.command("scheduler")
def scheduler_command() -> None:
    """Run the background jobs (outbox e-mail, reminders, ...) until stopped.

    Run one per machine if you like: only the holder of the database lease works, another takes
    over within JOB_LEASE_SECONDS when it dies. SIGTERM hands the lease over at once."""
    from bwq_lab.jobs import build_scheduler, configured, release_lease

    app = _app()
    for job in configured(app.config):
        click.echo(f"  {job.name:<24} {job.schedule_text:<20} {job.description}")
    scheduler = build_scheduler(app, background=False)

    def stop(signum, frame):
        scheduler.shutdown(wait=True)  # let a running job commit or roll back, then hand over

    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass
    finally:
        release_lease(app)


@bwq.command("run-jobs")
@click.option("--job", "names", multiple=True, help="Only these jobs (default: all).")
def run_jobs(names: tuple[str, ...]) -> None:
    """Run every job once (for cron, or to flush the outbox by hand); a failing job does not
    stop the others, and the command then exits with status 1."""
    from bwq_lab.jobs import configured, run_all

    jobs = configured(_app().config)
    unknown = set(names) - {j.name for j in jobs}
    if unknown:
        raise click.BadParameter(f"unknown job(s): {', '.join(sorted(unknown))}", param_hint="--job")
    failed = False
    for outcome in run_all(_app(), [j for j in jobs if not names or j.name in names]):
        if outcome.total is None:
            failed = True
            click.echo(f"{outcome.job}: FAILED {outcome.error}", err=True)
        else:
            click.echo(f"{outcome.job}: {outcome.total}")
    if failed:
        raise SystemExit(1)


@bwq.group("jobs")
def jobs_group() -> None:
    """The background jobs: list them, run one."""


@jobs_group.command("list")
def list_jobs() -> None:
    """Name, schedule, last run and its outcome of every job."""
    from zoneinfo import ZoneInfo

    from bwq_lab.jobs import configured
    from bwq_lab.operations.job_runs import last_runs

    app = _app()
    tz = ZoneInfo(app.config["TIMEZONE"])
    jobs = configured(app.config)
    last = last_runs([j.name for j in jobs])
    click.echo(f"{'job':<24} {'schedule':<20} {'last run':<20} {'outcome':<8} counts")
    for job in jobs:
        run = last.get(job.name)
        when = f"{run.started_at.astimezone(tz):%Y-%m-%d %H:%M:%S}" if run else "never"
        outcome = run.outcome if run else "-"
        counts = ", ".join(f"{k}={v}" for k, v in (run.counts or {}).items()) if run else ""
        click.echo(f"{job.name:<24} {job.schedule_text:<20} {when:<20} {outcome:<8} {counts}")


def _instant(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use ISO 8601 with an offset, e.g. 2026-12-02T08:00:00+08:00") from exc
    if parsed.tzinfo is None:
        raise click.BadParameter("the time needs an offset, e.g. 2026-12-02T08:00:00+08:00")
    return parsed


@jobs_group.command("run")
@click.argument("name")
@click.option("--now", "now_text", metavar="ISO-8601", help="Run as if it were this instant (with an offset).")
def run_one(name: str, now_text: str | None) -> None:
    """Run the job NAME once, now or as of --now. Recorded in the run history like any run."""
    from bwq_lab.jobs import find, run_job

    job = find(name)
    if job is None:
        from bwq_lab.jobs import JOBS

        raise click.BadParameter(f"no job {name!r}; jobs: {', '.join(j.name for j in JOBS)}", param_hint="NAME")
    now = _instant(now_text)
    try:
        total = run_job(_app(), job, now)
    except Exception as exc:  # noqa: BLE001 - recorded with its traceback in the run history
        click.echo(f"{job.name}: FAILED {exc.__class__.__name__}: {exc}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"{job.name}: {total}")
