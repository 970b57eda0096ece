"""The public catalogue API: list shapes, search, details, 404 and 422 JSON, the OpenAPI document."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from bwq_lab.extensions import db

EN = {"Accept-Language": "en"}


@pytest.fixture
def data(app, create_provider, create_instrument, create_service, create_user, city):
    with app.app_context():
        hz = create_provider()
        nb = create_provider(name="宁波材料所", name_en="Ningbo Institute of Materials", city=city("宁波"))
        sem = create_instrument(
            provider=hz,
            opening_hours=[[0, "08:30", "12:00"], [1, "08:30", "12:00"]],
            weekly_quota_minutes=600,
            photo_path="instruments/x.png",
        )
        ms = create_instrument(
            provider=nb,
            name="质谱仪",
            name_en="LC-MS",
            model="Q Exactive",
            manufacturer="Thermo",
            capabilities="定量",
            category="mass_spectrometry",
        )
        retired = create_instrument(provider=hz, name="旧电镜", status="retired")
        service = create_service(provider=nb)
        create_user("manager", provider=hz, email="secret.manager@example.com")
        out = SimpleNamespace(
            hz=hz.id, nb=nb.id, sem=sem.id, ms=ms.id, retired=retired.id, service=service.id, ningbo=city("宁波").id
        )
        db.session.expunge_all()
    return out


def ids(response):
    return [item["id"] for item in response.json["items"]]


def test_list_shape_and_money_in_fen(client, data):
    r = client.get("/api/v1/instruments", headers=EN)
    assert r.status_code == 200
    assert set(r.json) == {"items", "total", "page", "per_page"}
    assert (r.json["total"], r.json["page"], r.json["per_page"]) == (2, 1, 20)
    sem = next(i for i in r.json["items"] if i["id"] == data.sem)
    assert sem["price_external_fen"] == 40000 and sem["price_internal_fen"] == 20000
    assert sem["provider"]["city"]["name_en"] == "Hangzhou"
    assert sem["category_label"] == "Electron microscopy"
    assert re.search(r"[+-]\d\d:\d\d$", sem["updated_at"]) and sem["updated_at"].endswith("+08:00")
    assert data.retired not in ids(r)


@pytest.mark.parametrize("q", ["电子显微镜", "electron", "SU8010"])
def test_search_in_chinese_and_english(client, data, q):
    assert ids(client.get("/api/v1/instruments", query_string={"q": q})) == [data.sem]


def test_filters(client, data):
    assert ids(client.get("/api/v1/instruments?q=质谱")) == [data.ms]
    assert ids(client.get("/api/v1/instruments?category=mass_spectrometry")) == [data.ms]
    assert ids(client.get("/api/v1/instruments?city=Ningbo")) == [data.ms]
    assert ids(client.get("/api/v1/instruments?city=宁波")) == [data.ms]
    assert ids(client.get(f"/api/v1/instruments?city={data.ningbo}")) == [data.ms]
    assert ids(client.get(f"/api/v1/instruments?provider={data.hz}")) == [data.sem]
    r = client.get("/api/v1/instruments?per_page=1&page=2")
    assert (r.json["total"], len(r.json["items"]), r.json["page"], r.json["per_page"]) == (2, 1, 2, 1)


def test_detail_has_provider_and_booking_rules(client, data):
    r = client.get(f"/api/v1/instruments/{data.sem}", headers=EN)
    assert r.status_code == 200
    rules = r.json["booking_rules"]
    assert rules["opening_hours"] == [[0, "08:30", "12:00"], [1, "08:30", "12:00"]]
    assert rules["opening_hours_text"] == "Mon-Tue 08:30-12:00"
    assert rules["weekly_quota_minutes"] == 600 and rules["slot_minutes"] == 30
    assert r.json["provider"]["id"] == data.hz
    assert r.json["photo_url"].endswith(f"/instruments/{data.sem}/photo")


def test_no_private_data(client, data):
    for path in (f"/api/v1/instruments/{data.sem}", "/api/v1/providers", f"/api/v1/providers/{data.hz}"):
        body = client.get(path).get_data(as_text=True)
        assert "secret.manager" not in body and "password" not in body and "photo_path" not in body


def test_unknown_or_retired_is_404_json(client, data):
    for path in (
        "/api/v1/instruments/999999",
        f"/api/v1/instruments/{data.retired}",
        "/api/v1/lab-services/999999",
        "/api/v1/providers/999999",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("page=abc", {"page"}),
        ("per_page=1000", {"per_page"}),
        ("page=0&per_page=0", {"page", "per_page"}),
        ("category=nope", {"category"}),
        ("city=Atlantis", {"city"}),
    ],
)
def test_bad_query_is_422_listing_the_field(client, data, query, fields):
    r = client.get(f"/api/v1/instruments?{query}")
    assert r.status_code == 422
    assert {e["field"] for e in r.json["errors"]} == fields
    assert all(e["code"] and e["message"] for e in r.json["errors"])


def test_services_and_providers(client, data):
    r = client.get("/api/v1/lab-services?q=composition")
    assert ids(r) == [data.service]
    assert r.json["items"][0]["price_external_fen"] == 50000
    assert r.json["items"][0]["daily_capacity"] == 10
    assert client.get(f"/api/v1/lab-services/{data.service}").json["provider"]["id"] == data.nb
    assert client.get("/api/v1/lab-services?kind=bogus").status_code == 422
    r = client.get("/api/v1/providers?city=Ningbo")
    assert ids(r) == [data.nb]
    assert client.get("/api/v1/providers?per_page=101").status_code == 422


def test_openapi_lists_the_catalogue_paths(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in (
        "/api/v1/instruments",
        "/api/v1/instruments/{instrument_id}",
        "/api/v1/lab-services",
        "/api/v1/lab-services/{service_id}",
        "/api/v1/providers",
    ):
        assert "get" in spec["paths"][path], path
    params = {p["name"] for p in spec["paths"]["/api/v1/instruments"]["get"]["parameters"]}
    assert {"q", "category", "city", "provider", "page", "per_page"} <= params
    assert spec["paths"]["/api/v1/instruments"]["get"]["security"] == []
