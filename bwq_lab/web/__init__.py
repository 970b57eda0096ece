"""Server-rendered pages."""

from flask import Flask


def register(app: Flask) -> None:
    from bwq_lab.web import main

    app.register_blueprint(main.bp)
