"""A database with synthetic data instead of the demo set, for this package.

The ``app`` fixture is overridden here, so the suite's other fixtures
(``client``, ``login_as``, ``user``, the rolled-back transaction per test)
work on the seeded database.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from flask_migrate import upgrade

from coordination import create_app
from coordination.extensions import db
from coordination.maintenance.synthetic import seed_synthetic
from tests import databases
from tests.conftest import _config_dict

SEED = 11
CASES = 300
#: The moment the synthetic data is anchored to.
NOW = datetime(2026, 11, 1, 9, 30)


@pytest.fixture(scope="package")
def app(tmp_path_factory):
    with databases.scratch_database(tmp_path_factory.mktemp("synthetic")) as url:
        app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            app.extensions["synthetic_summary"] = seed_synthetic(CASES, SEED, now=NOW)
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def summary(app):
    return app.extensions["synthetic_summary"]
