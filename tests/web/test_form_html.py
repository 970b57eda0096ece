"""``form_field`` / ``form_widget`` (edge/form_html.py), the one source of a field's markup (the
``field`` macro calls ``form_field``), write what the macro wrote when it was Jinja around WTForms'
own widgets: names, ids, flags, the selected option, escaped values, the errors."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from bwq_lab.domain.booking_rules import BookingPolicy
from bwq_lab.edge.form_html import form_field, widget_html
from bwq_lab.web.forms.bookings import BookingForm, duration_choices

MACRO = '{% from "macros/forms.html" import field %}{{ field(f, **kw) }}'

#: the ``field`` macro as it was written in Jinja around WTForms' widgets (``f(**kwargs)``): the
#: oracle the one source is held to
ORACLE = """{% macro field(f, help=None) -%}
  {% if f.type in ('CSRFTokenField', 'HiddenField') %}{{ f() }}{% else %}
  <div class="field{% if f.errors %} has-error{% endif %}{% if f.type == 'BooleanField' %} checkbox{% endif %}">
    {% if f.type == 'BooleanField' %}
      <label>{{ f(**kwargs) }} {{ f.label.text }}</label>
    {% else %}
      <label for="{{ f.id }}">{{ f.label.text }}{% if f.flags.required %} <span class="req" aria-hidden="true">*</span>{% endif %}</label>
      {{ f(**kwargs) }}
    {% endif %}
    {% if help or f.description %}<small class="help">{{ help or f.description }}</small>{% endif %}
    {% for e in f.errors %}<div class="error" role="alert">{{ e }}</div>{% endfor %}
  </div>
  {% endif %}
{%- endmacro %}{{ field(f, **kw) }}"""


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


class _Other(Form):
    """Widgets written by WTForms itself inside the frame."""

    agree = BooleanField("I <agree>")
    secret = PasswordField("Secret", validators=[InputRequired()])
    colour = RadioField("Colour", choices=[SelectChoice("r", "Red"), SelectChoice("g", "Green")])
    size = SelectField("Size", choices=["s", "m"])  # plain strings: WTForms renders it
    shade = SelectField("Shade", choices=[SelectChoice("d", "Dark <b>"), SelectChoice("l", "Light")])
    grouped = SelectField("Grouped", choices=[SelectChoice("a", "A", optgroup="G"), SelectChoice("b", "B")])
    note = StringField("Note", validators=[Length(min=2, max=5)], description="Two to <five>")
    nick = StringField("Nick", render_kw={"placeholder": 'a "nick" <b>', "class_": "wide"})


POSTS = [
    {},  # a fresh form
    {
        "date": "2027-01-05",
        "start": "10:30",
        "duration": "90",
        "purpose": 'a "quoted" <script>alert(1)</script> & more',
        "project_code": "<b>R&D</b>",
        "on_behalf_email": "x@example.com",
        "override_reason": "it's </textarea> urgent",
    },
    {"date": "not a date", "start": "25:99", "duration": "7", "purpose": "", "check": "1"},
]


@pytest.mark.parametrize("data", POSTS)
def test_the_booking_form_is_written_as_the_macro_writes_it(app, data):
    policy = BookingPolicy(slot_minutes=30, min_minutes=30, max_minutes=600)
    with app.test_request_context("/", method="POST", data=data, headers={"Accept-Language": "en"}):
        form = BookingForm(formdata=MultiDict(data) if data else None, meta={"csrf": False})
        form.localize(policy, "en")
        if data:
            assert not form.validate() or data is POSTS[1]
        for f in form:
            kw = {"step": 1800} if f.name == "start" else {"rows": 3} if f.type == "TextAreaField" else {}
            if f.name == "on_behalf_email":
                kw = {"type": "email"}
            assert widget_html(f, **kw) == f(**kw), f.name
            assert _squeeze(form_field(f, **kw)) == _squeeze(render_template_string(ORACLE, f=f, kw=kw)), f.name
            assert render_template_string(MACRO, f=f, kw=kw) == str(form_field(f, **kw)), f.name
        submit = widget_html(form.check, **{"class": "button secondary"})
        assert submit == form.check(**{"class": "button secondary"})
        if data is POSTS[1]:
            page = str(form_field(form.purpose, rows=3))
            assert "<script>" not in page and "&lt;script&gt;" in page
            assert 'selected value="90"' in str(form_field(form.duration))
        if data is POSTS[2]:
            assert 'class="field has-error"' in str(form_field(form.purpose))
            assert 'role="alert"' in str(form_field(form.date))


def test_other_widgets_fall_back_to_wtforms_inside_the_same_frame(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        form = _Other(
            MultiDict(
                {"agree": "y", "secret": "", "colour": "g", "size": "m", "note": "x", "shade": "l", "grouped": "b"}
            )
        )
        form.validate()
        for f in form:
            assert widget_html(f) == f(), f.name
            assert _squeeze(form_field(f)) == _squeeze(render_template_string(ORACLE, f=f, kw={})), f.name
            assert render_template_string(MACRO, f=f, kw={}) == str(form_field(f)), f.name
        assert "has-error" in str(form_field(form.note))
        assert 'placeholder="a &#34;nick&#34; &lt;b&gt;"' in str(widget_html(form.nick))


def test_the_macro_passes_help_and_attributes_on(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        form = _Other(MultiDict({"note": "x"}))
        form.validate()
        page = render_template_string(
            '{% from "macros/forms.html" import field %}{{ field(f, help="Say <hi>", autofocus=true) }}', f=form.note
        )
        oracle = render_template_string(
            ORACLE.replace("field(f, **kw)", 'field(f, help="Say <hi>", autofocus=true)'), f=form.note
        )
        assert _squeeze(page) == _squeeze(oracle)
        assert '<small class="help">Say &lt;hi&gt;</small>' in page and " autofocus " in page


def test_duration_choices_are_a_fresh_list_per_form_in_the_request_language(app):
    policy = BookingPolicy(slot_minutes=30, min_minutes=30, max_minutes=120)
    for language, words in (("en", "1 hour 30 minutes"), ("zh", "1 小时 30 分钟"), ("en", "1 hour 30 minutes")):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            first = duration_choices(policy, language)
            assert first[2] == (90, words)
            first.append((999, "changed"))
            assert [m for m, _ in duration_choices(policy, language)] == [30, 60, 90, 120]
