"""Template globals and filters: labels in the user's language, local times, money in yuan."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context, has_request_context, request, url_for
from flask_babel import Domain, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup, escape

from bwq_lab.domain import catalogue as vocab
from bwq_lab.edge.form_html import form_field, widget_html
from bwq_lab.edge.links import public_url, webcal


def locale_code() -> str:
    loc = get_locale()
    return loc.language if loc else "zh"


def last_day(end: datetime | None) -> str:
    """The last local day of a span of whole days that ends (exclusive) at ``end``: a closure
    through 2027-01-03 ends at 2027-01-04 00:00 and is shown as 2027-01-03."""
    if end is None:
        return ""
    return local_time(end - timedelta(microseconds=1), "%Y-%m-%d")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def time_range(start: datetime | str, end: datetime | str) -> str:
    """'2026-12-01 周二 09:00–10:30' in the configured zone, with the day of the week; the end's
    date is repeated only when it differs. Takes datetimes or ISO 8601 strings (e-mail facts)."""
    from bwq_lab.edge.messages.bookings import weekday_name

    tz = ZoneInfo(current_app.config["TIMEZONE"])
    s = (datetime.fromisoformat(start) if isinstance(start, str) else start).astimezone(tz)
    e = (datetime.fromisoformat(end) if isinstance(end, str) else end).astimezone(tz)
    day = f"{s:%Y-%m-%d} {weekday_name(s.weekday())}"
    if s.date() == e.date():
        return f"{day} {s:%H:%M}–{e:%H:%M}"
    return f"{day} {s:%H:%M} – {e:%Y-%m-%d %H:%M}"


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan: 12345 -> '123.45'."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def display(obj, attr: str = "name") -> str:
    """The localized name of a model with ``name``/``name_en``."""
    if obj is None:
        return ""
    if locale_code() == "en":
        return getattr(obj, f"{attr}_en", None) or getattr(obj, attr)
    return getattr(obj, attr)


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (for pagination and filters)."""
    from urllib.parse import urlencode

    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
    if request.endpoint is None:  # error pages (404, 405) have no endpoint: keep the path
        return request.path + ("?" + urlencode(args) if args else "")
    return remembered_url_for(request.endpoint, **(request.view_args or {}), **args)


#: how many URLs an app keeps (:func:`remembered_url_for`), and the longest value kept in a key
_URLS_KEPT = 4096
_LONG = 64


def remembered_url_for(endpoint: str, **values) -> str:
    """Templates' ``url_for``: the same URL, built once per process for the same script root,
    endpoint and values. A page builds dozens of URLs at 15-40 us each (Werkzeug's rule
    matching and quoting), most of them the same on every page (the menu, the static files,
    the page's own links). The URL map is fixed once the app is made and the app has no
    ``url_defaults``, so a relative URL depends on nothing else (a blueprint-relative endpoint is
    resolved first). External URLs, values that cannot be a key, and anything outside a request
    go to ``url_for`` as before; a failed build is never kept. Each app keeps its own, at most
    ``_URLS_KEPT`` (then they are forgotten at once and built again), none with a long value
    (``url_with`` passes the query's own arguments on: a client must not fill it with big keys)."""
    if (
        values.get("_external")
        or values.get("_scheme")
        or not has_request_context()
        or any(type(v) is str and len(v) > _LONG for v in values.values())
    ):
        return url_for(endpoint, **values)
    if endpoint[:1] == ".":
        blueprint = request.blueprint
        endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
    # the type is part of the key: 1, 1.0 and True are equal keys but different URLs
    key = (request.script_root, endpoint, *((k, type(v), v) for k, v in sorted(values.items())))
    urls = current_app.extensions["bwq_urls"]
    try:
        return urls[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a key (a list of values)
        return url_for(endpoint, **values)
    url = url_for(endpoint, **values)
    if len(urls) >= _URLS_KEPT:
        urls.clear()
    urls[key] = url
    return url


class RequestDomain(Domain):
    """Flask-Babel's message domain, remembering the request's catalogue: Flask-Babel finds it
    again on every ``gettext`` (~20 us: the locale's name, the cache key), and a week page says
    a few hundred words. Keyed by the locale object, so ``force_locale`` (e-mails in the
    reader's language) and ``refresh`` get the catalogue of the locale they set."""

    def get_translations(self):
        ctx = g.get("_flask_babel") if has_app_context() else None
        locale = getattr(ctx, "babel_locale", None)
        if locale is None:
            return super().get_translations()
        cached = getattr(ctx, "bwq_translations", None)
        if cached is not None and cached[0] is locale and cached[1] is self:
            return cached[2]
        translations = super().get_translations()
        ctx.bwq_translations = (locale, self, translations)
        return translations


@pass_context
def _template_gettext(context, string: str, **variables):
    """Templates' ``_()``: Jinja's new-style ``gettext`` (Flask-Babel's catalogue, the result
    marked safe and formatted with its variables), reached without Jinja's alias indirection and
    not formatting a word that has no ``%`` in it (``Markup % {}`` escapes nothing, at ~10 us)."""
    rv = get_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables if variables or "%" in rv else rv


_NAME, _CSRF = "\x00name\x00", "\x00csrf\x00"  # stand-ins that escaping leaves as they are


class _MenuReader:
    """The signed-in user as ``_nav.html`` sees it when it is written once for a kind of user:
    the attributes the menu is chosen by (the key), the name as a stand-in filled in per request.
    Any other attribute is read from the user and marks the rendering as not to be kept (the
    menu then depends on something the key does not hold)."""

    KEY = ("is_authenticated", "role", "is_active_member", "is_manager", "is_enterprise", "is_province_admin")

    def __init__(self, user) -> None:
        self.user, self.other = user, False

    def __getattr__(self, name: str):
        if name == "name":
            return _NAME
        if name == "membership":  # only ever compared with "pending" (an enterprise awaiting approval)
            return "pending" if getattr(self.user, "membership", None) == "pending" else "not pending"
        if name not in self.KEY:
            self.other = True
        return getattr(self.user, name)


def menu() -> Markup:
    """``_nav.html`` (the top menu), written once per process for each kind of user (role, what
    the role's flags say, a membership awaiting approval), language and script root; the user's
    name and the CSRF token are filled in per request. The menu built two dozen links and words
    for every page (~0.35 ms, ~5% of a week page)."""
    from flask import render_template
    from flask_login import current_user
    from flask_wtf.csrf import generate_csrf

    user = current_user._get_current_object()
    reader = _MenuReader(user)
    key = (
        locale_code(),
        request.script_root,
        *(
            getattr(user, name, None) if name == "role" else bool(getattr(user, name, False))
            for name in _MenuReader.KEY
        ),
        getattr(user, "membership", None) == "pending",
    )
    kept = current_app.extensions["bwq_menus"]
    page = kept.get(key)
    if page is None:
        page = current_app.jinja_env.get_template("_nav.html").render(current_user=reader, csrf_token=lambda: _CSRF)
        if reader.other:  # the menu read something the key does not hold: not kept
            return render_template("_nav.html")
        kept[key] = page
    if _NAME in page:
        page = page.replace(_NAME, str(escape(user.name)))
    if _CSRF in page:
        page = page.replace(_CSRF, str(escape(generate_csrf())))
    return Markup(page)


def breadcrumb_trail(items) -> Markup:
    """The breadcrumbs (``[(label, href or None), ...]``; the ``breadcrumbs`` macro of
    ``macros/forms.html`` calls it). A Python global rather than a macro a page imports: Jinja
    compares the page's globals with the imported template's on every import (~3% of a page)."""
    links = [
        f'<a href="{escape(href)}">{escape(label)}</a>' if href else f"<span>{escape(label)}</span>"
        for label, href in items
    ]
    return Markup(f'<nav class="breadcrumbs" aria-label="breadcrumbs">\n    {" › ".join(links)}\n  </nav>')


def register(app: Flask) -> None:
    from bwq_lab.extensions import babel

    app.extensions["bwq_urls"] = {}
    app.extensions["bwq_menus"] = {}
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext, url_for=remembered_url_for)

    # Flask-Babel's Babel makes its default domain on first use (a cached property); ours is set first
    if not isinstance(vars(babel).get("domain_instance"), RequestDomain):
        babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)

    def make_label(vocabulary):
        return lambda code: vocab.label(vocabulary, code, locale_code())

    app.jinja_env.globals.update(
        breadcrumb_trail=breadcrumb_trail,
        menu=menu,
        form_field=form_field,
        form_widget=widget_html,
        locale_code=locale_code,
        display=display,
        url_with=url_with,
        time_range=time_range,
        category_label=make_label(vocab.INSTRUMENT_CATEGORIES),
        service_kind_label=make_label(vocab.SERVICE_KINDS),
        provider_kind_label=make_label(vocab.PROVIDER_KINDS),
        enterprise_category_label=make_label(vocab.ENTERPRISE_CATEGORIES),
        status_label=make_label(vocab.INSTRUMENT_STATUSES),
        unit_label=make_label(vocab.SERVICE_UNITS),
        role_label=make_label(vocab.ROLES),
        record_kind_label=make_label(vocab.SERVICE_RECORD_KINDS),
        vocab=vocab,
        public_url=public_url,
    )
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["webcal"] = webcal
    app.jinja_env.filters["last_day"] = last_day
    app.jinja_env.filters["yuan"] = yuan
