"""Settings: defaults from the config, validated changes, and who changed what when."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.settings import services
from coordination.settings.models import SettingChange, SettingHistoryIsAppendOnly
from tests.helpers import post_form

DEFAULTS = {
    "referral_deadline_hours_urgent": 24, "referral_deadline_hours_high": 72,
    "referral_deadline_hours_normal": 168, "temporary_order_days": 3,
    "extended_temporary_order_days": 30, "court_order_max_months": 3, "suppression_k": 5,
    "suppression_k_sexual_violence": 10, "risk_medium_threshold": 10,
    "risk_high_threshold": 14, "two_factor_required_committee": False,
    "two_factor_required_leads": False, "two_factor_required_ministry": False,
    "two_factor_required_admins": False, "two_factor_required_confirmed": False,
    "order_check_hours_high": 24, "order_check_hours_normal": 72,
    "order_check_hours_court": 168, "order_check_backdate_hours": 6,
    "order_check_grace_hours": 12, "order_check_committee_hours": 48,
    "document_max_megabytes": 5,
    "note_edit_minutes": 30,
}
#: What the settings form posts with the defaults: a browser leaves unticked boxes out.
FORM = {key: value for key, value in DEFAULTS.items() if not isinstance(value, bool)}


def test_every_setting_has_its_default_from_the_config():
    assert services.all_settings() == DEFAULTS
    assert {key: services.get_setting(key) for key in DEFAULTS} == DEFAULTS


def test_unknown_settings_raise():
    with pytest.raises(KeyError):
        services.get_setting("suppression")


def test_a_change_is_stored_kept_in_the_history_and_audited(user):
    admin = user("admin")
    changes = services.update_settings(admin, {"suppression_k": 7, "temporary_order_days": 3})
    assert services.get_setting("suppression_k") == 7
    assert [(c.key, c.old_value, c.new_value, c.changed_by_id) for c in changes] == [
        ("suppression_k", 5, 7, admin.id)]
    audited = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.SETTING_CHANGED))
    assert (audited.user_id, audited.object_id) == (admin.id, changes[0].id)
    services.update_settings(admin, {"suppression_k": 6})
    assert [c.old_value for c in services.history().items] == [7, 5]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"suppression_k": 2}, "suppression_k", "Enter a number from 3 to 100."),
        ({"suppression_k": 12}, "suppression_k_sexual_violence",
         "k for sexual violence cannot be smaller than k."),
        ({"suppression_k_sexual_violence": 4}, "suppression_k_sexual_violence", "smaller than k"),
        ({"referral_deadline_hours_urgent": 100}, "referral_deadline_hours_high",
         "An urgent referral's deadline cannot be longer"),
        ({"extended_temporary_order_days": 2}, "extended_temporary_order_days", "shorter"),
        ({"risk_medium_threshold": 14}, "risk_medium_threshold", "below high risk"),
        ({"risk_high_threshold": "14"}, "risk_high_threshold", "Enter a whole number."),
        ({"risk_high_threshold": True}, "risk_high_threshold", "Enter a whole number."),
    ],
)
def test_values_breaking_a_rule_are_refused_and_nothing_changes(user, values, field, message):
    with pytest.raises(services.SettingError) as refused:
        services.update_settings(user("admin"), values)
    assert refused.value.field == field
    assert message in str(refused.value)
    assert services.all_settings() == DEFAULTS
    assert db.session.scalar(sa.select(sa.func.count(SettingChange.id))) == 0


def test_only_administrators_change_settings(user):
    with pytest.raises(PermissionError):
        services.update_settings(user("coordinator.sokuluk"), {"suppression_k": 7})


def test_history_is_append_only(user):
    change, = services.update_settings(user("admin"), {"suppression_k": 7})
    db.session.commit()
    change.new_value = 3
    with pytest.raises(SettingHistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(sa.text("UPDATE setting_changes SET new_value = '3'"))


def test_settings_page_saves_and_shows_who_changed_what(login_as, client):
    login_as("admin")
    page = client.get("/admin/settings").text
    assert 'name="suppression_k"' in page and 'value="5"' in page
    response = post_form(client, "/admin/settings", {**FORM, "suppression_k": 6,
                                                     "risk_high_threshold": 15})
    assert response.status_code == 302
    page = client.get("/admin/settings").text
    assert "2 settings changed." in page
    assert "System administrator" in page
    assert "Smallest count shown (k)" in page.split("Changes")[1]


@pytest.mark.parametrize(
    ("value", "message"),
    [("2", "Enter a number from 3 to 100."), ("", "Enter a whole number."),
     ("five", "Enter a whole number.")],
)
def test_bad_values_on_the_page_get_a_message_beside_the_field(login_as, client, value,
                                                               message):
    login_as("admin")
    response = post_form(client, "/admin/settings", {**FORM, "suppression_k": value})
    assert response.status_code == 200
    assert message in response.text
    assert services.get_setting("suppression_k") == 5


def test_a_rule_between_settings_is_shown_on_the_page(login_as, client):
    login_as("admin")
    response = post_form(client, "/admin/settings", {**FORM, "suppression_k": 11})
    assert "k for sexual violence cannot be smaller than k." in response.text


def test_a_yes_no_setting_takes_only_yes_or_no(user):
    with pytest.raises(services.SettingError, match="Choose yes or no."):
        services.update_settings(user("admin"), {"two_factor_required_leads": 1})
    services.update_settings(user("admin"), {"two_factor_required_leads": True})
    assert services.get_setting("two_factor_required_leads") is True


def test_a_yes_no_setting_is_a_checkbox_on_the_page(login_as, client):
    login_as("admin")
    page = client.get("/admin/settings").text
    assert 'type="checkbox"' in page and 'name="two_factor_required_leads"' in page
    response = post_form(client, "/admin/settings", {**FORM, "two_factor_required_leads": "y"})
    assert response.status_code == 302
    assert services.get_setting("two_factor_required_leads") is True
    page = client.get("/admin/settings").text
    assert "1 setting changed." in page
    history = page.split("Changes")[1]
    assert "Required for agency heads" in history
    assert "<td data-label=\"Before\">No</td>" in history
    assert "<td data-label=\"After\">Yes</td>" in history
    # Unticking turns it off again.
    post_form(client, "/admin/settings", FORM)
    assert services.get_setting("two_factor_required_leads") is False


def test_a_request_reads_the_settings_once_with_the_signed_in_user(login_as, client,
                                                                    browser):
    """The settings ride on the signed-in user's lookup (one round trip, no
    copy kept between requests): what an administrator saves applies to
    every other session's very next request."""
    from sqlalchemy import event

    from tests.helpers import login

    head = browser()  # an agency head, signed in before the change
    assert login(head, "coordinator.sokuluk").status_code == 302
    assert head.get("/").status_code == 200
    login_as("admin")
    post_form(client, "/admin/settings", {**FORM, "suppression_k": 6,
                                          "two_factor_required_leads": "y"})
    statements = []

    def capture(_connection, _cursor, statement, *_rest):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        page = client.get("/admin/settings").text
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    reading = [s for s in statements if "FROM settings" in s]
    assert len(reading) == 1 and "FROM users" in reading[0], reading
    assert 'name="suppression_k"' in page and 'value="6"' in page
    # The head's next request (another session, as another worker would serve it).
    response = head.get("/")
    assert response.status_code == 302 and response.location.endswith("/profile/two-factor/setup")
