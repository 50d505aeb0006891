"""Browser journeys: the app served on a free loopback port from a fresh
SQLite file (migrated, demo data loaded), driven by Playwright through
Debian's Chromium. Nothing is downloaded: ``playwright install`` is never run.

On a failed test the page's screenshot and HTML are kept in ``test-output/``.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from coordination import create_app
from coordination.config import TestingConfig
from coordination.demo import load_demo
from coordination.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
DEMO_SEED = 20261126


def pytest_configure(config):
    # The live server's thread may leave a static file open when Chromium
    # drops a request it no longer needs (a favicon or a style sheet after
    # navigating on): the harness's leak, not the app's, and it surfaced as a
    # random journey failing on "unclosed file". Only static files are let go.
    config.addinivalue_line(
        "filterwarnings",
        r"ignore:unclosed file <_io.BufferedReader name='[^']*/coordination/static/"
        r":ResourceWarning")
    config.addinivalue_line(
        "filterwarnings",
        r"ignore:Exception ignored in. <_io.FileIO name='[^']*/coordination/static/"
        r":pytest.PytestUnraisableExceptionWarning")


def _config() -> dict:
    return {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    # The limiter stays on, as in production, but the journeys sign in a few
    # dozen times a minute from one address, which no office does.
    app = create_app({**_config(), "TESTING": False, "RATELIMIT_ENABLED": True,
                      "LOGIN_RATE_LIMIT": "200 per minute",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        load_demo(DEMO_SEED)
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, base_url, request):
    """``new_page()``: a page in a browser context of its own (its own cookies)."""
    pages = []

    def make(viewport: dict | None = None):
        options = {"viewport": viewport} if viewport else {}
        context = chromium.new_context(base_url=base_url, locale="en-US",
                                       accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(exist_ok=True)
        for number, page in enumerate(pages):
            stem = OUTPUT / f"{request.node.name}-{number}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            except Exception:  # noqa: BLE001  (a closed page must not hide the failure)
                pass
    for page in pages:
        page.context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
