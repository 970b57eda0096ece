"""What the page tests share: a function run in its own app context, and signed-in browsers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import CSRF_RE, PASSWORD


@pytest.fixture
def within(app):
    """Run a function in its own app context (requests get their own sessions, as in production)."""

    def run(fn, *args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def browser(app):
    """A signed-in browser of its own (so several users can look at once), in English; ``post``
    sends the session's CSRF token unless the data names one."""

    def make(user) -> SimpleNamespace:
        client = app.test_client()
        client.get("/?lang=en")
        token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)
        r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert r.status_code in (302, 303)
        token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)

        def post(path, data=None, **kwargs):
            data = dict(data or {})
            data.setdefault("csrf_token", token)
            return client.post(path, data=data, **kwargs)

        return SimpleNamespace(get=client.get, post=post, client=client)

    return make
