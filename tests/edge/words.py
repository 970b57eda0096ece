"""Render a problem's words as the edge does, in a chosen language, without the whole app: a bare
Flask app with Flask-Babel reading the committed zh catalogue (compiled into a temporary folder)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def _app():
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from flask import Flask
    from flask_babel import Babel

    folder = Path(tempfile.mkdtemp(prefix="bwq-words-"))
    target = folder / "zh" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (ROOT / "bwq_lab/translations/zh/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    Babel(app, locale_selector=lambda: "zh")
    return app


def words(code: str, params=None, locale: str = "zh") -> str:
    """The message for ``code`` (a rule's code and params) in ``locale``."""
    from flask_babel import force_locale

    from bwq_lab.edge.messages import message

    with _app().test_request_context(), force_locale(locale):
        return message(code, params)


def msg(violation, locale: str = "zh") -> str:
    return words(violation.code, violation.params, locale)
