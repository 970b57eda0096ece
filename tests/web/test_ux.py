"""Small things users stumble on: the administrator's home and link, the favicon, required
markers on the label's line, the browsable API reference, JSON that is not ASCII-escaped."""

from __future__ import annotations

import re
from types import SimpleNamespace


def test_city_admin_has_a_link_and_a_home_with_their_city_only(
    app, client, login, create_user, create_provider, create_enterprise, city
):
    with app.app_context():
        admin = SimpleNamespace(email=create_user("city_admin").email)
        create_provider(name="杭州本地中心", name_en="")
        create_provider(name="宁波外地中心", name_en="", city=city("宁波"))
        create_enterprise(name="杭州本地企业")
        create_enterprise(name="宁波外地企业", city=city("宁波"))
    login(admin)
    page = client.get("/instruments").get_data(as_text=True)
    assert 'href="/admin/"' in page  # the navigation links the home
    home = client.get("/admin/")
    body = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "杭州本地中心" in body and "杭州本地企业" in body
    assert "宁波外地中心" not in body and "宁波外地企业" not in body


def test_province_admin_home_shows_the_whole_province(app, client, login, create_user, create_enterprise, city):
    with app.app_context():
        admin = SimpleNamespace(email=create_user("province_admin").email)
        create_enterprise(name="宁波外地企业", city=city("宁波"))
    login(admin)
    body = client.get("/admin/").get_data(as_text=True)
    assert "宁波外地企业" in body


def test_enterprise_users_get_no_admin_home(app, client, login, create_user):
    with app.app_context():
        user = SimpleNamespace(email=create_user().email)
    login(user)
    assert 'href="/admin/"' not in client.get("/instruments").get_data(as_text=True)
    assert client.get("/admin/").status_code in (403, 404)


def test_favicon(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_required_marker_sits_inside_the_label(client):
    page = client.get("/register").get_data(as_text=True)
    labels = re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)
    assert any('class="req"' in label for label in labels)
    assert not re.search(r"</label>\s*<span class=\"req\"", page)


def test_browsable_api_reference_is_served_locally(client):
    page = client.get("/api/v1/docs")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in body
    assert "http://" not in body.replace("http://localhost", "") and "https://" not in body  # no CDN
    script = client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.data) > 100_000


def test_json_is_not_ascii_escaped(app, client, create_instrument):
    with app.app_context():
        create_instrument()
    raw = client.get("/api/v1/instruments").get_data()
    assert "场发射扫描电子显微镜".encode() in raw
    assert b"\\u" not in raw
