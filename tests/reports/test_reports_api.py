"""GET /api/v1/reports/summary and /goals: the same figures as bwq_lab.reports, scoped by role."""

from __future__ import annotations

import pytest

from tests.reports.test_figures import HANGZHOU, NINGBO, PROVINCE

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


@pytest.fixture
def tokens(app, world, token_for, user_of, frozen_clock):
    with app.app_context():
        return {name: token_for(user_of(name)) for name in world.users}


def get(client, path, token, **query):
    return client.get(path, query_string=query, headers=token)


def test_the_province_summary_grouped_by_city(client, world, tokens):
    response = get(client, "/api/v1/reports/summary", tokens["province"], group_by="city", **NOVEMBER)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from"], body["to"], body["group_by"]) == ("2026-11-01", "2026-11-30", "city")
    assert body["scope"] == {"level": "province", "id": None}
    assert body["totals"] == PROVINCE
    assert body["figures"][:3] == ["sessions", "booked_hours", "effective_hours"]
    assert [(g["key"], g["name"], g["name_en"]) for g in body["groups"]] == [
        (world.hz, "杭州", "Hangzhou"),
        (world.nb, "宁波", "Ningbo"),
    ]
    assert [g["figures"] for g in body["groups"]] == [HANGZHOU, NINGBO]


def test_each_reader_gets_their_own_area(client, world, tokens):
    def totals(name, **query):
        response = get(client, "/api/v1/reports/summary", tokens[name], **NOVEMBER, **query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert totals("nb_admin")["totals"] == NINGBO
    assert totals("hz_admin")["totals"] == HANGZHOU
    assert totals("province", city_id=world.nb)["totals"] == NINGBO
    assert totals("m3")["scope"] == {"level": "provider", "id": world.p3}
    ea = totals("ua")
    assert ea["scope"] == {"level": "enterprise", "id": world.ea} and ea["totals"]["sessions"] == 3
    assert totals("county_admin")["totals"]["sessions"] == 4


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("hz_admin", {"city_id": "nb"}),
        ("nb_admin", {"provider_id": "p1"}),
        ("m3", {"provider_id": "p1"}),
        ("ua", {"provider_id": "p1"}),
    ],
)
def test_another_area_is_404(client, world, tokens, who, query):
    ids = {k: getattr(world, v) for k, v in query.items()}
    for path in ("/api/v1/reports/summary", "/api/v1/reports/goals"):
        response = get(client, path, tokens[who], **ids)
        assert response.status_code == 404 and response.get_json()["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "PERIOD_REVERSED", "to"),
        ({"from": "2026-13-01"}, None, "from"),
        ({"group_by": "colour"}, None, "group_by"),
        ({"city_id": "0"}, None, "city_id"),
        ({"from": "99999-01-01"}, None, "from"),
    ],
)
def test_bad_queries_are_422_json(client, world, tokens, query, code, field):
    response = get(client, "/api/v1/reports/summary", tokens["province"], **query)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in {e["field"] for e in errors}
    if code:
        assert errors[0]["code"] == code and "2026-11-01" in errors[0]["message"]


def test_default_period_is_this_year_to_today(client, world, tokens):
    body = get(client, "/api/v1/reports/summary", tokens["province"]).get_json()
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-01")  # the frozen clock: 2026-12-01 09:00
    assert body["totals"]["sessions"] == 7


def test_a_pending_member_and_anonymous(client, world, tokens, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    with app.app_context():
        db.session.get(User, world.users["ub"]).membership = "pending"
        db.session.commit()
    assert get(client, "/api/v1/reports/summary", tokens["ub"]).status_code == 403
    assert get(client, "/api/v1/reports/goals", {}).status_code == 401


def test_goals(client, world, tokens):
    response = get(client, "/api/v1/reports/goals", tokens["province"], year=2026)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["year"], body["until"]) == (2026, "2026-12-01")
    assert body["targets"]["sessions"] == 20000 and body["targets"]["providers"] == 100
    assert body["so_far"] == {
        "providers": 3,
        "staff": 4,
        "enterprises": 3,
        "enterprise_visits": 10,
        "sessions": 7,
        "batches": 3,
    }
    assert body["cumulative"]["sessions"] == [0] * 9 + [1, 7, 7]
    assert body["months"][0] == "2026-01" and body["figures"][0] == "providers"
    future = get(client, "/api/v1/reports/goals", tokens["province"], year=2027).get_json()
    assert future["cumulative"]["sessions"] == [None] * 12 and future["so_far"]["sessions"] == 0
    ningbo = get(client, "/api/v1/reports/goals", tokens["nb_admin"]).get_json()
    assert ningbo["so_far"]["sessions"] == 2 and ningbo["scope"] == {"level": "city", "id": world.nb}


def test_the_openapi_document_describes_the_reports(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/reports/summary" in paths and "/api/v1/reports/goals" in paths
    names = {p["name"] for p in paths["/api/v1/reports/summary"]["get"]["parameters"]}
    assert {"from", "to", "group_by", "city_id", "county_id", "provider_id"} <= names
