"""Interagency case coordination for the prevention of family violence."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from coordination.config import BaseConfig, config_from_environment
from coordination.database import (
    configure_postgresql,
    configure_sqlite,
    default_sqlite_uri,
    normalise_database_url,
)

#: The repository root: templates/ and migrations/ live beside the packages.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CoordinationFlask(Flask):
    """Flask with one commit point per request (:mod:`coordination.pipeline`),
    and unhandled errors logged without their message."""

    def handle_user_exception(self, e):
        from coordination.pipeline import abandon

        abandon()  # any exception, handled or not, undoes the request's work
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        from coordination.pipeline import abandon

        abandon()
        return super().handle_exception(e)

    def finalize_request(self, rv, from_error_handler: bool = False):
        if not from_error_handler:
            from coordination.pipeline import conclude

            conclude()  # the request's one commit, before the response is made
        return super().finalize_request(rv, from_error_handler)

    def log_exception(self, exc_info) -> None:
        from coordination.errors import log_exception

        log_exception(exc_info)


def create_app(config: type[BaseConfig] | Mapping | None = None) -> Flask:
    """Build the application.

    ``config`` is a config class or a mapping of overrides; by default the
    class named by ``COORDINATION_ENV``. ``DATABASE_URL`` and ``SECRET_KEY``
    from the environment override the class.
    """
    app = CoordinationFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_relative_config=True,
    )
    _load_config(app, config)
    _trust_the_proxy(app)
    _bound_route_integers(app)
    _init_extensions(app)
    from coordination import public_ids

    public_ids.init_app(app)  # the URL converters, before the routes use them
    _register_blueprints(app)

    from coordination import cli, errors, i18n, security, templating

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    from coordination.deliveries import transport

    transport.init_app(app)
    return app


def _load_config(app: Flask, config) -> None:
    overrides: Mapping = {}
    if config is None or isinstance(config, Mapping):
        overrides = config or {}
        config = config_from_environment()
    app.config.from_object(config)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("DATABASE_REPLICA_URL"):
        app.config["DATABASE_REPLICA_URL"] = os.environ["DATABASE_REPLICA_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    # The deployment's default interface language (Kyrgyz unless set).
    default_language = os.environ.get("DEFAULT_LANGUAGE") or os.environ.get(
        "BABEL_DEFAULT_LOCALE")
    if default_language:
        app.config["BABEL_DEFAULT_LOCALE"] = default_language
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    for name in ("DOCUMENT_STORE", "DOCUMENTS_FOLDER", "DOCUMENTS_S3_BUCKET",
                 "DOCUMENTS_S3_PREFIX", "DOCUMENTS_S3_ENDPOINT_URL", "DOCUMENTS_S3_REGION"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("PROXY_FIX_X_FOR"):
        app.config["PROXY_FIX_X_FOR"] = int(os.environ["PROXY_FIX_X_FOR"])
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    from coordination.deliveries.settings import apply_environment

    apply_environment(app.config)
    app.config.update(overrides)
    named_store = os.environ.get("RATELIMIT_STORAGE_URI") or "RATELIMIT_STORAGE_URI" in overrides
    if app.config.get("REDIS_URL") and not named_store:
        # Several processes must count sign-in attempts together.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        normalise_database_url(uri) if uri else default_sqlite_uri(app.instance_path)
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)


def _bound_route_integers(app: Flask) -> None:
    """Every ``<int:...>`` in a route stops at the database's largest id: a
    larger one answers 404 like any missing object (``coordination.bounds``)."""
    from coordination.bounds import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter


def _trust_the_proxy(app: Flask) -> None:
    """Behind the documented reverse proxy, read the client's address from
    the ``X-Forwarded-For`` hops it adds (``PROXY_FIX_X_FOR``, 0 = no proxy):
    the per-address sign-in limits and the audit log then see real clients.
    Never more hops than there are trusted proxies: a client could forge the
    header's earlier entries."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                x_prefix=0)


def _instance_secret_key(app: Flask) -> str:
    """Development only: a key generated once into the instance folder.

    Production must be given ``SECRET_KEY``: a key made up on one server
    would differ between workers and vanish with a redeploy.
    """
    if app.config.get("SECRET_KEY_REQUIRED"):
        raise RuntimeError(f"SECRET_KEY must be set in {app.config['ENV_NAME']}")
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from coordination import (
        derived,
        models,  # noqa: F401  (registers every table)
    )
    from coordination.extensions import csrf, db, login_manager, migrate
    from coordination.replica import routing

    db.init_app(app)
    derived.install()  # the statistics layer and the case-access rows follow every change
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)
    routing.init_app(app)  # the read replica, when DATABASE_REPLICA_URL names one
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from coordination.accounts.admin_views import bp as users_bp
    from coordination.accounts.two_factor_views import bp as two_factor_bp
    from coordination.accounts.views import bp as accounts_bp
    from coordination.agencies.views import bp as agencies_bp
    from coordination.api.admin_views import bp as api_clients_bp
    from coordination.api.views import bp as api_bp
    from coordination.audit.views import bp as audit_bp
    from coordination.cases.views import bp as cases_bp
    from coordination.consent.views import bp as consent_bp
    from coordination.core.views import bp as core_bp
    from coordination.deliveries.views import bp as deliveries_bp
    from coordination.documents.views import bp as documents_bp
    from coordination.followups.views import bp as followups_bp
    from coordination.meetings.views import bp as meetings_bp
    from coordination.notes.views import bp as notes_bp
    from coordination.notifications.views import bp as notifications_bp
    from coordination.order_checks.views import bp as order_checks_bp
    from coordination.population.views import bp as population_bp
    from coordination.printing.views import bp as printing_bp
    from coordination.programmes.views import bp as programmes_bp
    from coordination.protection.views import bp as protection_bp
    from coordination.referrals.views import bp as referrals_bp
    from coordination.reports.views import bp as reports_bp
    from coordination.risk.views import bp as risk_bp
    from coordination.safety.views import bp as safety_bp
    from coordination.settings.views import bp as settings_bp
    from coordination.territories.views import bp as territories_bp
    from coordination.transfers.views import bp as transfers_bp
    from coordination.triage.views import bp as triage_bp

    for blueprint in (api_bp, api_clients_bp, triage_bp,
                      core_bp, accounts_bp, two_factor_bp, cases_bp, referrals_bp,
                      followups_bp, consent_bp, risk_bp, protection_bp, programmes_bp,
                      notifications_bp, users_bp, agencies_bp, territories_bp, population_bp,
                      settings_bp,
                      meetings_bp, reports_bp, audit_bp, order_checks_bp, documents_bp,
                      printing_bp, notes_bp, safety_bp, transfers_bp, deliveries_bp):
        app.register_blueprint(blueprint)

    from coordination.case_sections import SECTIONS

    app.extensions["case_sections"] = SECTIONS
    from coordination.next_step import for_page

    app.extensions["case_next_step"] = for_page
    from coordination.home_panels import PANELS

    app.extensions["home_panels"] = PANELS
