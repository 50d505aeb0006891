"""/admin/deliveries: the outbox's state and the dead-letter list, for
administrators (the settings section: they configure the channels).

Retry and discard are confirmed on a page of their own (GET) and done by its
POST, like the other administration actions; the service runs through
``pipeline.attempt`` and the request commits once.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from coordination import policy
from coordination.decorators import section_required
from coordination.deliveries import admin, services
from coordination.deliveries.contacts import Contacts, set_own_contacts
from coordination.deliveries.settings import any_channel_on
from coordination.pipeline import REFUSED, acting_user, attempt, current_page
from forms import ConfirmForm
from forms.deliveries import ContactsForm

bp = Blueprint("deliveries", __name__)
admin_section = section_required(policy.Section.SETTINGS)


@bp.route("/admin/deliveries")
@admin_section
def dead_letters():
    return render_template("deliveries/admin.html", counts=admin.counts(),
                           pagination=admin.dead_letters(current_page()),
                           channels_on=any_channel_on(current_app.config))


def _confirmed(delivery_id: int, act, title: str, message: str, button: str, done: str):
    actor = acting_user()
    delivery = admin.load_delivery(actor, delivery_id)
    form = ConfirmForm()
    if form.validate_on_submit() and attempt(form, act, actor, delivery) is not REFUSED:
        flash(done, "success")
        return redirect(url_for("deliveries.dead_letters"))
    return render_template("core/confirm.html", form=form, title=title, message=message,
                           button=button, subject=admin.describe(delivery),
                           back=url_for("deliveries.dead_letters"))


@bp.route("/admin/deliveries/<delivery:delivery_id>/retry", methods=["GET", "POST"])
@admin_section
def retry(delivery_id: int):
    return _confirmed(
        delivery_id, admin.retry, _("Try the delivery again"),
        _("It goes back to the outbox with a fresh count of attempts; the worker sends it "
          "on its next pass."),
        _("Try again"), _("The delivery is back in the outbox."))


@bp.route("/admin/deliveries/<delivery:delivery_id>/discard", methods=["GET", "POST"])
@admin_section
def discard(delivery_id: int):
    return _confirmed(
        delivery_id, admin.discard, _("Discard the delivery"),
        _("It will not be sent. The record of it stays."),
        _("Discard"), _("The delivery was discarded."))


@bp.route("/profile/notifications", methods=["GET", "POST"])
@login_required
def contacts():
    """Everyone sets their own e-mail and phone for being told of new work."""
    user = acting_user()
    form = ContactsForm(obj=user)
    if form.validate_on_submit():
        changed = attempt(form, set_own_contacts, user,
                          Contacts(form.email.data, form.phone.data))
        if changed is not REFUSED:
            flash(_("Your addresses are saved.") if changed else _("Nothing was changed."),
                  "success")
            return redirect(url_for("accounts.profile"))
    return render_template("deliveries/contacts.html", form=form,
                           email_on=services.email_on(), sms_on=services.sms_on())
