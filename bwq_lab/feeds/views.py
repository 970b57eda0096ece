"""Calendar subscriptions over HTTP.

- ``GET /feeds/<token>/mine.ics``: the token owner's bookings and service orders' completion dates;
- ``GET /feeds/<token>/manager.ics``: everything on the instruments the owner manages now;
- ``GET /feeds/instruments/<id>/busy.ics``: one instrument's busy blocks (public).

A feed token is a secret in the URL (calendar apps cannot send credentials): an unknown or replaced
token answers 404, the same as a missing page, and request logs show ``/feeds/***/`` instead
(``bwq_lab.edge.redact``).

Conditional requests are answered before anything is built: the feed's state (aggregate queries
over the same rows) gives a strong ``ETag`` and ``Last-Modified``; a matching ``If-None-Match``
(or, without one, an ``If-Modified-Since`` not older than the newest change) gets ``304``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.http import http_date, is_resource_modified

from bwq_lab import clock
from bwq_lab.edge.links import base_url, public_url
from bwq_lab.feeds import content
from bwq_lab.feeds.calendar import EventCache, build_calendar, calendar_head
from bwq_lab.operations import feeds as ops

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

#: bump when the text of events changes shape, so every client fetches the feed again
FORMAT = "1"
#: serialised events shared by every feed this process serves
EVENTS = EventCache()


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _language(preferred: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return preferred if preferred in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _etag(kind: str, key: object, locale: str, state: ops.FeedState) -> str:
    raw = repr((FORMAT, kind, key, locale, base_url(), state.parts)).encode()
    return hashlib.sha256(raw).hexdigest()[:40]


def _serve(
    kind: str,
    key: object,
    locale: str,
    state: ops.FeedState,
    build: Callable[[], Iterable],
    *,
    name: Callable[[], str],
    private: bool,
) -> Response:
    etag = _etag(kind, key, locale, state)
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": http_date(state.last_modified),
        # clients must come back to us (with If-None-Match) before using a stored copy
        "Cache-Control": ("private" if private else "public") + ", no-cache",
        "Vary": "Accept-Encoding",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex"
    if not is_resource_modified(request.environ, etag=etag, last_modified=state.last_modified):
        return Response(status=304, headers=headers)
    with force_locale(locale):
        head = calendar_head(name(), current_app.config["TIMEZONE"])
        body = build_calendar(head, build(), EVENTS)
    response = Response(body, status=200, headers=headers, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="bwq-{kind}.ics"'
    return response


def _booking_link(booking_id: int) -> str:
    return public_url("bookings.detail", booking_id=booking_id)


def _order_link(order_id: int) -> str:
    return public_url("orders.detail", order_id=order_id)


def _owner(token: str):
    user = ops.user_for_feed_token(token)
    if user is None:
        abort(404)
    return user


@bp.get("/<token>/mine.ics")
def mine(token: str):
    user = _owner(token)
    locale = _language(user.locale)
    w = ops.window(clock.now(), _tz())

    def build():
        yield from content.my_bookings(ops.mine_rows(user, w), locale, _booking_link)
        yield from content.my_orders(ops.mine_order_rows(user, w), locale, _order_link)

    return _serve(
        "mine",
        user.id,
        locale,
        ops.mine_state(user, w),
        build,
        name=lambda: _("BWQ Lab: my bookings"),
        private=True,
    )


@bp.get("/<token>/manager.ics")
def manager(token: str):
    user = _owner(token)
    if not user.is_manager:
        abort(404)
    locale = _language(user.locale)
    tz = _tz()
    w = ops.window(clock.now(), tz)

    def build():
        yield from content.managed_bookings(ops.manager_rows(user, w), locale, _booking_link)
        yield from content.maintenance(ops.manager_maintenance(user, w), locale, public=False)
        yield from content.closures(ops.manager_closures(user, w), locale, tz, public=False)

    return _serve(
        "manager",
        user.id,
        locale,
        ops.manager_state(user, w),
        build,
        name=lambda: _("BWQ Lab: instruments I manage"),
        private=True,
    )


@bp.get("/instruments/<int:instrument_id>/busy.ics")
def busy(instrument_id: int):
    instrument = ops.public_instrument_or_none(instrument_id)
    if instrument is None:
        abort(404)
    locale = _language(request.args.get("lang"))
    tz = _tz()
    w = ops.window(clock.now(), tz)
    prefix = f"busy-{instrument.id}-"

    def build():
        yield from content.busy_blocks(ops.busy_rows(instrument, w), locale, instrument.id)
        yield from content.maintenance(ops.busy_maintenance(instrument, w), locale, public=True, uid_prefix=prefix)
        yield from content.closures(ops.busy_closures(instrument, w), locale, tz, public=True, uid_prefix=prefix)

    return _serve(
        "busy",
        instrument.id,
        locale,
        ops.busy_state(instrument, w),
        build,
        name=lambda: _("%(instrument)s: busy times", instrument=instrument.display(locale)),
        private=False,
    )
