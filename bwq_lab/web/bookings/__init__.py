"""Booking pages, one module per idea on one blueprint (``bookings.*`` endpoints):

- ``booking``: an instrument's week and the booking form, "My bookings", one booking's page;
- ``approvals``: the managers' approval queue;
- ``manager_time``: an instrument's week calendar, maintenance, closures, qualifications;
- ``week_layout``: the presenter that lays a week out as blocks (no rules);
- ``common``: the blueprint, labels and query arguments they share.

Each POST parses a form, calls one operation inside the request's one unit of work and redirects.
When the operation refuses (409/422), the transaction is rolled back and the page is shown again
with the user's input and every problem; 403/404 go to the app's error pages.
"""

from bwq_lab.web.bookings import approvals, booking, manager_time  # noqa: F401  (their routes)
from bwq_lab.web.bookings.common import bp

__all__ = ["bp"]
