"""The signed-in user's own page: profile and language, password, sessions, personal access
tokens, calendar feed links, and (for an enterprise's first user) pending membership requests."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from bwq_lab import clock
from bwq_lab.edge import throttle
from bwq_lab.edge.links import feed_urls, webcal
from bwq_lab.edge.sessions import rotate_csrf, sign_in
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.errors import OperationError, not_found
from bwq_lab.extensions import db
from bwq_lab.models import User
from bwq_lab.operations import accounts
from bwq_lab.operations import feeds as feed_ops
from bwq_lab.operations.transactions import begin_write
from bwq_lab.refusals import Problem
from bwq_lab.web.forms.accounts import (
    ConfirmForm,
    MembershipForm,
    PasswordForm,
    ProfileForm,
    SignOutEverywhereForm,
    TokenForm,
)
from bwq_lab.web.pages import signed_in_user

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user."""


def _page(status: int = 200, **forms):
    user = signed_in_user()
    forms.setdefault("profile_form", ProfileForm(name=user.name, locale=user.locale or ""))
    forms.setdefault("password_form", PasswordForm())
    forms.setdefault("token_form", TokenForm())
    response = current_app.make_response(
        (
            render_template(
                "account/profile.html",
                user=user,
                pending=accounts.pending_members(user),
                confirm_form=ConfirmForm(),
                sign_out_form=SignOutEverywhereForm(),
                membership_form=MembershipForm(),
                feeds=_feed_links(user),
                **forms,
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the feed links carry a secret
    return response


def _feed_links(user: User) -> list[dict] | None:
    """The user's calendar feeds (URL and webcal:// link), or None before the first is made."""
    row = feed_ops.feed_token_of(user)
    if row is None:
        return None
    titles = {"mine": _("My bookings"), "manager": _("Instruments I manage")}
    urls = feed_urls(user, row.token(current_app.config["SECRET_KEY"]))
    return [{"kind": kind, "title": titles[kind], "url": url, "webcal": webcal(url)} for kind, url in urls.items()]


@bp.get("/")
def profile():
    return _page()


@bp.post("/profile")
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            accounts.update_profile(signed_in_user(), name=form.name.data, locale=form.locale.data or None)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            form.add_problems(exc.problems)
        else:
            if current_user.locale:
                session["lang"] = current_user.locale  # the preference wins over an earlier ?lang= choice
            else:
                session.pop("lang", None)
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for(".profile"))
    return _page(422, profile_form=form)


@bp.post("/password")
@unit_of_work(locks_itself=True)  # the failure counter is written first, on its own connection (edge.throttle)
def change_password():
    """Failed attempts are limited per user (``PASSWORD_CHANGE_LIMIT``): a stolen session cannot
    guess the current password."""
    form = PasswordForm()
    user = signed_in_user()
    limit = throttle.Limit.parse(current_app.config["PASSWORD_CHANGE_LIMIT"])
    key = f"password:{user.id}"
    if throttle.exceeded(key, limit):
        form.add_problems([Problem("RATE_LIMITED", params={"minutes": limit.minutes})])
        return _page(429, password_form=form)
    if form.validate_on_submit():
        now = clock.now()
        begin_write()
        try:
            accounts.change_password(
                user,
                form.current_password.data,
                form.new_password.data,
                now=now,
                revoke_tokens=not form.keep_tokens.data,
            )
            # every session of the user is over (this one too): sign this browser in anew
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            sign_in(user, remember=remembered, now=now)
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            if "WRONG_PASSWORD" in exc.codes:
                throttle.hit(key, limit)
            form.add_problems(exc.problems)
        else:
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for(".profile"))
    return _page(422, password_form=form)


@bp.post("/sign-out-everywhere")
def sign_out_everywhere():
    form = SignOutEverywhereForm()
    if form.validate_on_submit():
        accounts.sign_out_everywhere(signed_in_user(), now=clock.now(), revoke_tokens=not form.keep_tokens.data)
        db.session.commit()
        logout_user()
        rotate_csrf()
        flash(_("You have been signed out on every device, including this one."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for(".profile"))


@bp.post("/tokens")
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, plain = accounts.issue_token(signed_in_user(), form.name.data, now=clock.now())
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            form.add_problems(exc.problems)
        else:
            # shown once, on this page only: never stored, never put in the (readable) session cookie
            response = current_app.make_response(
                render_template("account/token_created.html", token=token, plain=plain)
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return _page(422, token_form=form)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    if ConfirmForm().validate_on_submit():
        token = accounts.revoke_token(signed_in_user(), token_id, clock.now())
        db.session.commit()
        flash(_("The token “%(name)s” has been revoked.", name=token.name), "info")
    return redirect(url_for(".profile"))


@bp.post("/feed-token")
@unit_of_work
def renew_feed_token():
    """Make the user's calendar feed links, or replace them (the old links stop working at once)."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".profile"))
    user = signed_in_user()
    had_links = feed_ops.feed_token_of(user) is not None
    feed_ops.renew_feed_token(user, current_app.config["SECRET_KEY"], clock.now())
    if had_links:
        flash(_("New calendar links are ready. The old links no longer work: subscribe again."), "info")
    else:
        flash(_("Your calendar links are ready."), "success")
    return redirect(url_for(".profile") + "#calendar")


@bp.post("/members/<int:user_id>")
def decide_member(user_id: int):
    form = MembershipForm()
    if form.validate_on_submit() and (form.approve.data or form.reject.data):
        member = db.session.get(User, user_id)
        if member is None:
            raise not_found()
        accounts.decide_membership(signed_in_user(), member, approve=bool(form.approve.data), now=clock.now())
        db.session.commit()
        if member.membership == "active":
            flash(_("%(name)s is now a member of your enterprise.", name=member.name), "success")
        else:
            flash(_("The request from %(name)s has been rejected.", name=member.name), "info")
    return redirect(url_for(".profile"))
