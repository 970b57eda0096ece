"""Staff and service records over the API: the roster, records with every check, the ¥5M flag,
who reads what (the enterprise its own, administrators their region, managers their provider),
and the audit row of a deletion."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(app, frozen_clock, create_provider, create_user, create_enterprise, token_for, city):
    from bwq_lab.extensions import db
    from bwq_lab.models import Staff

    with app.app_context():
        hz, nb = city("杭州"), city("宁波")
        x = create_provider()
        y = create_provider(name="宁波材料所", name_en="Ningbo Institute", kind="institute", city=nb)
        ea, eb = create_enterprise(name="甲科技有限公司"), create_enterprise(name="乙科技有限公司")
        mgr = create_user("manager", provider=x, manages_all=True)
        partial = create_user("manager", provider=x, manages_all=False)
        wang = Staff(provider_id=x.id, name="王敏", title="研究员")
        li = Staff(provider_id=x.id, name="李强")
        zhao = Staff(provider_id=y.id, name="赵刚")
        db.session.add_all([wang, li, zhao])
        db.session.commit()
        out = dict(
            x=x.id, y=y.id, ea=ea.id, eb=eb.id, ea_code=ea.uscc, wang=wang.id, li=li.id, zhao=zhao.id,
            mgr_id=mgr.id, partial_id=partial.id,
            mgr=token_for(mgr), partial=token_for(partial),
            mgr_y=token_for(create_user("manager", provider=y, manages_all=True)),
            alice=token_for(create_user("enterprise", enterprise=ea)),
            bob=token_for(create_user("enterprise", enterprise=eb)),
            city_hz=token_for(create_user("city_admin", city=hz)),
            city_nb=token_for(create_user("city_admin", city=nb)),
            county_x=token_for(create_user("county_admin", city=hz, county_id=x.region_id)),
            county_other=token_for(create_user("county_admin", city=hz, county_id=hz.children[1].id)),
            province=token_for(create_user("province_admin")),
        )  # fmt: skip
        db.session.expunge_all()
    return out


def record(client, world, who="mgr", **changes):
    body = {"enterprise_id": world["ea"], "day": "2026-11-30", "kind": "consultation",
            "staff_ids": [world["wang"], world["li"]], "minutes": 150, "content": "现场技术诊断",
            "project_code": "RD-2026-01"}  # fmt: skip
    body.update(changes)
    return client.post("/api/v1/service-records", json=body, headers=world[who])


# ------------------------------------------------------------------------------------- staff
def test_the_roster_through_the_api(client, world):
    r = client.get("/api/v1/staff", headers=world["mgr"])
    assert r.status_code == 200 and [s["name"] for s in r.json["items"]] == ["李强", "王敏"]
    r = client.post(
        "/api/v1/staff", json={"name": "陈静", "title": "高级工程师", "field": "光谱"}, headers=world["mgr"]
    )
    assert r.status_code == 201, r.json
    new = r.json["id"]
    assert r.json["provider_id"] == world["x"] and r.json["active"] is True
    r = client.patch(f"/api/v1/staff/{new}", json={"active": False, "field": "色谱"}, headers=world["mgr"])
    assert r.status_code == 200 and r.json["active"] is False and r.json["field"] == "色谱"
    r = client.get("/api/v1/staff?active=true", headers=world["mgr"])
    assert new not in [s["id"] for s in r.json["items"]]


def test_staff_refusals(client, world):
    r = client.post("/api/v1/staff", json={"name": " "}, headers=world["mgr"])
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "STAFF_NAME_REQUIRED"
    assert r.json["errors"][0]["field"] == "name"
    # a partial manager reads the roster but does not change it
    assert client.get("/api/v1/staff", headers=world["partial"]).json["total"] == 2
    r = client.post("/api/v1/staff", json={"name": "某人"}, headers=world["partial"])
    assert r.status_code == 403 and r.json["errors"][0]["code"] == "STAFF_MANAGERS_ONLY"
    # another provider's staff member does not exist for this manager
    assert client.patch(f"/api/v1/staff/{world['zhao']}", json={"name": "x"}, headers=world["mgr"]).status_code == 404
    assert client.get(f"/api/v1/staff/{world['zhao']}", headers=world["mgr"]).status_code == 404
    # the linked account must be a user of this provider
    r = client.post("/api/v1/staff", json={"name": "某人", "user_id": 999999}, headers=world["mgr"])
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "STAFF_USER_NOT_OF_PROVIDER"
    r = client.post("/api/v1/staff", json={"name": "经理本人", "user_id": world["partial_id"]}, headers=world["mgr"])
    assert r.status_code == 201 and r.json["user_id"] == world["partial_id"]
    r = client.post("/api/v1/staff", json={"name": "重复", "user_id": world["partial_id"]}, headers=world["mgr"])
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "STAFF_USER_TAKEN"
    # enterprises do not read rosters
    assert client.get("/api/v1/staff", headers=world["alice"]).status_code == 403


def test_administrators_read_the_rosters_of_their_region(client, world):
    names = lambda who: sorted(s["name"] for s in client.get("/api/v1/staff", headers=world[who]).json["items"])  # noqa: E731
    assert names("province") == ["李强", "王敏", "赵刚"]
    assert names("city_hz") == ["李强", "王敏"]
    assert names("city_nb") == ["赵刚"]
    assert names("county_x") == ["李强", "王敏"]
    assert names("county_other") == []
    assert client.get(f"/api/v1/staff/{world['wang']}", headers=world["city_nb"]).status_code == 404
    assert client.get(f"/api/v1/staff/{world['wang']}", headers=world["county_other"]).status_code == 404
    assert client.get(f"/api/v1/staff/{world['wang']}", headers=world["county_x"]).status_code == 200


# ---------------------------------------------------------------------------- service records
def test_a_record_through_its_life(client, world):
    r = record(client, world)
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    assert r.json["day"] == "2026-11-30" and [s["name"] for s in r.json["staff"]] == ["王敏", "李强"]
    assert r.json["enterprise_name"] == "甲科技有限公司" and r.json["counts_as_provincial_project"] is False
    r = client.patch(f"/api/v1/service-records/{rid}", json={"agreement_signed": True, "contract_fen": 800_000_000,
                     "paid_fen": 500_000_000, "results_count": 2, "results_titles": ["新工艺"]},
                     headers=world["mgr"])  # fmt: skip
    assert r.status_code == 200, r.json
    assert r.json["counts_as_provincial_project"] is True and r.json["results_titles"] == ["新工艺"]
    assert r.json["kind"] == "consultation" and r.json["minutes"] == 150  # what is left out stays
    r = client.patch(f"/api/v1/service-records/{rid}", json={"paid_fen": 499_999_999}, headers=world["mgr"])
    assert r.json["counts_as_provincial_project"] is False
    listed = client.get("/api/v1/service-records?from=2026-11-30&to=2026-11-30", headers=world["mgr"]).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == rid
    assert client.get("/api/v1/service-records?from=2026-12-01", headers=world["mgr"]).json["total"] == 0
    assert client.get("/api/v1/service-records?kind=training", headers=world["mgr"]).json["total"] == 0
    assert client.delete(f"/api/v1/service-records/{rid}", headers=world["mgr"]).status_code == 204
    assert client.get(f"/api/v1/service-records/{rid}", headers=world["mgr"]).status_code == 404


def test_every_problem_at_once_and_nothing_saved(client, world):
    r = record(client, world, day="2026-12-02", staff_ids=[world["zhao"]], paid_fen=100, content=" ",
               results_count=0, results_titles=["多余"])  # fmt: skip
    assert r.status_code == 422
    got = {(e["code"], e["field"]) for e in r.json["errors"]}
    assert got == {("DAY_IN_FUTURE", "day"), ("STAFF_NOT_OF_PROVIDER", "staff_ids"), ("CONTENT_REQUIRED", "content"),
                   ("AMOUNT_WITHOUT_AGREEMENT", "paid_fen"), ("TITLES_EXCEED_COUNT", "results_titles")}  # fmt: skip
    assert all(e["message"] for e in r.json["errors"])
    r = record(client, world, agreement_signed=True, contract_fen=100, paid_fen=200)
    assert [e["code"] for e in r.json["errors"]] == ["PAID_EXCEEDS_CONTRACT"]
    assert client.get("/api/v1/service-records", headers=world["mgr"]).json["total"] == 0


def test_the_day_is_the_local_day(client, world, app):
    # FIXED_NOW is 2026-12-01 09:00 in Shanghai (01:00 UTC): today is the 1st, the 2nd is the future
    assert record(client, world, day="2026-12-01").status_code == 201


def test_the_enterprise_by_code_or_name(client, world, create_enterprise, app):
    body = {"enterprise_id": None}
    r = record(client, world, enterprise=world["ea_code"], **body)
    assert r.status_code == 201 and r.json["enterprise_id"] == world["ea"]
    r = record(client, world, enterprise="乙科技有限公司", **body)
    assert r.status_code == 201 and r.json["enterprise_id"] == world["eb"]
    r = record(client, world, enterprise="科技有限公司", **body)
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "ENTERPRISE_AMBIGUOUS"
    r = record(client, world, enterprise="不存在的公司", **body)
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "ENTERPRISE_UNKNOWN"


def test_inactive_staff_stay_on_their_records_but_are_not_named_again(client, world):
    rid = record(client, world).json["id"]
    client.patch(f"/api/v1/staff/{world['li']}", json={"active": False}, headers=world["mgr"])
    assert client.patch(f"/api/v1/service-records/{rid}", json={"minutes": 60}, headers=world["mgr"]).status_code == 200
    r = record(client, world)
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "STAFF_INACTIVE"


def test_who_reads_a_record(client, world):
    rid = record(client, world).json["id"]
    status = {who: client.get(f"/api/v1/service-records/{rid}", headers=world[who]).status_code for who in
              ("mgr", "partial", "mgr_y", "alice", "bob", "city_hz", "city_nb", "county_x", "county_other", "province")}  # fmt: skip
    assert status == {"mgr": 200, "partial": 200, "mgr_y": 404, "alice": 200, "bob": 404, "city_hz": 200,
                      "city_nb": 404, "county_x": 200, "county_other": 404, "province": 200}  # fmt: skip
    totals = {who: client.get("/api/v1/service-records", headers=world[who]).json["total"] for who in status}
    assert totals == {k: 1 if v == 200 else 0 for k, v in status.items()}
    # readers do not write
    for who in ("alice", "city_hz", "county_x", "province", "mgr_y"):
        r = client.patch(f"/api/v1/service-records/{rid}", json={"minutes": 1}, headers=world[who])
        assert r.status_code in (403, 404), who
        assert client.delete(f"/api/v1/service-records/{rid}", headers=world[who]).status_code in (403, 404), who
    assert record(client, world, who="alice").status_code == 403


def test_partial_managers_enter_records_and_change_only_their_own(client, world):
    own = record(client, world, who="partial").json["id"]
    other = record(client, world, who="mgr").json["id"]
    assert (
        client.patch(f"/api/v1/service-records/{own}", json={"minutes": 30}, headers=world["partial"]).status_code
        == 200
    )
    r = client.patch(f"/api/v1/service-records/{other}", json={"minutes": 30}, headers=world["partial"])
    assert r.status_code == 403 and r.json["errors"][0]["code"] == "RECORD_EDITORS_ONLY"
    assert client.delete(f"/api/v1/service-records/{own}", headers=world["mgr"]).status_code == 204


def test_deleting_and_changing_amounts_are_audited(client, world, app):
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import AuditEvent

    rid = record(client, world, agreement_signed=True, contract_fen=1000, paid_fen=500).json["id"]
    client.patch(f"/api/v1/service-records/{rid}", json={"paid_fen": 1000}, headers=world["mgr"])
    client.delete(f"/api/v1/service-records/{rid}", headers=world["mgr"])
    with app.app_context():
        rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert [(e.action, e.target_id) for e in rows] == [("service_record.edit", rid), ("service_record.delete", rid)]
        assert rows[0].details["after"] == [True, 1000, 1000] and rows[1].details["paid_fen"] == 1000
