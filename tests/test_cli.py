"""Operator commands, run through Flask's CLI runner."""
from __future__ import annotations

import contextvars

import sqlalchemy as sa

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.extensions import db


def _run(app, *args, input=None, env=None):
    """Run a command; the suite's conftest pins the C locale (English)."""
    return app.test_cli_runner().invoke(args=list(args), input=input, env=env)


def test_create_agency_and_user(app):
    result = _run(app, "create-agency", "--code", "CHUI-POLICE", "--name", "ОВД Чуйского района",
                  "--type", "police", "--territory", "41708223")
    assert result.exit_code == 0, result.output
    result = _run(app, "create-user", "--username", "Inspector.Chui", "--full-name",
                  "Марат Исаков", "--agency", "CHUI-POLICE", "--role", "member",
                  "--password", "a-long-password-1")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "inspector.chui"))
    assert user.agency.code == "CHUI-POLICE"
    assert user.password_hash.startswith("$argon2id$")


def test_bad_input_gets_a_message_and_changes_nothing(app):
    agencies = db.session.scalar(sa.select(sa.func.count(Agency.id)))
    result = _run(app, "create-agency", "--code", "X", "--name", "X", "--type", "police",
                  "--territory", "00000")
    assert result.exit_code != 0
    assert "no territory with code 00000" in result.output
    result = _run(app, "create-agency", "--code", "SOKULUK-POLICE", "--name", "X",
                  "--type", "police", "--territory", "41708222")
    assert "is taken" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Agency.id))) == agencies

    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    for args, message in [
        (("--username", "police.sokuluk", "--agency", "SOKULUK-POLICE",
          "--password", "a-long-password-1"), "is taken"),
        (("--username", "new.user", "--agency", "NOPE", "--password", "a-long-password-1"),
         "no agency with code NOPE"),
        (("--username", "new.user", "--agency", "SOKULUK-POLICE", "--password", "short"),
         "at least 10 characters"),
    ]:
        result = _run(app, "create-user", "--full-name", "X", "--role", "member", *args)
        assert result.exit_code != 0
        assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users


def test_load_demo_refuses_a_database_with_data(app):
    result = _run(app, "load-demo")
    assert result.exit_code != 0
    assert "already has data" in result.output
    result = _run(app, "load-demo", "--if-empty")
    assert result.exit_code == 0
    assert "not loaded" in result.output


def test_territories_load_is_idempotent(app):
    result = _run(app, "territories", "load")
    assert result.exit_code == 0
    assert "Territories added: 0" in result.output


def test_demo_accounts_lists_the_contract_accounts(app):
    result = _run(app, "demo-accounts")
    assert "demo-password-1" in result.output
    for username in ("coordinator.sokuluk", "police.karasuu", "ministry.analyst", "admin"):
        assert username in result.output


def test_reset_two_factor_for_an_administrator_locked_out(app):
    from coordination.audit.models import AuditAction, AuditEvent
    from tests.helpers import enrol

    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    enrol(admin)
    result = _run(app, "reset-two-factor", "Admin")
    assert result.exit_code == 0, result.output
    assert "reset" in result.output
    db.session.expire_all()
    assert not admin.has_two_factor
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.TWO_FACTOR_RESET))
    assert (event.user_id, event.object_id) == (None, admin.id)
    again = _run(app, "reset-two-factor", "admin")
    assert again.exit_code != 0 and "has not set up" in again.output
    assert "no user nobody" in _run(app, "reset-two-factor", "nobody").output


def _run_as_operator(app, *args, env):
    """Run a command in its own app context, as the shell does: outside the
    suite's forced English (only read-only commands, the context has its own
    session)."""
    return contextvars.Context().run(_run, app, *args, env=env)


def test_operator_commands_answer_in_the_shells_language(app):
    """LANG (or LANGUAGE, LC_ALL, LC_MESSAGES) picks the operator's language."""
    russian = _run_as_operator(app, "territories", "load", env={"LANG": "ru_RU.UTF-8"})
    assert "Добавлено территорий: 0" in russian.output
    kyrgyz = _run_as_operator(app, "territories", "load", env={"LANG": "ky_KG.UTF-8"})
    assert "Аймактар кошулду: 0" in kyrgyz.output
    priority = _run_as_operator(app, "territories", "load",
                                env={"LANGUAGE": "ru:ky", "LANG": "ky_KG.UTF-8"})
    assert "Добавлено территорий: 0" in priority.output
    unsupported = _run_as_operator(app, "territories", "load", env={"LANG": "de_DE.UTF-8"})
    assert "Territories added: 0" in unsupported.output
