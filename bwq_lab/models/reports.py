"""What the programme's figures count beyond sessions and batches: the providers' staff (科技人员),
the other services they record (consultation, training, transfer, ...), and the yearly goals.

The figures themselves are defined once, in ``bwq_lab.reports``; these tables only hold facts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.domain import catalogue as vocabulary
from bwq_lab.domain import records as records_rules
from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow
from bwq_lab.models.enterprise import Enterprise
from bwq_lab.models.provider import Provider

#: the kinds of service record, in the programme announcement's words (labels in the domain vocabulary)
SERVICE_RECORD_KINDS = tuple(vocabulary.SERVICE_RECORD_KINDS)

#: a technical-service contract whose paid amount reaches this counts as a provincial
#: science-plan project (视同省级科技计划项目): ¥5,000,000 in fen (the rule is the domain's)
PROVINCIAL_PROJECT_PAID_FEN = records_rules.PROVINCIAL_PROJECT_PAID_FEN

service_record_staff = Table(
    "service_record_staff",
    db.metadata,
    Column("record_id", Integer, ForeignKey("service_records.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Staff(db.Model):
    """A scientist or technician of a provider (科技人员) who delivers services."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(80), default="")  # 职称, e.g. 研究员 / senior engineer
    field: Mapped[str] = mapped_column(String(120), default="")  # 专业领域
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # optional account
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    user: Mapped[User | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.name}>"


class ServiceRecord(db.Model):
    """A service that is neither a session nor a batch, entered by a provider's manager."""

    __tablename__ = "service_records"
    __table_args__ = (
        Index("ix_service_records_provider_day", "provider_id", "day"),
        Index("ix_service_records_enterprise_day", "enterprise_id", "day"),
        Index("ix_service_records_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    day: Mapped[date] = mapped_column(Date)  # local day the service took place
    kind: Mapped[str] = mapped_column(String(20))  # one of SERVICE_RECORD_KINDS
    minutes: Mapped[int] = mapped_column(default=0)  # time spent (hours × 60)
    content: Mapped[str] = mapped_column(Text, default="")  # what was done
    project_code: Mapped[str] = mapped_column(String(60), default="")  # the enterprise's R&D project
    agreement_signed: Mapped[bool] = mapped_column(default=False)  # cooperation agreement 合作协议
    # fen: a contract of ¥21,474,837 or more would not fit a 32-bit integer
    contract_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    results_count: Mapped[int] = mapped_column(default=0)  # new technologies or results 新技术新成果
    results_titles: Mapped[str] = mapped_column(Text, default="")  # one short title a line
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    provider: Mapped[Provider] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    staff: Mapped[list[Staff]] = relationship(secondary=service_record_staff, order_by="Staff.id")

    @property
    def counts_as_provincial_project(self) -> bool:
        """视同省级科技计划项目: a technical-service contract with ¥5,000,000 or more actually paid."""
        return records_rules.counts_as_provincial_project(self.agreement_signed, self.paid_fen)

    @property
    def titles(self) -> tuple[str, ...]:
        """The new technologies or results, one short title each."""
        return records_rules.titles_from_text(self.results_titles)

    def __repr__(self) -> str:
        return f"<ServiceRecord {self.id} {self.kind} {self.day}>"


class YearGoal(db.Model):
    """The programme's target for one figure in one year (editable by province admins)."""

    __tablename__ = "year_goals"
    __table_args__ = (UniqueConstraint("year", "figure", name="uq_year_goals_year_figure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    figure: Mapped[str] = mapped_column(String(30))  # a key of bwq_lab.reports goal figures
    target: Mapped[int] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
