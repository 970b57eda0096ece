"""Names of each lifecycle's statuses and actions, in the reader's language.

A capability registers its own in its own module of this package::

    register_names("order", statuses={"submitted": _l("submitted"), …}, actions={"accept": _l("accept"), …})
"""

from __future__ import annotations

from collections.abc import Mapping

_STATUSES: dict[tuple[str, str], object] = {}
_ACTIONS: dict[tuple[str, str], object] = {}


def register_names(kind: str, *, statuses: Mapping[str, object], actions: Mapping[str, object]) -> None:
    _STATUSES.update({(kind, str(k)): v for k, v in statuses.items()})
    _ACTIONS.update({(kind, str(k)): v for k, v in actions.items()})


def status_name(kind: str, status: str) -> str:
    from bwq_lab.edge.messages import _load

    _load()
    return str(_STATUSES.get((kind, str(status)), status))


def action_name(kind: str, action: str) -> str:
    from bwq_lab.edge.messages import _load

    _load()
    return str(_ACTIONS.get((kind, str(action)), action))
