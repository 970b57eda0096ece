"""The staff and service-record pages: a manager keeps the roster and enters a record in yuan and
hours; problems come back next to the fields; the ¥5M record is flagged; readers see the list."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


def who(user) -> SimpleNamespace:
    return SimpleNamespace(email=user.email)


@pytest.fixture
def world(app, frozen_clock, create_provider, create_user, create_enterprise):
    from bwq_lab.extensions import db
    from bwq_lab.models import Staff

    with app.app_context():
        x = create_provider()
        ea = create_enterprise(name="甲科技有限公司")
        mgr = create_user("manager", provider=x, manages_all=True)
        partial = create_user("manager", provider=x, manages_all=False)
        wang = Staff(provider_id=x.id, name="王敏", title="研究员")
        db.session.add(wang)
        db.session.commit()
        out = dict(x=x.id, ea=ea.id, ea_code=ea.uscc, wang=wang.id, mgr=who(mgr), partial=who(partial),
                   alice=who(create_user("enterprise", enterprise=ea)), bob=who(create_user("enterprise")))  # fmt: skip
        db.session.expunge_all()
    return out


def test_a_manager_keeps_the_roster(client, world, login, post_form):
    login(world["mgr"])
    page = client.get("/manage/staff").get_data(as_text=True)
    assert "王敏" in page and "Add a staff member" in page
    r = post_form("/manage/staff/new", {"name": "陈静", "title": "高级工程师", "field": "光谱", "user_id": ""})
    assert r.status_code == 302
    r = post_form("/manage/staff/new", {"name": "", "title": "x"})
    assert r.status_code == 422 and "This field is required." in r.get_data(as_text=True)
    r = post_form(f"/manage/staff/{world['wang']}/edit", {"name": "王敏", "title": "教授", "field": "", "user_id": ""})
    assert r.status_code == 302
    r = post_form(f"/manage/staff/{world['wang']}/active", {"active": "0"})
    assert r.status_code == 302
    page = client.get("/manage/staff").get_data(as_text=True)
    assert "教授" in page and "Reactivate" in page and "陈静" in page


def test_a_partial_manager_sees_the_roster_but_does_not_change_it(client, world, login, post_form):
    login(world["partial"])
    page = client.get("/manage/staff").get_data(as_text=True)
    assert "王敏" in page and "Add a staff member" not in page
    r = post_form("/manage/staff/new", {"name": "某人"})
    assert r.status_code == 403


def test_a_record_in_yuan_and_hours_with_the_provincial_flag(client, world, login, post_form):
    login(world["mgr"])
    assert "甲科技有限公司" not in client.get("/service-records").get_data(as_text=True)
    form = {"enterprise": world["ea_code"], "day": "2026-11-20", "kind": "joint_rd", "staff_ids": [world["wang"]],
            "hours": "2.5", "content": "联合攻关", "project_code": "", "agreement_signed": "y",
            "contract": "6,000,000", "paid": "5000000", "results_count": "1", "results_titles": "新型涂层\n"}  # fmt: skip
    r = post_form("/manage/service-records/new", form)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    page = client.get("/service-records").get_data(as_text=True)
    assert "甲科技有限公司" in page and "¥5,000,000.00" in page and "视同省级科技计划项目" in page
    assert "新型涂层" in page and "2.5" in page
    from bwq_lab.models import ServiceRecord

    with client.application.app_context():
        from sqlalchemy import select

        from bwq_lab.extensions import db

        saved = db.session.execute(select(ServiceRecord)).scalar_one()
        assert (saved.minutes, saved.contract_fen, saved.paid_fen) == (150, 600_000_000, 500_000_000)
        rid = saved.id
    r = client.get(f"/manage/service-records/{rid}/edit")
    assert r.status_code == 200 and "5000000.00" in r.get_data(as_text=True)
    r = post_form(f"/manage/service-records/{rid}/delete")
    assert r.status_code == 302
    assert "甲科技有限公司" not in client.get("/service-records").get_data(as_text=True)


def test_problems_come_back_next_to_the_fields(client, world, login, post_form):
    login(world["mgr"])
    form = {"enterprise": "不存在的公司", "day": "2026-12-05", "kind": "training", "hours": "1", "content": "培训",
            "contract": "100", "paid": "200"}  # fmt: skip
    r = post_form("/manage/service-records/new", form)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    for words in ("No enterprise matches", "cannot be after today", "Name at least one staff member",
                  "only for a signed cooperation agreement"):  # fmt: skip
        assert words in text, words


def test_the_enterprise_picker_and_the_readers(client, world, login):
    login(world["mgr"])
    found = client.get("/manage/enterprises/search?q=甲科技").get_json()
    assert found == [{"id": world["ea"], "name": "甲科技有限公司", "uscc": world["ea_code"]}]
    assert client.get("/manage/enterprises/search?q=x").get_json() == []


def test_the_enterprise_reads_its_own_records_only(client, world, login, app):
    from datetime import date

    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceRecord, Staff

    with app.app_context():
        rec = ServiceRecord(provider_id=world["x"], enterprise_id=world["ea"], day=date(2026, 11, 2),
                            kind="training", content="质量培训")  # fmt: skip
        rec.staff.append(db.session.get(Staff, world["wang"]))
        db.session.add(rec)
        db.session.commit()
    login(world["alice"])
    page = client.get("/service-records").get_data(as_text=True)
    assert "质量培训" not in page  # the content is the provider's note; the list shows the facts
    assert "Training" in page and "王敏" in page and "Record a service" not in page
    client.post("/logout")
    login(world["bob"])
    assert "王敏" not in client.get("/service-records").get_data(as_text=True)
