"""Words for the codes of the jobs' booking use cases (operations.bookings.housekeeping)."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("USE_ALREADY_CONFIRMED")
def _use_already_confirmed(p):
    return _("The actual use of this session was already confirmed.")
