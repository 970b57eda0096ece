"""Configuration: defaults here, then ``instance/config.py``, then ``BWQ_*`` environment variables."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


class Defaults:
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in from the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    CLI_LOCALE: str | None = None  # language of operator commands and jobs (default: BABEL_DEFAULT_LOCALE)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # behind HTTPS set BWQ_SESSION_COOKIE_SECURE=true and BWQ_REMEMBER_COOKIE_SECURE=true
    # rate limits (docs/security.md): counters in the database, or Redis when THROTTLE_STORAGE_URI is redis://…
    THROTTLE_STORAGE_URI = "database"
    LOGIN_ACCOUNT_LIMIT = "10 per 15 minutes"  # failed sign-ins of one account, then it is locked
    LOGIN_IP_LIMIT = "30 per 15 minutes"  # failed sign-ins from one address, then a correct password waits
    LOGIN_IP_DELAY_SECONDS = 1.0
    PASSWORD_CHANGE_LIMIT = "5 per 15 minutes"  # wrong current passwords of one user
    REGISTRATION_LIMIT = "10 per hour"  # registration attempts from one address
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    PER_PAGE = 20
    # the goal dashboard and the home page's strip keep their counts this long per process
    # (seconds; 0: count on every request). None: 120, or 0 when TESTING.
    GOALS_CACHE_SECONDS: int | None = None
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    UPLOAD_FOLDER: str | None = None  # defaults to instance/uploads (never under static/)
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "BWQ Lab <noreply@bwq-lab.local>"
    OUTBOX_FOLDER: str | None = None  # defaults to instance/outbox
    # background jobs (docs/operations.md)
    JOB_LEASE_SECONDS = 60  # a scheduler that stops renewing loses the lead after this long
    JOB_SCHEDULES: dict = {}  # {"job name": seconds or "cron expression"} overrides the table
    JOBS_DISABLED: tuple = ()
    JOB_HISTORY_DAYS = 14  # job runs older than this are pruned
    QUALIFICATION_WARNING_DAYS = 7
    BOOKING_DECISION_DEADLINE_HOURS = 2  # a request undecided this long before its start expires
    BOOKING_REMINDER_HOURS = 24  # approved sessions are reminded this long before their start
    ORDER_REMINDER_DAYS = 1  # open lab-service orders are reminded this many days before their promised date
    DIGEST_PENDING_HOURS = 24  # managers' daily digest lists requests waiting longer than this
    # lab-service orders: result files (outside static/, served only to who may see the order)
    RESULTS_FOLDER: str | None = None  # defaults to instance/results
    RESULT_FILE_MAX_BYTES = 50 * 1024 * 1024  # per file; independent of MAX_CONTENT_LENGTH (pages)
    RESULT_FILES_PER_DELIVERY = 10
    ORDER_RETEST_DAYS = 15  # an enterprise may ask for a re-test this many days after delivery
    SEED_DEMO_IF_EMPTY = False
    # the public address users reach the site at (BWQ_BASE_URL, e.g. "https://lab.example.edu.cn"):
    # links in calendar feeds and e-mails; without it, the request's own host (bwq_lab.edge.links)
    BASE_URL: str | None = None
    # flask-smorest / OpenAPI
    API_TITLE = "BWQ Lab API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # the browsable reference at /api/v1/docs: Swagger UI vendored under static/ (no CDN)
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui-5.35.0/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            }
        },
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    }


def _coerce(value: str):
    """Environment values are strings; accept JSON literals (numbers, booleans, lists)."""
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def load_config(app, test_config: dict | None = None) -> None:
    app.config.from_object(Defaults)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, value in os.environ.items():
            if key.startswith("BWQ_"):
                app.config[key[4:]] = _coerce(value)
        if os.environ.get("BWQ_DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BWQ_DATABASE_URL"]
    else:
        app.config.update(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'bwq_lab.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("UPLOAD_FOLDER", None)
    app.config["UPLOAD_FOLDER"] = app.config["UPLOAD_FOLDER"] or str(instance / "uploads")
    app.config["OUTBOX_FOLDER"] = app.config["OUTBOX_FOLDER"] or str(instance / "outbox")
    app.config["RESULTS_FOLDER"] = app.config.get("RESULTS_FOLDER") or str(instance / "results")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance)


def normalise_db_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver we ship)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def instance_secret_key(instance: Path) -> str:
    """A secret generated on first run and kept in the instance folder (never committed)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
