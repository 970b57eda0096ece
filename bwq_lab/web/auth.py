"""Sign in, sign out, register."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from bwq_lab.edge.templating import locale_code
from bwq_lab.errors import OperationError
from bwq_lab.extensions import db, limiter
from bwq_lab.operations import accounts
from bwq_lab.operations.regions import cities
from bwq_lab.web.forms.accounts import LoginForm, RegistrationForm

bp = Blueprint("auth", __name__)

# compared against when the e-mail is unknown, so both failures take the same time
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (``/account/``), never ``//evil`` or ``https://evil``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _remember_language(user) -> None:
    """The account's language wins over a choice made before signing in."""
    if user.locale in current_app.config["LANGUAGES"]:
        session["lang"] = user.locale


def _failed_login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_failed_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    """Only failed attempts count against the limit (a successful sign-in redirects with 302)."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("account.profile"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        password_ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, form.password.data)
        if user is None or not password_ok:
            form.form_errors.append(_("The e-mail address or password is not correct."))
        elif not user.is_active:
            form.form_errors.append(_("This account has been disabled. Please contact the administrator."))
        else:
            login_user(user, remember=form.remember.data)
            _remember_language(user)
            if user.is_enterprise and user.membership == "pending":
                flash(
                    _(
                        "Your request to join %(name)s is waiting for its first user's approval.",
                        name=user.enterprise.name,
                    ),
                    "info",
                )
            elif user.is_enterprise and user.membership == "rejected":
                flash(_("Your request to join %(name)s was not approved.", name=user.enterprise.name), "error")
            return redirect(next_url or url_for("main.index"))
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.profile"))
    form = RegistrationForm()
    form.set_choices(cities(), locale_code())
    if form.validate_on_submit():
        try:
            user = accounts.register_enterprise_user(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                enterprise_name=form.enterprise_name.data,
                uscc=form.uscc.data,
                city_id=form.city.data,
                county_id=form.county.data,
                category=form.category.data,
                locale=session.get("lang") or locale_code(),
            )
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            form.add_problems(exc.problems)
        else:
            login_user(user)
            if user.membership == "pending":
                flash(
                    _(
                        "%(name)s is already registered. You have asked to join it; its first user will approve you.",
                        name=user.enterprise.name,
                    ),
                    "info",
                )
            else:
                flash(_("Welcome! Your enterprise account is ready."), "success")
            return redirect(url_for("account.profile"))
    return render_template("auth/register.html", form=form), (422 if form.errors else 200)
