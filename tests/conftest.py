"""Shared fixtures.

The database is real: SQLite in a temporary file by default, or PostgreSQL when
``BWQ_TEST_DATABASE_URL`` names a server (a uniquely named database is created for the run and
dropped after it). Each test starts from empty tables plus the region tree; tests commit for real,
so concurrency tests can use several connections.

Domain tests (tests/domain) need none of this: the Flask imports below happen lazily.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from datetime import UTC, datetime

import pytest

# Property tests explore the same examples on every CI run (a failure there is reproducible, never
# a one-off); on a developer's machine they keep searching new ones.
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hypothesis_settings.load_profile("ci")

FIXED_NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Asia/Shanghai
PASSWORD = "correct horse battery"


def _pg_admin_url() -> str | None:
    url = os.environ.get("BWQ_TEST_DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres")) else None


def pytest_report_header(config):
    url = _pg_admin_url()
    return f"database: {'PostgreSQL ' + re.sub(r'//[^@]*@', '//', url) if url else 'SQLite (temporary file)'}"


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # once, before any worker (make test runs two) starts
        _compile_translations()
    url = _pg_admin_url()
    if url is None:
        return
    try:
        import psycopg

        psycopg.connect(_plain(url), connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        reason = f"PostgreSQL at {url} is not reachable ({exc.__class__.__name__}: {exc})".strip()
        if os.environ.get("CI"):
            raise pytest.UsageError(f"{reason}; CI requires PostgreSQL") from exc
        pytest.exit(f"SKIPPED the PostgreSQL run: {reason}", returncode=0)


def _plain(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    admin = _pg_admin_url()
    if admin is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    import psycopg

    name = f"bwq_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_plain(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = _plain(admin).rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_plain(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _compile_translations() -> None:
    """Tests see the UI exactly as users do: the .mo files compiled from the committed .po."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if (root / "bwq_lab" / "translations").is_dir():
        pybabel = Path(sys.executable).with_name("pybabel")
        subprocess.run([str(pybabel), "-q", "compile", "-d", str(root / "bwq_lab" / "translations")], check=True)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from bwq_lab.extensions import db
    from bwq_lab.factory import create_app
    from bwq_lab.operations.regions import ensure_regions

    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(instance / "uploads"),
            "OUTBOX_FOLDER": str(instance / "outbox"),
            "RESULTS_FOLDER": str(instance / "results"),
            "SERVER_NAME": "localhost",
            "CLI_LOCALE": "en",  # tests read English messages; tests/test_translations.py covers Chinese
            "PREFERRED_URL_SCHEME": "http",
        }
    )
    with app.app_context():
        if database_url.startswith("postgresql"):
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        db.create_all()
        ensure_regions()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


KEEP_TABLES = {"regions", "alembic_version"}


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty every table but the region tree after each test that used the app."""
    yield
    if "app" in request.fixturenames:
        empty_tables(request.getfixturevalue("app"))


def empty_tables(app) -> None:
    """Empty every table but the region tree, and start their ids at 1 again.

    DELETE, dependents first, on both databases: a PostgreSQL TRUNCATE of the ~40 tables gives each
    table, index and TOAST table new files, 0.3-1 s a call (most of the PostgreSQL run), where
    deleting the few rows a test wrote takes milliseconds. The sequences are set back as TRUNCATE's
    RESTART IDENTITY would (setval: no new files either); SQLite starts at 1 again by itself."""
    from sqlalchemy import select, text

    from bwq_lab.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            refusing = _refusing_delete(conn)
            for t in tables:
                if t.name not in refusing:
                    conn.execute(t.delete())
                elif conn.execute(select(t).limit(1)).first() is not None:
                    conn.execute(text(f'TRUNCATE "{t.name}"'))
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text(
                        "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s"
                        " JOIN pg_depend d ON d.objid = s.seqrelid AND d.deptype IN ('a', 'i')"
                        " JOIN pg_class t ON t.oid = d.refobjid WHERE t.relname = ANY(:tables)"
                    ),
                    {"tables": [t.name for t in tables]},
                )
            else:
                conn.execute(text("DELETE FROM instrument_search"))  # the FTS5 index is not in the metadata


def _refusing_delete(conn) -> set[str]:
    """The tables a trigger of ours keeps rows in (the audit log refuses DELETE on PostgreSQL): those
    are emptied with TRUNCATE, which row triggers do not see, and only when they hold a row."""
    if conn.dialect.name != "postgresql":
        return set()
    from sqlalchemy import text

    query = "SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE NOT g.tgisinternal"
    return set(conn.execute(text(query)).scalars())


@pytest.fixture
def ctx(app):
    """An application context for tests that call operations or models directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    """A browser that prefers English (most assertions read English text; Chinese, the default
    for Chinese browsers and for no preference, is covered by tests/test_translations.py)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def now():
    return FIXED_NOW


# ---------------------------------------------------------------- factories (return callables)
@pytest.fixture
def city(app):
    """Look a city up by Chinese name (the region tree is always there)."""
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import Region

    def get(name: str = "杭州") -> Region:
        return db.session.execute(select(Region).where(Region.level == "city", Region.name == name)).scalar_one()

    return get


@pytest.fixture
def create_provider(app, city):
    from bwq_lab.extensions import db
    from bwq_lab.models import Provider

    def make(**overrides) -> Provider:
        c = overrides.pop("city", None) or city("杭州")
        values = dict(name="浙江大学分析测试中心", name_en="Zhejiang University Analysis Centre", kind="university")
        values.update(overrides)
        provider = Provider(region_id=c.children[0].id, city_id=c.id, **values)
        db.session.add(provider)
        db.session.commit()
        return provider

    return make


@pytest.fixture
def create_instrument(app, create_provider):
    from bwq_lab.extensions import db
    from bwq_lab.models import Instrument

    def make(**overrides) -> Instrument:
        provider = overrides.pop("provider", None) or create_provider()
        values = dict(
            name="场发射扫描电子显微镜",
            name_en="Field-emission scanning electron microscope",
            model="SU8010",
            manufacturer="Hitachi",
            category="electron_microscopy",
            capabilities="形貌观察 morphology EDS",
            price_internal_fen=20000,
            price_external_fen=40000,
        )
        values.update(overrides)
        instrument = Instrument(provider_id=provider.id, **values)
        db.session.add(instrument)
        db.session.commit()
        return instrument

    return make


@pytest.fixture
def create_service(app, create_provider):
    from bwq_lab.extensions import db
    from bwq_lab.models import LabService

    def make(**overrides) -> LabService:
        provider = overrides.pop("provider", None) or create_provider()
        values = dict(
            name="材料成分检测",
            name_en="Material composition testing",
            kind="testing_analysis",
            price_internal_fen=30000,
            price_external_fen=50000,
        )
        values.update(overrides)
        service = LabService(provider_id=provider.id, **values)
        db.session.add(service)
        db.session.commit()
        return service

    return make


@pytest.fixture
def create_enterprise(app, city):
    import random

    from bwq_lab.domain.uscc import generate
    from bwq_lab.extensions import db
    from bwq_lab.models import Enterprise

    rng = random.Random(7)

    def make(**overrides) -> Enterprise:
        c = overrides.pop("city", None) or city("杭州")
        values = dict(
            name=f"杭州测试科技有限公司{rng.randint(1, 10**6)}", uscc=generate(rng, c.code), category="tech_sme"
        )
        values.update(overrides)
        enterprise = Enterprise(region_id=c.children[0].id, city_id=c.id, **values)
        db.session.add(enterprise)
        db.session.commit()
        return enterprise

    return make


@pytest.fixture
def create_user(app, create_enterprise, create_provider, city):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    counter = iter(range(1, 10**6))

    def make(role: str = "enterprise", **overrides) -> User:
        n = next(counter)
        values = dict(email=f"{role}{n}@example.com", name=f"{role} {n}", role=role)
        if role == "enterprise" and "enterprise" not in overrides and "enterprise_id" not in overrides:
            values["enterprise"] = create_enterprise()
        if role == "manager" and "provider" not in overrides and "provider_id" not in overrides:
            values["provider"] = create_provider()
            values["manages_all"] = True
        if role == "city_admin" and "city" not in overrides:
            values["city"] = city("杭州")
        password = overrides.pop("password", PASSWORD)
        values.update(overrides)
        user = User(password_hash=password_hash(password), **values)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@functools.cache
def password_hash(password: str) -> str:
    """The factories' users share one real hash per password, made by User.set_password as any other.

    Werkzeug's scrypt costs ~0.15 s a call by design; hashing afresh for each of the ~1,200 users the
    suite creates was over a third of its time on either database. Signing in still checks the
    password against the hash in full, and the code that hashes (registration, password change and
    reset, the demo logins) is tested where it runs."""
    from bwq_lab.models import User

    user = User()
    user.set_password(password)
    return user.password_hash


# ---------------------------------------------------------------- browser-ish helpers
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def csrf_token(client):
    """The CSRF token of the client's session, read from a page as a browser would."""

    def get(path: str = "/") -> str:
        page = client.get(path).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "page has no csrf-token meta tag"
        return match.group(1)

    return get


@pytest.fixture
def post_form(client, csrf_token):
    """POST a form with the session's CSRF token, as the browser would."""

    def post(path: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token())
        return client.post(path, data=data, **kwargs)

    return post


@pytest.fixture
def login(client, post_form):
    def do(user, password: str = PASSWORD):
        response = post_form("/login", {"email": user.email, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def token_for(app):
    """A personal access token for a user: returns the ``Authorization`` header dict."""
    from bwq_lab.extensions import db
    from bwq_lab.models import ApiToken

    def make(user, name: str = "test") -> dict:
        token, plain = ApiToken.issue(db.session.merge(user), name)
        db.session.add(token)
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


@pytest.fixture
def frozen_clock(app):
    """Pin the app's clock (bwq_lab.clock.now) to FIXED_NOW for this test."""
    yield from _pinned_clock(app, FIXED_NOW)


def _pinned_clock(app, moment: datetime):
    app.config["FIXED_NOW"] = moment
    yield moment
    app.config.pop("FIXED_NOW", None)


@pytest.fixture
def one_rate_window(app):
    """Pin the app's clock to this moment: the rate limits count in fixed windows (15 minutes for
    the logins), and a test that fills a counter must not see it emptied by a window that ends
    while it runs (a loaded machine made one such test straddle 08:15:00 and fail)."""
    yield from _pinned_clock(app, datetime.now(UTC))


def local(text: str) -> datetime:
    """'2026-12-02 10:00' in Asia/Shanghai as an aware datetime."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def chinese_browser(client):
    """The client prefers Chinese (names then show as 中文, e.g. Provider.name rather than name_en)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return client
