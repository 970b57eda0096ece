from flask import Blueprint

bp = Blueprint("catalogue", __name__)


@bp.get("/instruments")
def instruments():
    return "TODO", 501


@bp.get("/services")
def services():
    return "TODO", 501


@bp.get("/providers")
def providers():
    return "TODO", 501
