"""Forms of the staff roster and the service records: they parse what people type (yuan, hours,
one title a line) into what the operations take (fen, minutes, a list); the operations check the
rules and their problems go back next to the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from bwq_lab.domain import catalogue as vocab
from bwq_lab.domain.records import MAX_RESULTS, titles_from_text
from bwq_lab.web.forms.catalogue import CatalogueForm, HoursField, YuanField, choices


def _user_id(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class StaffForm(CatalogueForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("This field is required.")), Length(max=80)])
    title = StringField(
        _l("Title"), validators=[Optional(), Length(max=80)], description=_l("e.g. 研究员, senior engineer")
    )
    field = StringField(
        _l("Field"), validators=[Optional(), Length(max=120)], description=_l("e.g. materials analysis")
    )
    user_id = SelectField(
        _l("Account (optional)"),
        coerce=_user_id,
        validators=[Optional()],
        description=_l("Link the staff member to their user account at this provider, if they have one."),
    )
    submit = SubmitField(_l("Save"))

    def localize(self, users) -> StaffForm:
        self.user_id.choices = [SelectChoice("", "—")] + [SelectChoice(u.id, f"{u.name} <{u.email}>") for u in users]
        return self


class RecordForm(CatalogueForm):
    FIELD_MAP = {"minutes": "hours", "contract_fen": "contract", "paid_fen": "paid", "enterprise_id": "enterprise"}

    enterprise = StringField(
        _l("Enterprise"),
        validators=[DataRequired(_l("This field is required.")), Length(max=160)],
        description=_l("Its name or its 18-character unified social credit code."),
    )
    day = DateField(_l("Day"), validators=[InputRequired(_l("This field is required."))])
    kind = SelectField(_l("Kind of service"), validators=[DataRequired()])
    staff_ids = SelectMultipleField(
        _l("Staff who delivered it"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the operation says which ids are not staff of this provider
    )
    hours = HoursField(_l("Hours"), description=_l("Time spent, e.g. 3 or 1.5."))
    content = TextAreaField(
        _l("What was done"), validators=[DataRequired(_l("This field is required.")), Length(max=4000)]
    )
    project_code = StringField(_l("Enterprise R&D project code (optional)"), validators=[Optional(), Length(max=60)])
    agreement_signed = BooleanField(_l("A cooperation agreement was signed"))
    contract = YuanField(_l("Contract amount (yuan)"))
    paid = YuanField(
        _l("Amount actually paid (yuan)"),
        description=_l("¥5,000,000 or more paid: counts as a provincial science-plan project (视同省级科技计划项目)."),
    )
    results_count = IntegerField(
        _l("New technologies or results"),
        validators=[Optional(), NumberRange(min=0, max=MAX_RESULTS)],
        default=0,
    )
    results_titles = TextAreaField(
        _l("Their short titles"), validators=[Optional(), Length(max=20_000)], description=_l("One a line.")
    )
    submit = SubmitField(_l("Save"))

    def localize(self, locale: str, staff) -> RecordForm:
        self.kind.choices = choices(vocab.SERVICE_RECORD_KINDS, locale)
        self.staff_ids.choices = [SelectChoice(s.id, s.name + (f" · {s.title}" if s.title else "")) for s in staff]
        return self

    def values(self) -> dict:
        data = super().values()
        data["results_titles"] = titles_from_text(data.get("results_titles") or "")
        data["results_count"] = data.get("results_count") or 0
        for name in ("minutes", "contract_fen", "paid_fen"):
            data[name] = data.get(name) or 0
        data.pop("enterprise_id", None)
        data["enterprise"] = self.enterprise.data
        return data


class RecordFilterForm(CatalogueForm):
    """The list's filters (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    day_from = DateField(_l("From"), validators=[Optional()])
    day_to = DateField(_l("To"), validators=[Optional()])
    kind = SelectField(_l("Kind of service"), validators=[Optional()])
    enterprise = StringField(_l("Enterprise"), validators=[Optional(), Length(max=160)])

    def localize(self, locale: str) -> RecordFilterForm:
        self.kind.choices = [SelectChoice("", _l("Any"))] + choices(vocab.SERVICE_RECORD_KINDS, locale)
        return self
