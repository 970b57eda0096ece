"""Words for the codes of accounts: registration, membership, profile, passwords, the operator's
``create-user`` and personal access tokens (``operations/accounts.py``).

Where one code has several sentences, the problem names its ``wording`` (``accounts.…``)."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


# ---------------------------------------------------------------- the unified social credit code
def _not_a_credit_code() -> str:
    return _("This is not a valid unified social credit code.")


@renders("USCC_LENGTH")
def _uscc_length(p):
    if "n" not in p:
        return _not_a_credit_code()
    return _("A unified social credit code has 18 characters; this one has %(n)d.", n=p["n"])


@renders("USCC_CHARACTERS")
def _uscc_characters(p):
    if "bad" not in p:
        return _not_a_credit_code()
    return _("Contains characters a credit code never uses: %(bad)s (I, O, S, V and Z are not used).", bad=p["bad"])


@renders("USCC_DIVISION")
def _uscc_division(p):
    return _("Characters 3 to 8 must be the six-digit administrative division code.")


@renders("USCC_CHECK")
def _uscc_check(p):
    if "expected" not in p or "actual" not in p:
        return _not_a_credit_code()
    return _(
        "The check character (the 18th) should be %(expected)s, not %(actual)s: please check for a typo.",
        expected=p["expected"],
        actual=p["actual"],
    )


@renders("USCC_REQUIRED")
def _uscc_required(p):
    return _("An enterprise user needs --enterprise-code.")


# ---------------------------------------------------------------- registration and membership
@renders("EMAIL_INVALID")
def _email_invalid(p):
    return _("Enter a valid e-mail address.")


@renders("EMAIL_TAKEN")
def _email_taken(p):
    return _("An account with this e-mail address already exists.")


@renders("ALREADY_REGISTERED")
def _already_registered(p):
    return _("This e-mail address is already registered.")


@renders("accounts.registered_a_moment_ago")
def _registered_a_moment_ago(p):
    return _("This e-mail address was registered a moment ago; please sign in.")


@renders("accounts.your_name")
def _your_name(p):
    return _("Enter your name.")


@renders("accounts.enterprise_name")
def _enterprise_name(p):
    return _("Enter the enterprise's registered name.")


@renders("CITY_INVALID")
def _city_invalid(p):
    return _("Choose the city your enterprise is registered in.")


@renders("COUNTY_INVALID")
def _county_invalid(p):
    return _("Choose the county or district.")


@renders("COUNTY_NOT_IN_CITY")
def _county_not_in_city(p):
    return _("%(county)s is not in %(city)s: choose a county of the selected city.", county=p["county"], city=p["city"])


@renders("CATEGORY_INVALID")
def _category_invalid(p):
    return _("Choose the enterprise's category.")


@renders("NOT_APPROVER")
def _not_approver(p):
    return _("Only the enterprise's first registered user can decide on new members.")


@renders("NOT_PENDING")
def _not_pending(p):
    return _("This request has already been decided.")


# ---------------------------------------------------------------- profile and password
@renders("LOCALE_INVALID")
def _locale_invalid(p):
    return _("Choose Chinese or English.")


@renders("WRONG_PASSWORD")
def _wrong_password(p):
    return _("The current password is not correct.")


@renders("PASSWORD_UNCHANGED")
def _password_unchanged(p):
    return _("The new password must differ from the current one.")


# ---------------------------------------------------------------- users made by the operator (CLI)
@renders("accounts.a_name")
def _a_name(p):
    return _("Enter a name.")


@renders("ROLE_INVALID")
def _role_invalid(p):
    return _("Role must be one of: %(roles)s.", roles=p["roles"])


@renders("CITY_UNKNOWN")
def _city_unknown(p):
    return _("No city is called %(name)s.", name=p["name"])


@renders("PROVIDER_UNKNOWN")
def _provider_unknown(p):
    return _("A lab manager needs an existing provider (--provider ID).")


@renders("CITY_REQUIRED")
def _city_required(p):
    return _("A city administrator needs a city (--city NAME).")


@renders("accounts.new_enterprise_city")
def _new_enterprise_city(p):
    return _("A new enterprise needs --city.")


@renders("accounts.new_enterprise_name")
def _new_enterprise_name(p):
    return _("A new enterprise needs --enterprise-name.")


@renders("accounts.unknown_category")
def _unknown_category(p):
    return _("Unknown enterprise category.")


@renders("COUNTY_REQUIRED")
def _county_required(p):
    return _("A county administrator needs a county (--county NAME).")


@renders("COUNTY_UNKNOWN")
def _county_unknown(p):
    return _("No county is called %(name)s.", name=p["name"])


@renders("COUNTY_AMBIGUOUS")
def _county_ambiguous(p):
    return _("Several counties are called %(name)s: add --city.", name=p["name"])


# ---------------------------------------------------------------- personal access tokens
@renders("accounts.token_name")
def _token_name(p):
    return _("Give the token a name, e.g. the script that will use it.")


@renders("accounts.token_name_too_long")
def _token_name_too_long(p):
    return _("The name can have at most 80 characters.")
