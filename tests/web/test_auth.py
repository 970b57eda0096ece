"""Registration, sign-in and sign-out through the pages."""

from __future__ import annotations

import random
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bwq_lab.domain.uscc import ALPHABET, check_character, generate
from bwq_lab.extensions import db
from bwq_lab.models import Enterprise, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("one_rate_window")  # counters must not roll over mid-test


def register(app, client, post_form, values: dict):
    """Register as a browser does: the form, then the link from the e-mail, then its button."""
    response = post_form("/register", values)
    if response.status_code != 302:
        return response
    assert response.headers["Location"].endswith("/register/sent")
    link = last_mail_link(app, values["email"])
    page = client.get(link)
    assert page.status_code == 200
    return post_form(link, {})


def last_mail(app, to: str):
    """The newest e-mail queued for ``to``, rendered as it will be sent (subject, body)."""
    from bwq_lab import mail
    from bwq_lab.models import OutboxMessage

    with app.app_context(), app.test_request_context():
        rows = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().all()
        message = next((m for m in rows if to.lower() in [r.lower() for r in m.recipients]), None)
        if message is None:
            return None
        subject, body = mail.render(message.template, message.context or {}, "en")
        return SimpleNamespace(subject=subject, body=body, language=message.language)


def last_mail_link(app, to: str) -> str:
    message = last_mail(app, to)
    assert message is not None, f"no e-mail to {to}"
    match = re.search(r"https?://\S+/register/finish/\S+", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


@pytest.fixture
def valid_code():
    return generate(random.Random(42), "330100")


@pytest.fixture
def user_factory(app, create_user, create_enterprise):
    """Users made in their own app context, returned as plain values (requests get fresh contexts)."""

    def make(role: str = "enterprise", **overrides) -> SimpleNamespace:
        with app.app_context():
            user = create_user(role, **overrides)
            return SimpleNamespace(id=user.id, email=user.email, name=user.name, enterprise_id=user.enterprise_id)

    def enterprise() -> int:
        with app.app_context():
            return create_enterprise().id

    make.enterprise = enterprise
    return make


@pytest.fixture
def regions(app, city):
    with app.app_context():
        hangzhou, ningbo = city("杭州"), city("宁波")
        return SimpleNamespace(
            hangzhou=hangzhou.id, hangzhou_county=hangzhou.children[2].id, ningbo_county=ningbo.children[0].id
        )


@pytest.fixture
def registration(regions, valid_code):
    def make(**overrides) -> dict:
        data = {
            "name": "王小明",
            "email": "wang@example.com",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "enterprise_name": "杭州明远科技有限公司",
            "uscc": valid_code,
            "city": str(regions.hangzhou),
            "county": str(regions.hangzhou_county),
            "category": "high_tech",
        }
        data.update(overrides)
        return data

    return make


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def user_by_email(app, email: str) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


def error_next_to(page: str, field_id: str) -> list[str]:
    """The error messages the field() macro put next to the input with ``id=field_id``."""
    start = page.index(f'id="{field_id}"')
    end = page.find('<div class="field', start)
    chunk = page[start : end if end != -1 else start + 2000]
    return re.findall(r'<div class="error" role="alert">(.*?)</div>', chunk, re.S)


# ---------------------------------------------------------------- registration
def test_register_page_offers_cities_grouped_counties_and_the_five_categories(client):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="city"' in page and 'name="county"' in page
    assert page.count("<optgroup") == 11  # one group of counties per city
    assert "滨江区" in page or "Binjiang" in page
    for code in ("high_tech", "tech_sme", "rnd_institute", "incubated", "traditional_upgrade"):
        assert f'value="{code}"' in page


def test_register_creates_enterprise_and_signs_in(app, client, post_form, registration, valid_code, regions):
    response = register(app, client, post_form, registration())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/")
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "wang@example.com")).scalar_one()
        assert user.role == "enterprise" and user.membership == "active" and user.is_active_member
        assert user.enterprise.uscc == valid_code
        assert user.enterprise.category == "high_tech"
        assert user.enterprise.city_id == regions.hangzhou
        assert user.enterprise.region_id == regions.hangzhou_county
        assert user.check_password("a long enough password")
    assert client.get("/account/").status_code == 200


def test_register_with_wrong_check_character_says_which_is_expected_and_saves_nothing(
    app, client, post_form, registration, valid_code
):
    expected = check_character(valid_code[:17])
    wrong = next(ch for ch in ALPHABET if ch != expected)
    response = post_form("/register", registration(uscc=valid_code[:17] + wrong))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = error_next_to(page, "uscc")
    assert len(errors) == 1
    assert f"should be {expected}" in errors[0] and f"not {wrong}" in errors[0]
    assert error_next_to(page, "email") == []
    assert count(app, User) == 0 and count(app, Enterprise) == 0
    assert client.get("/account/").status_code == 302  # not signed in


def test_register_with_short_code_names_the_length(app, post_form, registration):
    page = post_form("/register", registration(uscc="91330100ABC")).get_data(as_text=True)
    assert any("18 characters" in e and "11" in e for e in error_next_to(page, "uscc"))
    assert count(app, User) == 0 and count(app, Enterprise) == 0


def test_register_with_taken_email_answers_as_for_a_new_one_and_tells_the_owner(
    app, client, post_form, registration, user_factory
):
    """Finding 6: registration does not reveal which e-mail addresses have accounts."""
    existing = user_factory(email="taken@example.com")
    enterprises_before = count(app, Enterprise)
    taken = post_form("/register", registration(email="Taken@Example.com"))
    fresh = post_form("/register", registration(email="fresh@example.com"))
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert client.get("/register/sent").status_code == 200
    owner_mail = last_mail(app, "taken@example.com")
    assert owner_mail is not None and "/register/finish/" not in owner_mail.body
    assert "already has an account" in owner_mail.body
    assert "/register/finish/" in last_mail(app, "fresh@example.com").body
    assert count(app, User) == 1
    assert count(app, Enterprise) == enterprises_before
    assert user_by_email(app, "taken@example.com").name == existing.name


def test_register_county_must_belong_to_city(app, post_form, registration, regions):
    response = post_form("/register", registration(county=str(regions.ningbo_county)))
    assert response.status_code == 422
    errors = error_next_to(response.get_data(as_text=True), "county")
    assert errors and "is not in" in errors[0]
    assert count(app, User) == 0 and count(app, Enterprise) == 0


def test_register_checks_password_length_and_confirmation(app, post_form, registration):
    page = post_form("/register", registration(password="short", confirm="other")).get_data(as_text=True)
    assert any("at least 10" in e for e in error_next_to(page, "password"))
    assert any("do not match" in e for e in error_next_to(page, "confirm"))
    assert count(app, User) == 0


def test_register_without_csrf_token_is_refused_and_saves_nothing(app, client, registration):
    client.get("/register")
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert count(app, User) == 0 and count(app, Enterprise) == 0


def test_second_user_joins_existing_enterprise_as_pending_and_first_user_approves(
    app, client, post_form, registration, login
):
    assert register(app, client, post_form, registration()).status_code == 302
    post_form("/logout")
    # someone else registers with the same credit code: they join it, pending
    response = register(
        app, client, post_form, registration(email="li@example.com", name="李四", enterprise_name="another name")
    )
    assert response.status_code == 302
    first, second = user_by_email(app, "wang@example.com"), user_by_email(app, "li@example.com")
    assert second.membership == "pending" and not second.is_active_member
    assert second.enterprise_id == first.enterprise_id
    assert count(app, Enterprise) == 1
    with app.app_context():
        assert db.session.get(Enterprise, first.enterprise_id).name == "杭州明远科技有限公司"  # not renamed
    assert "waiting for its first user" in client.get("/account/").get_data(as_text=True)
    post_form("/logout")

    # the first user sees the request and approves it
    login(first, "a long enough password")
    assert "li@example.com" in client.get("/account/").get_data(as_text=True)
    response = post_form(f"/account/members/{second.id}", {"approve": "Approve"})
    assert response.status_code == 302
    assert user_by_email(app, "li@example.com").membership == "active"
    assert "li@example.com" not in client.get("/account/").get_data(as_text=True)


def test_first_user_can_reject_a_pending_member(app, post_form, user_factory, login):
    enterprise_id = user_factory.enterprise()
    first = user_factory(enterprise_id=enterprise_id)
    pending = user_factory(enterprise_id=enterprise_id, membership="pending")
    login(first)
    assert post_form(f"/account/members/{pending.id}", {"reject": "Reject"}).status_code == 302
    assert user_by_email(app, pending.email).membership == "rejected"


def test_a_member_who_is_not_the_first_user_cannot_approve(app, client, post_form, user_factory, login):
    enterprise_id = user_factory.enterprise()
    user_factory(enterprise_id=enterprise_id)  # the first user
    second = user_factory(enterprise_id=enterprise_id)  # active, but not the first
    pending = user_factory(enterprise_id=enterprise_id, membership="pending")
    login(second)
    assert "Requests to join" not in client.get("/account/").get_data(as_text=True)
    response = post_form(f"/account/members/{pending.id}", {"approve": "Approve"})
    assert response.status_code == 403
    assert user_by_email(app, pending.email).membership == "pending"


def test_deciding_on_another_enterprises_member_is_not_found(app, post_form, user_factory, login):
    first = user_factory()
    other = user_factory.enterprise()
    user_factory(enterprise_id=other)
    stranger = user_factory(enterprise_id=other, membership="pending")
    login(first)
    assert post_form(f"/account/members/{stranger.id}", {"approve": "Approve"}).status_code == 404
    assert user_by_email(app, stranger.email).membership == "pending"


# ---------------------------------------------------------------- sign in / out
def test_login_success_redirects_and_signs_in(client, post_form, user_factory):
    user = user_factory()
    response = post_form("/login", {"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_login_follows_only_local_next(client, post_form, user_factory):
    user = user_factory()
    response = post_form("/login?next=/account/%23tokens", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account/#tokens"
    post_form("/logout")
    for evil in ("//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com"):
        response = post_form("/login", {"email": user.email, "password": PASSWORD}, query_string={"next": evil})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]
        post_form("/logout")


def test_login_failure_has_one_message_for_unknown_email_and_wrong_password(client, post_form, user_factory):
    user = user_factory()
    wrong = post_form("/login", {"email": user.email, "password": "not the password"})
    unknown = post_form("/login", {"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 200
    message = "The e-mail address or password is not correct."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_inactive_account_cannot_log_in(client, post_form, user_factory):
    user = user_factory(is_active_account=False)
    response = post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "disabled" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_login_without_csrf_token_is_refused(client, user_factory):
    user = user_factory()
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account/").status_code == 302


def test_account_is_locked_after_its_limit_of_failures_and_successes_do_not_count(app, client, post_form, user_factory):
    user = user_factory()
    for _ in range(3):  # successful sign-ins are not counted
        assert post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        post_form("/logout")
    limit = int(app.config["LOGIN_ACCOUNT_LIMIT"].split()[0])
    for attempt in range(limit):
        response = post_form("/login", {"email": user.email, "password": "wrong password"})
        assert response.status_code == 200, attempt
    response = post_form("/login", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 429
    assert "Too many failed sign-ins for this account" in response.get_data(as_text=True)
    # the account is locked: even the right password has to wait
    assert post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 429
    assert client.get("/login").status_code == 200  # showing the form is not limited


def test_logout_signs_out(client, post_form, user_factory, login):
    login(user_factory())
    assert client.get("/account/").status_code == 200
    assert post_form("/logout").status_code == 302
    assert client.get("/account/").status_code == 302


def test_pending_member_is_told_on_sign_in(post_form, user_factory):
    enterprise_id = user_factory.enterprise()
    user_factory(enterprise_id=enterprise_id)
    pending = user_factory(enterprise_id=enterprise_id, membership="pending")
    response = post_form("/login", {"email": pending.email, "password": PASSWORD}, follow_redirects=True)
    assert "waiting for its first user" in response.get_data(as_text=True)


def test_account_language_preference_wins_after_sign_in(client, post_form, user_factory):
    user = user_factory(locale="en")
    client.get("/?lang=zh")  # chosen before signing in
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)
    post_form("/login", {"email": user.email, "password": PASSWORD})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
