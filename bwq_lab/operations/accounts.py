"""Accounts: registration (creating or joining an enterprise), membership decisions, passwords,
sessions and personal access tokens. Operations flush, never commit; a refusal raises
:class:`Refusal` listing every problem at once, as codes (their words are in
``edge/messages/accounts.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bwq_lab.domain import uscc as uscc_rules
from bwq_lab.domain.catalogue import ENTERPRISE_CATEGORIES
from bwq_lab.domain.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from bwq_lab.domain.passwords import password_problems, personal_words
from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, Enterprise, Provider, Region, User, UserSession
from bwq_lab.models.user import ROLES
from bwq_lab.operations import audit
from bwq_lab.operations.regions import city_by_name, counties_by_name
from bwq_lab.refusals import Problem, Refusal, not_found

__all__ = ["MIN_PASSWORD_LENGTH"]
LOCALES = ("zh", "en")


# ------------------------------------------------------------------ small validators
def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    email = normalise_email(email)
    if not email:
        return None
    return db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()


def uscc_problem(code: str | None, field: str = "uscc") -> Problem | None:
    """What is wrong with a unified social credit code, said plainly, or None when it is valid."""
    try:
        uscc_rules.validate(code or "")
    except uscc_rules.USCCError as exc:
        return Problem(exc.code, field=field, params=_uscc_params(exc.code, uscc_rules.normalise(code or "")))
    return None


def _uscc_params(error_code: str, code: str) -> dict | None:
    """What the credit code's message says: its length, the characters it never uses, or the
    check character it should end with."""
    if error_code == "USCC_LENGTH":
        return {"n": len(code)}
    if error_code == "USCC_CHARACTERS":
        return {"bad": "".join(sorted({ch for ch in code if ch not in uscc_rules.ALPHABET}))}
    if error_code == "USCC_CHECK":
        return {"expected": uscc_rules.check_character(code[:17]), "actual": code[17]}
    return None


def password_strength_problems(
    password: str, field: str = "password", *, email: str = "", name: str = ""
) -> list[Problem]:
    """Long enough and hard to guess (zxcvbn), not the e-mail or the name; the problem's code says
    why (its words are chosen at the edge)."""
    return password_problems(password, personal=personal_words(email, name), field=field)


def _email_problems(email: str, field: str = "email") -> list[Problem]:
    if not email or "@" not in email:
        return [Problem("EMAIL_INVALID", field=field)]
    if find_user_by_email(email) is not None:
        return [Problem("EMAIL_TAKEN", field=field)]
    return []


def _required(value: str | None, field: str, wording: str) -> list[Problem]:
    return [] if (value or "").strip() else [Problem("REQUIRED", field=field, wording=wording)]


def _raise_if(problems: list[Problem], status: int = 422) -> None:
    if problems:
        raise Refusal(status, problems)


# ------------------------------------------------------------------ enterprise membership
def enterprise_approver(enterprise_id: int) -> User | None:
    """The enterprise's first active user (the earliest): the one who decides on new members."""
    return db.session.execute(
        select(User)
        .where(
            User.enterprise_id == enterprise_id,
            User.role == "enterprise",
            User.membership == "active",
            User.is_active_account.is_(True),
        )
        .order_by(User.created_at, User.id)
        .limit(1)
    ).scalar_one_or_none()


def pending_members(approver: User) -> list[User]:
    """Members waiting for ``approver``'s decision (empty unless they are the enterprise's approver)."""
    if not approver.is_active_member:
        return []
    first = enterprise_approver(approver.enterprise_id)
    if first is None or first.id != approver.id:
        return []
    return list(
        db.session.execute(
            select(User)
            .where(User.enterprise_id == approver.enterprise_id, User.membership == "pending")
            .order_by(User.created_at, User.id)
        ).scalars()
    )


def decide_membership(approver: User, member: User, approve: bool, *, now: datetime) -> User:
    """The enterprise's first user approves (active) or rejects a pending member."""
    if member.enterprise_id is None or member.enterprise_id != approver.enterprise_id or member.role != "enterprise":
        raise not_found()
    first = enterprise_approver(approver.enterprise_id) if approver.is_active_member else None
    if first is None or first.id != approver.id:
        raise Refusal(403, [Problem("NOT_APPROVER")])
    if member.membership != "pending":
        raise Refusal(409, [Problem("NOT_PENDING", field="membership")])
    member.membership = "active" if approve else "rejected"
    audit.record(
        approver, "membership.approve" if approve else "membership.reject", member, now=now, email=member.email
    )
    db.session.flush()
    return member


# ------------------------------------------------------------------ registration
def _region_problems(city_id: int | None, county_id: int | None) -> tuple[Region | None, Region | None, list[Problem]]:
    problems: list[Problem] = []
    city = db.session.get(Region, city_id) if city_id else None
    if city is None or city.level != "city":
        problems.append(Problem("CITY_INVALID", field="city"))
        city = None
    county = db.session.get(Region, county_id) if county_id else None
    if county is None or county.level != "county":
        problems.append(Problem("COUNTY_INVALID", field="county"))
        county = None
    elif city is not None and county.parent_id != city.id:
        problems.append(
            Problem("COUNTY_NOT_IN_CITY", field="county", params={"county": county.name, "city": city.name})
        )
    return city, county, problems


def register_enterprise_user(
    *,
    name: str,
    email: str,
    password: str,
    enterprise_name: str,
    uscc: str,
    city_id: int | None,
    county_id: int | None,
    category: str,
    locale: str | None = None,
    password_hash: str | None = None,
) -> User:
    """A new enterprise user. A new credit code creates the enterprise (the user is its first,
    active member); a known one makes the user a *pending* member until the first user approves.
    ``password_hash`` (instead of ``password``): the hash chosen when registration was requested
    (the web registers only once the e-mail address is confirmed)."""
    email = normalise_email(email)
    problems = registration_problems(
        name=name,
        email=email,
        password=password,
        enterprise_name=enterprise_name,
        uscc=uscc,
        city_id=city_id,
        county_id=county_id,
        category=category,
        password_hash=password_hash,
    )
    problems += [p for p in _email_problems(email) if p.code != "EMAIL_INVALID"]  # (already checked)
    _raise_if(problems)
    city, county, _problems = _region_problems(city_id, county_id)

    code = uscc_rules.validate(uscc)
    enterprise = db.session.execute(select(Enterprise).where(Enterprise.uscc == code)).scalar_one_or_none()
    membership = "active"
    if enterprise is None:
        enterprise = Enterprise(
            name=enterprise_name.strip(), uscc=code, region_id=county.id, city_id=city.id, category=category
        )
        db.session.add(enterprise)
    elif enterprise_approver(enterprise.id) is not None:
        membership = "pending"
    # (an enterprise nobody is active in yet, e.g. one loaded from a list, gets this user as its first)
    user = User(
        email=email,
        name=name.strip(),
        role="enterprise",
        enterprise=enterprise,
        membership=membership,
        locale=locale if locale in LOCALES else None,
    )
    if password_hash:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    db.session.add(user)
    _flush_unique(Problem("ALREADY_REGISTERED", field="email", wording="accounts.registered_a_moment_ago"))
    return user


def registration_problems(
    *,
    name: str,
    email: str,
    password: str | None,
    enterprise_name: str,
    uscc: str,
    city_id: int | None,
    county_id: int | None,
    category: str,
    password_hash: str | None = None,
) -> list[Problem]:
    """Every problem of a registration except "this e-mail address has an account": that one is
    never told to the person registering (they could probe who has an account), only found when
    the confirmed registration is saved (``register_enterprise_user``)."""
    problems: list[Problem] = []
    problems += _required(name, "name", "accounts.your_name")
    if not email or "@" not in email:
        problems.append(Problem("EMAIL_INVALID", field="email"))
    if not password_hash:
        problems += password_strength_problems(password, email=email, name=name)
    problems += _required(enterprise_name, "enterprise_name", "accounts.enterprise_name")
    code_problem = uscc_problem(uscc)
    if code_problem:
        problems.append(code_problem)
    _city, _county, region_problems = _region_problems(city_id, county_id)
    problems += region_problems
    if category not in ENTERPRISE_CATEGORIES:
        problems.append(Problem("CATEGORY_INVALID", field="category"))
    return problems


def _flush_unique(problem: Problem) -> None:
    """Flush inside a savepoint: a unique constraint lost to a concurrent request is a 409, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Refusal(409, [problem]) from exc


# ------------------------------------------------------------------ profile, password, sessions
def update_profile(user: User, *, name: str, locale: str | None) -> User:
    problems = _required(name, "name", "accounts.your_name")
    if locale not in (*LOCALES, None, ""):
        problems.append(Problem("LOCALE_INVALID", field="locale"))
    _raise_if(problems)
    user.name = name.strip()
    user.locale = locale or None
    db.session.flush()
    return user


def change_password(
    user: User, current_password: str, new_password: str, *, now: datetime, revoke_tokens: bool = True
) -> User:
    """Check the current password, set the new one and end every session (the caller signs the
    current browser in again with a new session); by default the personal access tokens are
    revoked too (a stolen password may have minted them)."""
    problems: list[Problem] = []
    if not user.check_password(current_password or ""):
        problems.append(Problem("WRONG_PASSWORD", field="current_password"))
    problems += password_strength_problems(new_password, "new_password", email=user.email, name=user.name)
    if not problems and current_password == new_password:
        problems.append(Problem("PASSWORD_UNCHANGED", field="new_password"))
    _raise_if(problems)
    user.set_password(new_password)
    _end_sessions(user, now=now, revoke_tokens=revoke_tokens)
    db.session.flush()
    return user


def sign_out_everywhere(user: User, *, now: datetime, revoke_tokens: bool = True) -> User:
    """End every session of the user (every browser, every remember-me cookie) and, by default,
    revoke every personal access token."""
    _end_sessions(user, now=now, revoke_tokens=revoke_tokens)
    db.session.flush()
    return user


def _end_sessions(user: User, *, now: datetime, revoke_tokens: bool) -> None:
    from sqlalchemy import update

    user.sign_out_everywhere()
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if revoke_tokens:
        revoked = db.session.execute(
            update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
        ).rowcount
        if revoked:
            audit.record(user, "tokens.revoke_all", user, now=now, count=revoked)


# ------------------------------------------------------------------ operator-created users (CLI)
def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    enterprise_code: str | None = None,
    enterprise_name: str | None = None,
    enterprise_category: str = "tech_sme",
    city_name: str | None = None,
    provider_id: int | None = None,
    county_name: str | None = None,
) -> User:
    """A user of any role, made by an operator. ``enterprise`` creates or joins the enterprise
    (joining an enterprise that has an active member is pending, as on the web); ``manager``
    manages every instrument and service of its provider; ``city_admin`` watches one city;
    ``county_admin`` one county (``county_name``, within ``city_name`` when it is given)."""
    email = normalise_email(email)
    problems: list[Problem] = []
    problems += _required(name, "name", "accounts.a_name")
    problems += _email_problems(email)
    problems += password_strength_problems(password, email=email, name=name)
    if role not in ROLES:
        problems.append(Problem("ROLE_INVALID", field="role", params={"roles": ", ".join(ROLES)}))
    city = city_by_name(city_name) if city_name else None
    if city_name and city is None:
        problems.append(Problem("CITY_UNKNOWN", field="city", params={"name": city_name}))

    user = User(email=email, name=(name or "").strip(), role=role)
    if role == "enterprise":
        problems += _enterprise_for_cli(user, enterprise_code, enterprise_name, enterprise_category, city, city_name)
    elif role == "manager":
        provider = db.session.get(Provider, provider_id) if provider_id else None
        if provider is None:
            problems.append(Problem("PROVIDER_UNKNOWN", field="provider"))
        user.provider = provider
        user.manages_all = True
    elif role == "city_admin":
        if not city_name:
            problems.append(Problem("CITY_REQUIRED", field="city"))
        user.city = city
    elif role == "county_admin":
        problems += _county_for_cli(user, county_name, city, city_name)
    _raise_if(problems)

    user.set_password(password)
    db.session.add(user)
    _flush_unique(Problem("ALREADY_REGISTERED", field="email"))
    return user


def _county_for_cli(user: User, county_name: str | None, city: Region | None, city_name: str | None) -> list[Problem]:
    """A county administrator's county (and its city): by its Chinese or English name, within
    the city when one is given; several counties of that name need the city."""
    if not county_name:
        return [Problem("COUNTY_REQUIRED", field="county")]
    if city_name and city is None:
        return []  # the unknown city is already reported
    matches = counties_by_name(county_name, city_id=city.id if city else None)
    if not matches:
        return [Problem("COUNTY_UNKNOWN", field="county", params={"name": county_name})]
    if len(matches) > 1:
        return [Problem("COUNTY_AMBIGUOUS", field="county", params={"name": county_name})]
    user.county, user.city_id = matches[0], matches[0].parent_id
    return []


def _enterprise_for_cli(
    user: User,
    code: str | None,
    enterprise_name: str | None,
    category: str,
    city: Region | None,
    city_name: str | None,
) -> list[Problem]:
    if not code:
        return [Problem("USCC_REQUIRED", field="enterprise_code")]
    problem = uscc_problem(code, "enterprise_code")
    if problem:
        return [problem]
    code = uscc_rules.validate(code)
    enterprise = db.session.execute(select(Enterprise).where(Enterprise.uscc == code)).scalar_one_or_none()
    if enterprise is not None:
        user.enterprise = enterprise
        user.membership = "pending" if enterprise_approver(enterprise.id) is not None else "active"
        return []
    problems: list[Problem] = []
    if not (enterprise_name or "").strip():
        problems.append(Problem("REQUIRED", field="enterprise_name", wording="accounts.new_enterprise_name"))
    if city is None and not city_name:
        problems.append(Problem("CITY_REQUIRED", field="city", wording="accounts.new_enterprise_city"))
    if category not in ENTERPRISE_CATEGORIES:
        problems.append(Problem("CATEGORY_INVALID", field="category", wording="accounts.unknown_category"))
    if problems or city is None:
        return problems
    county = city.children[0] if city.children else city
    user.enterprise = Enterprise(
        name=enterprise_name.strip(), uscc=code, region_id=county.id, city_id=city.id, category=category
    )
    user.membership = "active"
    return []


# ------------------------------------------------------------------ personal access tokens
def issue_token(user: User, name: str, *, now: datetime) -> tuple[ApiToken, str]:
    """A new personal access token; the plain token is returned once and never stored. Only a
    signed-in browser (the account page) or the operator CLI calls this: a token cannot mint
    tokens."""
    name = (name or "").strip()
    problems = _required(name, "name", "accounts.token_name")
    if len(name) > 80:
        problems.append(Problem("TOO_LONG", field="name", params={"n": 80}, wording="accounts.token_name_too_long"))
    _raise_if(problems)
    token, plain = ApiToken.issue(user, name)
    token.created_at = now
    db.session.add(token)
    db.session.flush()
    audit.record(user, "token.create", token, now=now, name=name)
    return token, plain


def revoke_token(user: User, token_id: int, now: datetime) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise not_found()
    if token.revoked_at is None:
        token.revoke(now)
        audit.record(user, "token.revoke", token, now=now, name=token.name)
    db.session.flush()
    return token
