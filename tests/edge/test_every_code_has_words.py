"""Every code the domain and the use cases can refuse with has words at the edge.

The refusals are codes (``bwq_lab.refusals``); their sentences are registered in
``bwq_lab.edge.messages`` (``known_codes``). A code nobody registered would reach the reader as a
generic "This cannot be done (CODE)", so this test reads the source of ``domain``, ``operations``
and ``reports`` for every code and wording a refusal can carry and asks the edge for each.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "bwq_lab"
LAYERS = ("domain", "operations", "reports")
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$")
#: what makes a problem from a code: the code is a positional argument (``refuse(422, "CODE")``;
#: the catalogue's checker: ``c.add(field, wording, "CODE")``)
MAKERS = {"Problem", "refuse", "Violation", "USCCError", "add"}
#: codes with a generic sentence of their own (``edge.messages._generic``)
GENERIC = {"NOT_FOUND", "FORBIDDEN", "INVALID", "CONFLICT"}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _raised() -> tuple[dict[str, str], dict[str, str]]:
    """``({code: where}, {wording: where})`` from the source."""
    codes: dict[str, str] = {}
    wordings: dict[str, str] = {}
    for layer in LAYERS:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            where = str(path.relative_to(PACKAGE.parent))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _name(node.func) in MAKERS:
                    for arg in node.args if _name(node.func) != "add" else node.args[2:3]:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                            codes.setdefault(arg.value, f"{where}:{node.lineno}")
                if isinstance(node, ast.keyword) and node.arg == "wording":
                    if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                        wordings.setdefault(node.value.value, f"{where}:{node.value.lineno}")
                if isinstance(node, ast.Call) and _name(node.func) in (
                    "add",
                    "not_found",
                    "forbidden",
                    "_public",
                    "_required",
                ):
                    # the catalogue's checker and helpers take the wording positionally
                    for arg in node.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                            if re.fullmatch(r"[a-z_]+\.[a-z_]+", arg.value):
                                wordings.setdefault(arg.value, f"{where}:{node.lineno}")
                # the booking rules name their codes as constants (IN_PAST = "IN_PAST"); an
                # exception class its code (code = "INVALID_TRANSITION")
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    for target in node.targets:
                        if not (isinstance(target, ast.Name) and isinstance(node.value.value, str)):
                            continue
                        if target.id in (node.value.value, "code") and CODE.match(node.value.value):
                            codes.setdefault(node.value.value, f"{where}:{node.lineno}")
    return codes, wordings


@pytest.fixture(scope="module")
def known():
    from bwq_lab.edge.messages import known_codes

    return known_codes()


def test_the_reader_finds_the_codes():
    codes, wordings = _raised()
    assert {"OVERLAPS_BOOKING", "INVALID_TRANSITION", "USCC_CHECK", "BAD_OPENING_HOURS", "CAPACITY_TAKEN"} <= set(codes)
    assert {"accounts.your_name", "catalogue.no_such_instrument", "catalogue.too_long"} <= set(wordings)


def test_every_code_has_words(known):
    codes, _wordings = _raised()
    missing = sorted(f"{code} ({where})" for code, where in codes.items() if code not in known | GENERIC)
    assert not missing, "codes without words at the edge (add them to bwq_lab/edge/messages/):\n" + "\n".join(missing)


def test_every_wording_has_words(known):
    _codes, wordings = _raised()
    missing = sorted(f"{w} ({where})" for w, where in wordings.items() if w not in known)
    assert not missing, "wordings without words at the edge:\n" + "\n".join(missing)
