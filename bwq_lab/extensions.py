"""Flask extensions, created unbound; ``factory.register_extensions`` binds them."""

from collections.abc import Callable

from flask import Request, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CredentialFirstLoginManager(LoginManager):
    """Flask-Login asks a remember-me cookie before the request loader, so an API call carrying
    both a valid bearer token and a remember cookie (a browser script, a client that kept its
    cookies) was refused with 401: the user loader declines bearer calls, and the request loader
    was never asked. Here a request that carries its own credential (``credential_in_request``,
    set by the factory: a bearer token on /api/v1) is that credential's user and nothing else;
    every other request loads as Flask-Login does."""

    credential_in_request: Callable[[Request], bool] | None = None

    def _load_user(self):
        if self.credential_in_request is not None and self.credential_in_request(request):
            return self._update_request_context_with_user(self._load_user_from_request(request))
        return super()._load_user()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = CredentialFirstLoginManager()
csrf = CSRFProtect()
babel = Babel()
