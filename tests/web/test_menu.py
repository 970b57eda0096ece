"""The top menu (``edge.templating.menu``) is written once per kind of user, language and script
root, and is what ``_nav.html`` writes for each user: the links of the user's role, the user's own
name (escaped), the session's CSRF token in the sign-out form."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from bwq_lab.edge.templating import menu

USERS = [
    ("enterprise", {}),
    ("enterprise", {"membership": "pending"}),
    ("manager", {}),
    ("city_admin", {}),
    ("province_admin", {}),
]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_menu_is_the_template_for_every_kind_of_user(app, within, create_user, language):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    def made(n, role, extra) -> int:
        return create_user(role, name=f'<b>{role}</b> & "{n}"', **extra).id

    ids = [within(made, n, role, extra) for n, (role, extra) in enumerate(USERS)]
    for base_url in ("http://localhost", "http://localhost/lab"):
        for _ in range(2):  # written, then kept
            with app.test_request_context("/", base_url=base_url, headers={"Accept-Language": language}):
                page = str(menu())
                assert page == render_template("_nav.html")
                assert "/logout" not in page and "/login" in page
                for n, user_id in enumerate(ids):
                    with app.test_request_context("/", base_url=base_url, headers={"Accept-Language": language}):
                        user = db.session.get(User, user_id)
                        login_user(user)
                        page = str(menu())
                        assert page == render_template("_nav.html"), user.role
                        assert f'value="{generate_csrf()}"' in page and base_url.endswith("/lab") == ('"/lab/' in page)
                        # the user's own name, escaped, and no one else's
                        assert f"&lt;b&gt;{user.role}&lt;/b&gt; &amp; &#34;{n}&#34;" in page and "<b>" not in page
                        assert page.count("&lt;b&gt;") == 1
    assert len(app.extensions["bwq_menus"]) >= len(USERS) + 1


def test_a_menu_that_reads_more_than_its_key_is_not_kept(app, within, create_user, monkeypatch):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    user_id = within(lambda: create_user("manager").id)
    app.extensions["bwq_menus"].clear()

    source = app.jinja_env.loader.get_source(app.jinja_env, "_nav.html")[0]
    monkeypatch.setattr(
        app.jinja_env.loader,
        "get_source",
        lambda env, name, real=app.jinja_env.loader.get_source: (
            (source + "{{ current_user.email }}", None, lambda: False) if name == "_nav.html" else real(env, name)
        ),
    )
    app.jinja_env.cache.clear()
    try:
        with app.test_request_context("/"):
            user = db.session.get(User, user_id)
            login_user(user)
            assert str(menu()).endswith(user.email)
            assert not app.extensions["bwq_menus"]
    finally:
        app.jinja_env.cache.clear()
