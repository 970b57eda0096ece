"""A status state machine, shared by every lifecycle (bookings, lab-service orders, …).

A lifecycle is a table ``status -> {action: next status}``. The domain owns the table; the one
place that applies a transition to a row is ``bwq_lab.operations.lifecycle.transition`` (it checks
the table, sets the status, stamps who and when, appends the history event). Which buttons a user
sees derive from the same table (:meth:`StateMachine.actions_from`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


class TransitionError(Exception):
    """An action the current status does not allow (HTTP 409 ``INVALID_TRANSITION``)."""

    code = "INVALID_TRANSITION"

    def __init__(self, kind: str, status: str, action: str) -> None:
        self.kind = kind
        self.status = str(status)
        self.action = str(action)
        self.params = {"kind": kind, "status": self.status, "action": self.action}
        super().__init__(f"{self.code}: cannot {self.action} a {self.status} {kind}")


class StateMachine(Generic[S, A]):
    """``kind`` names the lifecycle in messages ("booking", "order")."""

    def __init__(
        self,
        kind: str,
        statuses: type[S],
        actions: type[A],
        transitions: Mapping[S, Mapping[A, S]],
        *,
        event_names: Mapping[A, str] | None = None,
    ):
        missing = set(statuses) - set(transitions)
        if missing:
            raise ValueError(f"{kind}: no transitions listed for {sorted(missing)}")
        self.kind = kind
        self.statuses = statuses
        self.actions = actions
        self.transitions = {s: dict(t) for s, t in transitions.items()}
        self.event_names = dict(event_names or {})

    def event_name(self, action: str | A) -> str:
        """How the history records ``action`` (e.g. ``approve`` as ``approved``)."""
        try:
            return self.event_names.get(self.actions(action), str(action))
        except ValueError:
            return str(action)

    def _parse(self, status, action) -> tuple[S, A] | None:
        try:
            return self.statuses(status), self.actions(action)
        except ValueError:
            return None

    def can(self, status: str | S, action: str | A) -> bool:
        parsed = self._parse(status, action)
        return parsed is not None and parsed[1] in self.transitions[parsed[0]]

    def next(self, status: str | S, action: str | A) -> S:
        """The status after ``action``; raises :class:`TransitionError` when ``status`` does not allow it."""
        parsed = self._parse(status, action)
        if parsed is None or parsed[1] not in self.transitions[parsed[0]]:
            raise TransitionError(self.kind, str(status), str(action))
        return self.transitions[parsed[0]][parsed[1]]

    def actions_from(self, status: str | S) -> frozenset[A]:
        try:
            return frozenset(self.transitions[self.statuses(status)])
        except ValueError:
            return frozenset()

    def is_final(self, status: str | S) -> bool:
        return not self.actions_from(status)
