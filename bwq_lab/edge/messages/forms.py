"""Words for codes that any form or API field can carry."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("REQUIRED")
def _required(p):
    return _("This field is required.")


@renders("NOT_AN_ENTERPRISE_USER")
def _not_an_enterprise_user(p):
    return _("Choose an active user of an enterprise.")


@renders("ENTERPRISE_NOT_VERIFIED")
def _enterprise_not_verified(p):
    return _(
        "Your enterprise is waiting for the city administrator's verification; you can book as soon as it is verified."
    )
