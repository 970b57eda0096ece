from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/instruments")
def instruments():
    return "TODO", 501


@bp.get("/services")
def services():
    return "TODO", 501
