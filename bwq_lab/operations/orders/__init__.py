"""Lab-service orders (批次): ordering, the lifecycle, capacity and result files.

Modules by idea: ``access`` (who sees what, the lists), ``capacity`` (calendar, load, holding
days), ``lifecycle`` (ordering and every step), ``files`` (result files), ``notify`` (e-mail).
"""

from bwq_lab.operations.orders.access import board, get_order, is_lab_side, is_orderer, list_orders
from bwq_lab.operations.orders.capacity import (
    DayLoad,
    add_workday,
    delete_workday,
    may_manage_workdays,
    service_load,
    workdays_for,
)
from bwq_lab.operations.orders.files import file_of, path_of
from bwq_lab.operations.orders.lifecycle import (
    Acceptance,
    Preview,
    accept_order,
    add_note,
    allowed_actions,
    cancel_order,
    close_expired,
    confirm_receipt,
    create_order,
    deliver_results,
    may_order,
    preview,
    preview_acceptance,
    receive_samples,
    reject_order,
    reopen_order,
    start_work,
)

__all__ = [
    "Acceptance",
    "DayLoad",
    "Preview",
    "accept_order",
    "add_workday",
    "delete_workday",
    "may_manage_workdays",
    "workdays_for",
    "add_note",
    "allowed_actions",
    "board",
    "cancel_order",
    "close_expired",
    "confirm_receipt",
    "create_order",
    "deliver_results",
    "file_of",
    "get_order",
    "is_lab_side",
    "is_orderer",
    "list_orders",
    "may_order",
    "path_of",
    "preview",
    "preview_acceptance",
    "receive_samples",
    "reject_order",
    "reopen_order",
    "service_load",
    "start_work",
]
