"""Catalogue endpoints (filled in by the catalogue API work)."""

from flask_smorest import Blueprint

blp = Blueprint("api_catalogue", __name__, url_prefix="/api/v1", description="Instruments, lab services, providers")
