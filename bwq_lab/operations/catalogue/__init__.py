"""The catalogue: search what providers open, and let managers and administrators edit it.

Searches are public and hide retired instruments and services. Editing use cases check who may
do what on every object, validate every field at once (raising :class:`~bwq_lab.refusals.Refusal`
with one :class:`~bwq_lab.refusals.Problem` per mistake, ``field`` naming the data key) and only
flush. Problems are codes; their words are in ``edge/messages/catalogue.py``.

One module per idea; callers use this package (``from bwq_lab.operations import catalogue``):

- ``listing``    what the public sees (statuses), a page of results, the word filters
- ``search``     instrument and lab-service search, a city by id or name
- ``text_index`` the instrument search's engines (SQLite FTS5, PostgreSQL text search)
- ``offers``     one instrument or lab service: the public view, a manager's, publishing, editing
- ``values``     an instrument's, service's or provider's typed values, checked all at once
- ``providers``  the provider list, and creating, editing and staffing providers
- ``overview``   counts for the home page and the administrators' overview
"""

from bwq_lab.operations.catalogue.listing import MAX_PER_PAGE, PUBLIC_INSTRUMENT_STATUSES, Page
from bwq_lab.operations.catalogue.offers import (
    create_instrument,
    create_service,
    instrument_for_editing,
    managed_instruments,
    managed_services,
    public_instrument,
    public_service,
    service_for_editing,
    update_instrument,
    update_service,
)
from bwq_lab.operations.catalogue.overview import AdminHome, Summary, admin_home, catalogue_summary
from bwq_lab.operations.catalogue.providers import (
    Assignment,
    assign_manager,
    create_provider,
    get_provider,
    list_providers,
    offer_counts,
    provider_managers,
    update_provider,
)
from bwq_lab.operations.catalogue.search import SORTS, city_by_id_or_name, search_instruments, search_services
from bwq_lab.operations.catalogue.values import (
    INSTRUMENT_TEXT_FIELDS,
    LATE_CANCELLATION,
    SLOT_CHOICES,
    instrument_problems,
    service_problems,
)

__all__ = [
    "INSTRUMENT_TEXT_FIELDS",
    "LATE_CANCELLATION",
    "MAX_PER_PAGE",
    "PUBLIC_INSTRUMENT_STATUSES",
    "SLOT_CHOICES",
    "SORTS",
    "AdminHome",
    "Assignment",
    "Page",
    "Summary",
    "admin_home",
    "assign_manager",
    "catalogue_summary",
    "city_by_id_or_name",
    "create_instrument",
    "create_provider",
    "create_service",
    "get_provider",
    "instrument_for_editing",
    "instrument_problems",
    "list_providers",
    "managed_instruments",
    "managed_services",
    "offer_counts",
    "provider_managers",
    "public_instrument",
    "public_service",
    "search_instruments",
    "search_services",
    "service_for_editing",
    "service_problems",
    "update_instrument",
    "update_provider",
    "update_service",
]
