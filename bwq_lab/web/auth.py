"""Sign in, sign out, register.

Sign-in attempts are limited per account and per client address, in counters every worker shares
(``bwq_lab.edge.throttle``). Over the per-account limit the account refuses every attempt until
the window ends; over the per-address limit (one office shares one address) a *correct* password
still signs in, after a short delay, and only wrong ones are refused.

Registration never tells whether an e-mail address has an account: every valid request answers
"check your inbox". A new address gets a link that finishes the registration; an address that
already has an account gets a note to its owner instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from bwq_lab import clock, mail
from bwq_lab.edge import throttle
from bwq_lab.edge.sessions import sign_in, sign_out
from bwq_lab.edge.templating import locale_code
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.errors import OperationError
from bwq_lab.extensions import db
from bwq_lab.operations import accounts
from bwq_lab.operations.regions import cities
from bwq_lab.operations.transactions import begin_write
from bwq_lab.refusals import Problem
from bwq_lab.web.forms.accounts import FinishRegistrationForm, LoginForm, RegistrationForm

bp = Blueprint("auth", __name__)

# compared against when the e-mail is unknown, so both failures take the same time
_DUMMY_HASH = generate_password_hash("not-a-real-password")
REGISTRATION_LINK_MAX_AGE = 2 * 24 * 3600  # seconds


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


def _limits() -> tuple[throttle.Limit, throttle.Limit]:
    config = current_app.config
    return throttle.Limit.parse(config["LOGIN_ACCOUNT_LIMIT"]), throttle.Limit.parse(config["LOGIN_IP_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@unit_of_work(locks_itself=True)  # counters first (own connection), then the write lock for the session row
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("account.profile"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        account_limit, ip_limit = _limits()
        email = accounts.normalise_email(form.email.data)
        account_key, ip_key = f"login:account:{email}", f"login:ip:{throttle.client_ip()}"
        if throttle.exceeded(account_key, account_limit):
            form.add_problems([Problem("LOGIN_ACCOUNT_LIMITED", params={"minutes": account_limit.minutes})])
            return render_template("auth/login.html", form=form, next_url=next_url), 429
        over_ip_limit = throttle.exceeded(ip_key, ip_limit)
        if over_ip_limit:
            throttle.pause(float(current_app.config["LOGIN_IP_DELAY_SECONDS"]))
        user = accounts.find_user_by_email(email)
        password_ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, form.password.data)
        if user is None or not password_ok:
            throttle.hit(account_key, account_limit)
            throttle.hit(ip_key, ip_limit)
            if over_ip_limit:
                form.add_problems([Problem("LOGIN_IP_LIMITED", params={"minutes": ip_limit.minutes})])
                status = 429
            else:
                form.add_problems([Problem("BAD_CREDENTIALS")])
        elif not user.is_active:
            form.form_errors.append(_("This account has been disabled. Please contact the administrator."))
        else:
            throttle.clear(account_key)
            begin_write()
            sign_in(user, remember=form.remember.data, now=clock.now())
            db.session.commit()
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
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
def logout():
    sign_out(clock.now())
    db.session.commit()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("main.index"))


# ------------------------------------------------------------------------------ registration


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="bwq-registration")


def _send(to: str, locale: str | None, template: str, **context) -> None:
    """``templates/mail/<template>.txt`` through the outbox, rendered in the recipient's language."""
    language = locale if locale in current_app.config["LANGUAGES"] else None
    mail.queue_template([(to, language)], template, **context)


@bp.route("/register", methods=["GET", "POST"])
@unit_of_work(locks_itself=True)  # the attempt counter is written first, on its own connection
def register():
    """Registration is limited per client address (``REGISTRATION_LIMIT``, every attempt counts)."""
    if current_user.is_authenticated:
        return redirect(url_for("account.profile"))
    form = RegistrationForm()
    form.set_choices(cities(), locale_code())
    if request.method == "POST":
        limit = throttle.Limit.parse(current_app.config["REGISTRATION_LIMIT"])
        key = f"register:ip:{throttle.client_ip()}"
        if throttle.hit(key, limit) > limit.amount:
            form.add_problems([Problem("RATE_LIMITED", params={"minutes": limit.minutes})])
            return render_template("auth/register.html", form=form), 429
    if form.validate_on_submit():
        values = dict(
            name=form.name.data,
            email=accounts.normalise_email(form.email.data),
            enterprise_name=form.enterprise_name.data,
            uscc=form.uscc.data,
            city_id=form.city.data,
            county_id=form.county.data,
            category=form.category.data,
        )
        problems = accounts.registration_problems(password=form.password.data, **values)
        if problems:
            form.add_problems(problems)
        else:
            begin_write()
            locale = session.get("lang") or locale_code()
            owner = accounts.find_user_by_email(values["email"])
            if owner is not None:  # the same answer as for a new address; the owner is told
                login_url = url_for("auth.login", _external=True)
                _send(
                    owner.email, owner.locale or locale, "registration_existing", name=owner.name, login_url=login_url
                )
            else:
                values.update(password_hash=generate_password_hash(form.password.data), locale=locale)
                link = url_for("auth.finish_registration", token=_serializer().dumps(values), _external=True)
                _send(values["email"], locale, "registration_confirm", name=values["name"], link=link)
            db.session.commit()
            session["registration_sent_to"] = values["email"]
            return redirect(url_for("auth.registration_sent"))
    elif form.is_submitted() and form.password.data and not form.password.errors:
        # every mistake at once: the password's strength too, though another field failed
        form.add_problems(
            accounts.password_strength_problems(form.password.data, email=form.email.data, name=form.name.data)
        )
    return render_template("auth/register.html", form=form), (422 if form.errors else 200)


@bp.get("/register/sent")
def registration_sent():
    return render_template("auth/registration_sent.html", email=session.get("registration_sent_to"))


def _registration(token: str) -> dict | None:
    try:
        return _serializer().loads(token, max_age=REGISTRATION_LINK_MAX_AGE)
    except BadSignature:  # (SignatureExpired is one)
        return None


@bp.route("/register/finish/<token>", methods=["GET", "POST"])
def finish_registration(token: str):
    """The link from the e-mail: a page with one button (opening a link never creates anything,
    so a mail scanner that follows it does no harm); the button creates the account."""
    values = _registration(token)
    if values is None:
        return render_template("auth/registration_finish.html", form=None, expired=True), 404
    form = FinishRegistrationForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_enterprise_user(password=None, **values)
            sign_in(user, now=clock.now())
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            for p in exc.problems:
                if p.code in ("EMAIL_TAKEN", "ALREADY_REGISTERED"):
                    flash(_("This e-mail address already has an account: please sign in."), "info")
                    return redirect(url_for("auth.login"))
            from bwq_lab.web.pages import flash_problems

            flash_problems(exc.problems)
            return redirect(url_for("auth.register"))
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
    return render_template("auth/registration_finish.html", form=form, values=values, expired=False)
