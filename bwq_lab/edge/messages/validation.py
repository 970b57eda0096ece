"""Request validation (webargs/marshmallow) in the client's language.

marshmallow writes its messages in English; the API answers every refusal in the client's
language, so the edge turns its standard sentences into the catalogue's (the field, the code
``INVALID`` and the status stay as they were). A sentence nobody listed here passes unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

_FIXED: dict[str, Callable[[], str]] = {
    "Missing data for required field.": lambda: _("This field is required."),
    "Field may not be null.": lambda: _("This field may not be empty."),
    "Not a valid integer.": lambda: _("Enter a whole number."),
    "Not a valid number.": lambda: _("Enter a number."),
    "Not a valid string.": lambda: _("Enter text."),
    "Not a valid boolean.": lambda: _("Enter true or false."),
    "Not a valid list.": lambda: _("Enter a list."),
    "Not a valid date.": lambda: _("Enter a date such as 2026-12-01."),
    "Not a valid datetime.": lambda: _("Enter a date and time such as 2026-12-01T09:00:00+08:00."),
    "Not a valid aware datetime.": lambda: _("Times need an offset, e.g. 2026-12-01T09:00:00+08:00."),
    "Unknown field.": lambda: _("This field is not expected."),
    "Invalid input type.": lambda: _("This value is not valid."),
    "Invalid value.": lambda: _("This value is not valid."),
}

_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        lambda m: _("Must be between %(lo)s and %(hi)s.", lo=m[1], hi=m[2]),
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), lambda m: _("Must be at least %(n)s.", n=m[1])),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), lambda m: _("Must be at most %(n)s.", n=m[1])),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), lambda m: _("At most %(n)s characters.", n=m[1])),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), lambda m: _("At least %(n)s characters.", n=m[1])),
    (
        re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
        lambda m: _("Between %(lo)s and %(hi)s characters.", lo=m[1], hi=m[2]),
    ),
    (re.compile(r"^Must be one of: (.*)\.$"), lambda m: _("Choose one of: %(choices)s.", choices=m[1])),
]


def in_client_language(message: str) -> str:
    text = str(message)
    fixed = _FIXED.get(text)
    if fixed is not None:
        return fixed()
    for pattern, render in _PATTERNS:
        match = pattern.match(text)
        if match:
            return render(match)
    return text
