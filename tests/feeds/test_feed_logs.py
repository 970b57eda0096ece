"""A feed token never reaches a log: `bwq serve` prints request lines, with the token redacted."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bwq_lab.edge.redact import RedactSecrets, redact

ROOT = Path(__file__).resolve().parents[2]

MAKE_TOKEN = """
from bwq_lab.factory import create_app
from bwq_lab.extensions import db
from bwq_lab.models import User
from bwq_lab.operations.feeds import renew_feed_token
from bwq_lab.clock import now
app = create_app()
with app.app_context():
    user = User(email="log@example.com", name="日志测试", role="enterprise")
    user.set_password("correct horse battery")
    db.session.add(user)
    db.session.flush()
    print(renew_feed_token(user, app.config["SECRET_KEY"], now()))
    db.session.commit()
"""


def test_redact_hides_tokens_but_not_public_feeds():
    line = '127.0.0.1 - - "GET /feeds/bwqf_SeCrEt-123_x/mine.ics HTTP/1.1" 200 -'
    assert redact(line) == '127.0.0.1 - - "GET /feeds/***/mine.ics HTTP/1.1" 200 -'
    assert redact("GET /feeds/instruments/7/busy.ics") == "GET /feeds/instruments/7/busy.ics"
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s', ("GET /feeds/bwqf_abc/x.ics", 200), None
    )
    assert RedactSecrets().filter(record) and record.getMessage() == '"GET /feeds/***/x.ics" 200'


def test_the_token_is_not_in_the_server_log(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, BWQ_INSTANCE_PATH=str(tmp_path), BWQ_DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3")
    env.pop("BWQ_TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app", "bwq"]
    subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    made = subprocess.run(
        [sys.executable, "-c", MAKE_TOKEN], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("bwqf_")
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*flask, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/feeds/{token}/mine.ics", timeout=2
                    ) as response:
                        assert response.status == 200
                        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
                        break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "bwq serve did not answer within 20 s"
                    time.sleep(0.2)
            try:  # a wrong token is logged redacted as well
                urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds/{token}x/mine.ics", timeout=2)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
            time.sleep(0.3)
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = log.read_text()
    assert "GET /feeds/***/mine.ics" in text  # the request was logged...
    assert token not in text and token[5:15] not in text  # ...without its token
