"""gunicorn settings for BWQ Lab (`gunicorn -c gunicorn.conf.py app:app`); see docs/operations.md."""

import gc
import os

bind = os.environ.get("BWQ_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BWQ_WORKERS", "2"))


def post_worker_init(worker):
    # The worker has just loaded the app: compile its templates and load its catalogues now, so
    # the first requests after a (re)start don't stall (bwq_lab/edge/warm.py).
    app = worker.wsgi
    if getattr(app, "name", "").startswith("bwq_lab"):
        from bwq_lab.edge.warm import warm_up

        warm_up(app)
    # The app's own objects (Flask, SQLAlchemy, translations, compiled templates, ...) live as
    # long as the worker: keep the cyclic garbage collector from scanning them again on every
    # collection.
    gc.freeze()
