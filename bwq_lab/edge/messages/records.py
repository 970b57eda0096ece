"""Words for the codes of staff and service records (bwq_lab.domain.records,
bwq_lab.operations.staff, bwq_lab.operations.service_records)."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


# ------------------------------------------------------------------------------------- staff
@renders("STAFF_NOT_FOUND")
def _staff_not_found(p):
    return _("No such staff member.")


@renders("STAFF_READERS_ONLY")
def _staff_readers_only(p):
    return _("Only a provider's managers and the administrators who oversee it can see its staff.")


@renders("STAFF_MANAGERS_ONLY")
def _staff_managers_only(p):
    return _("Only a manager who manages the whole provider can change its staff.")


@renders("STAFF_NAME_REQUIRED")
def _staff_name_required(p):
    return _("Enter the staff member's name.")


@renders("TEXT_TOO_LONG")
def _text_too_long(p):
    return _("At most %(n)d characters.", n=p["max"])


@renders("STAFF_USER_NOT_OF_PROVIDER")
def _staff_user_not_of_provider(p):
    return _("The linked account must be a user of this provider.")


@renders("STAFF_USER_TAKEN")
def _staff_user_taken(p):
    return _("Another active staff member is already linked to this account.")


@renders("STAFF_NOT_OF_PROVIDER")
def _staff_not_of_provider(p):
    return _("Choose staff of this provider.")


@renders("STAFF_INACTIVE")
def _staff_inactive(p):
    return _("%(name)s is no longer active staff.", name=p["name"])


# ---------------------------------------------------------------------------- service records
@renders("RECORD_NOT_FOUND")
def _record_not_found(p):
    return _("No such service record.")


@renders("RECORD_MANAGERS_ONLY")
def _record_managers_only(p):
    return _("Only a provider's lab managers can record its services.")


@renders("RECORD_EDITORS_ONLY")
def _record_editors_only(p):
    return _("Only the manager who entered this record, or one who manages the whole provider, can change it.")


@renders("ENTERPRISE_REQUIRED")
def _enterprise_required(p):
    return _("Enter the enterprise's name or its unified social credit code.")


@renders("ENTERPRISE_UNKNOWN")
def _enterprise_unknown(p):
    return _("No enterprise matches this name or code.")


@renders("ENTERPRISE_AMBIGUOUS")
def _enterprise_ambiguous(p):
    return _("Several enterprises match; enter the full name or the code: %(names)s", names=p["names"])


@renders("DAY_REQUIRED")
def _day_required(p):
    return _("Enter the day of the service.")


@renders("DAY_IN_FUTURE")
def _day_in_future(p):
    return _("The day cannot be after today (%(today)s).", today=p["today"])


@renders("DAY_TOO_EARLY")
def _day_too_early(p):
    return _("The day cannot be before %(day)s.", day=p["earliest"])


@renders("KIND_INVALID")
def _kind_invalid(p):
    return _("Choose the kind of service.")


@renders("STAFF_REQUIRED")
def _staff_required(p):
    return _("Name at least one staff member who delivered the service.")


@renders("HOURS_OUT_OF_RANGE")
def _hours_out_of_range(p):
    return _("Hours must be between 0 and %(n)d.", n=p["max"])


@renders("CONTENT_REQUIRED")
def _content_required(p):
    return _("Describe what was done.")


@renders("AMOUNT_OUT_OF_RANGE")
def _amount_out_of_range(p):
    return _("Amounts must be between 0 and %(yuan)s yuan.", yuan=f"{p['max_yuan']:,}")


@renders("AMOUNT_WITHOUT_AGREEMENT")
def _amount_without_agreement(p):
    return _("Amounts are entered only for a signed cooperation agreement.")


@renders("PAID_EXCEEDS_CONTRACT")
def _paid_exceeds_contract(p):
    return _(
        "The amount paid (¥%(paid)s) cannot exceed the contract amount (¥%(contract)s).",
        paid=_yuan(p["paid_fen"]),
        contract=_yuan(p["contract_fen"]),
    )


@renders("RESULTS_OUT_OF_RANGE")
def _results_out_of_range(p):
    return _("The number of new technologies or results must be between 0 and %(n)d.", n=p["max"])


@renders("TITLES_EXCEED_COUNT")
def _titles_exceed_count(p):
    return _(
        "%(titles)d titles were given for %(count)d new technologies or results: raise the number or remove titles.",
        titles=p["titles"],
        count=p["count"],
    )
