"""Absolute links to this site, for places that leave the browser: calendar feeds, e-mails.

``BASE_URL`` (environment ``BWQ_BASE_URL``, e.g. ``https://lab.example.edu.cn``) is the public
address users reach the site at; behind a proxy the request's own host may be an internal one, and
jobs that send e-mail have no request at all. Without it, a request's host is used, and outside a
request ``http://localhost:5000`` (the local ``make run``)."""

from __future__ import annotations

from flask import current_app, has_request_context, request

LOCAL_BASE_URL = "http://localhost:5000"


def base_url() -> str:
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return LOCAL_BASE_URL


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under :func:`base_url` (also outside a request)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path


def webcal(url: str) -> str:
    """The ``webcal://`` form of a feed URL: calendar apps open it as a subscription."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url


def feed_urls(user, token: str) -> dict[str, str]:
    """The user's calendar feed URLs: ``mine`` for everyone, ``manager`` for lab managers."""
    urls = {"mine": public_url("feeds.mine", token=token)}
    if user.is_manager:
        urls["manager"] = public_url("feeds.manager", token=token)
    return urls
