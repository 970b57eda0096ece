"""Order pages: ordering from the service page with the quote, My orders, the board with the
load table, the order page's steps (each refusal shown on the page), result files, make-up days."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import ProviderWorkday, ServiceOrder

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(app, frozen_clock, create_provider, create_service, create_user, create_enterprise, tmp_path):
    saved = app.config["RESULTS_FOLDER"]
    app.config["RESULTS_FOLDER"] = str(tmp_path / "results")
    with app.app_context():
        provider = create_provider()
        service = create_service(provider=provider, daily_capacity=4, turnaround_days=2, hazardous_accepted=True)
        manager = create_user("manager", provider=provider, manages_all=True)
        enterprise = create_enterprise()
        alice = create_user("enterprise", enterprise=enterprise)
        bob = create_user("enterprise")
        other_manager = create_user("manager")
        people = dict(manager=manager, alice=alice, bob=bob, other_manager=other_manager)
        out = SimpleNamespace(service_id=service.id, **{k: SimpleNamespace(email=u.email) for k, u in people.items()})
        db.session.remove()
    yield out
    app.config["RESULTS_FOLDER"] = saved


def text(response) -> str:
    return response.get_data(as_text=True)


def place_order(post_form, world, **overrides):
    data = {
        "samples": "6",
        "sample_description": "涂层样品 6 片",
        "hazard": "none",
        "requested_date": "",
        "project_code": "RD-7",
    }
    data.update(overrides)
    return post_form(f"/services/{world.service_id}/order", data)


def order_id(app) -> int:
    with app.app_context():
        return db.session.execute(select(ServiceOrder.id).order_by(ServiceOrder.id.desc())).scalars().first()


def status_of(app, oid) -> str:
    with app.app_context():
        return str(db.session.get(ServiceOrder, oid).status)


def test_service_page_shows_order_form_with_quote_and_earliest_date(client, login, world):
    page = text(client.get(f"/services/{world.service_id}"))
    assert "Sign in to order" in page and "2026-12-04" in page  # 1 sample: Wed + 2 working days
    login(world.alice)
    page = text(client.get(f"/services/{world.service_id}"))
    assert 'id="order-form"' in page and "500.00" in page and "2026-12-04" in page
    assert "js/orders.js" in page


def test_enterprise_orders_and_sees_it_in_my_orders(client, login, post_form, world, app):
    login(world.alice)
    r = place_order(post_form, world)
    assert r.status_code == 302, text(r)[:2000]
    oid = order_id(app)
    assert r.headers["Location"].endswith(f"/orders/{oid}")
    page = text(client.get(f"/orders/{oid}"))
    assert "submitted" in page and "3,000.00" in page and "RD-7" in page
    assert f'id="order-{oid}"' in text(client.get("/orders"))


def test_order_form_shows_problems_next_to_fields_and_saves_nothing(client, login, post_form, world, app):
    login(world.alice)
    r = place_order(post_form, world, samples="500", requested_date="2026-11-20")
    assert r.status_code == 422
    page = text(r)
    assert "At most 100 samples per order." in page and "must be after today" in page
    assert order_id(app) is None
    r = place_order(post_form, world, samples="abc")
    assert r.status_code == 422 and order_id(app) is None


def test_the_steps_on_the_order_page(client, login, post_form, world, app):
    login(world.alice)
    place_order(post_form, world, requested_date="2026-12-03")
    oid = order_id(app)
    client.post(
        "/logout",
        data={"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', text(client.get("/"))).group(1)},
    )
    login(world.manager)
    page = text(client.get(f"/orders/{oid}"))
    assert 'id="plan-preview"' in page and "2026-12-02 (4), 2026-12-03 (2)" in page
    assert "cannot be met" in page and "2026-12-07" in page
    # deliver before received: a clear 409 on the page
    r = post_form(f"/orders/{oid}/deliver", {"files": (io.BytesIO(PDF), "r.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 409 and "cannot be delivered" in text(r)
    r = post_form(f"/orders/{oid}/reject", {"reason": ""})
    assert r.status_code == 422 and "Give a reason." in text(r)
    assert post_form(f"/orders/{oid}/accept", {"note": "按计划"}).status_code == 302
    assert status_of(app, oid) == "accepted"
    assert post_form(f"/orders/{oid}/receive").status_code == 302
    assert post_form(f"/orders/{oid}/start").status_code == 302
    r = post_form(
        f"/orders/{oid}/deliver", {"files": (io.BytesIO(b"MZ\x90"), "r.pdf")}, content_type="multipart/form-data"
    )
    assert r.status_code == 422 and "is not a PDF" in text(r)
    r = post_form(
        f"/orders/{oid}/deliver",
        {"files": (io.BytesIO(PDF), "检测报告.pdf"), "note": "见附件"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and status_of(app, oid) == "delivered"
    assert post_form(f"/orders/{oid}/notes", {"note": "原样品将退回"}).status_code == 302
    page = text(client.get(f"/orders/{oid}"))
    assert "检测报告.pdf" in page and "原样品将退回" in page and "3,000.00" in page


def test_board_and_heat_table(client, login, post_form, world, app):
    login(world.alice)
    place_order(post_form, world)
    oid = order_id(app)
    login(world.manager)
    post_form(f"/orders/{oid}/accept")
    page = text(client.get("/orders/board"))
    assert 'id="column-accepted"' in page and f"#{oid}" in page
    assert '<td class="heat-4"' in page and "<strong>4</strong>/4" in page and "heat-closed" in page


def test_files_and_pages_are_404_for_others(client, login, post_form, world, app):
    login(world.alice)
    place_order(post_form, world)
    oid = order_id(app)
    login(world.manager)
    for step in ("accept", "receive", "start"):
        post_form(f"/orders/{oid}/{step}")
    post_form(f"/orders/{oid}/deliver", {"files": (io.BytesIO(PDF), "r.pdf")}, content_type="multipart/form-data")
    file_url = re.search(r'href="(/orders/\d+/files/\d+)"', text(client.get(f"/orders/{oid}"))).group(1)
    got = client.get(file_url)
    assert got.status_code == 200 and got.headers["X-Content-Type-Options"] == "nosniff"
    for outsider in (world.bob, world.other_manager):
        login(outsider)
        assert client.get(f"/orders/{oid}").status_code == 404
        assert client.get(file_url).status_code == 404
        assert post_form(f"/orders/{oid}/confirm").status_code == 404
    login(world.alice)
    assert client.get(file_url).data == PDF
    assert post_form(f"/orders/{oid}/confirm").status_code == 302 and status_of(app, oid) == "closed"


def test_manager_adds_and_removes_a_makeup_day(client, login, post_form, world, app):
    login(world.manager)
    assert post_form("/orders/workdays", {"day": "2026-12-05", "reason": "调休"}).status_code == 302
    r = post_form("/orders/workdays", {"day": "2026-12-05", "reason": "again"})
    assert r.status_code == 409 and "already a make-up working day" in text(r)
    assert post_form("/orders/workdays", {"day": "2026-11-01"}).status_code == 422
    page = text(client.get("/orders/board"))
    assert "12-05<br><strong>0</strong>/4" in page  # the Saturday is now a working day
    with app.app_context():
        wid = db.session.execute(select(ProviderWorkday.id)).scalar_one()
    assert post_form(f"/orders/workdays/{wid}/delete").status_code == 302
    login(world.other_manager)
    assert post_form(f"/orders/workdays/{wid}/delete").status_code in (302, 303)


def test_pages_in_chinese(client, login, post_form, world, app, chinese_browser):
    login(world.alice)
    place_order(post_form, world)
    oid = order_id(app)
    page = text(client.get(f"/orders/{oid}"))
    assert "已提交" in page and "样品" in page
    assert "我的订单" in text(client.get("/orders"))
