"""`make run` ends in `flask bwq serve`: it must really serve (Flask ignores app.run() inside a
`flask` command) and start the job scheduler once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_serve_answers_http(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, BWQ_INSTANCE_PATH=str(tmp_path), BWQ_DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3")
    env.pop("BWQ_TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app", "bwq"]
    subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*flask, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "bwq serve did not answer within 20 s"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
