"""A new gunicorn worker compiles every template before its first request (gunicorn.conf.py)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

from bwq_lab.edge.warm import TEMPLATE_SUFFIXES, warm_up


def _cached(app) -> set[str]:
    return {key[1] for key in app.jinja_env.cache.keys()}


def test_warm_up_compiles_every_template(app):
    app.jinja_env.cache.clear()
    count = warm_up(app)
    names = app.jinja_env.list_templates(filter_func=lambda n: n.endswith(TEMPLATE_SUFFIXES))
    assert count == len(names) > 20
    assert {"base.html", "bookings/_week.html", "bookings/book.html", "bookings/calendar.html"} <= _cached(app)
    assert set(names) <= _cached(app)


def test_warm_up_compiles_the_prepared_statements_for_the_apps_database(app):
    """The create path's statements (``models.prepared``) are compiled by the warm-up, not by the
    worker's first booking."""
    import bwq_lab.operations.bookings.create  # noqa: F401 - the statements are made at import
    from bwq_lab.extensions import db
    from bwq_lab.models import prepared

    made = list(prepared._MADE)
    for statement in made:
        statement._forms.clear()
    warm_up(app, pages=False)
    with app.app_context():
        dialect = db.engine.dialect
    assert len(made) >= 5 and all(id(dialect) in statement._forms for statement in made)


def test_gunicorn_worker_start_warms_the_app(app):
    settings = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
    app.jinja_env.cache.clear()
    try:
        settings["post_worker_init"](SimpleNamespace(wsgi=app))
    finally:
        gc.unfreeze()
    assert "bookings/_week.html" in _cached(app)
