"""Words for the codes of lab-service orders (bwq_lab.operations.orders), and the names of the
order lifecycle's statuses and actions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from bwq_lab.edge.messages import renders
from bwq_lab.edge.messages.names import register_names

register_names(
    "order",
    label=_l("lab-service order"),
    statuses={
        "submitted": _l("submitted"),
        "accepted": _l("accepted (scheduled)"),
        "samples_received": _l("samples received"),
        "in_progress": _l("in progress"),
        "delivered": _l("delivered"),
        "closed": _l("closed"),
        "rejected": _l("rejected"),
        "cancelled": _l("cancelled"),
        "reopened": _l("reopened for a re-test"),
    },
    # past participles: "An order that is accepted (scheduled) cannot be delivered"
    actions={
        "accept": lazy_pgettext("order action", "accepted"),
        "reject": lazy_pgettext("order action", "rejected"),
        "receive": lazy_pgettext("order action", "received"),
        "start": lazy_pgettext("order action", "started"),
        "deliver": lazy_pgettext("order action", "delivered"),
        "confirm": lazy_pgettext("order action", "confirmed"),
        "close": lazy_pgettext("order action", "closed"),
        "cancel": lazy_pgettext("order action", "cancelled"),
        "reopen": lazy_pgettext("order action", "reopened"),
    },
)

#: what each step is called in an order's history and on its buttons
STEPS = {
    "submit": _l("submit"),
    "accept": _l("accept"),
    "reject": _l("reject"),
    "receive": _l("receive the samples"),
    "start": _l("start the work"),
    "deliver": _l("deliver the results"),
    "confirm": _l("confirm receipt"),
    "close": _l("close"),
    "cancel": _l("cancel"),
    "reopen": _l("ask for a re-test"),
    "note": _l("note"),
}


def step_name(action: str) -> str:
    return str(STEPS.get(str(action), action))


@renders("ORDER_NOT_FOUND")
def _order_not_found(p):
    return _("No such order.")


@renders("SERVICE_NOT_FOUND")
def _service_not_found(p):
    return _("No such lab service.")


@renders("LAB_ONLY")
def _lab_only(p):
    return _("Only the managers of this lab service can do that.")


@renders("ORDERER_ONLY")
def _orderer_only(p):
    return _("Only the enterprise that placed the order can do that.")


@renders("ORDERING_NOT_ALLOWED")
def _ordering_not_allowed(p):
    return _("Only approved members of an enterprise (or lab staff) can order lab services.")


@renders("SERVICE_UNAVAILABLE")
def _service_unavailable(p):
    return _("This lab service is not taking orders.")


@renders("TOO_FEW_SAMPLES")
def _too_few(p):
    return _("Order at least %(n)d samples.", n=p["min"])


@renders("TOO_MANY_SAMPLES")
def _too_many(p):
    return _("At most %(n)d samples per order.", n=p["max"])


@renders("HAZARD_NOT_ACCEPTED")
def _hazard_not_accepted(p):
    return _("This lab does not accept hazardous samples.")


@renders("HAZARD_ACCEPTANCE_REQUIRED")
def _hazard_acceptance(p):
    return _("The samples are declared hazardous: tick that you accept them before accepting the order.")


@renders("REQUESTED_DATE_PAST")
def _requested_past(p):
    return _("The requested completion date must be after today.")


@renders("NO_CAPACITY")
def _no_capacity(p):
    return _("The lab has no room for these samples in the next %(days)d days.", days=p["days"])


@renders("CAPACITY_TAKEN")
def _capacity_taken(p):
    return _("Other orders took the lab's free days at the same moment. Please try again.")


@renders("FILE_REQUIRED")
def _file_required(p):
    return _("Attach at least one result file.")


@renders("TOO_MANY_FILES")
def _too_many_files(p):
    return _("At most %(n)d files per delivery.", n=p["max"])


@renders("FILE_NAME_MISSING")
def _file_name_missing(p):
    return _("A file has no name.")


@renders("FILE_NAME_UNSAFE")
def _file_name_unsafe(p):
    return _("%(name)s: the file name must not contain a path.", name=p["name"])


@renders("FILE_TYPE_NOT_ACCEPTED")
def _file_type(p):
    return _("%(name)s is not a PDF, image (PNG, JPEG, GIF, WebP), CSV, XLSX or ZIP file.", name=p["name"])


@renders("FILE_TYPE_MISMATCH")
def _file_mismatch(p):
    return _("%(name)s: the file's content does not match its extension.", name=p["name"])


@renders("FILE_TOO_LARGE")
def _file_too_large(p):
    limit = p["max_bytes"]
    size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit / 1024:g} KB"
    return _("%(name)s is larger than %(size)s.", name=p["name"], size=size)


@renders("FILE_EMPTY")
def _file_empty(p):
    return _("%(name)s is empty.", name=p["name"])


@renders("FILE_NOT_FOUND")
def _file_not_found(p):
    return _("No such file.")


@renders("RETEST_WINDOW_PASSED")
def _retest_window(p):
    return _("A re-test can be asked for only within %(days)d days after delivery.", days=p["days"])


@renders("TOO_LATE_TO_CANCEL")
def _too_late(p):
    return _("The lab has received your samples: please ask the lab manager to cancel.")


@renders("NOTE_REQUIRED")
def _note_required(p):
    return _("Write a note.")


@renders("NOTE_TOO_LONG")
def _note_too_long(p):
    return _("At most %(n)d characters.", n=p["max"])


@renders("WINDOW_REVERSED")
def _window_reversed(p):
    return _("The end of the window must not be before its start.")


@renders("WINDOW_TOO_LONG")
def _window_too_long(p):
    return _("The window may span at most %(days)d days.", days=p["days"])


@renders("WORKDAYS_MANAGERS_ONLY")
def _workdays_managers(p):
    return _("Only managers of the whole provider can change its working days.")


@renders("WORKDAY_IN_PAST")
def _workday_past(p):
    return _("Choose a day after today.")


@renders("WORKDAY_EXISTS")
def _workday_exists(p):
    return _("That day is already a make-up working day.")


@renders("WORKDAY_NOT_FOUND")
def _workday_not_found(p):
    return _("No such make-up working day.")
