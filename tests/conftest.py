"""Test harness: one migrated database with the demo data per run, and a
rolled-back transaction around every test.

Run on SQLite by default; with ``TEST_DATABASE_URL`` on a fresh PostgreSQL
database created for the run (see ``tests/databases.py``).
"""
from __future__ import annotations

import contextvars
import os
from contextlib import contextmanager
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_migrate import upgrade

from coordination import create_app
from coordination.accounts.models import Role, User
from coordination.accounts.services import create_user
from coordination.agencies.models import Agency
from coordination.config import TestingConfig
from coordination.demo import load_demo
from coordination.extensions import db
from coordination.replica.session import RoutingSession, replica_for
from tests import databases
from tests.helpers import DEMO_PASSWORD, login

# Operator commands speak the shell's language (coordination.i18n); the suite
# expects English whatever locale the machine running it has.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

DEMO_SEED = 20261126
#: The moment the demo data is anchored to, so that tests do not drift with time.
DEMO_NOW = datetime(2026, 11, 1, 9, 30)


def pytest_report_header(config):
    return f"database backend: {databases.backend_name()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with databases.scratch_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        load_demo(DEMO_SEED, now=DEMO_NOW)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def _config_dict() -> dict:
    return {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}


@contextmanager
def separate_app(tmp_path):
    """An app on its own new, empty database, outside the suite's transaction."""
    with databases.scratch_database(tmp_path) as url:
        app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
        suite_session = db.session
        db.session = db._make_scoped_session({})
        try:
            with app.app_context():
                yield app
                db.session.remove()
                db.engine.dispose()
        finally:
            db.session = suite_session


class _ConnectionBoundSession(RoutingSession):
    """Flask-SQLAlchemy's session picks an engine per model and so ignores a
    session-wide ``bind``; the test transaction needs that bind honoured.
    A page's reads still go to a read replica where a test installs one."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        replica = replica_for(self, clause) if bind is None else None
        return bind or replica or self.bind or super().get_bind(mapper, clause, bind, **kwargs)


@pytest.fixture(autouse=True)
def _rollback(app):
    """Run each test inside a transaction that is rolled back afterwards.

    The app's session joins the outer transaction; its commits become
    SAVEPOINT releases, so route tests can commit as they do in production.
    """
    # A module-scoped fixture may have read through the app's own session; its
    # transaction would hold SQLite's write lock (BEGIN IMMEDIATE) against ours.
    db.session.rollback()
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint",
         "class_": _ConnectionBoundSession}
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own application context.

    The suite keeps an app context pushed for direct database access; Flask
    would let requests share it, and with it ``g`` (Flask-Login's cached
    user) and the database session. Running each request in an empty
    ``contextvars`` context makes it push and tear down its own, as in
    production.

    Its browser asks for English, so that assertions can name English texts;
    tests of the language choice set their own Accept-Language.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(autouse=True)
def _english_outside_requests(app):
    """Services called directly by tests speak English, so that assertions can
    name their messages; requests still choose their own language."""
    with force_locale("en"):
        yield


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def browser(app):
    """``browser()``: another browser with its own session, beside ``client``."""
    app.test_client_class = IsolatedClient
    return app.test_client


@pytest.fixture
def user():
    """``user("police.sokuluk")``: a demo user, loaded in the test's session."""

    def get(username: str) -> User:
        db.session.flush()  # keep the test's own changes ...
        db.session.expire_all()  # ... and see what requests committed meanwhile
        found = db.session.scalar(sa.select(User).where(User.username == username))
        assert found is not None, username
        return found

    return get


@pytest.fixture
def login_as(client):
    """``login_as("coordinator.sokuluk")``: the client signed in as that user."""

    def sign_in(username: str):
        response = login(client, username)
        assert response.status_code == 302, f"login of {username} failed"
        return client

    return sign_in


@pytest.fixture
def agency():
    """``agency("SOKULUK-POLICE")``: a demo agency by its code."""

    def get(code: str) -> Agency:
        found = db.session.scalar(sa.select(Agency).where(Agency.code == code))
        assert found is not None, code
        return found

    return get


@pytest.fixture
def make_user(agency):
    """``make_user("colleague.sokuluk", "SOKULUK-COMMITTEE", "member")``: a new
    user with the demo password, committed (and rolled back after the test)."""

    def make(username: str, agency_code: str, role: str = "member") -> User:
        created = create_user(username, f"Test {username}", agency(agency_code), Role(role),
                              DEMO_PASSWORD)
        db.session.commit()
        return created

    return make
