"""Every request's input is bounded here, once, before any view runs (issue 7, finding 3).

- Path ids: the ``int`` URL converter accepts ASCII digits up to 2^31-1 (PostgreSQL ``integer``);
  a larger or odd id simply matches no route (404).
- Query strings and forms: no NUL characters (PostgreSQL cannot store them); a query value that is
  a whole number (``page``, ``provider``, ``city``…) lies within ±(2^31-1); a value that is a date
  or an ISO instant (``week``, ``date``, ``start``, closure and expiry dates…) has a year within
  ``MIN_YEAR``..``MAX_YEAR``.
- JSON bodies: at most ``MAX_JSON_BYTES`` (413), parsed once with a bounded parser (no nesting deeper than ``MAX_JSON_DEPTH``, no
  integer literal longer than ``MAX_INT_DIGITS`` digits, no NUL or lone surrogate in a string),
  then the same bounds apply to every number and date-like string inside.

A refusal is 400 (``MALFORMED``: not something a client could mean) or 422 (``OUT_OF_RANGE``,
with the field) in the app's one error shape: JSON for API clients, a page for browsers.
Free-text query fields (``q``) are only checked for NUL.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from bwq_lab.refusals import Problem, Refusal

MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2199
DATE_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2})-"  # the years MIN_YEAR..MAX_YEAR, for the OpenAPI document
MAX_JSON_DEPTH = 64
MAX_JSON_BYTES = 256 * 1024  # an API request body (uploads go through forms, not JSON)
MAX_INT_DIGITS = 30
FREE_TEXT_ARGS = frozenset({"q"})

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DATE_LIKE = re.compile(r"(?P<year>[+-]?[0-9]{4,})-[0-9]{1,2}-[0-9]{1,2}(?:[T ][0-9:.,]+(?:Z|[+-][0-9:]+)?)?")


class BoundedIdConverter(IntegerConverter):
    """``<int:…>``: ASCII digits only, at most 2^31-1 (larger ids never exist, so they are 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class MalformedJSON(ValueError):
    pass


def _malformed(field: str | None = None) -> Refusal:
    return Refusal(400, [Problem("MALFORMED", field=field)])


def _out_of_range(field: str | None, value: Any) -> Refusal:
    return Refusal(
        422,
        [Problem("OUT_OF_RANGE", field=field, params={"min_year": MIN_YEAR, "max_year": MAX_YEAR, "max": MAX_ID})],
    )


def _parse_int(text: str) -> int:
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        raise MalformedJSON("integer literal too long")
    return int(text)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # (unrolled: no alternation per character)
_BRACKETS = re.compile(r"[\[\]{}]")
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def _depth_ok(text: str) -> bool:
    """Nesting depth of a JSON text, counted outside strings, before parsing (no recursion; the
    scanning is done by the regex engine, so a large body costs about as much as parsing it)."""
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            return False
    return True


def loads(text: str | bytes) -> Any:
    """``json.loads`` with the bounds above; raises ``MalformedJSON`` (a ValueError)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedJSON("not UTF-8") from exc
    if not _depth_ok(text):
        raise MalformedJSON("nested too deeply")
    try:
        return json.loads(text, parse_int=_parse_int)
    except RecursionError as exc:  # (cannot happen after the depth check; kept as a guard)
        raise MalformedJSON("nested too deeply") from exc


def _bad_text(value: str) -> bool:
    return _BAD_CHARS.search(value) is not None


def _check_scalar(name: str, value: str, *, numbers: bool) -> None:
    if _bad_text(value):
        raise _malformed(name)
    if name in FREE_TEXT_ARGS:
        return
    text = value.strip()
    if not text or not (text[0].isdigit() or text[0] in "+-"):
        return  # neither a number nor a date: nothing more to bound
    if numbers and _WHOLE_NUMBER.fullmatch(text):
        if len(text.lstrip("+-")) > 10 or abs(int(text)) > MAX_ID:
            raise _out_of_range(name, text)
        return
    match = _DATE_LIKE.fullmatch(text)
    if match and not MIN_YEAR <= int(match.group("year")) <= MAX_YEAR:
        raise _out_of_range(name, text)


def _check_json(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return
    if isinstance(value, int):
        if abs(value) > MAX_ID:
            raise _out_of_range(path or None, value)
    elif isinstance(value, str):
        _check_scalar(path, value, numbers=False)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{path}.{i}" if path else str(i))
    elif isinstance(value, dict):
        for key, item in value.items():
            if _bad_text(key):
                raise _malformed(path or None)
            _check_json(item, f"{path}.{key}" if path else key)


def check_request() -> None:
    """The before-request hook: refuse what no view should ever see."""
    for name, value in request.args.items(multi=True):
        _check_scalar(name, value, numbers=True)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in request.form.items(multi=True):
                _check_scalar(name, value, numbers=False)
        elif request.is_json or request.path.startswith("/api/"):
            data = request.get_data(cache=True)
            if len(data) > MAX_JSON_BYTES:
                raise Refusal(413, [Problem("TOO_LARGE")])
            if data.strip():
                try:
                    parsed = loads(data)
                except ValueError:
                    raise _malformed() from None
                _check_json(parsed, "")


def install(app: Flask) -> None:
    """Before the blueprints: the bounded id converter must exist when their rules are added."""
    app.url_map.converters["int"] = BoundedIdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


__all__ = ["BoundedIdConverter", "MAX_ID", "MAX_YEAR", "MIN_YEAR", "check_request", "install", "loads"]
