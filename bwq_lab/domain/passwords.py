"""Is a password good enough? zxcvbn (Dropbox's estimator, Python port) guesses how many tries an
attacker needs; we ask for a score of 3 ("safely unguessable": about 10^8 guesses) and say *why* a
weak one is weak, as a code: the edge turns the code into words.

Codes, in the order they are reported (the first that applies):
``PASSWORD_TOO_SHORT`` (params ``n``), ``PASSWORD_PERSONAL`` (contains the e-mail or the name),
``PASSWORD_COMMON`` (on the lists of passwords people use most), ``PASSWORD_REPEATS`` (``aaaa``),
``PASSWORD_DATE``, ``PASSWORD_SEQUENCE`` (``1234``, ``abcd``), ``PASSWORD_KEYBOARD`` (``qwerty``),
``PASSWORD_WORDS`` (a word or name by itself), else ``PASSWORD_GUESSABLE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zxcvbn import zxcvbn

from bwq_lab.refusals import Problem

MIN_LENGTH = 10
MIN_SCORE = 3
MAX_CHECKED = 200  # zxcvbn's cost grows with length; a longer password is not weak for its length

_PATTERN_CODES = (
    ("user_inputs", "PASSWORD_PERSONAL"),
    ("passwords", "PASSWORD_COMMON"),
    ("repeat", "PASSWORD_REPEATS"),
    ("date", "PASSWORD_DATE"),
    ("sequence", "PASSWORD_SEQUENCE"),
    ("spatial", "PASSWORD_KEYBOARD"),
    ("dictionary", "PASSWORD_WORDS"),
)


def personal_words(*values: str | None) -> list[str]:
    """The user's own words an attacker would try first: the e-mail, its parts, the name."""
    words: list[str] = []
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.append(value)
        words.extend(w for w in re.split(r"[@.\s_+-]+", value) if len(w) >= 3)
        words.append(re.sub(r"\s+", "", value))
    return words


def password_problems(password: str | None, *, personal: Iterable[str] = (), field: str = "password") -> list[Problem]:
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [Problem("PASSWORD_TOO_SHORT", field=field, params={"n": MIN_LENGTH})]
    if len(password) > MAX_CHECKED:
        return []
    personal = [w for w in personal if w]
    lowered = password.lower()
    if any(len(w) >= 5 and w in lowered and len(w) * 2 >= len(password) for w in personal):
        return [Problem("PASSWORD_PERSONAL", field=field)]
    result = zxcvbn(password, user_inputs=personal)
    if result["score"] >= MIN_SCORE:
        return []
    kinds = set()
    for match in result["sequence"]:
        kinds.add(match.get("pattern"))
        if match.get("pattern") == "dictionary":
            kinds.add(match.get("dictionary_name"))
    for kind, code in _PATTERN_CODES:
        if kind in kinds:
            return [Problem(code, field=field)]
    return [Problem("PASSWORD_GUESSABLE", field=field)]
