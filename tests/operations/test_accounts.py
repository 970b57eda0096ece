"""Account use cases, called directly: every problem at once, memberships, passwords, tokens, CLI users."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from bwq_lab.domain.uscc import check_character, generate
from bwq_lab.errors import OperationError
from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, Enterprise, User
from bwq_lab.operations import accounts
from tests.conftest import FIXED_NOW, PASSWORD


@pytest.fixture
def code():
    return generate(random.Random(3), "330200")


@pytest.fixture
def register(ctx, city, code):
    def make(**overrides) -> User:
        ningbo = city("宁波")
        values = dict(
            name="陈一",
            email="chen@example.com",
            password="long enough password",
            enterprise_name="宁波甬江材料有限公司",
            uscc=code,
            city_id=ningbo.id,
            county_id=ningbo.children[0].id,
            category="tech_sme",
        )
        values.update(overrides)
        user = accounts.register_enterprise_user(**values)
        db.session.commit()
        return user

    return make


def codes(exc: pytest.ExceptionInfo) -> dict[str, str | None]:
    return {p.code: p.field for p in exc.value.problems}


def test_registration_lists_every_problem_at_once(register, city, code, create_user):
    create_user(email="taken@example.com")
    bad_code = code[:17] + ("0" if check_character(code[:17]) != "0" else "1")
    with pytest.raises(OperationError) as refused:
        register(
            name=" ",
            email="TAKEN@example.com",
            password="short",
            enterprise_name="",
            uscc=bad_code,
            county_id=city("杭州").children[0].id,
            category="bank",
        )
    assert refused.value.status == 422
    assert sorted((p.code, p.field) for p in refused.value.problems) == [
        ("CATEGORY_INVALID", "category"),
        ("COUNTY_NOT_IN_CITY", "county"),
        ("EMAIL_TAKEN", "email"),
        ("PASSWORD_TOO_SHORT", "password"),
        ("REQUIRED", "enterprise_name"),
        ("REQUIRED", "name"),
        ("USCC_CHECK", "uscc"),
    ]
    from bwq_lab.edge.messages import localize  # (the password's words are chosen at the edge)

    assert all(p.message for p in localize(refused.value.problems))
    db.session.rollback()
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1


def test_first_registrant_creates_the_enterprise_and_is_active(register, code, city):
    user = register()
    assert user.membership == "active" and user.is_active_member
    assert user.enterprise.uscc == code and user.enterprise.city_id == city("宁波").id
    assert accounts.enterprise_approver(user.enterprise_id).id == user.id


def test_later_registrants_join_pending_and_the_first_user_decides(register):
    first = register()
    second = register(email="second@example.com", uscc=first.enterprise.uscc.lower())
    third = register(email="third@example.com")
    assert second.enterprise_id == third.enterprise_id == first.enterprise_id
    assert second.membership == third.membership == "pending"
    assert [u.id for u in accounts.pending_members(first)] == [second.id, third.id]
    assert accounts.pending_members(second) == []

    accounts.decide_membership(first, second, approve=True, now=FIXED_NOW)
    accounts.decide_membership(first, third, approve=False, now=FIXED_NOW)
    db.session.commit()
    assert second.membership == "active" and second.is_active_member
    assert third.membership == "rejected" and not third.is_active_member
    # decided once: not again
    with pytest.raises(OperationError) as again:
        accounts.decide_membership(first, third, approve=True, now=FIXED_NOW)
    assert again.value.status == 409


def test_only_the_first_user_may_decide(register):
    first = register()
    second = register(email="second@example.com")
    third = register(email="third@example.com")
    accounts.decide_membership(first, second, approve=True, now=FIXED_NOW)
    with pytest.raises(OperationError) as refused:
        accounts.decide_membership(second, third, approve=True, now=FIXED_NOW)
    assert refused.value.status == 403
    with pytest.raises(OperationError) as pending_refused:
        accounts.decide_membership(third, second, approve=False, now=FIXED_NOW)
    assert pending_refused.value.status == 403
    assert third.membership == "pending"


def test_deciding_on_another_enterprises_user_is_not_found(register, create_user):
    first = register()
    stranger = create_user(membership="pending")
    with pytest.raises(OperationError) as refused:
        accounts.decide_membership(first, stranger, approve=True, now=FIXED_NOW)
    assert refused.value.status == 404


def test_an_enterprise_nobody_is_active_in_gets_its_first_user_active(register, create_enterprise, city):
    enterprise = create_enterprise(city=city("宁波"))
    user = register(uscc=enterprise.uscc)
    assert user.enterprise_id == enterprise.id and user.membership == "active"
    assert db.session.execute(select(func.count(Enterprise.id))).scalar_one() == 1


def test_change_password(ctx, create_user):
    user = create_user()
    version = user.session_version
    with pytest.raises(OperationError) as refused:
        accounts.change_password(user, "wrong", "short", now=FIXED_NOW)
    assert codes(refused) == {"WRONG_PASSWORD": "current_password", "PASSWORD_TOO_SHORT": "new_password"}
    with pytest.raises(OperationError) as same:
        accounts.change_password(user, PASSWORD, PASSWORD, now=FIXED_NOW)
    assert codes(same) == {"PASSWORD_UNCHANGED": "new_password"}
    accounts.change_password(user, PASSWORD, "another long password", now=FIXED_NOW)
    assert user.check_password("another long password") and user.session_version == version + 1


def test_sign_out_everywhere_moves_the_session_version(ctx, create_user):
    user = create_user()
    old_id = user.get_id()
    accounts.sign_out_everywhere(user, now=FIXED_NOW)
    assert user.get_id() != old_id


def test_tokens_are_issued_and_revoked_by_their_owner_only(ctx, create_user, now):
    owner, other = create_user(), create_user()
    token, plain = accounts.issue_token(owner, "  nightly export ", now=FIXED_NOW)
    assert token.name == "nightly export" and plain.startswith("bwq_")
    assert token.digest == ApiToken.digest_of(plain) and plain not in (token.digest, token.hint)
    with pytest.raises(OperationError) as unnamed:
        accounts.issue_token(owner, " ", now=FIXED_NOW)
    assert unnamed.value.status == 422
    with pytest.raises(OperationError) as not_theirs:
        accounts.revoke_token(other, token.id, now)
    assert not_theirs.value.status == 404 and token.revoked_at is None
    accounts.revoke_token(owner, token.id, now)
    assert token.revoked_at == now


@pytest.mark.parametrize(
    ("role", "extra", "check"),
    [
        ("province_admin", {}, lambda u: u.is_province_admin),
        ("city_admin", {"city_name": "温州"}, lambda u: u.city.name == "温州"),
        ("city_admin", {"city_name": "Wenzhou"}, lambda u: u.city.name == "温州"),
        (
            "enterprise",
            {
                "enterprise_code": generate(random.Random(9), "330300"),
                "enterprise_name": "温州瓯江",
                "city_name": "温州市",
            },
            lambda u: u.is_active_member and u.enterprise.city.name == "温州",
        ),
    ],
)
def test_create_user_for_each_role(ctx, role, extra, check):
    user = accounts.create_user(
        email=f"{role}@example.com", name="Op", password="long enough password", role=role, **extra
    )
    assert user.id is not None and user.role == role and check(user)


def test_create_manager_manages_all_of_its_provider(ctx, create_provider):
    provider = create_provider()
    user = accounts.create_user(
        email="m@example.com", name="M", password="long enough password", role="manager", provider_id=provider.id
    )
    assert user.provider_id == provider.id and user.manages_all


def test_create_user_lists_every_problem(ctx, create_user):
    create_user(email="dup@example.com")
    with pytest.raises(OperationError) as refused:
        accounts.create_user(email="dup@example.com", name="", password="x", role="manager", provider_id=999)
    assert set(codes(refused)) == {"REQUIRED", "EMAIL_TAKEN", "PASSWORD_TOO_SHORT", "PROVIDER_UNKNOWN"}
    with pytest.raises(OperationError) as no_city:
        accounts.create_user(email="c@example.com", name="C", password="long enough password", role="city_admin")
    assert set(codes(no_city)) == {"CITY_REQUIRED"}
    with pytest.raises(OperationError) as bad_enterprise:
        accounts.create_user(
            email="e@example.com",
            name="E",
            password="long enough password",
            role="enterprise",
            enterprise_code="91330100XXXXXXXXX",
            city_name="Atlantis",
        )
    assert set(codes(bad_enterprise)) == {"CITY_UNKNOWN", "USCC_LENGTH"}
