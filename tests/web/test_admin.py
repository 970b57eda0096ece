import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import Provider, User


@pytest.fixture
def within(app):
    """Run a function in its own app context; rows come back detached with their columns loaded."""

    def run(fn, *args, **kwargs):
        with app.app_context():
            result = fn(*args, **kwargs)
            if isinstance(result, db.Model):
                db.session.refresh(result)
                db.session.expunge(result)
            return result

    return run


@pytest.fixture
def admin(within, create_user, login):
    user = within(create_user, "province_admin")
    login(user)
    return user


@pytest.fixture
def hangzhou(within, city):
    def ids():
        c = city("杭州")
        return SimpleNamespace(id=c.id, county=c.children[2].id, other_county=city("宁波").children[0].id)

    return within(ids)


def provider_form(hangzhou, **overrides):
    data = {
        "name": "之江实验室",
        "name_en": "Zhejiang Lab",
        "kind": "key_lab",
        "city_id": str(hangzhou.id),
        "county_id": str(hangzhou.county),
        "address": "余杭区文一西路",
        "contact_name": "王老师",
        "contact_phone": "0571-88888888",
        "contact_email": "open@example.com",
        "website": "https://example.com",
        "description": "开放共享",
    }
    data.update(overrides)
    return data


def find(within, model, **where):
    return within(lambda: db.session.execute(select(model).filter_by(**where)).scalar_one_or_none())


def test_admin_creates_and_edits_a_provider(chinese_browser, client, admin, hangzhou, post_form, within):
    response = post_form("/admin/providers/new", provider_form(hangzhou))
    assert response.status_code == 302
    provider = find(within, Provider, name="之江实验室")
    assert (provider.city_id, provider.region_id, provider.kind) == (hangzhou.id, hangzhou.county, "key_lab")
    assert response.headers["Location"].endswith(f"/admin/providers/{provider.id}")
    response = post_form(
        f"/admin/providers/{provider.id}/edit", provider_form(hangzhou, name="之江实验室（新）", county_id="")
    )
    assert response.status_code == 302
    provider = find(within, Provider, id=provider.id)
    assert (provider.name, provider.region_id) == ("之江实验室（新）", hangzhou.id)
    listing = client.get("/admin/providers").get_data(as_text=True)
    assert "之江实验室（新）" in listing


def test_bad_provider_form_shows_errors_and_saves_nothing(client, admin, hangzhou, post_form, within):
    response = post_form(
        "/admin/providers/new",
        provider_form(hangzhou, name="", county_id=str(hangzhou.other_county), website="javascript:alert(1)"),
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="error"') >= 1
    response = post_form("/admin/providers/new", provider_form(hangzhou, county_id=str(hangzhou.other_county)))
    assert response.status_code == 200
    assert "has-error" in response.get_data(as_text=True)
    assert find(within, Provider, name="之江实验室") is None


def test_admin_assigns_a_new_manager_with_a_password_shown_once(
    chinese_browser, client, app, admin, within, create_provider, create_instrument, post_form
):
    provider = within(create_provider)
    instrument = within(create_instrument, provider=provider)
    page = client.get(f"/admin/providers/{provider.id}").get_data(as_text=True)
    assert "场发射扫描电子显微镜" in page  # offered as a checkbox
    response = post_form(
        f"/admin/providers/{provider.id}/managers",
        {"email": "li@example.com", "name": "李工", "instrument_ids": str(instrument.id)},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'class="initial-password"[^>]*>([^<]+)<', response.get_data(as_text=True)).group(1)
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "li@example.com")).scalar_one()
        assert (user.role, user.provider_id, user.manages_all) == ("manager", provider.id, False)
        assert [i.id for i in user.instruments] == [instrument.id]
        assert user.check_password(password)
    # the new manager can sign in and edit the instrument
    fresh = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', fresh.get("/").get_data(as_text=True)).group(1)
    assert (
        fresh.post("/login", data={"email": "li@example.com", "password": password, "csrf_token": token}).status_code
        == 302
    )
    assert fresh.get(f"/manage/instruments/{instrument.id}/edit").status_code == 200
    # the provider page lists the manager, and does not show the password again
    page = client.get(f"/admin/providers/{provider.id}").get_data(as_text=True)
    assert password not in page


def test_admin_assigns_an_existing_manager_to_everything(
    client, admin, within, create_user, create_provider, post_form
):
    provider = within(create_provider)
    manager = within(create_user, "manager", provider_id=None, manages_all=False)
    response = post_form(f"/admin/providers/{provider.id}/managers", {"email": manager.email, "manages_all": "y"})
    assert response.status_code == 302
    user = find(within, User, id=manager.id)
    assert (user.provider_id, user.manages_all) == (provider.id, True)
    page = client.get(f"/admin/providers/{provider.id}").get_data(as_text=True)
    assert manager.email in page


def test_assigning_an_enterprise_user_is_refused(client, admin, within, create_user, create_provider, post_form):
    provider = within(create_provider)
    enterprise_user = within(create_user, "enterprise")
    response = post_form(
        f"/admin/providers/{provider.id}/managers", {"email": enterprise_user.email, "manages_all": "y"}
    )
    assert response.status_code == 200
    assert "not a lab manager account" in response.get_data(as_text=True)
    assert find(within, User, id=enterprise_user.id).role == "enterprise"


def test_only_province_admins_edit(client, within, create_user, create_provider, login, post_form, hangzhou):
    provider = within(create_provider)
    login(within(create_user, "manager"))
    assert client.get("/admin/providers").status_code == 403
    assert post_form("/admin/providers/new", provider_form(hangzhou)).status_code == 403
    assert post_form(f"/admin/providers/{provider.id}/managers", {"email": "x@example.com"}).status_code == 403
    assert find(within, User, email="x@example.com") is None


def test_city_admin_sees_own_city_read_only(chinese_browser, client, within, create_user, create_provider, login, city):
    mine = within(create_provider, name="杭州的中心")
    theirs = within(lambda: create_provider(name="宁波的中心", city=city("宁波")))
    login(within(create_user, "city_admin"))
    listing = client.get("/admin/providers").get_data(as_text=True)
    assert "杭州的中心" in listing and "宁波的中心" not in listing
    page = client.get(f"/admin/providers/{mine.id}").get_data(as_text=True)
    assert "杭州的中心" in page
    assert 'name="email"' not in page and "/edit" not in page  # no assign form, no edit link
    assert client.get(f"/admin/providers/{theirs.id}").status_code == 404
    assert client.get(f"/admin/providers/{mine.id}/edit").status_code == 403
