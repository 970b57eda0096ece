"""Words for the codes of accounts and security: password strength, rate limits, sessions."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("PASSWORD_TOO_SHORT")
def _too_short(p):
    return _("The password needs at least %(n)d characters.", n=p["n"])


@renders("PASSWORD_PERSONAL")
def _personal(p):
    return _("The password is too close to your e-mail address or name: anyone who knows you would try it first.")


@renders("PASSWORD_COMMON")
def _common(p):
    return _("This is one of the passwords people use most, so attackers try it first. Choose another.")


@renders("PASSWORD_REPEATS")
def _repeats(p):
    return _("Repeated characters like “aaaa” are easy to guess. Add a few unrelated words.")


@renders("PASSWORD_SEQUENCE")
def _sequence(p):
    return _("Sequences like “1234” or “abcd” are easy to guess. Add a few unrelated words.")


@renders("PASSWORD_KEYBOARD")
def _keyboard(p):
    return _("Rows of neighbouring keys like “qwerty” are easy to guess. Add a few unrelated words.")


@renders("PASSWORD_DATE")
def _date(p):
    return _("Dates and years are easy to guess. Add a few unrelated words.")


@renders("PASSWORD_WORDS")
def _words(p):
    return _("A single word or name is easy to guess. Use three or four unrelated words.")


@renders("PASSWORD_GUESSABLE")
def _guessable(p):
    return _("This password would be guessed quickly. Make it longer, e.g. with a few unrelated words.")


@renders("LOGIN_ACCOUNT_LIMITED")
def _account_limited(p):
    return _(
        "Too many failed sign-ins for this account. For its safety it is locked for %(minutes)d minutes.",
        minutes=p["minutes"],
    )


@renders("LOGIN_IP_LIMITED")
def _ip_limited(p):
    return _(
        "Too many failed sign-ins from your network. Please wait %(minutes)d minutes and try again.",
        minutes=p["minutes"],
    )


@renders("RATE_LIMITED")
def _rate_limited(p):
    return _("Too many attempts. Please wait %(minutes)d minutes and try again.", minutes=p["minutes"])


@renders("BAD_CREDENTIALS")
def _bad_credentials(p):
    return _("The e-mail address or password is not correct.")


@renders("IMAGE_INVALID")
def _image_invalid(p):
    return _("This file is not a PNG, JPEG or WebP image that can be read.")


@renders("IMAGE_TOO_LARGE")
def _image_too_large(p):
    return _("The image has too many pixels (at most %(megapixels)d megapixels).", megapixels=p["megapixels"])


@renders("MALFORMED")
def _malformed(p):
    return _("The request contains characters or structures that cannot be accepted.")


@renders("OUT_OF_RANGE")
def _out_of_range(p):
    return _(
        "This value is out of range: numbers go up to %(max)d, dates from %(min_year)d to %(max_year)d.",
        max=p["max"],
        min_year=p["min_year"],
        max_year=p["max_year"],
    )


# ---------------------------------------------------------------- recording actual use (finding 1)
@renders("USE_RECORD_MANAGERS_ONLY")
def _use_managers_only(p):
    return _("Only the instrument's managers record the times of actual use.")


@renders("NOT_CHECKED_IN")
def _not_checked_in(p):
    return _("Check in first: you can check out only after checking in.")


@renders("CHECK_OUT_CLOSED")
def _check_out_closed(p):
    return _(
        "Checking out is possible during the session and up to %(minutes)d minutes after it; the lab manager records the use now.",
        minutes=p["minutes"],
    )


@renders("USE_OUTSIDE_BOOKING")
def _use_outside(p):
    return _(
        "The recorded use must lie around the booking: from %(before)d minutes before its start to %(after)d minutes after its end.",
        before=p["before"],
        after=p["after"],
    )


@renders("USE_IN_FUTURE")
def _use_in_future(p):
    return _("The recorded use cannot end in the future.")


@renders("TOO_LARGE")
def _too_large(p):
    return _("The request is too large.")
