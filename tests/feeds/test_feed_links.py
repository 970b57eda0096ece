"""Feed links on the account page and through the API; the token shows nowhere else."""

from __future__ import annotations

import re

from tests.feeds.conftest import path_of

FEED_URL = re.compile(r'value="(http://localhost/feeds/[^"]+)"')


def test_account_page_makes_shows_and_replaces_the_links(client, lab, login, post_form, app, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    with app.app_context():
        bob = db.session.get(User, lab["bob_id"])  # no language of his own: the browser's English
    login(bob)
    page = client.get("/account/")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Calendar subscriptions" in html and "Make my calendar links" in html
    assert not FEED_URL.search(html)

    made = post_form("/account/feed-token", {}, follow_redirects=True)
    html = made.get_data(as_text=True)
    assert "Your calendar links are ready." in html
    urls = FEED_URL.findall(html)
    assert len(urls) == 1 and urls[0].endswith("/mine.ics")
    assert f'href="webcal://localhost{path_of(urls[0])}"' in html
    assert 'data-copy="feed-mine"' in html and "js/feeds.js" in html
    assert "<script>" not in html  # no inline script (the CSP allows scripts from static/ only)
    assert client.get(path_of(urls[0])).status_code == 200
    token = path_of(urls[0]).split("/")[2]

    # the token shows on the owner's account page only
    for other in ("/", "/instruments", "/bookings", "/api/v1/me"):
        assert token not in client.get(other).get_data(as_text=True), other

    html = post_form("/account/feed-token", {}, follow_redirects=True).get_data(as_text=True)
    assert "The old links no longer work" in html
    new = FEED_URL.findall(html)
    assert new != urls
    assert client.get(path_of(urls[0])).status_code == 404
    assert client.get(path_of(new[0])).status_code == 200

    # the same links as the API gives after the same token
    again = client.get("/account/").get_data(as_text=True)
    assert FEED_URL.findall(again) == new


def test_renewing_needs_the_csrf_token(client, lab, login, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import FeedToken, User

    with app.app_context():
        login(db.session.get(User, lab["bob_id"]))
    client.post("/account/feed-token", data={})
    with app.app_context():
        assert db.session.query(FeedToken).count() == 0


def test_managers_get_both_links_and_the_page_shows_both(client, lab, feed_urls, login, app):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    urls = feed_urls("manager")
    assert set(urls) == {"mine", "manager"}
    assert (
        urls["manager"].endswith("/manager.ics")
        and path_of(urls["manager"]).split("/")[2] == path_of(urls["mine"]).split("/")[2]
    )
    with app.app_context():
        login(db.session.get(User, lab["manager_id"]))
    html = client.get("/account/").get_data(as_text=True)
    assert sorted(FEED_URL.findall(html)) == sorted(urls.values())


def test_instrument_page_offers_the_busy_feed(client, lab):
    html = client.get(f"/instruments/{lab['instrument_id']}").get_data(as_text=True)
    assert f'href="webcal://localhost/feeds/instruments/{lab["instrument_id"]}/busy.ics"' in html


def test_openapi_documents_the_feed_token_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/me/feed-token"]
