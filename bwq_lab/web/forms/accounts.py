"""Forms for signing in, registering and the account page. Every POST goes through one of these
(Flask-WTF adds the CSRF token). Rules that need the database live in operations/accounts.py;
the views put the problems they raise next to the fields named here."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from bwq_lab.domain.catalogue import ENTERPRISE_CATEGORIES, label
from bwq_lab.edge.messages import message
from bwq_lab.errors import Problem
from bwq_lab.operations.accounts import MIN_PASSWORD_LENGTH, uscc_problem


def _int_or_none(value) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


KEEP_TOKENS = _l("Keep my personal access tokens working (they are revoked unless you tick this)")


class ProblemsMixin:
    """Put an operation's problems next to their fields (or above the form when no field matches)."""

    def add_problems(self, problems: Iterable[Problem]) -> None:
        from bwq_lab.edge.messages import localize

        for p in localize(problems):
            field = self._fields.get(p.field) if p.field else None  # type: ignore[attr-defined]
            if field is not None:
                field.errors = [*field.errors, p.message]
            else:
                self.form_errors.append(p.message)  # type: ignore[attr-defined]


class LoginForm(ProblemsMixin, FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class UsccValidator:
    """The credit code's own rule, with the reason (e.g. the expected check character)."""

    def __call__(self, form, field) -> None:
        problem = uscc_problem(field.data)
        if problem:
            raise ValidationError(message(problem.code, problem.params))


class RegistrationForm(ProblemsMixin, FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=80)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The passwords do not match."))],
    )
    enterprise_name = StringField(
        _l("Enterprise name"),
        validators=[DataRequired(_l("Enter the enterprise's registered name.")), Length(max=160)],
    )
    uscc = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(_l("Enter the 18-character unified social credit code.")), UsccValidator()],
        description=_l(
            "18 characters, as on the business licence. If your enterprise is already registered, "
            "you join it once its first user approves."
        ),
    )
    city = SelectField(
        _l("City"),
        coerce=_int_or_none,
        validate_choice=False,  # the operation checks the region tree
        validators=[DataRequired(_l("Choose the city your enterprise is registered in."))],
    )
    county = SelectField(
        _l("County or district"),
        coerce=_int_or_none,
        validate_choice=False,
        validators=[DataRequired(_l("Choose the county or district."))],
    )
    category = SelectField(
        _l("Enterprise category"), validators=[DataRequired(_l("Choose the enterprise's category."))]
    )
    submit = SubmitField(_l("Register"))

    def set_choices(self, cities, locale: str) -> None:
        """Cities, counties grouped by city, and the programme's five enterprise groups."""
        placeholder = SelectChoice("", _l("Choose…"))
        self.city.choices = [placeholder] + [SelectChoice(c.id, c.display(locale)) for c in cities]
        self.county.choices = [placeholder] + [
            SelectChoice(k.id, k.display(locale), optgroup=c.display(locale)) for c in cities for k in c.children
        ]
        self.category.choices = [placeholder] + [
            SelectChoice(code, label(ENTERPRISE_CATEGORIES, code, locale)) for code in ENTERPRISE_CATEGORIES
        ]


class ProfileForm(ProblemsMixin, FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=80)])
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As the browser prefers")),
            SelectChoice("zh", "中文"),
            SelectChoice("en", "English"),
        ],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))


class PasswordForm(ProblemsMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Choose a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The passwords do not match.")),
        ],
    )
    keep_tokens = BooleanField(KEEP_TOKENS)
    submit = SubmitField(_l("Change password"))


class SignOutEverywhereForm(FlaskForm):
    keep_tokens = BooleanField(KEEP_TOKENS)
    submit = SubmitField(_l("Sign out everywhere"))


class FinishRegistrationForm(FlaskForm):
    submit = SubmitField(_l("Create my account"))


class TokenForm(ProblemsMixin, FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(_l("Give the token a name, e.g. the script that will use it.")), Length(max=80)],
    )
    submit = SubmitField(_l("Create token"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token: sign out everywhere, revoke a token."""

    submit = SubmitField(_l("Confirm"))


class MembershipForm(FlaskForm):
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))
