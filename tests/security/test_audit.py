"""The audit log: privileged actions are recorded (who, what, when, from where), province
administrators read them on a page, nobody else does, and nobody changes them."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import AuditEvent
from tests.conftest import FIXED_NOW


def _events(app):
    with app.app_context():
        return [
            SimpleNamespace(action=e.action, actor_id=e.actor_id, target_id=e.target_id, details=e.details, ip=e.ip)
            for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]


def test_provider_edit_and_manager_assignment_are_recorded_with_the_address(app, client, create_user, login, post_form):
    with app.app_context():
        admin = create_user("province_admin")
        admin = SimpleNamespace(id=admin.id, email=admin.email)
        provider_id = create_user("manager").provider_id
    login(admin)
    page = client.get(f"/admin/providers/{provider_id}/edit").get_data(as_text=True)
    assert "Provider" in page
    from bwq_lab.operations import catalogue as ops

    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        from bwq_lab.models import User
        from bwq_lab.operations import audit

        token = audit.origin.set("203.0.113.9")
        try:
            actor = db.session.get(User, admin.id)
            ops.assign_manager(actor, provider_id, "new.manager@example.com", True)
            provider = ops.get_provider(provider_id)
            ops.update_provider(
                actor,
                provider_id,
                {"name": "新名字", "name_en": "New name", "kind": provider.kind, "city_id": provider.city_id},
            )
            db.session.commit()
        finally:
            audit.origin.reset(token)
    events = _events(app)
    assert [e.action for e in events] == ["manager.assign", "provider.edit"]
    assert all(e.actor_id == admin.id and e.ip == "203.0.113.9" for e in events)
    assert events[0].details["email"] == "new.manager@example.com" and events[0].details["created"] is True
    assert events[1].details["changed"]["name"][1] == "新名字"


def test_membership_decision_is_recorded(app, create_user, create_enterprise):
    from bwq_lab.operations import accounts

    with app.app_context():
        enterprise = create_enterprise()
        first = create_user("enterprise", enterprise=enterprise)
        second = create_user("enterprise", enterprise=enterprise, membership="pending")
        accounts.decide_membership(first, second, approve=False, now=FIXED_NOW)
        db.session.commit()
        first_id, second_id = first.id, second.id
    [event] = _events(app)
    assert (event.action, event.actor_id, event.target_id) == ("membership.reject", first_id, second_id)


def test_province_admin_reads_the_log_and_others_cannot(app, client, create_user, login, post_form):
    with app.app_context():
        user = create_user("enterprise")
        admin = create_user("province_admin")
        city_admin = create_user("city_admin")
        user, admin, city_admin = (SimpleNamespace(id=u.id, email=u.email) for u in (user, admin, city_admin))
    login(user)
    assert post_form("/account/tokens", {"name": "nightly export"}).status_code == 200
    assert client.get("/admin/audit").status_code == 403
    post_form("/logout")
    login(city_admin)
    assert client.get("/admin/audit").status_code == 403
    post_form("/logout")
    login(admin)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "token.create" in text and user.email in text and "nightly export" in text and "127.0.0.1" in text
    assert "token.create" in client.get("/admin/audit?action=token.create").get_data(as_text=True)
    assert "nightly export" not in client.get("/admin/audit?action=provider.edit").get_data(as_text=True)
