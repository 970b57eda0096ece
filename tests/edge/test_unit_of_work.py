"""One unit of work per request: a success commits once, a refusal or a page shown again with a
4xx status rolls back, so nothing is half-saved."""

from __future__ import annotations

import pytest
from flask import Blueprint, redirect
from sqlalchemy import func, select

from bwq_lab import mail
from bwq_lab.edge.unit_of_work import _is_unit_of_work, unit_of_work
from bwq_lab.refusals import refuse


@pytest.fixture
def uow_app(app, database_url):
    """A second app on the same database with three writing views (the factory builds many)."""
    from bwq_lab.factory import create_app

    other = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER", "OUTBOX_FOLDER")},
            "TESTING": True,
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
        }
    )
    bp = Blueprint("uow_test", __name__)

    @bp.post("/uow/ok")
    @unit_of_work
    def ok():
        mail.queue("a@example.com", "kept", "body")
        return redirect("/")

    @bp.post("/uow/refused")
    @unit_of_work
    def refused():
        mail.queue("a@example.com", "lost", "body")
        raise refuse(409, "INVALID_TRANSITION", kind="booking", status="completed", action="cancel")

    @bp.post("/uow/page-again")
    @unit_of_work
    def page_again():
        mail.queue("a@example.com", "lost too", "body")
        return "the form again, with its problems", 422

    other.register_blueprint(bp)
    return other


def _subjects(app) -> list[str]:
    from bwq_lab.extensions import db
    from bwq_lab.models import OutboxMessage

    with app.app_context():
        return list(db.session.execute(select(OutboxMessage.subject).order_by(OutboxMessage.id)).scalars())


def test_success_commits_refusal_and_4xx_page_roll_back(app, uow_app):
    client = uow_app.test_client()
    assert client.post("/uow/ok").status_code == 302
    refused = client.post("/uow/refused", headers={"Accept": "application/json"})
    assert refused.status_code == 409
    assert refused.get_json()["errors"][0]["code"] == "INVALID_TRANSITION"
    assert client.post("/uow/page-again").status_code == 422
    assert _subjects(app) == ["kept"]


def test_the_lock_protocol_knows_decorated_views_and_api_methods(app):
    assert _is_unit_of_work(app.view_functions["bookings.cancel"], "POST")
    assert _is_unit_of_work(app.view_functions["api_bookings.Bookings"], "POST")
    assert not _is_unit_of_work(app.view_functions["api_bookings.Bookings"], "GET")
    with app.app_context():
        from bwq_lab.extensions import db
        from bwq_lab.models import OutboxMessage

        assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
