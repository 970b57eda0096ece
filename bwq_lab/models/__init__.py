"""Every model, imported so SQLAlchemy's registry and Alembic see the whole schema."""

from bwq_lab.models.booking import (
    Booking,
    BookingEvent,
    MaintenanceWindow,
    ProviderClosure,
    Qualification,
)
from bwq_lab.models.catalogue import Instrument, LabService
from bwq_lab.models.enterprise import Enterprise
from bwq_lab.models.feed import FeedToken
from bwq_lab.models.jobs import JobRun, SentNotice
from bwq_lab.models.notice import Notice
from bwq_lab.models.orders import (
    ProviderWorkday,
    ServiceDayLoad,
    ServiceOrder,
    ServiceOrderDay,
    ServiceOrderEvent,
    ServiceOrderFile,
)
from bwq_lab.models.outbox import OutboxMessage, SchedulerLease
from bwq_lab.models.provider import Provider
from bwq_lab.models.region import Region
from bwq_lab.models.reports import ServiceRecord, Staff, YearGoal
from bwq_lab.models.rollup import (
    AreaMember,
    InstrumentMonth,
    LabServiceMonth,
    RecordKindMonth,
    ServiceDay,
    ServiceDayStaff,
    ServiceMonth,
)
from bwq_lab.models.search import reindex as reindex_search
from bwq_lab.models.security import AuditEvent, RateCounter, UserSession
from bwq_lab.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "RateCounter",
    "UserSession",
    "Booking",
    "BookingEvent",
    "MaintenanceWindow",
    "Notice",
    "JobRun",
    "OutboxMessage",
    "SentNotice",
    "SchedulerLease",
    "ProviderClosure",
    "Qualification",
    "Enterprise",
    "FeedToken",
    "Instrument",
    "LabService",
    "Provider",
    "ProviderWorkday",
    "ServiceDayLoad",
    "ServiceOrder",
    "ServiceOrderDay",
    "ServiceOrderEvent",
    "ServiceOrderFile",
    "Region",
    "ServiceRecord",
    "ServiceDay",
    "ServiceDayStaff",
    "ServiceMonth",
    "InstrumentMonth",
    "LabServiceMonth",
    "RecordKindMonth",
    "AreaMember",
    "Staff",
    "YearGoal",
    "reindex_search",
    "User",
]
