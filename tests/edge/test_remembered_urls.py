"""Templates' ``url_for`` (edge.templating.remembered_url_for) builds each URL once per app and
gives exactly what Flask's ``url_for`` gives, whatever the values, the blueprint or the script root."""

from __future__ import annotations

from datetime import date

from flask import render_template_string, url_for

from bwq_lab.edge.templating import remembered_url_for

CASES = [
    ("catalogue.instruments", {}),
    ("static", {"filename": "css/app.css"}),
    ("bookings.book", {"instrument_id": 7, "week": "2027-01-04", "_anchor": "book"}),
    ("bookings.book", {"instrument_id": 7, "week": date(2027, 1, 4), "duration": None}),
    ("catalogue.instruments", {"q": "a b&c/<d>", "page": 2}),
    ("catalogue.instruments", {"page": True}),  # equal to 1 as a key, not as a URL
    ("catalogue.instruments", {"page": 1}),
    ("catalogue.instruments", {"city": [1, 2]}),  # cannot be a key: built every time
    ("catalogue.instruments", {"q": "x" * 200}),  # too long to keep
    ("catalogue.instruments", {"_external": True}),
]


def test_the_same_urls_as_url_for(app):
    for script_root in ("", "/lab"):
        with app.test_request_context("/instruments/7/book", base_url=f"http://localhost{script_root}"):
            for _ in range(2):  # built, then remembered
                for endpoint, values in CASES:
                    assert remembered_url_for(endpoint, **values) == url_for(endpoint, **values), (endpoint, values)
            assert (
                remembered_url_for(".detail", booking_id=3)
                == url_for(".detail", booking_id=3)
                == (f"{script_root}/bookings/3")
            )
    kept = app.extensions["bwq_urls"]
    assert kept and all(len(str(key)) < 400 for key in kept)
    assert not any(key[1] == "catalogue.instruments" and ("_external", bool, True) in key for key in kept)


def test_templates_build_urls_with_it(app):
    with app.test_request_context("/", base_url="http://localhost/lab"):
        page = render_template_string("{{ url_for('bookings.book', instrument_id=5, week='2027-01-04') }}")
        assert page == "/lab/instruments/5/book?week=2027-01-04"
        with app.test_request_context("/"):
            assert render_template_string("{{ url_for('bookings.book', instrument_id=5) }}") == "/instruments/5/book"
