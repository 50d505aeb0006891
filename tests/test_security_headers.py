"""Headers, cookies, error pages and the health check."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination.audit.models import AuditEvent, AuditLogIsAppendOnly
from coordination.extensions import db
from coordination.security import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url", ["/login", "/healthz", "/static/css/app.css", "/nowhere"])
def test_security_headers_on_every_kind_of_response(client, url):
    response = client.get(url)
    response.close()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_csp_allows_nothing_from_elsewhere_and_no_inline_code():
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_pages_are_not_cached_but_static_files_are_cacheable(login_as):
    client = login_as("coordinator.sokuluk")
    assert client.get("/cases").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_pages_load_nothing_from_the_internet(login_as):
    client = login_as("coordinator.sokuluk")
    for url in ("/cases", "/cases/new"):
        html = client.get(url).text
        assert "http://" not in html and "https://" not in html
        # The one served script (app.js) is allowed; nothing inline.
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None and "style=" not in html


def test_session_cookie_flags(client):
    from tests.helpers import login

    response = login(client, "police.sokuluk")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_requires_a_secret_key_and_secure_cookies(monkeypatch):
    from coordination import create_app
    from coordination.config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_load_test_config_is_production_on_plain_http(monkeypatch):
    """``make load`` serves plain HTTP on the loopback: cookies without Secure
    (a client drops Secure cookies there), everything else production's."""
    from coordination import create_app
    from coordination.config import LoadTestConfig, ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set in loadtest"):
        create_app(LoadTestConfig)
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    app = create_app(LoadTestConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.config["RATELIMIT_ENABLED"] is True
    for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "WTF_CSRF_ENABLED",
                "SESSION_COOKIE_HTTPONLY", "IDLE_TIMEOUT"):
        assert app.config[key] == getattr(ProductionConfig, key), key


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_error_pages_are_translated_and_plain(client):
    page = client.get("/nowhere?lang=ru")
    assert page.status_code == 404
    assert "Страница не найдена" in page.text
    assert "Traceback" not in page.text


def test_server_errors_show_no_trace(app, caplog):
    from coordination import create_app
    from tests.conftest import IsolatedClient, _config_dict

    failing = create_app({**_config_dict(), "TESTING": False,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @failing.route("/__boom")
    def boom():
        name = "secret survivor " + "name"  # built at run time, as data would be
        raise RuntimeError(name)

    failing.test_client_class = IsolatedClient
    response = failing.test_client().get("/__boom")
    assert response.status_code == 500
    assert "secret survivor name" not in response.text
    assert "secret survivor name" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_audit_events_cannot_be_changed_through_the_orm():
    event = db.session.scalars(sa.select(AuditEvent)).first()
    event.action = "logout"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.delete(db.session.scalars(sa.select(AuditEvent)).first())
        db.session.flush()


def test_development_secret_key_is_generated_once(tmp_path):
    from types import SimpleNamespace

    from coordination import _instance_secret_key

    app = SimpleNamespace(instance_path=str(tmp_path), config={"ENV_NAME": "development"})
    first = _instance_secret_key(app)
    assert len(first) == 64
    assert _instance_secret_key(app) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_administration_pages_have_no_inline_code_and_no_cache(login_as):
    client = login_as("admin")
    for url in ("/admin/users", "/admin/users/new", "/admin/users/import", "/admin/agencies",
                "/admin/agencies/new", "/admin/territories", "/admin/settings", "/profile",
                "/profile/password"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert re.search(r"<script(?![^>]*\bsrc=)", response.text) is None, url
        assert "style=" not in response.text, url
        assert "http://" not in response.text and "https://" not in response.text, url
        assert response.headers["Cache-Control"] == "no-store"


def _assert_security_headers(response):
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url, content_type", [
    ("/reports/aggregate.pdf", "application/pdf"),
    ("/reports/aggregate.csv", "text/csv"),
    ("/reports/aggregate.xlsx", "application/vnd.openxmlformats"),
])
def test_security_headers_on_downloads(login_as, url, content_type):
    response = login_as("ministry.analyst").get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"].startswith(content_type)
    _assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("username, url, code", [
    ("ministry.analyst", "/cases", 403),
    ("police.sokuluk", "/admin/users", 403),
])
def test_security_headers_on_refusals(login_as, username, url, code):
    response = login_as(username).get(url)
    assert response.status_code == code
    _assert_security_headers(response)
    assert "Traceback" not in response.text


def test_security_headers_on_an_html_page_of_a_signed_in_user(login_as):
    response = login_as("coordinator.sokuluk").get("/cases")
    assert response.headers["Content-Type"].startswith("text/html")
    _assert_security_headers(response)


def test_security_headers_on_a_refused_form(client):
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400  # no CSRF token
    _assert_security_headers(response)


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("code, username, method, url", [
    (400, None, "post", "/login"),  # no CSRF token
    (403, "ministry.analyst", "get", "/cases"),
    (404, "coordinator.sokuluk", "get", "/cases/999999"),
])
def test_error_pages_in_the_users_language(client, code, username, method, url, lang):
    from flask_babel import force_locale, gettext

    from coordination.errors import MESSAGES
    from tests.helpers import login

    client.get(f"/login?lang={lang}")
    if username:
        login(client, username)
    response = getattr(client, method)(url)
    assert response.status_code == code
    assert f'<html lang="{lang}">' in response.text
    with force_locale(lang):
        assert str(MESSAGES[code][0]) in response.text
        assert gettext("Not found") != "Not found"
    assert "Traceback" not in response.text and "Werkzeug" not in response.text
