"""Warm a freshly started worker before it takes requests (gunicorn's ``post_worker_init``).

A new worker otherwise pays on its first requests for compiling every template it renders (the
week pages include several), loading the translation catalogues, building the URL matcher,
configuring the ORM mappers and compiling the SQL of each statement for its own engine (the
prepared statements of the create path are compiled here without rendering anything): the first
booking page after a (re)start took about three times as long as the next one. Warming renders a
few public pages through the test client (GET only: nothing is written); if the database is not
reachable yet, that part is skipped and the worker starts anyway.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import force_locale, get_translations
from sqlalchemy import select

TEMPLATE_SUFFIXES = (".html", ".txt", ".ics", ".eml")


def warm_up(app: Flask, *, pages: bool = True) -> int:
    """Compile every template, load each language's catalogue, build the URL matcher, compile the
    prepared statements for the app's database and, with ``pages``, render the public pages once.
    Returns how many templates were compiled."""
    env = app.jinja_env
    names = env.list_templates(filter_func=lambda name: name.endswith(TEMPLATE_SUFFIXES))
    for name in names:
        env.get_template(name)
    with app.test_request_context("/"):
        url_for("static", filename="css/app.css")  # builds the URL map's matcher and builders
        for language in app.config.get("LANGUAGES", ()):
            with force_locale(language):
                get_translations()
    try:
        _compile_statements(app)
    except Exception:  # noqa: BLE001 - an optimisation, like the pages below
        app.logger.warning("warm-up: could not compile the prepared statements", exc_info=True)
    if pages:
        try:
            _render_public_pages(app)
        except Exception:  # noqa: BLE001 - warming is an optimisation: never keep a worker from starting
            app.logger.warning("warm-up: could not render the public pages", exc_info=True)
    return len(names)


def _compile_statements(app: Flask) -> int:
    """The booking create path's prepared statements (``models.prepared``), compiled for the
    engine's dialect (no connection needed)."""
    from bwq_lab.extensions import db
    from bwq_lab.models.prepared import compile_all

    with app.app_context():
        return compile_all(db.engine.dialect)


def _render_public_pages(app: Flask) -> None:
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument

    with app.app_context():
        try:
            instrument_id = db.session.execute(
                select(Instrument.id).where(Instrument.status == "active").order_by(Instrument.id).limit(1)
            ).scalar()
        finally:
            db.session.remove()
    paths = ["/", "/instruments"]
    if instrument_id is not None:
        paths += [f"/instruments/{instrument_id}", f"/instruments/{instrument_id}/book"]
    client = app.test_client()
    for path in paths:
        client.get(path, headers={"Accept-Language": "zh"})
