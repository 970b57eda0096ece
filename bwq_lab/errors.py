"""One error vocabulary for the whole app, chosen by content negotiation: API clients get
``{"errors": [{"code", "message", "field"}]}``, browsers get a page."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from bwq_lab.edge.messages.validation import in_client_language
from bwq_lab.refusals import Problem, Refusal

#: the refusal type operations raise (bwq_lab.refusals); this module turns it into a response
OperationError = Refusal

DEFAULT_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "TOO_LARGE",
    422: "INVALID",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
}


def not_found(message: str | None = None) -> OperationError:
    return OperationError(404, [Problem("NOT_FOUND", message or _("Not found."))])


def forbidden(message: str | None = None) -> OperationError:
    return OperationError(403, [Problem("FORBIDDEN", message or _("You are not allowed to do that."))])


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def problems_from_http(exc: HTTPException) -> list[Problem]:
    code = DEFAULT_CODES.get(exc.code or 500, "ERROR")
    data = getattr(exc, "data", None) or {}
    # webargs/flask-smorest validation errors: {"messages": {"json": {"field": ["msg", ...]}}}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        problems: list[Problem] = []
        for _location, fields in messages.items():
            problems.extend(_flatten(fields))
        return problems or [Problem(code, exc.description or code)]
    if isinstance(data, dict) and data.get("problems"):
        return data["problems"]
    return [Problem(code, _describe(exc))]


def _flatten(fields, prefix: str = "") -> list[Problem]:
    out: list[Problem] = []
    if isinstance(fields, dict):
        for name, value in fields.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                out.extend(Problem("INVALID", in_client_language(msg), key) for msg in value)
            else:
                out.extend(_flatten(value, key))
    elif isinstance(fields, list):
        out.extend(Problem("INVALID", in_client_language(str(msg)), prefix or None) for msg in fields)
    return out


def _describe(exc: HTTPException) -> str:
    texts = {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do that."),
        404: _("Not found."),
        405: _("That method is not allowed here."),
        409: _("That conflicts with the current state."),
        413: _("The upload is too large."),
        422: _("Some values are not valid."),
        429: _("Too many attempts. Please wait a moment and try again."),
    }
    return texts.get(exc.code or 500, exc.description or exc.name)


def error_response(status: int, problems: list[Problem]):
    from bwq_lab.edge.messages import localize

    problems = localize(problems)
    if wants_json():
        return jsonify({"errors": [p.as_dict() for p in problems]}), status
    return render_template("errors/error.html", status=status, problems=problems), status


def handle_http_exception(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    response = error_response(exc.code, problems_from_http(exc))
    if exc.code == 429 and getattr(exc, "retry_after", None):
        response[0].headers["Retry-After"] = str(exc.retry_after)
    return response


def handle_operation_error(exc: OperationError):
    return error_response(exc.status, exc.problems)


def handle_unexpected(exc: Exception):
    from flask import current_app

    from bwq_lab.extensions import db

    db.session.rollback()
    current_app.logger.exception("unhandled error")
    return error_response(500, [Problem("INTERNAL_ERROR", _("Something went wrong on our side."))])


def register(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationError, handle_operation_error)
    app.register_error_handler(
        CSRFError,
        lambda e: error_response(
            400, [Problem("CSRF_FAILED", _("The form expired or was not sent from this site. Please try again."))]
        ),
    )
    if not app.testing and not app.debug:
        app.register_error_handler(Exception, handle_unexpected)
