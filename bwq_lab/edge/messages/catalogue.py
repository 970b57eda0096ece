"""Words for the codes of the catalogue (``operations/catalogue/``): who may see or edit an
instrument, lab service or provider, and what is wrong with the values a manager or an
administrator typed.

The catalogue's refusals mostly carry the shared codes (``NOT_FOUND``, ``FORBIDDEN``, ``REQUIRED``,
``INVALID``…) that API clients know; the sentence is the problem's ``wording`` (``catalogue.…``)."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders
from bwq_lab.edge.messages.bookings import weekday_name


# ---------------------------------------------------------------- who may see and edit what
@renders("catalogue.no_such_instrument")
def _no_such_instrument(p):
    return _("No such instrument.")


@renders("catalogue.no_such_service")
def _no_such_service(p):
    return _("No such lab service.")


@renders("catalogue.no_such_provider")
def _no_such_provider(p):
    return _("No such provider.")


@renders("catalogue.not_your_instrument")
def _not_your_instrument(p):
    return _("You do not manage this instrument.")


@renders("catalogue.not_your_service")
def _not_your_service(p):
    return _("You do not manage this lab service.")


@renders("catalogue.managers_publish")
def _managers_publish(p):
    return _("Only lab managers can publish instruments and services.")


@renders("catalogue.province_admins_only")
def _province_admins_only(p):
    return _("Only province administrators can do that.")


# ---------------------------------------------------------------- values of a form or a request body
@renders("catalogue.too_long")
def _too_long(p):
    return _("At most %(n)d characters.", n=p["n"])


@renders("catalogue.not_listed")
def _not_listed(p):
    return _("Choose one of the listed values.")


@renders("catalogue.whole_number")
def _whole_number(p):
    return _("Enter a whole number.")


@renders("catalogue.at_least")
def _at_least(p):
    return _("Must be at least %(n)d.", n=p["n"])


@renders("catalogue.at_most")
def _at_most(p):
    return _("Must be at most %(n)d.", n=p["n"])


@renders("catalogue.time_of_day")
def _time_of_day(p):
    return _("A time such as 09:00.")


@renders("catalogue.slot_choices")
def _slot_choices(p):
    return _("Choose one of %(choices)s minutes.", choices=p["choices"])


@renders("catalogue.multiple_of_slot")
def _multiple_of_slot(p):
    return _("Must be a multiple of the %(slot)d-minute slot.", slot=p["slot"])


@renders("MIN_ABOVE_MAX")
def _min_above_max(p):
    return _("The upper limit must not be below the lower one.")


@renders("catalogue.longest_booking")
def _longest_booking(p):
    return _("The longest booking must not be shorter than the shortest.")


@renders("catalogue.largest_order")
def _largest_order(p):
    return _("The largest order must not be smaller than the smallest.")


@renders("catalogue.working_weekdays")
def _working_weekdays(p):
    return _("Choose at least one working weekday.")


@renders("catalogue.choose_provider")
def _choose_provider(p):
    return _("Choose a provider.")


@renders("catalogue.email")
def _email(p):
    return _("Enter a valid e-mail address.")


@renders("catalogue.website")
def _website(p):
    return _("Start the address with http:// or https://.")


@renders("catalogue.choose_city")
def _choose_city(p):
    return _("Choose a city.")


@renders("catalogue.county_of_city")
def _county_of_city(p):
    return _("Choose a county of the chosen city.")


@renders("catalogue.own_items")
def _own_items(p):
    return _("Choose only items of this provider.")


@renders("WRONG_ROLE")
def _wrong_role(p):
    return _("%(email)s is not a lab manager account.", email=p["email"])


@renders("OTHER_PROVIDER")
def _other_provider(p):
    return _("%(email)s already manages another provider.", email=p["email"])


# ---------------------------------------------------------------- opening hours as typed (domain/opening_hours.py)
@renders("BAD_OPENING_HOURS")
def _bad_opening_hours(p):
    """One of ``opening_hours.Issue``'s codes (``issue``), with the fragment of the text it is
    about and, for an overlap, the day."""
    issue, fragment = p["issue"], p["fragment"]
    if issue == "EMPTY_GROUP":
        return _("“%(fragment)s” needs days followed by times", fragment=fragment)
    if issue == "UNKNOWN_DAY":
        return _("Unknown day: “%(fragment)s”", fragment=fragment)
    if issue == "BAD_TIME":
        return _("Time ranges look like HH:MM-HH:MM: “%(fragment)s”", fragment=fragment)
    if issue == "END_BEFORE_START":
        return _("A range must end after it starts: “%(fragment)s”", fragment=fragment)
    if issue == "OVERLAP":
        return _("Ranges overlap on %(day)s: %(fragment)s", day=weekday_name(p["day"]), fragment=fragment)
    return _("Invalid opening-hours entry: %(fragment)s", fragment=fragment)
