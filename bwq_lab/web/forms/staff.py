"""The staff picker that sessions and batches share: which staff member (科技人员) operated the
instrument or analysed the samples. The operation checks that the id is active staff of the
provider; the form only offers them."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice, SelectField
from wtforms.validators import Optional


def optional_int(value) -> int | None:
    """A select's value as a whole number, or None when empty (or not a number)."""
    if value in (None, "", "None"):
        return None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def staff_select(label) -> SelectField:
    return SelectField(label, coerce=optional_int, validate_choice=False, validators=[Optional()])


def offer_staff(field: SelectField, staff: Iterable, default_id: int | None = None) -> None:
    """The provider's staff as the choices; ``default_id`` chosen unless the form sent one."""
    field.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.id, s.name + (f" · {s.title}" if s.title else "")) for s in staff
    ]
    if field.data is None and not field.raw_data:
        field.data = default_id
