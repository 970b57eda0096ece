"""The application factory: a list of named steps. It starts nothing (no scheduler, no threads)."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_login import current_user
from sqlalchemy import inspect as sa_inspect

from bwq_lab.config import load_config
from bwq_lab.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    # the instance folder sits at the repository's top level, beside app.py
    app.instance_path = app.config.get("INSTANCE_PATH") or _default_instance_path(app)
    load_config(app, test_config)
    app.json.ensure_ascii = False  # 中文 as UTF-8 in JSON responses, not \uXXXX escapes
    register_extensions(app)
    register_input_bounds(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    register_logging(app)
    return app


def _default_instance_path(app: Flask) -> str:
    import os

    return os.environ.get("BWQ_INSTANCE_PATH") or os.path.join(os.path.dirname(app.root_path), "instance")


def register_extensions(app: Flask) -> None:
    from bwq_lab import models  # noqa: F401  (the whole schema, for Alembic)
    from bwq_lab.edge.sessions import CookieSessions, bearer_applies

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(app))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_token)
    login_manager.credential_in_request = bearer_applies  # the token wins over any cookie
    app.session_interface = CookieSessions()  # no cookie session for bearer-token API calls
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)
    _keep_rollup(app)


def _keep_rollup(app: Flask) -> None:
    """The figures' rollup is kept by session events (``operations.rollup``), its local days in
    the app's ``TIMEZONE``."""
    from zoneinfo import ZoneInfo

    from bwq_lab.operations import rollup

    with app.app_context():
        rollup.use_zone(db.engine, ZoneInfo(app.config["TIMEZONE"]))


def _migrations_dir(app: Flask) -> str:
    import os

    return os.path.join(os.path.dirname(app.root_path), "migrations")


def _tune_sqlite(engine) -> None:
    """WAL + NORMAL sync + a busy timeout: many readers, one writer, no "database is locked" 500s;
    memory-mapped reads (256 MB) for the reports' yearly aggregates.
    Writers that check-then-insert take ``BEGIN IMMEDIATE`` themselves (see operations)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's autobegin is off)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        # reports aggregate a whole year of rows: reading the file through a memory map instead of
        # read() calls made the bare yearly aggregate of bench/bench_reports.py 2.4x faster
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # operations that check then insert ask for the write lock up front:
        # db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.connection.driver_connection.execute(f"BEGIN {mode}")  # a control statement: no result to wrap


def register_input_bounds(app: Flask) -> None:
    """Ids, numbers, dates and JSON are bounded once, before any view (bwq_lab/edge/inputs.py)."""
    from bwq_lab.edge import inputs

    inputs.install(app)


def register_blueprints(app: Flask) -> None:
    from bwq_lab import web
    from bwq_lab.api import register_api
    from bwq_lab.feeds import views as feeds

    web.register(app)
    register_api(app)
    app.register_blueprint(feeds.bp)


def register_errorhandlers(app: Flask) -> None:
    from bwq_lab import errors

    errors.register(app)


def register_request_hooks(app: Flask) -> None:
    from bwq_lab.edge import unit_of_work

    unit_of_work.register(app)  # SQLite's write-lock protocol, in one place

    @app.teardown_request
    def _touch_api_token(_exc):
        pending = g.pop("touch_api_token", None)
        if pending is None:
            return
        from sqlalchemy import or_, update

        from bwq_lab.models import ApiToken

        token_id, now, stale = pending
        db.session.remove()  # the request is over: end its transaction (and SQLite write lock) first
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    update(ApiToken)
                    .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale))
                    .values(last_used_at=now)
                )
        except Exception:  # noqa: BLE001 - a missed "last used" stamp must never fail the request
            app.logger.warning("could not record the use of API token %s", token_id, exc_info=True)

    @app.before_request
    def _audit_origin():
        """Where privileged actions come from, for the audit log (operations.audit)."""
        from bwq_lab.operations import audit

        g.audit_origin_token = audit.origin.set(request.remote_addr)

    @app.teardown_request
    def _forget_audit_origin(_exc):
        token = g.pop("audit_origin_token", None)
        if token is not None:
            from bwq_lab.operations import audit

            audit.origin.reset(token)

    @app.after_request
    def _security_headers(response):
        """No framing, no MIME sniffing, no full URLs leaking in Referer, and a CSP without
        inline script (every script is a file under static/)."""
        headers = response.headers
        csp = app.config["CONTENT_SECURITY_POLICY"]
        if request.path == "/api/v1/docs":  # flask-smorest's Swagger UI page starts itself with one inline script
            csp = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.before_request
    def _remember_language():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang


def register_template_helpers(app: Flask) -> None:
    from bwq_lab.edge import templating as helpers

    helpers.register(app)


def register_commands(app: Flask) -> None:
    from bwq_lab.cli import bwq

    app.cli.add_command(bwq)


def register_logging(app: Flask) -> None:
    """Request logs never show a feed's secret token (``bwq_lab.edge.redact``)."""
    from bwq_lab.edge import redact

    redact.install(app.logger)


def select_locale() -> str:
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: operations still build their messages
        return current_app.config.get("CLI_LOCALE") or current_app.config["BABEL_DEFAULT_LOCALE"]
    if "lang" in session and session["lang"] in languages:
        return session["lang"]
    if current_user and (locale := _user_locale(current_user._get_current_object())) in languages:
        return locale
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def _user_locale(user) -> str | None:
    """The user's language. A refused write is worded after its rollback, which expires the
    user: the language read when the token's user was loaded then (``g.user_locale``), rather
    than a reload of the user's row just for it."""
    state = sa_inspect(user, raiseerr=False)
    if state is not None and "locale" in state.unloaded and "user_locale" in g:
        return g.user_locale
    return getattr(user, "locale", None)


def load_user(user_id: str):
    """The session's user (a live server-side session, see ``edge.sessions``). An API request
    that carries a bearer token never comes here: it is that token's user whatever cookies it
    carries (``extensions.CredentialFirstLoginManager``; it needs no CSRF token)."""
    from bwq_lab.edge.sessions import load_session_user

    return load_session_user(user_id)


def load_user_from_token(req):
    """``Authorization: Bearer <token>`` for the API (only there); one indexed lookup by digest
    with a prebuilt statement (``operations.tokens``).

    ``last_used_at`` is refreshed at most once a minute per token, after the request's own
    transaction has ended (see ``_touch_api_token``): no write on every API request, and never
    inside, or waiting on, the request's transaction."""
    from bwq_lab.edge.sessions import bearer_applies

    if not bearer_applies(req):
        return None
    header = req.headers.get("Authorization", "")
    from datetime import timedelta

    from bwq_lab.models.base import utcnow
    from bwq_lab.operations.tokens import user_for_token

    found = user_for_token(header[7:].strip())
    if found is None:
        return None
    user, token_id, last_used_at = found
    g.api_token_id = token_id
    g.auth_via_token = True
    g.user_locale = user.locale  # (select_locale, after a rollback)
    now = utcnow()
    stale = now - timedelta(seconds=60)
    if last_used_at is None or last_used_at < stale:
        g.touch_api_token = (token_id, now, stale)  # done in _touch_api_token, after the request
    return user
