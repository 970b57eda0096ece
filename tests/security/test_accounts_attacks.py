"""Findings 2, 4, 5, 6 (see tests/web/test_auth.py), 7 and 8 of issue 7: each attack, replayed,
and now refused. Runs on SQLite and PostgreSQL like every test."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, AuditEvent, RateCounter, User, UserSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("one_rate_window")  # counters must not roll over mid-test


@pytest.fixture
def person(app, create_user, token_for):
    """A user made in its own app context, as plain values (+ ``headers`` with a bearer token)."""

    def make(role: str = "enterprise", **overrides) -> SimpleNamespace:
        with app.app_context():
            user = create_user(role, **overrides)
            headers = token_for(user)
            return SimpleNamespace(id=user.id, email=user.email, name=user.name, headers=headers)

    return make


def _csrf(client, path="/account/"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


# ------------------------------------------------------------ finding 2: a token is not a web login
@pytest.mark.parametrize("path", ["/account/", "/manage/instruments", "/bookings/mine", "/"])
def test_bearer_token_opens_no_page(client, person, path):
    headers = person("enterprise").headers
    response = client.get(path, headers=headers)
    assert "Sign out" not in response.get_data(as_text=True)
    if path != "/":
        assert response.status_code in (302, 404), response.status_code


def test_bearer_token_cannot_mint_tokens_or_change_the_profile(app, client, person):
    user = person("enterprise")
    headers = user.headers
    client.post("/account/tokens", data={"name": "minted"}, headers=headers)
    client.post("/account/profile", data={"name": "pwned", "locale": "en"}, headers=headers)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(ApiToken)).scalar() == 1
        assert db.session.get(User, user.id).name == user.name
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the API still takes it


def test_sign_out_everywhere_revokes_tokens_by_default(app, client, person, login, post_form):
    user = person("enterprise")
    headers = user.headers
    login(user)
    post_form("/account/sign-out-everywhere", {"csrf_token": _csrf(client)})
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_sign_out_everywhere_can_keep_tokens(client, person, login, post_form):
    user = person("enterprise")
    headers = user.headers
    login(user)
    post_form("/account/sign-out-everywhere", {"csrf_token": _csrf(client), "keep_tokens": "y"})
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_password_change_revokes_tokens_by_default(client, person, login, post_form):
    user = person("enterprise")
    headers = user.headers
    login(user)
    response = post_form(
        "/account/password",
        {"csrf_token": _csrf(client), "current_password": PASSWORD, "new_password": "plum lantern orbit",
         "confirm": "plum lantern orbit"},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/account/").status_code == 200  # this browser stays signed in


def test_token_creation_is_audited(app, client, person, login, post_form):
    user = person("enterprise")
    login(user)
    assert post_form("/account/tokens", {"csrf_token": _csrf(client), "name": "export"}).status_code == 200
    with app.app_context():
        event = db.session.execute(select(AuditEvent)).scalar_one()
        assert (event.action, event.actor_id, event.details["name"]) == ("token.create", user.id, "export")
        assert event.ip == "127.0.0.1"


# ------------------------------------------------------------ finding 4: signing out ends the session
def test_copied_session_cookie_is_dead_after_logout(app, client, person, login, post_form):
    login(person("enterprise"))
    stolen = client.get_cookie("session").value
    assert post_form("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/account/").status_code == 302


def test_copied_remember_cookie_is_dead_after_logout(app, client, person, post_form):
    user = person("enterprise")
    post_form("/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None
    set_cookie = [h for h in client.get("/").headers.getlist("Set-Cookie")]  # noqa: F841
    post_form("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value, domain="localhost")
    assert thief.get("/account/").status_code == 302
    with app.app_context():
        assert db.session.execute(select(UserSession)).scalar_one().revoked_at is not None


def test_remember_cookie_is_samesite_and_httponly(client, person, csrf_token):
    user = person("enterprise")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": csrf_token("/login")}
    )
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_csrf_token_rotates_at_login(client, person, csrf_token, login):
    before = csrf_token("/login")
    login(person("enterprise"))
    after = csrf_token("/")
    assert before != after
    # the token planted before sign-in is refused afterwards
    response = client.post("/account/tokens", data={"name": "x", "csrf_token": before})
    assert response.status_code == 400


# ------------------------------------------------------------ finding 5: limits shared by workers
def test_login_counters_live_in_the_database_so_every_worker_sees_them(app, client, person, post_form):
    user = person("enterprise")
    post_form("/login", {"email": user.email, "password": "wrong guess here"})
    with app.app_context():
        keys = set(db.session.execute(select(RateCounter.key)).scalars())
    assert f"login:account:{user.email}" in keys and "login:ip:127.0.0.1" in keys
    # a second app (another worker) refuses the account once the shared counter is full
    limit = int(app.config["LOGIN_ACCOUNT_LIMIT"].split()[0])
    for _ in range(limit - 1):
        post_form("/login", {"email": user.email, "password": "wrong guess here"})
    other_worker = app.test_client()
    other_worker.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = other_worker.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = other_worker.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_correct_password_passes_the_ip_limit_after_a_delay(app, client, person, post_form, monkeypatch):
    from bwq_lab.edge import throttle

    slept = []
    monkeypatch.setattr(throttle.time, "sleep", slept.append)
    monkeypatch.setitem(app.config, "LOGIN_IP_LIMIT", "3 per 15 minutes")
    victims = [person("enterprise") for _ in range(3)]
    for v in victims:  # one person in the office mistypes three different accounts
        assert post_form("/login", {"email": v.email, "password": "nope nope nope"}).status_code == 200
    colleague = person("enterprise")
    wrong = post_form("/login", {"email": colleague.email, "password": "still wrong pw"})
    assert wrong.status_code == 429 and "from your network" in wrong.get_data(as_text=True)
    ok = post_form("/login", {"email": colleague.email, "password": PASSWORD})
    assert ok.status_code == 302  # signed in, not locked out
    assert slept and slept[-1] == app.config["LOGIN_IP_DELAY_SECONDS"]


def test_password_change_attempts_are_limited(app, client, person, login, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_CHANGE_LIMIT", "2 per 15 minutes")
    login(person("enterprise"))
    data = {
        "current_password": "not my password",
        "new_password": "plum lantern orbit",
        "confirm": "plum lantern orbit",
    }
    for _ in range(2):
        assert post_form("/account/password", {**data, "csrf_token": _csrf(client)}).status_code == 422
    response = post_form("/account/password", {**data, "current_password": PASSWORD, "csrf_token": _csrf(client)})
    assert response.status_code == 429


def test_registration_attempts_are_limited(app, client, post_form, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT", "2 per hour")
    assert post_form("/register", {"email": "a@example.com"}).status_code == 422
    assert post_form("/register", {"email": "b@example.com"}).status_code == 422
    assert post_form("/register", {"email": "c@example.com"}).status_code == 429


# ------------------------------------------------------------ finding 7: weak passwords
@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("1234567890", "passwords people use most"),
        ("aaaaaaaaaa", "Repeated characters"),
        ("wang@example.com", "e-mail address or name"),
        ("qwertyuiop", "passwords people use most"),
        ("abcdefghijkl", "Sequences"),
    ],
)
def test_weak_password_is_refused_with_the_reason(app, client, post_form, city, password, says):
    with app.app_context():
        hz = city("杭州")
        hz = SimpleNamespace(id=hz.id, children=[SimpleNamespace(id=hz.children[0].id)])
    response = post_form(
        "/register",
        {"name": "王五", "email": "wang@example.com", "password": password, "confirm": password,
         "enterprise_name": "杭州明远科技有限公司", "uscc": "91330100MA2XXXXX0X", "city": str(hz.id),
         "county": str(hz.children[0].id), "category": "high_tech"},
    )  # fmt: skip
    assert response.status_code == 422
    assert says in response.get_data(as_text=True)


def test_weak_new_password_is_refused_on_the_account_page(client, person, login, post_form):
    login(person("enterprise"))
    response = post_form(
        "/account/password",
        {"csrf_token": _csrf(client), "current_password": PASSWORD, "new_password": "1234567890",
         "confirm": "1234567890"},
    )  # fmt: skip
    assert response.status_code == 422 and "passwords people use most" in response.get_data(as_text=True)


# ------------------------------------------------------------ finding 8: security headers
@pytest.mark.parametrize("path", ["/", "/login", "/register", "/api/v1/instruments", "/nowhere"])
def test_security_headers_on_every_answer(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_in_any_template():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"


# ------------------------------------------------------------ the audit log is append-only
def test_audit_rows_cannot_be_changed(app, person):
    from sqlalchemy import update

    from bwq_lab.operations import audit
    from tests.conftest import FIXED_NOW

    user = person("enterprise")
    with app.app_context():
        audit.record(db.session.get(User, user.id), "token.create", now=FIXED_NOW, name="x")
        db.session.commit()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(update(AuditEvent).values(action="nothing"))
            db.session.flush()
        db.session.rollback()
        assert db.session.execute(select(AuditEvent.action)).scalar_one() == "token.create"
