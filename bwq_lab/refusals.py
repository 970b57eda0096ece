"""Why a use case did not go ahead, as codes: no Flask, no words.

Operations (and the domain, through its own violations) refuse with a :class:`Refusal`: an HTTP-like
status and every :class:`Problem` at once. A problem is a stable ``code`` (DESIGN.md's rule codes,
``INVALID_TRANSITION``, ``NOT_FOUND``…), the ``params`` its message needs and the ``field`` it is
about. Words are chosen at the edge (``bwq_lab.edge.messages``), in the reader's language, through
the gettext catalogue::

    raise Refusal(422, [Problem("REASON_REQUIRED", field="reason")])
    raise refuse(409, "INVALID_TRANSITION", status="delivered", action="receive")

A code is what API clients rely on; where one code stands for several sentences (a ``REQUIRED``
name that is "your name" on the registration form and "the token's name" on the account page), the
problem names its ``wording`` too: a key of ``bwq_lab.edge.messages`` (lower case, dotted), never
sent to clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problem:
    code: str
    message: str | None = None  # filled in at the edge from code + params (legacy callers pass one)
    field: str | None = None
    params: Mapping[str, Any] | None = None  # what the message needs; also sent to API clients
    overridable: bool | None = None  # a manager may override this rule with a reason
    #: which of a code's sentences the edge says, where one code (``REQUIRED``, ``INVALID``,
    #: ``NOT_FOUND``…) has several (``"accounts.your_name"``); not sent to API clients
    wording: str | None = None

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.params is not None:
            out["params"] = dict(self.params)
        if self.overridable is not None:
            out["overridable"] = self.overridable
        return out


@dataclass
class Refusal(Exception):
    """Raised by operations when a use case cannot go ahead; carries every problem at once.

    ``status`` follows the API conventions: 403 known but not allowed, 404 unknown or not yours,
    409 conflict with the current state, 422 a rule or validation failure."""

    status: int
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(p.message or p.code for p in self.problems) or str(self.status)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def refuse(status: int, code: str, /, field: str | None = None, **params: Any) -> Refusal:
    """A refusal with one problem: ``raise refuse(422, "REASON_REQUIRED", field="reason")``."""
    return Refusal(status, [Problem(code, field=field, params=params or None)])


def not_found(wording: str | None = None) -> Refusal:
    return Refusal(404, [Problem("NOT_FOUND", wording=wording)])


def forbidden(wording: str | None = None) -> Refusal:
    return Refusal(403, [Problem("FORBIDDEN", wording=wording)])
