"""``bwq create-user`` and ``bwq create-token`` through Flask's CLI runner."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from bwq_lab.domain.uscc import generate
from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, Enterprise, User

PASSWORD = "long enough password"


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=["bwq", *args])

    return invoke


def user(app, email: str) -> User | None:
    with app.app_context():
        found = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if found is not None:
            _loaded = (found.provider, found.city, found.enterprise and found.enterprise.city)  # for the asserts
            db.session.expunge_all()
        return found


def test_help_describes_both_commands(run):
    create = run("create-user", "--help")
    assert create.exit_code == 0
    for option in ("--email", "--role", "--enterprise-code", "--provider", "--city"):
        assert option in create.output
    token = run("create-token", "--help")
    assert token.exit_code == 0
    assert "print it once" in token.output


def test_create_enterprise_user_creates_then_joins_the_enterprise(app, run):
    code = generate(random.Random(5), "330100")
    first = run(
        "create-user",
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--password",
        PASSWORD,
        "--role",
        "enterprise",
        "--enterprise-code",
        code,
        "--enterprise-name",
        "杭州甲公司",
        "--city",
        "杭州",
    )
    assert first.exit_code == 0, first.output
    assert "created enterprise user" in first.output
    second = run(
        "create-user",
        "--email",
        "b@example.com",
        "--name",
        "B",
        "--password",
        PASSWORD,
        "--role",
        "enterprise",
        "--enterprise-code",
        code,
    )
    assert second.exit_code == 0, second.output
    a, b = user(app, "a@example.com"), user(app, "b@example.com")
    assert a.membership == "active" and a.enterprise.uscc == code and a.enterprise.city.name == "杭州"
    assert b.enterprise_id == a.enterprise_id and b.membership == "pending"
    assert b.check_password(PASSWORD)


def test_create_manager_and_city_admin(app, run, create_provider):
    with app.app_context():
        provider_id = create_provider().id
    manager = run(
        "create-user",
        "--email",
        "m@example.com",
        "--name",
        "M",
        "--password",
        PASSWORD,
        "--role",
        "manager",
        "--provider",
        str(provider_id),
    )
    assert manager.exit_code == 0, manager.output
    admin = run(
        "create-user",
        "--email",
        "c@example.com",
        "--name",
        "C",
        "--password",
        PASSWORD,
        "--role",
        "city_admin",
        "--city",
        "Ningbo",
    )
    assert admin.exit_code == 0, admin.output
    m, c = user(app, "m@example.com"), user(app, "c@example.com")
    assert m.provider_id == provider_id and m.manages_all
    assert c.city.name == "宁波"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "manager"], "--provider"),
        (["--role", "manager", "--provider", "999"], "--provider"),
        (["--role", "city_admin"], "--city"),
        (["--role", "city_admin", "--city", "Atlantis"], "Atlantis"),
        (["--role", "enterprise"], "--enterprise-code"),
        (["--role", "enterprise", "--enterprise-code", "91330100MA27XXXXXX"], "should be"),
        (["--role", "enterprise", "--enterprise-code", generate(random.Random(1))], "--enterprise-name"),
        (["--role", "wizard"], "wizard"),
    ],
)
def test_bad_input_is_a_clear_error_and_saves_nothing(app, run, args, message):
    result = run("create-user", "--email", "x@example.com", "--name", "X", "--password", PASSWORD, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert user(app, "x@example.com") is None
    with app.app_context():
        assert db.session.execute(select(func.count(Enterprise.id))).scalar_one() == 0


def test_short_password_and_taken_email_are_refused(app, run):
    ok = run(
        "create-user", "--email", "p@example.com", "--name", "P", "--password", PASSWORD, "--role", "province_admin"
    )
    assert ok.exit_code == 0
    again = run(
        "create-user", "--email", "P@example.com", "--name", "P", "--password", "short", "--role", "province_admin"
    )
    assert again.exit_code != 0
    assert "already exists" in again.output and "at least 10" in again.output


def test_create_token_prints_a_token_that_works_once_shown(app, run, create_user):
    with app.app_context():
        email = create_user("province_admin").email
    result = run("create-token", "--email", email, "--name", "reporting")
    assert result.exit_code == 0, result.output
    plain = result.output.strip()
    assert plain.startswith("bwq_")
    with app.app_context():
        token = db.session.execute(select(ApiToken)).scalar_one()
        assert token.name == "reporting" and token.digest == ApiToken.digest_of(plain)
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200 and response.json["email"] == email


def test_create_token_for_unknown_user_fails(app, run):
    result = run("create-token", "--email", "ghost@example.com", "--name", "x")
    assert result.exit_code != 0 and "ghost@example.com" in result.output
    with app.app_context():
        assert db.session.execute(select(ApiToken.id)).first() is None
