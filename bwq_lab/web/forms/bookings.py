"""Forms for the booking pages. Times are typed in the lab's local zone (config ``TIMEZONE``) and
come out of the forms as aware datetimes; the operations decide every rule and their problems
are put back next to the fields (or listed above the form)."""

from __future__ import annotations

import functools
import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from bwq_lab.domain.booking_rules import BookingPolicy
from bwq_lab.edge.messages.bookings import format_duration
from bwq_lab.web.forms.accounts import ProblemsMixin
from bwq_lab.web.forms.staff import staff_select

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the step is under a minute
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def at(day: date, clock_time: time, tz: ZoneInfo) -> datetime:
    """A local date and wall-clock time as an aware datetime in ``tz``."""
    return datetime.combine(day, clock_time, tzinfo=tz)


def aware(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A naive local datetime from a datetime-local input, made aware in ``tz``."""
    return value.replace(tzinfo=tz) if value is not None else None


def input_step(policy: BookingPolicy) -> int:
    """Seconds between the times a time input offers (a browser counts them from 00:00): the
    slot grid, narrowed so that each grid's anchor is one of them (08:30 on a 1 h grid: 30
    minutes), or 5 minutes without a grid."""
    if policy.slot_minutes <= 1:
        return 5 * 60
    step = policy.slot_minutes
    anchors = [policy.slot_anchor] if policy.slot_anchor else [r.start for r in policy.opening_hours]
    for anchor in anchors:
        step = math.gcd(step, anchor.hour * 60 + anchor.minute)
    return step * 60


def duration_choices(policy: BookingPolicy, locale: str) -> list[tuple[int, str]]:
    """Durations on the slot grid from the shortest to the longest booking allowed: every grid
    step up to 8 hours, then whole hours up to a day, then whole days (so the list stays short).
    Remembered per process for each grid, bounds and language (the booking page asks on every
    request; each label is a catalogue lookup); a new list each call, the form may change it.
    The labels are in the request's language, which is also what the cache is keyed by."""
    language = str(get_locale() or locale)
    return list(_duration_choices(policy.grid_minutes, policy.min_minutes, policy.max_minutes, language))


@functools.lru_cache(maxsize=512)
def _duration_choices(grid_minutes: int, min_minutes: int, max_minutes: int, locale: str) -> tuple:
    grid = grid_minutes if grid_minutes > 1 else 15
    shortest = max(grid, -(-min_minutes // grid) * grid)
    values, minutes = [], shortest
    while minutes <= max_minutes and len(values) < 100:
        values.append(minutes)
        step = grid if minutes < 8 * 60 else (60 if minutes < 24 * 60 else 24 * 60)
        minutes += -(-step // grid) * grid  # rounded up to whole grid steps
    values = values or [shortest]
    return tuple((m, format_duration(m)) for m in values)


class BookingForm(ProblemsMixin, FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired(_l("Choose a date."))])
    start = TimeField(_l("Start time"), format=TIME_FORMATS, validators=[InputRequired(_l("Choose a start time."))])
    duration = SelectField(_l("Duration"), coerce=int, validators=[InputRequired(_l("Choose a duration."))])
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[DataRequired(_l("Say what you will measure or make.")), Length(max=2000)],
        description=_l("Samples and what you will measure. Only you and the lab's managers see it."),
    )
    project_code = StringField(
        _l("Enterprise R&D project code"),
        validators=[Optional(), Length(max=60)],
        description=_l("Optional, e.g. for voucher or project accounting."),
    )
    override_reason = TextAreaField(
        _l("Override reason"),
        validators=[Optional(), Length(max=500)],
        description=_l("Managers only: with a reason, the soft rules (notice, quota, opening hours, ...) are waived."),
    )
    on_behalf_email = StringField(
        _l("Book for (the enterprise user's e-mail)"),
        validators=[Optional(), Length(max=254)],
        description=_l("Managers only: the booking is theirs, and it is recorded that you made it."),
    )
    check = SubmitField(_l("Check"))
    submit = SubmitField(_l("Book"))

    INTERVAL_FIELDS = ("date", "start", "duration")

    def localize(self, policy: BookingPolicy, locale: str) -> BookingForm:
        self.duration.choices = duration_choices(policy, locale)
        return self

    def validate_interval(self) -> bool:
        """Only the fields that make the interval (for the "Check" button): no purpose needed."""
        names = [*self.INTERVAL_FIELDS, *(["csrf_token"] if "csrf_token" in self else [])]
        return all([self[name].validate(self) for name in names])  # a list: every field gets its errors

    def interval(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        start = at(self.date.data, self.start.data, tz)
        return start, start + timedelta(minutes=self.duration.data)


class MoveForm(ProblemsMixin, FlaskForm):
    date = DateField(_l("New date"), validators=[InputRequired(_l("Choose a date."))])
    start = TimeField(_l("Start time"), format=TIME_FORMATS, validators=[InputRequired(_l("Choose a start time."))])
    end = TimeField(
        _l("End time"),
        format=TIME_FORMATS,
        validators=[InputRequired(_l("Choose an end time."))],
        description=_l("00:00 means midnight at the end of the day."),
    )
    override_reason = TextAreaField(_l("Override reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Move the booking"))

    def interval(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        start = at(self.date.data, self.start.data, tz)
        end_day = self.date.data + timedelta(days=1) if self.end.data == time(0) else self.date.data
        return start, at(end_day, self.end.data, tz)


class ReasonForm(ProblemsMixin, FlaskForm):
    """Cancel (reason optional for the owner) or reject (the operation requires the reason)."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class ActionForm(FlaskForm):
    """A button that changes a booking (approve, check in): the CSRF token and where to go next."""

    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class CheckOutForm(ProblemsMixin, FlaskForm):
    """End of use; managers may record the actual times afterwards (empty: check-in .. now)."""

    used_from = DateTimeLocalField(_l("Used from"), format=DATETIME_FORMATS, validators=[Optional()])
    used_until = DateTimeLocalField(_l("Used until"), format=DATETIME_FORMATS, validators=[Optional()])
    # managers: the staff member (科技人员) who operated or assisted; the operation checks the id
    staff_id = staff_select(_l("Operated by"))
    next = HiddenField()
    submit = SubmitField(_l("Check out"))


class IdListField(Field):
    """Every ``name=<int>`` sent (checkboxes); anything that is not a whole number is ignored."""

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist):
        self.data = [
            int(v)
            for v in valuelist
            if str(v).strip().isascii() and str(v).strip().isdigit() and len(str(v).strip()) <= 10
        ]

    def process_data(self, value):
        self.data = list(value or [])


class BulkDecisionForm(ProblemsMixin, FlaskForm):
    ids = IdListField(_l("Requests"))
    reason = TextAreaField(
        _l("Reason"), validators=[Optional(), Length(max=1000)], description=_l("Needed to reject; sent to each user.")
    )
    approve = SubmitField(_l("Approve selected"))
    reject = SubmitField(_l("Reject selected"))

    def validate_ids(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Select at least one request."))


class MaintenanceForm(ProblemsMixin, FlaskForm):
    start = DateTimeLocalField(_l("Start"), format=DATETIME_FORMATS, validators=[InputRequired(_l("Choose a start."))])
    end = DateTimeLocalField(_l("End"), format=DATETIME_FORMATS, validators=[InputRequired(_l("Choose an end."))])
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Say why the instrument is unavailable.")), Length(max=200)]
    )
    submit = SubmitField(_l("Add maintenance"))


class ClosureForm(ProblemsMixin, FlaskForm):
    first_day = DateField(_l("First day"), validators=[InputRequired(_l("Choose the first day."))])
    last_day = DateField(_l("Last day"), validators=[InputRequired(_l("Choose the last day."))])
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why the provider is closed.")), Length(max=200)],
        description=_l("For example: National Day holiday."),
    )
    submit = SubmitField(_l("Add closure"))


class QualificationForm(ProblemsMixin, FlaskForm):
    email = StringField(
        _l("User's e-mail"), validators=[DataRequired(_l("Enter the user's e-mail address.")), Length(max=254)]
    )
    expires = DateField(
        _l("Valid until"), validators=[Optional()], description=_l("Last day it is valid; empty: no expiry.")
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Grant qualification"))

    def expires_at(self, tz: ZoneInfo) -> datetime | None:
        """Valid through the chosen local day: it expires at the following midnight."""
        if self.expires.data is None:
            return None
        return at(self.expires.data + timedelta(days=1), time(0), tz)
