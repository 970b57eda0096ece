"""gunicorn settings for benchmarks: the repository's gunicorn.conf.py unchanged, plus one hook.

Every worker writes its pid into ``$BWQ_BENCH_READY_DIR`` after it has answered its first
request, so a benchmark starts measuring only when every worker has answered (an open port only
says that the master is listening; a worker still importing the app would give 0 req/s).
The app under test and the floor are both served with this file.
"""

import os
from pathlib import Path

exec(compile(Path(__file__).resolve().parents[1].joinpath("gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"))

_repository_post_request = globals().get("post_request")
_answered = False


def post_request(worker, req, environ, resp):
    global _answered
    if _repository_post_request is not None:
        _repository_post_request(worker, req, environ, resp)
    ready_dir = os.environ.get("BWQ_BENCH_READY_DIR")
    if ready_dir and not _answered:
        _answered = True
        Path(ready_dir, str(os.getpid())).touch()
