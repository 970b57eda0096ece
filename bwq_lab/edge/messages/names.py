"""Names of each lifecycle's statuses and actions, in the reader's language.

A capability registers its own in its own module of this package::

    register_names("order", label=_l("order"), statuses={"submitted": _l("submitted"), …},
                   actions={"accept": _l("accepted"), …})

Action names are past participles, as in "A booking that is completed cannot be cancelled"; use
``lazy_pgettext("booking action", "cancelled")`` where a word is also a status name.
"""

from __future__ import annotations

from collections.abc import Mapping

_STATUSES: dict[tuple[str, str], object] = {}
_ACTIONS: dict[tuple[str, str], object] = {}
_KINDS: dict[str, object] = {}


def register_names(kind: str, *, label: object, statuses: Mapping[str, object], actions: Mapping[str, object]) -> None:
    _KINDS[kind] = label
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


def kind_name(kind: str) -> str:
    from bwq_lab.edge.messages import _load

    _load()
    return str(_KINDS.get(kind, kind))
