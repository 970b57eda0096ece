"""What the background jobs did: one row per run, and one marker per notice sent.

``JobRun``: who ran which job when, how it ended, what it counted, the traceback when it failed.
A scheduled run names the period it is for (``period``, the trigger's fire time); the unique
``(job, period)`` key makes a second run of one period impossible, whichever process asks.

``SentNotice``: a reminder or warning that went out (kind, the object it is about, and a key such
as the booking's start time). The unique key is what makes a rerun, a catch-up or a second
scheduler unable to send the same notice twice; a moved booking has a new key, so it is
reminded again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "period", name="uq_job_runs_job_period"),
        Index("ix_job_runs_job_started", "job", "started_at"),
        Index("ix_job_runs_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    #: the fire time this scheduled run is for; None for a run by hand (``bwq jobs run``)
    period: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the ``now`` the job was given (differs from started_at for ``--now`` runs)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: running | ok | failed  (a run whose process died stays "running" without finished_at)
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str] = mapped_column(String(120), default="")

    @property
    def total(self) -> int:
        return sum(int(v) for v in (self.counts or {}).values())

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SentNotice(db.Model):
    __tablename__ = "sent_notices"
    __table_args__ = (UniqueConstraint("kind", "object_id", "key", name="uq_sent_notices_kind_object_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    key: Mapped[str] = mapped_column(String(60), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
