"""Words for codes, in the reader's language: the only place a refusal's code becomes a sentence.

Operations and the domain refuse with codes and params (``bwq_lab.refusals``); the edge fills in
each problem's message here, through gettext, so every sentence is in the ``.po`` catalogue and
``tests/test_translations.py`` guards it. Each capability keeps its codes in its own module of this
package (``bookings.py``, ``orders.py``…), loaded on first use::

    from flask_babel import gettext as _
    from bwq_lab.edge.messages import renders

    @renders("REASON_REQUIRED")
    def _reason_required(p):
        return _("Give a reason.")

A problem that names a ``wording`` (one of a shared code's several sentences, e.g.
``"accounts.your_name"`` for a ``REQUIRED`` name) is said with that key's renderer, registered the
same way. A code nobody registered falls back to a generic sentence for its status (never the bare
code). ``tests/edge/test_every_code_has_words.py`` checks that every code and wording the domain and
the operations can refuse with has words here (``known_codes``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from bwq_lab.refusals import Problem

Params = Mapping[str, Any]
_RENDERERS: dict[str, Callable[[Params], str]] = {}
_loaded = False


def renders(*codes: str) -> Callable[[Callable[[Params], str]], Callable[[Params], str]]:
    def decorator(fn: Callable[[Params], str]) -> Callable[[Params], str]:
        for code in codes:
            if code in _RENDERERS and _RENDERERS[code] is not fn:
                raise ValueError(f"two messages for {code}")
            _RENDERERS[code] = fn
        return fn

    return decorator


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def known_codes() -> frozenset[str]:
    _load()
    return frozenset(_RENDERERS)


def message(code: str, params: Params | None = None, wording: str | None = None) -> str:
    """The sentence for ``code`` (said as ``wording`` when given) in the current request's (or the
    CLI's) language."""
    _load()
    render = _RENDERERS.get(wording) if wording else None
    render = render or _RENDERERS.get(code)
    if render is None:
        return _generic(code)
    try:
        return render(params or {})
    except (KeyError, TypeError, ValueError):  # params missing or malformed: say what the code means
        return _generic(code)


def localize(problems: Iterable[Problem]) -> list[Problem]:
    """Fill in each problem's message (kept when an operation already gave one); returns the list."""
    out = list(problems)
    for p in out:
        if not p.message:
            p.message = message(p.code, p.params, p.wording)
    return out


def _generic(code: str) -> str:
    generic = {
        "NOT_FOUND": _("Not found."),
        "FORBIDDEN": _("You are not allowed to do that."),
        "INVALID": _("Some values are not valid."),
        "CONFLICT": _("That conflicts with the current state."),
    }
    return generic.get(code, _("This cannot be done (%(code)s).", code=code))
