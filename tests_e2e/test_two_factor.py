"""A new user switches two-factor sign-in on and signs in with a code from the app."""
from __future__ import annotations

import re
import time

import pyotp

from coordination.accounts.models import Role
from coordination.accounts.services import create_user
from coordination.agencies.models import Agency
from coordination.extensions import db
from tests_e2e.accessibility import check_both_widths
from tests_e2e.test_journey import check_languages, no_errors

USERNAME = "twofactor.sokuluk"
PASSWORD = "a long walk along the Chui river"


def _create_user(app) -> None:
    with app.app_context():
        agency = db.session.scalar(db.select(Agency).where(Agency.code == "SOKULUK-SOCIAL"))
        create_user(USERNAME, "Гүлзат Токтогулова", agency, Role.MEMBER, PASSWORD)
        db.session.commit()
        db.session.remove()


def _password_step(page) -> None:
    page.goto("/login?lang=en")
    check_both_widths(page)
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    check_both_widths(page)


def _code(secret: str) -> str:
    # The next time step's code: accepted (one step of drift is allowed), and
    # never the step already used when the set-up was confirmed.
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_two_factor_set_up_and_sign_in(new_page, live_app):
    _create_user(live_app)
    page = new_page()
    _password_step(page)
    assert "/login" not in page.url, page.url  # no code asked yet: it is off

    page.goto("/profile")
    check_both_widths(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Manage two-factor sign-in").click()
    check_both_widths(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Set up two-factor sign-in").click()
    check_languages(page, live_app, "Set up two-factor sign-in")
    # The QR code is served as an image from its own route (the CSP allows no data: URL).
    assert page.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    no_errors(page)
    check_both_widths(page)
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    with page.expect_navigation():
        page.get_by_role("link", name="I have saved them").click()
    check_both_widths(page)

    with page.expect_navigation():
        page.locator("form.logout button").click()
    check_both_widths(page)
    _password_step(page)
    assert page.url.endswith("/login/two-factor"), page.url
    # Between the password and the code the browser is signed in nowhere.
    page.goto("/cases")
    check_both_widths(page)
    assert "/login" in page.url and "/cases" not in page.url.split("?")[0]
    page.goto("/login/two-factor")
    check_both_widths(page)
    page.fill("input[name=code]", _code(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    no_errors(page)
    assert "/login" not in page.url, page.url
    check_both_widths(page)
    page.goto("/profile")
    check_both_widths(page)
    assert "Signed in with a code" in page.content()
