"""Two-factor sign-in, service by service: enrolment, codes, replay, the window,
recovery codes, the lockout, the requirement by group, turning off, resets."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination.accounts import two_factor
from coordination.accounts.models import RecoveryCode, TwoFactorCredential
from coordination.accounts.services import AccountError, LoginOutcome, authenticate
from coordination.accounts.two_factor import CodeOutcome
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.settings.services import update_settings
from tests.helpers import DEMO_PASSWORD, TOTP_NOW, enrol, totp_code

LATER = TOTP_NOW + timedelta(minutes=10)
STEP = timedelta(seconds=30)


def _step(moment: datetime) -> int:
    """The TOTP time step (30 seconds) of a naive UTC moment."""
    return int(moment.replace(tzinfo=UTC).timestamp()) // 30


def _audited(action: AuditAction, user_id: int | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


# --- enrolment ---------------------------------------------------------------------------


def test_enrolment_switches_on_only_with_a_current_code(user):
    police = user("police.sokuluk")
    secret = two_factor.begin_enrolment(police)
    assert police.two_factor is not None and not police.has_two_factor
    assert two_factor.pending_secret(police) == secret
    assert len(secret) == 32  # 160 bits
    for wrong in ("000000", totp_code(secret, TOTP_NOW - 3 * STEP), "abcdef", ""):
        with pytest.raises(AccountError) as refused:
            two_factor.confirm_enrolment(police, wrong, TOTP_NOW)
        assert refused.value.field == "code"
    assert not police.has_two_factor

    epoch = police.session_epoch
    codes = two_factor.confirm_enrolment(police, totp_code(secret, TOTP_NOW), TOTP_NOW)
    assert police.has_two_factor
    assert two_factor.pending_secret(police) is None
    assert police.session_epoch == epoch + 1  # other sessions end
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    assert _audited(AuditAction.TWO_FACTOR_ENABLED, police.id)


def test_a_begun_enrolment_keeps_its_secret_and_a_finished_one_cannot_begin_again(user):
    social = user("social.sokuluk")
    first = two_factor.begin_enrolment(social)
    assert two_factor.begin_enrolment(social) == first  # a reload keeps the scanned QR
    two_factor.confirm_enrolment(social, totp_code(first, TOTP_NOW), TOTP_NOW)
    with pytest.raises(AccountError, match="already on"):
        two_factor.begin_enrolment(social)
    with pytest.raises(AccountError, match="Start the set-up again"):
        two_factor.confirm_enrolment(social, totp_code(first, LATER), LATER)


def test_recovery_codes_are_stored_only_as_argon2_hashes(user):
    police = user("police.sokuluk")
    _secret, codes = enrol(police)
    stored = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == police.id)).all()
    assert len(stored) == 10
    assert all(h.startswith("$argon2id$") for h in stored)
    plain = {code.replace("-", "") for code in codes}
    assert not any(p in h for p in plain for h in stored)


def test_the_secret_is_encrypted_at_rest(app, user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    stored = db.session.scalar(sa.select(TwoFactorCredential.secret).where(
        TwoFactorCredential.user_id == police.id))
    assert secret not in stored and secret.lower() not in stored.lower()
    assert two_factor.decrypt_secret(stored) == secret
    # Another SECRET_KEY opens nothing: the database alone does not give it away.
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "some-other-key"
    try:
        assert two_factor.decrypt_secret(stored) is None
    finally:
        app.config["SECRET_KEY"] = original


def test_a_rotated_secret_key_still_decrypts_from_the_fallbacks(app, user, monkeypatch):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "the-new-secret-key")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert two_factor.verify_login_code(police, totp_code(secret, LATER), LATER) \
        is CodeOutcome.ACCEPTED
    # Stored again under the new key: it no longer needs the old one.
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert two_factor.decrypt_secret(police.two_factor.secret) == secret


def test_an_undecryptable_secret_refuses_the_code_without_an_error(app, user, monkeypatch):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-key-that-lost-the-old-one")
    assert two_factor.verify_login_code(police, totp_code(secret, LATER), LATER) \
        is CodeOutcome.REFUSED


def test_the_qr_code_is_svg_without_script_or_inline_style(user):
    police = user("police.sokuluk")
    secret = two_factor.begin_enrolment(police)
    uri = two_factor.provisioning_uri(police, secret)
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri and "police.sokuluk" in uri
    svg = two_factor.qr_code_svg(uri).decode()
    assert svg.startswith("<svg") and "<path" in svg
    assert "style" not in svg and "<script" not in svg and "data:" not in svg


def test_the_key_is_shown_in_groups_of_four():
    assert two_factor.grouped("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"


# --- codes at sign-in ----------------------------------------------------------------------


@pytest.mark.parametrize(("steps", "accepted"),
                         [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_codes_of_one_step_either_side_are_accepted(user, steps, accepted):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    outcome = two_factor.verify_login_code(police, totp_code(secret, LATER + steps * STEP), LATER)
    assert (outcome is CodeOutcome.ACCEPTED) is accepted


def test_a_code_is_never_accepted_twice(user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    code = totp_code(secret, LATER)
    assert two_factor.verify_login_code(police, code, LATER) is CodeOutcome.ACCEPTED
    assert police.two_factor.last_used_step == _step(LATER)
    # The same code again, even within its window ...
    assert two_factor.verify_login_code(police, code, LATER + STEP) is CodeOutcome.REFUSED
    # ... and an older step's code, still in the window, neither.
    older = totp_code(secret, LATER - STEP)
    assert two_factor.verify_login_code(police, older, LATER) is CodeOutcome.REFUSED
    # The next step's code is fine.
    later = totp_code(secret, LATER + STEP)
    assert two_factor.verify_login_code(police, later, LATER + STEP) is CodeOutcome.ACCEPTED


def test_the_enrolment_code_cannot_be_used_to_sign_in(user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    used = totp_code(secret, TOTP_NOW)
    assert two_factor.verify_login_code(police, used, TOTP_NOW) is CodeOutcome.REFUSED


def test_a_recovery_code_works_once(user):
    police = user("police.sokuluk")
    _secret, codes = enrol(police)
    assert two_factor.verify_login_code(police, codes[0], LATER) is CodeOutcome.RECOVERY_CODE
    assert two_factor.unused_recovery_codes(police) == 9
    assert two_factor.verify_login_code(police, codes[0], LATER) is CodeOutcome.REFUSED
    # Typed loosely: capitals, spaces, no hyphens.
    loose = " " + codes[1].replace("-", " ").upper() + " "
    assert two_factor.verify_login_code(police, loose, LATER) is CodeOutcome.RECOVERY_CODE
    assert _audited(AuditAction.LOGIN_RECOVERY_CODE_USED, police.id)


def test_a_right_password_alone_does_not_sign_in_nor_clear_the_failures(user):
    police = user("police.sokuluk")
    enrol(police)
    police.failed_login_count = 3
    before = police.last_login_at
    assert authenticate("police.sokuluk", DEMO_PASSWORD).outcome is LoginOutcome.CODE_NEEDED
    # Otherwise a known password would buy unlimited guesses at the code.
    assert police.failed_login_count == 3
    assert police.last_login_at == before
    assert not _audited(AuditAction.LOGIN_SUCCEEDED, police.id)


def test_a_right_code_completes_the_sign_in(user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    police.failed_login_count = 3
    assert two_factor.verify_login_code(police, totp_code(secret, LATER), LATER) \
        is CodeOutcome.ACCEPTED
    assert police.failed_login_count == 0
    assert police.last_login_at is not None
    assert _audited(AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED, police.id)


def test_wrong_codes_count_towards_the_lockout_and_are_audited(app, user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    limit = app.config["LOGIN_MAX_FAILURES"]
    outcomes = [two_factor.verify_login_code(police, "000000", LATER) for _ in range(limit)]
    assert outcomes == [CodeOutcome.REFUSED] * (limit - 1) + [CodeOutcome.LOCKED]
    assert police.is_locked
    assert len(_audited(AuditAction.LOGIN_CODE_FAILED, police.id)) == limit
    assert _audited(AuditAction.LOGIN_LOCKED, police.id)
    # While locked, even the right code is refused unchecked.
    assert two_factor.verify_login_code(police, totp_code(secret, LATER), LATER) \
        is CodeOutcome.LOCKED
    assert police.two_factor.last_used_step == _step(TOTP_NOW)  # nothing was used


def test_a_wrong_password_and_a_wrong_code_add_up(app, user):
    police = user("police.sokuluk")
    enrol(police)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        authenticate("police.sokuluk", "not-the-password")
    assert two_factor.verify_login_code(police, "000000", LATER) is CodeOutcome.LOCKED


def test_a_user_without_two_factor_gets_no_code_through(user):
    police = user("police.sokuluk")
    assert two_factor.verify_login_code(police, "123456", LATER) is CodeOutcome.REFUSED


# --- who must use it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "required_for"),
    [
        ("two_factor_required_committee", {"coordinator.sokuluk", "member.committee"}),
        ("two_factor_required_leads", {"coordinator.sokuluk", "lead.police"}),
        ("two_factor_required_ministry", {"ministry.analyst"}),
        ("two_factor_required_admins", {"admin"}),
        (None, set()),
    ],
)
def test_the_requirement_follows_the_groups(user, make_user, setting, required_for):
    make_user("member.committee", "SOKULUK-COMMITTEE", "member")
    make_user("lead.police", "SOKULUK-POLICE", "lead")
    if setting:
        update_settings(user("admin"), {setting: True})
    everyone = {"coordinator.sokuluk", "member.committee", "lead.police", "police.sokuluk",
                "ministry.analyst", "admin"}
    assert {name for name in everyone if two_factor.required_for(user(name))} == required_for
    assert {name for name in everyone if two_factor.must_enrol(user(name))} == required_for


def test_an_enrolled_user_need_not_enrol_again(user):
    update_settings(user("admin"), {"two_factor_required_committee": True})
    coordinator = user("coordinator.sokuluk")
    assert two_factor.must_enrol(coordinator)
    enrol(coordinator)
    assert two_factor.required_for(coordinator) and not two_factor.must_enrol(coordinator)


# --- turning it off, new recovery codes, resets ---------------------------------------------


def test_turning_off_needs_the_password_and_a_code(user):
    police = user("police.sokuluk")
    secret, _codes = enrol(police)
    with pytest.raises(AccountError) as wrong_password:
        two_factor.disable(police, "not-the-password", totp_code(secret, LATER), LATER)
    assert wrong_password.value.field == "password"
    with pytest.raises(AccountError) as wrong_code:
        two_factor.disable(police, DEMO_PASSWORD, "000000", LATER)
    assert wrong_code.value.field == "code"
    two_factor.disable(police, DEMO_PASSWORD, totp_code(secret, LATER), LATER)
    db.session.flush()
    assert not police.has_two_factor and police.two_factor is None
    assert not db.session.scalars(sa.select(RecoveryCode).where(
        RecoveryCode.user_id == police.id)).all()
    assert _audited(AuditAction.TWO_FACTOR_DISABLED, police.id)
    assert authenticate("police.sokuluk", DEMO_PASSWORD).outcome is LoginOutcome.SUCCEEDED


def test_it_cannot_be_turned_off_where_it_is_required(user):
    coordinator = user("coordinator.sokuluk")
    secret, _codes = enrol(coordinator)
    update_settings(user("admin"), {"two_factor_required_leads": True})
    with pytest.raises(AccountError, match="required"):
        two_factor.disable(coordinator, DEMO_PASSWORD, totp_code(secret, LATER), LATER)
    assert coordinator.has_two_factor


def test_new_recovery_codes_replace_the_old_ones(user):
    police = user("police.sokuluk")
    secret, old = enrol(police)
    with pytest.raises(AccountError):
        two_factor.renew_recovery_codes(police, DEMO_PASSWORD, "000000", LATER)
    new = two_factor.renew_recovery_codes(police, DEMO_PASSWORD, old[0], LATER)
    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.verify_login_code(police, old[1], LATER) is CodeOutcome.REFUSED
    assert two_factor.verify_login_code(police, new[0], LATER) is CodeOutcome.RECOVERY_CODE
    assert _audited(AuditAction.RECOVERY_CODES_RENEWED, police.id)


def test_the_administrator_resets_anyones_two_factor(user):
    admin, police = user("admin"), user("police.karasuu")
    enrol(police)
    two_factor.reset(admin, police)
    assert police.two_factor is None and not police.recovery_codes
    event, = _audited(AuditAction.TWO_FACTOR_RESET)
    assert (event.user_id, event.object_id) == (admin.id, police.id)
    with pytest.raises(AccountError, match="has not set up"):
        two_factor.reset(admin, police)


def test_an_agency_head_resets_only_their_own_agencys_members(user, make_user):
    head = user("coordinator.sokuluk")
    colleague = make_user("colleague.sokuluk", "SOKULUK-COMMITTEE")
    enrol(colleague)
    outsider = user("police.sokuluk")
    enrol(outsider)
    with pytest.raises(PermissionError):
        two_factor.reset(head, outsider)
    with pytest.raises(PermissionError):
        two_factor.reset(user("police.sokuluk"), colleague)  # members manage nobody
    with pytest.raises(PermissionError):
        two_factor.reset(head, user("admin"))
    two_factor.reset(head, colleague)
    assert not colleague.has_two_factor and outsider.has_two_factor


def test_nobody_resets_their_own_two_factor(user):
    admin = user("admin")
    enrol(admin)
    with pytest.raises(AccountError, match="in your profile"):
        two_factor.reset(admin, admin)
