"""The account page: profile and language, password, sessions, tokens; the access decorators."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_login import login_user
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from bwq_lab.edge.access import active_member_required, api_login_required, api_role_required, role_required
from bwq_lab.errors import OperationError
from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, User
from bwq_lab.models.base import utcnow
from tests.conftest import CSRF_RE, PASSWORD

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def user_factory(app, create_user, create_enterprise):
    def make(role: str = "enterprise", **overrides) -> SimpleNamespace:
        with app.app_context():
            user = create_user(role, **overrides)
            return SimpleNamespace(id=user.id, email=user.email, name=user.name, enterprise_id=user.enterprise_id)

    return make


def fresh(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


def post(client, path: str, data: dict | None = None):
    token = CSRF_RE.search(client.get("/account/").get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, **(data or {})})


# ---------------------------------------------------------------- the page
def test_account_page_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"] and "next=" in response.headers["Location"]


def test_account_page_shows_profile(client, user_factory, login):
    user = user_factory(name="张三")
    login(user)
    page = client.get("/account/").get_data(as_text=True)
    assert "张三" in page and user.email in page
    assert "企业用户" in page or "Enterprise user" in page


def test_pending_member_sees_a_notice(client, app, user_factory, create_enterprise, login):
    with app.app_context():
        enterprise_id = create_enterprise().id
    user_factory(enterprise_id=enterprise_id)
    pending = user_factory(enterprise_id=enterprise_id, membership="pending")
    login(pending)
    assert "waiting for its first user" in client.get("/account/").get_data(as_text=True)
    assert not fresh(app, pending.id).is_active_member


def test_language_preference_is_saved_and_used(app, client, user_factory, login, post_form):
    user = user_factory(name="Li")
    login(user)
    response = post_form("/account/profile", {"name": "Li Si", "locale": "en"})
    assert response.status_code == 302
    saved = fresh(app, user.id)
    assert saved.locale == "en" and saved.name == "Li Si"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    # a new browser: the preference follows the account, not the browser
    other = app.test_client()
    sign_in(other, user.email)
    assert '<html lang="en">' in other.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_profile_rejects_an_unknown_language(app, user_factory, login, post_form):
    user = user_factory()
    login(user)
    assert post_form("/account/profile", {"name": "x", "locale": "fr"}).status_code == 422
    assert fresh(app, user.id).locale is None


# ---------------------------------------------------------------- password and sessions
def test_password_change_signs_out_other_sessions_but_keeps_this_one(app, client, user_factory, login, post_form):
    user = user_factory()
    other = app.test_client()
    login(user)
    sign_in(other, user.email)
    assert other.get("/account/").status_code == 200
    response = post_form(
        "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this session goes on
    assert other.get("/account/").status_code == 302  # the other one is over
    assert fresh(app, user.id).check_password(NEW_PASSWORD)
    third = app.test_client()
    assert sign_in(third, user.email, PASSWORD).status_code == 200  # old password refused
    assert sign_in(third, user.email, NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(app, client, user_factory, login, post_form):
    user = user_factory()
    version = fresh(app, user.id).session_version
    login(user)
    response = post_form(
        "/account/password", {"current_password": "wrong one!!", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert "The current password is not correct." in response.get_data(as_text=True)
    saved = fresh(app, user.id)
    assert saved.check_password(PASSWORD) and saved.session_version == version


def test_sign_out_everywhere_ends_every_session_and_remembered_device(app, client, user_factory, login, post_form):
    user = user_factory()
    remembered = app.test_client()
    sign_in(remembered, user.email, remember="y")
    remembered.delete_cookie("session", domain="localhost")  # the browser was closed: only the remember cookie
    assert remembered.get("/account/").status_code == 200
    login(user)
    response = post_form("/account/sign-out-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/account/").status_code == 302
    remembered.delete_cookie("session", domain="localhost")
    assert remembered.get("/account/").status_code == 302


# ---------------------------------------------------------------- personal access tokens
def create_token_on_page(client, post_form, name: str = "lab script") -> str:
    response = post_form("/account/tokens", {"name": name})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "shown only this once" in page
    return re.search(r'value="(bwq_[^"]+)"', page).group(1)


def test_token_works_as_bearer_and_is_listed(app, client, user_factory, login, post_form):
    user = user_factory()
    login(user)
    plain = create_token_on_page(client, post_form)
    api = app.test_client()  # no session: only the token
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert response.json["email"] == user.email and response.json["role"] == "enterprise"
    assert response.json["id"] == user.id
    page = client.get("/account/").get_data(as_text=True)
    assert "lab script" in page and plain[:10] in page
    assert plain not in page  # never shown again


def test_revoked_token_answers_401_json(app, client, user_factory, login, post_form):
    user = user_factory()
    login(user)
    plain = create_token_on_page(client, post_form)
    with app.app_context():
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    assert post_form(f"/account/tokens/{token_id}/revoke").status_code == 302
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401
    assert response.json["errors"][0]["code"] == "UNAUTHENTICATED"


def test_cannot_revoke_someone_elses_token(app, user_factory, login, post_form, token_for):
    owner = user_factory()
    with app.app_context():
        headers = token_for(db.session.get(User, owner.id))
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    login(user_factory())
    assert post_form(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200


def test_token_needs_a_name(app, user_factory, login, post_form):
    login(user_factory())
    response = post_form("/account/tokens", {"name": "  "})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(select(ApiToken.id)).first() is None


def test_me_without_credentials_answers_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["errors"][0]["code"] == "UNAUTHENTICATED"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer bwq_not-a-token"})
    assert bad.status_code == 401


def test_me_works_with_a_browser_session(client, user_factory, login):
    user = user_factory()
    login(user)
    assert client.get("/api/v1/me").json["email"] == user.email


def test_a_bearer_call_neither_opens_nor_sends_a_cookie_session(app, user_factory, token_for):
    """The token is the call's only credential: no cookie session comes back (not even for
    ``?lang=``, which still chooses the language of that one answer)."""
    with app.app_context():
        headers = token_for(db.session.get(User, user_factory().id))
    api = app.test_client()
    answers = {lang: api.get(f"/api/v1/bookings/999999?lang={lang}", headers=headers) for lang in ("en", "zh")}
    for response in answers.values():
        assert response.status_code == 404
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    english, chinese = (answers[lang].json["errors"][0]["message"] for lang in ("en", "zh"))
    assert english.isascii() and not chinese.isascii()


def test_a_bearer_call_is_the_tokens_user_whatever_cookies_come_with_it(
    app, client, user_factory, post_form, token_for
):
    """A browser signed in as one user (session and remember-me cookies) calls the API with
    another user's token: the token is the credential; the cookies neither refuse nor replace it,
    and the browser's own remembered sign-in is left as it was."""
    browser_user, token_user = user_factory(), user_factory()
    post_form("/login", {"email": browser_user.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None
    with app.app_context():
        headers = token_for(db.session.get(User, token_user.id))
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 200 and answer.json["email"] == token_user.email
    assert not any(h.startswith("remember_token=") for h in answer.headers.getlist("Set-Cookie"))
    only_remembered = app.test_client()  # the remember cookie alone, no session cookie
    only_remembered.set_cookie("remember_token", remember.value, domain="localhost")
    answer = only_remembered.get("/api/v1/me", headers=headers)
    assert answer.status_code == 200 and answer.json["email"] == token_user.email
    bad = only_remembered.get("/api/v1/me", headers={"Authorization": "Bearer bwq_not-a-token"})
    assert bad.status_code == 401  # a bad token is refused, not replaced by the cookie
    assert client.get("/api/v1/me").json["email"] == browser_user.email  # the browser still signed in


def test_last_used_is_recorded_at_most_once_a_minute(app, user_factory, token_for):
    user = user_factory()
    with app.app_context():
        headers = token_for(db.session.get(User, user.id))

    def last_used():
        with app.app_context():
            return db.session.execute(select(ApiToken.last_used_at)).scalar_one()

    def set_last_used(value):
        with app.app_context():
            db.session.execute(db.update(ApiToken).values(last_used_at=value))
            db.session.commit()

    api = app.test_client()
    assert last_used() is None
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    first = last_used()
    assert first is not None and abs((utcnow() - first).total_seconds()) < 30
    recent = utcnow() - timedelta(seconds=30)
    set_last_used(recent)
    api.get("/api/v1/me", headers=headers)
    assert last_used() == recent  # used 30 s ago: no new write
    set_last_used(utcnow() - timedelta(minutes=5))
    api.get("/api/v1/me", headers=headers)
    assert abs((utcnow() - last_used()).total_seconds()) < 30


# ---------------------------------------------------------------- access decorators
def _view():
    return "ok"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("enterprise", False), ("manager", True), ("city_admin", False), ("province_admin", False)],
)
def test_role_required_lets_in_only_the_roles_named(app, user_factory, role, allowed):
    user = user_factory(role)
    view = role_required("manager")(_view)
    with app.test_request_context("/manage/instruments"):
        login_user(db.session.get(User, user.id))
        if allowed:
            assert view() == "ok"
        else:
            with pytest.raises(Forbidden):
                view()


def test_role_required_sends_anonymous_visitors_to_sign_in(app):
    view = role_required("manager", "province_admin")(_view)
    with app.test_request_context("/manage/instruments"):
        response = view()
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]


def test_active_member_required_refuses_pending_members(app, create_enterprise, user_factory):
    with app.app_context():
        enterprise_id = create_enterprise().id
    first = user_factory(enterprise_id=enterprise_id)
    pending = user_factory(enterprise_id=enterprise_id, membership="pending")
    view = active_member_required(_view)
    with app.test_request_context("/bookings"):
        login_user(db.session.get(User, first.id))
        assert view() == "ok"
    with app.test_request_context("/bookings"):
        login_user(db.session.get(User, pending.id))
        with pytest.raises(OperationError) as refused:
            view()
        assert refused.value.status == 403 and refused.value.problems[0].code == "NOT_ACTIVE_MEMBER"


def test_api_decorators_answer_401_then_403(app, user_factory):
    user = user_factory("enterprise")
    with app.test_request_context("/api/v1/x"):
        for view in (api_login_required(_view), api_role_required("manager")(_view)):
            with pytest.raises(OperationError) as refused:
                view()
            assert refused.value.status == 401
    with app.test_request_context("/api/v1/x"):
        login_user(db.session.get(User, user.id))
        assert api_login_required(_view)() == "ok"
        assert api_role_required("enterprise", "manager")(_view)() == "ok"
        with pytest.raises(OperationError) as refused:
            api_role_required("manager")(_view)()
        assert refused.value.status == 403
