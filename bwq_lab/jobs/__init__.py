"""Background jobs as a declarative table of plain functions that take ``now``.

- ``table``: the jobs (name, schedule, function, description); ``configured(config)`` applies
  ``JOB_SCHEDULES`` and ``JOBS_DISABLED``.
- ``schedule``: interval (``timedelta``) and calendar (``Cron``) schedules and their periods.
- ``runner``: one run in its own transaction, recorded as a ``JobRun`` (outcome, counts,
  traceback); a failing job never stops the others.
- ``scheduler``: the ``bwq scheduler`` process; only the holder of the database lease works.
- ``notices``: the reminder, warning and digest jobs (templated e-mail, rendered at delivery
  in each recipient's language); the booking jobs call ``operations.bookings.housekeeping``.

The scheduler runs in its own process (``flask --app app bwq scheduler``), or, for the
one-command local run, inside ``bwq serve`` once."""

from bwq_lab.jobs.runner import HOLDER, PeriodTaken, run_all, run_job
from bwq_lab.jobs.schedule import Cron
from bwq_lab.jobs.scheduler import LEASE_NAME, LEASE_SECONDS, build_scheduler, hold_lease, release_lease
from bwq_lab.jobs.table import JOBS, Job, configured, find

__all__ = [
    "HOLDER",
    "JOBS",
    "LEASE_NAME",
    "LEASE_SECONDS",
    "Cron",
    "Job",
    "PeriodTaken",
    "build_scheduler",
    "configured",
    "find",
    "hold_lease",
    "release_lease",
    "run_all",
    "run_job",
]
