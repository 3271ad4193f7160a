"""Extensions, created unbound here and bound to an app in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Constraint names must be predictable so that migrations name them the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()


class SessionLoginManager(LoginManager):
    """Flask-Login without "remember me" cookies: a sign-in lasts as long as the browser session.

    The stock after-request hook reads the session on every response to refresh that cookie, which
    adds ``Vary: Cookie`` to the API and public pages that never look at who is signed in. With no
    remember cookie there is nothing to refresh (tests/test_caching.py checks the headers).
    """

    def _update_remember_cookie(self, response):
        return response


login_manager = SessionLoginManager()
