"""Forms of the order pages: ordering a batch, the lifecycle steps, delivering files, make-up days."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from bwq_lab.refusals import Problem
from bwq_lab.web.forms.staff import staff_select

HAZARDS = [
    SelectChoice("none", _l("None")),
    SelectChoice("chemical", _l("Chemical")),
    SelectChoice("biological", _l("Biological")),
    SelectChoice("radioactive", _l("Radioactive")),
]


class ProblemsForm(FlaskForm):
    """Puts an operation's problems next to the fields they name (else above the form)."""

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            field = self._fields.get(p.field or "")
            if field is not None:
                field.errors = [*field.errors, p.message]
            else:
                self.form_errors.append(p.message)


class OrderForm(ProblemsForm):
    samples = IntegerField(
        _l("Number of samples"), validators=[InputRequired(_l("This field is required.")), NumberRange(min=1)]
    )
    sample_description = TextAreaField(
        _l("Sample description"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What the samples are, how many of each, what to measure."),
    )
    hazard = SelectField(_l("Hazard declaration"), choices=HAZARDS, default="none")
    requested_date = DateField(_l("Requested completion date"), validators=[Optional()])
    project_code = StringField(_l("R&D project code (optional)"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Submit the order"))


class StepForm(ProblemsForm):
    """One lifecycle step: an optional note (or a required reason, checked by the operation)."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    hazard_accepted = BooleanField(_l("I accept the declared hazardous samples"))
    staff_id = staff_select(_l("Analyst"))


class DeliverForm(ProblemsForm):
    files = MultipleFileField(
        _l("Result files"), description=_l("PDF, images (PNG, JPEG, GIF, WebP), CSV, XLSX or ZIP of data.")
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    staff_id = staff_select(_l("Analyst"))


class NoteForm(ProblemsForm):
    note = TextAreaField(_l("Note for the enterprise"), validators=[Optional(), Length(max=2000)])


class WorkdayForm(ProblemsForm):
    day = DateField(_l("Make-up working day"), validators=[InputRequired(_l("This field is required."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)], description=_l("e.g. 国庆调休"))
