from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "TODO", 501


@bp.post("/logout")
def logout():
    return "TODO", 501


@bp.route("/register", methods=["GET", "POST"])
def register():
    return "TODO", 501
