"""Entry point for `flask --app app` and `gunicorn app:app`."""

from bwq_lab.factory import create_app

app = create_app()
