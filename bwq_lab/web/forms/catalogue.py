"""Forms for editing the catalogue: instruments, lab services, providers and their managers.

The forms parse what people type (yuan, hours, whole minutes) into the values the operations
take (fen, minutes); the operations check the rules and their problems are put back next to the
fields with :meth:`CatalogueForm.add_problems`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from bwq_lab.domain import catalogue as vocab
from bwq_lab.edge.messages import localize
from bwq_lab.errors import Problem

PHOTO_EXTENSIONS = ("png", "jpg", "jpeg", "webp")
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def choices(vocabulary: dict[str, tuple[str, str]], locale: str) -> list[SelectChoice]:
    return [SelectChoice(code, vocab.label(vocabulary, code, locale)) for code in vocabulary]


class YuanField(StringField):
    """Money typed in yuan (``"300.5"``), held as integer fen (``30050``)."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "").lstrip("¥￥")
        if not text:
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Enter an amount in yuan, e.g. 120.50.")) from None
        fen = amount * 100
        if not fen.is_finite() or fen != fen.to_integral_value():
            raise ValueError(_l("Enter an amount in yuan with at most two decimals."))
        self.data = int(fen)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data // 100}.{self.data % 100:02d}"


class HoursField(StringField):
    """Hours typed as a number (``"1.5"``), held as whole minutes (``90``); empty means none."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            minutes = Decimal(text) * 60
        except InvalidOperation:
            raise ValueError(_l("Enter a number of hours, e.g. 10 or 1.5.")) from None
        if not minutes.is_finite() or minutes != minutes.to_integral_value():
            raise ValueError(_l("Enter hours that make whole minutes."))
        self.data = int(minutes)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        hours = Decimal(self.data) / 60
        return f"{hours.normalize():f}"


class ImageBytes:
    """The upload really is a PNG, JPEG or WebP image (not only named like one)."""

    def __call__(self, form, field) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        head = upload.stream.read(16)
        upload.stream.seek(0)
        if not image_extension(head):
            raise ValidationError(_l("The photo must be a PNG, JPEG or WebP image."))


def image_extension(head: bytes) -> str | None:
    """The file type from its first bytes: 'png', 'jpg', 'webp', or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


class CatalogueForm(FlaskForm):
    """A form whose fields may have other names than the operation's data keys."""

    #: operation data key -> form field name, where they differ
    FIELD_MAP: dict[str, str] = {}

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for p in localize(problems):
            name = self.FIELD_MAP.get(p.field or "", p.field)
            field = self._fields.get(name) if name else None
            if field is not None:
                field.errors = [*field.errors, p.message]
            else:
                self.form_errors.append(p.message)

    def add_rule_problems(self, problems: Iterable[Problem]) -> None:
        """After the form's own checks failed: the operation's rule problems for the fields that
        passed them, so every mistake shows at once."""
        self.add_problems(
            p
            for p in problems
            if not (f := self._fields.get(self.FIELD_MAP.get(p.field or "", p.field or ""))) or not f.errors
        )

    def values(self) -> dict:
        """The data as the operation takes it."""
        skip = {"csrf_token", "submit", "photo"}
        reverse = {v: k for k, v in self.FIELD_MAP.items()}
        return {reverse.get(name, name): f.data for name, f in self._fields.items() if name not in skip}


def _text(label, max_len: int, required: bool = False, **kwargs):
    validators = [DataRequired(_l("This field is required."))] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=max_len)], **kwargs)


def _minutes(label, lo: int = 0, required: bool = True, **kwargs):
    first = InputRequired(_l("This field is required.")) if required else Optional()
    return IntegerField(label, validators=[first, NumberRange(min=lo)], **kwargs)


class InstrumentForm(CatalogueForm):
    FIELD_MAP = {
        "price_internal_fen": "price_internal",
        "price_external_fen": "price_external",
        "weekly_quota_minutes": "weekly_quota_hours",
        "monthly_quota_minutes": "monthly_quota_hours",
    }

    name = _text(_l("Name (Chinese)"), 120, required=True)
    name_en = _text(_l("Name (English)"), 160)
    model = _text(_l("Model"), 80)
    manufacturer = _text(_l("Manufacturer"), 80)
    category = SelectField(_l("Category"), validators=[DataRequired()])
    capabilities = TextAreaField(_l("Capabilities"), validators=[Optional(), Length(max=4000)])
    location = _text(_l("Location"), 160, description=_l("Building and room, e.g. A楼 101"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=8000)])
    photo = FileField(
        _l("Photo"),
        validators=[
            FileAllowed(PHOTO_EXTENSIONS, _l("The photo must be a PNG, JPEG or WebP image.")),
            FileSize(PHOTO_MAX_BYTES, message=_l("The photo must be at most 5 MB.")),
            ImageBytes(),
        ],
        description=_l("PNG, JPEG or WebP, at most 5 MB. Leave empty to keep the current photo."),
    )
    remove_photo = BooleanField(_l("Remove the current photo"))
    status = SelectField(_l("Status"))
    price_internal = YuanField(
        _l("Internal price (yuan per hour)"), validators=[InputRequired(_l("This field is required."))]
    )
    price_external = YuanField(
        _l("External price (yuan per hour)"), validators=[InputRequired(_l("This field is required."))]
    )
    charge_by_use = BooleanField(
        _l("Charge by the actual use"),
        description=_l("The fee is recomputed from check-in to check-out; otherwise the booked hours are charged."),
    )
    voucher_eligible = BooleanField(_l("Innovation vouchers can pay for it"), default=True)

    opening_hours = TextAreaField(
        _l("Opening hours"),
        description=_l('e.g. "Mon-Fri 08:30-12:00, 13:30-17:30; Sat 09:00-12:00" or "周一至周五 08:30-17:30". '
                       "Leave empty for around the clock."),
    )  # fmt: skip
    slot_minutes = SelectField(
        _l("Time slot"), coerce=int, default=30, description=_l("Bookings start and end on this grid.")
    )
    slot_anchor = StringField(
        _l("Time slots counted from"),
        validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("A time such as 09:00."))],
        description=_l("A time such as 09:00: slots start at it and every slot after it. "
                       "Leave empty to count from the start of each opening period."),
    )  # fmt: skip
    min_minutes = _minutes(_l("Shortest booking (minutes)"), 1, default=30)
    max_minutes = _minutes(_l("Longest booking (minutes)"), 1, default=480)
    buffer_minutes = _minutes(_l("Buffer after each booking (minutes)"), 0, default=0)
    min_notice_minutes = _minutes(_l("Minimum notice (minutes)"), 0, default=120)
    max_days_ahead = _minutes(_l("Bookable how many days ahead"), 1, default=60)
    approval_required = BooleanField(_l("A manager approves each booking"), default=True)
    qualification_required = BooleanField(_l("Users need a recorded qualification"), default=False)
    weekly_quota_hours = HoursField(
        _l("Weekly quota per enterprise (hours)"), description=_l("Leave empty for no quota.")
    )
    monthly_quota_hours = HoursField(
        _l("Monthly quota per enterprise (hours)"), description=_l("Leave empty for no quota.")
    )
    max_future_bookings = _minutes(
        _l("Most upcoming bookings per user"), 0, required=False, description=_l("Leave empty for no limit.")
    )
    cancel_deadline_hours = _minutes(_l("Free cancellation until (hours before the start)"), 0, default=24)
    late_cancellation = SelectField(
        _l("Inside the free-cancellation window"),
        default="refuse",
        choices=[
            SelectChoice("refuse", _l("Users cannot cancel; they ask a manager")),
            SelectChoice("allow", _l("Users may still cancel; it is counted as late")),
        ],
    )
    submit = SubmitField(_l("Save"))

    def localize(self, locale: str, slot_choices: Iterable[int]) -> InstrumentForm:
        self.category.choices = choices(vocab.INSTRUMENT_CATEGORIES, locale)
        self.status.choices = choices(vocab.INSTRUMENT_STATUSES, locale)
        self.slot_minutes.choices = [SelectChoice(n, _l("%(n)s minutes", n=n)) for n in slot_choices]
        return self

    def values(self) -> dict:
        data = super().values()
        data.pop("remove_photo", None)
        return data


WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))  # fmt: skip


class ServiceForm(CatalogueForm):
    FIELD_MAP = {"price_internal_fen": "price_internal", "price_external_fen": "price_external"}

    name = _text(_l("Name (Chinese)"), 120, required=True)
    name_en = _text(_l("Name (English)"), 160)
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    capabilities = TextAreaField(_l("Capabilities"), validators=[Optional(), Length(max=4000)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=8000)])
    unit = SelectField(_l("Priced per"))
    price_internal = YuanField(
        _l("Internal price per unit (yuan)"),
        validators=[InputRequired(_l("This field is required."))],
        description=_l("For the provider's own staff."),
    )
    price_external = YuanField(
        _l("External price per unit (yuan)"), validators=[InputRequired(_l("This field is required."))]
    )
    turnaround_days = _minutes(
        _l("Report days (working days)"),
        0,
        default=3,
        description=_l("Working days from the last processing day to the delivered report."),
    )
    voucher_eligible = BooleanField(_l("Innovation vouchers can pay for it"), default=True)
    min_samples = _minutes(_l("Fewest samples per order"), 1, default=1)
    max_samples = _minutes(_l("Most samples per order"), 1, default=100)
    daily_capacity = _minutes(_l("Daily capacity (samples per working day)"), 1, default=10)
    working_weekdays = SelectMultipleField(
        _l("Working weekdays"),
        coerce=int,
        choices=[SelectChoice(i, label) for i, label in enumerate(WEEKDAY_LABELS)],
        default=[0, 1, 2, 3, 4],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l(
            "Provider closures and make-up working days (调休) also count; make-up days are set from the order board."
        ),
    )
    sample_requirements = TextAreaField(
        _l("Sample requirements"),
        validators=[Optional(), Length(max=4000)],
        description=_l("e.g. amount, container, storage"),
    )
    hazardous_accepted = BooleanField(_l("Hazardous samples may be ordered (each one still needs acceptance)"))
    status = SelectField(_l("Status"))
    submit = SubmitField(_l("Save"))

    def localize(self, locale: str) -> ServiceForm:
        self.kind.choices = choices(vocab.SERVICE_KINDS, locale)
        self.unit.choices = choices(vocab.SERVICE_UNITS, locale)
        self.status.choices = [
            SelectChoice("active", vocab.label(vocab.INSTRUMENT_STATUSES, "active", locale)),
            SelectChoice("retired", vocab.label(vocab.INSTRUMENT_STATUSES, "retired", locale)),
        ]
        return self


def _int_or_none(value) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class ProviderForm(CatalogueForm):
    name = _text(_l("Name (Chinese)"), 120, required=True)
    name_en = _text(_l("Name (English)"), 160)
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    city_id = SelectField(_l("City"), coerce=_int_or_none, validators=[DataRequired(_l("Choose a city."))])
    county_id = SelectField(_l("County or district"), coerce=_int_or_none, validators=[Optional()])
    address = _text(_l("Address"), 200)
    contact_name = _text(_l("Contact person"), 60)
    contact_phone = _text(_l("Contact phone"), 40)
    contact_email = _text(_l("Contact e-mail"), 120)
    website = _text(_l("Website"), 200)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=8000)])
    submit = SubmitField(_l("Save"))

    def localize(self, locale: str, cities) -> ProviderForm:
        english = locale.startswith("en")
        self.kind.choices = choices(vocab.PROVIDER_KINDS, locale)
        self.city_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(c.id, c.name_en if english else c.name) for c in cities
        ]
        self.county_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(k.id, k.name_en if english else k.name, optgroup=c.name_en if english else c.name)
            for c in cities
            for k in c.children
        ]
        return self


class AssignManagerForm(CatalogueForm):
    FIELD_MAP = {"user_or_email": "email"}

    email = EmailField(
        _l("Manager's e-mail"),
        validators=[DataRequired(_l("Enter an e-mail address.")), Email(check_deliverability=False), Length(max=254)],
        description=_l("An existing lab-manager account, or a new one is created with an initial password."),
    )
    name = _text(_l("Name (for a new account)"), 80)
    manages_all = BooleanField(_l("Manages every instrument and service of this provider"), default=True)
    instrument_ids = SelectMultipleField(
        _l("Instruments"), coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    service_ids = SelectMultipleField(
        _l("Lab services"), coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    submit = SubmitField(_l("Assign manager"))
