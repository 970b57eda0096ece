"""The layers of DESIGN.md, checked from the source: dependencies point one way, down.

- ``domain`` is pure: no Flask, no SQLAlchemy (``test_smoke.test_domain_imports_without_flask``).
- ``operations`` never import an edge, nor Flask, Flask-Babel or Flask-Login: they take the time
  zone and ``now`` as arguments and refuse with codes (``bwq_lab.refusals``).
- ``reports`` (the programme's figures, defined once as SQL aggregates) is read-side use cases: like
  ``operations`` it imports no edge and no Flask, so pages, the API, jobs and exports all share it.
- Edges (``web``, ``api``, ``feeds``, ``jobs``, ``cli``) do not import each other: what two
  edges share lives in the neutral ``bwq_lab.edge`` package. The operator CLI may start jobs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bwq_lab"
EDGES = ("web", "api", "feeds", "jobs", "cli")
#: edge -> other edges it may import, with the reason
ALLOWED = {
    "cli": {"jobs"},  # `bwq scheduler` / `bwq jobs run` start the jobs
    # a booking's page offers its .ics, built by the calendar feeds' one builder; the province
    # admins' jobs page shows the jobs table (names, schedules: declarative data, no job runs)
    "web": {"feeds", "jobs"},
}
FLASK = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_smorest", "werkzeug")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "bwq_lab":  # from bwq_lab import web
                found.extend((node.lineno, f"bwq_lab.{alias.name}") for alias in node.names)
    return found


def _modules(layer: str) -> list[Path]:
    root = PACKAGE / layer
    return sorted(root.rglob("*.py")) if root.is_dir() else []


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "bwq_lab" else None


@pytest.mark.parametrize("edge", EDGES)
def test_edges_do_not_import_each_other(edge):
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in _modules(edge)
        for line, module in _imports(path)
        if _layer_of(module) in EDGES and _layer_of(module) != edge and _layer_of(module) not in ALLOWED.get(edge, ())
    ]
    assert not wrong, "edges lean on each other (move the shared piece to bwq_lab/edge/):\n" + "\n".join(wrong)


@pytest.mark.parametrize("layer", ["operations", "reports"])
def test_use_cases_import_no_edge_and_no_flask(layer):
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in _modules(layer)
        for line, module in _imports(path)
        if _layer_of(module) in (*EDGES, "edge", "errors", "clock") or module.split(".")[0] in FLASK
    ]
    assert not wrong, "operations must take what they need as arguments and refuse with codes:\n" + "\n".join(wrong)


@pytest.mark.parametrize("layer", ["operations", "reports"])
def test_use_cases_never_read_the_app_config(layer):
    wrong = [str(path.relative_to(PACKAGE.parent)) for path in _modules(layer) if "current_app" in path.read_text()]
    assert not wrong


def test_the_checker_sees_a_violation():
    """The test above is not vacuous: an edge importing another edge is caught."""
    sample = PACKAGE.parent / "tests" / "_layers_sample.py"
    sample.write_text("from bwq_lab.web.pages import signed_in_user\n")
    try:
        assert _layer_of(_imports(sample)[0][1]) == "web"
    finally:
        sample.unlink()
