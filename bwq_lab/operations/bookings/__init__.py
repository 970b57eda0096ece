"""Booking use cases, one module per idea; they load rows, ask the domain, change rows, flush.

==================  ==========================================================================
``rule_inputs``     what the rules need (policy, busy blocks, blackouts, qualifications, quota
                    usage), loaded by ONE loader (``load_contexts``) for a booking or a search
``queries``         reading: one booking (404 unless visible), lists, who may act on it
``create``          create, move, preview: every rule at once, never a double booking
``lifecycle``       approve, reject, cancel, check in/out, no-shows, the approval queue, the
                    buttons a user has (all status changes through ``operations.lifecycle``)
``availability``    an instrument's week; the earliest slots across thousands of instruments
``blackouts``       maintenance windows and provider closures, with what they collide with
``qualifications``  who may operate an instrument, until when
``notifications``   the booking e-mails (outbox rows naming a template, rendered per recipient)
``housekeeping``    what the jobs do as time passes: undecided requests expire, sessions left in
                    use are closed and flagged, a manager confirms their actual use
==================  ==========================================================================

Nothing here commits: the request, job or command that called it commits once (the edge's
``unit_of_work``). Nothing here has words: refusals are codes (``bwq_lab.refusals``). The names
below are the package's public face; the edges use them as ``ops.create_booking`` etc.
"""

from bwq_lab.operations.bookings.availability import availability, find_slots
from bwq_lab.operations.bookings.blackouts import (
    add_closure,
    add_maintenance,
    closures_for,
    delete_closure,
    delete_maintenance,
    maintenance_for,
    may_manage_closures,
)
from bwq_lab.operations.bookings.create import (
    SLOT_TAKEN_CODES,
    create_booking,
    move_booking,
    preview_booking,
    violations_refusal,
)
from bwq_lab.operations.bookings.housekeeping import close_the_day, confirm_use, expire_undecided
from bwq_lab.operations.bookings.lifecycle import (
    CHECK_IN_EARLY_MINUTES,
    NO_SHOW_GRACE_MINUTES,
    QueueItem,
    allowed_actions,
    approval_queue,
    approve_booking,
    cancel_booking,
    check_in,
    check_out,
    mark_no_shows,
    reject_booking,
)
from bwq_lab.operations.bookings.qualifications import (
    grant_qualification,
    qualification_status,
    qualifications_for,
    revoke_qualification,
)
from bwq_lab.operations.bookings.queries import (
    Page,
    bookable_instrument,
    bookings_by_id,
    calendar_bookings,
    can_view,
    enterprise_user_id,
    get_booking,
    lacks_qualification,
    list_bookings,
    managed_instrument_ids_query,
    may_read_purpose,
)
from bwq_lab.operations.bookings.rule_inputs import (
    MAX_BUFFER,
    MAX_SPAN,
    build_context,
    load_contexts,
    may_book,
    policy_of,
)

__all__ = [
    "enterprise_user_id",
    "may_read_purpose",
    "bookable_instrument",
    "bookings_by_id",
    "calendar_bookings",
    "CHECK_IN_EARLY_MINUTES",
    "MAX_BUFFER",
    "MAX_SPAN",
    "NO_SHOW_GRACE_MINUTES",
    "SLOT_TAKEN_CODES",
    "Page",
    "QueueItem",
    "add_closure",
    "add_maintenance",
    "close_the_day",
    "confirm_use",
    "expire_undecided",
    "allowed_actions",
    "approval_queue",
    "approve_booking",
    "availability",
    "build_context",
    "can_view",
    "cancel_booking",
    "check_in",
    "check_out",
    "closures_for",
    "create_booking",
    "delete_closure",
    "delete_maintenance",
    "find_slots",
    "get_booking",
    "grant_qualification",
    "lacks_qualification",
    "list_bookings",
    "load_contexts",
    "maintenance_for",
    "managed_instrument_ids_query",
    "mark_no_shows",
    "may_book",
    "may_manage_closures",
    "move_booking",
    "policy_of",
    "preview_booking",
    "qualification_status",
    "qualifications_for",
    "reject_booking",
    "revoke_qualification",
    "violations_refusal",
]
