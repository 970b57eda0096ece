"""gunicorn settings for BWQ Lab (`gunicorn -c gunicorn.conf.py app:app`); see docs/operations.md."""

import gc
import os

bind = os.environ.get("BWQ_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BWQ_WORKERS", "2"))


def post_worker_init(worker):
    # The app's own objects (Flask, SQLAlchemy, translations, ...) live as long as the worker:
    # keep the cyclic garbage collector from scanning them again on every collection.
    gc.freeze()
