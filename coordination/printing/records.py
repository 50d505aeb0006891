"""What each printable record says, as its reader may read it, translated.

``exports.case_records`` lays the PDF out; this module decides the content:
the case summary for the lead agency (everything it sees, restricted
fields included), the referral letter as the receiving agency needs it
(restricted fields only when that agency may see them, police register
numbers only for the police) and the protection-order record.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from coordination import labels, policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, Incident, Person
from coordination.extensions import db
from coordination.i18n import current_language
from coordination.models_base import utcnow
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import Referral
from exports.case_records import Part, PrintedRecord, render_record


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _frame(title: str, subtitle: str, what: str) -> dict:
    return {
        "title": title, "subtitle": subtitle,
        "confidentiality": _("CONFIDENTIAL: personal data of a survivor of family violence. "
                             "Do not copy or pass on."),
        "footer": _("%(what)s · printed %(when)s", what=what,
                    when=format_datetime(utcnow(), "short")),
        "page_label": _("Page %(page)s of %(pages)s"),
    }


def _case_lines(case: Case, risk: bool = True) -> list[tuple[str, str]]:
    place = case.district.name(current_language())
    if case.municipality is not None:
        place += ", " + case.municipality.name(current_language())
    lines = [
        (_("Reference"), case.reference),
        (_("Survivor code"), case.survivor_code),
        (_("District"), place),
        (_("Lead agency"), case.lead_agency.name),
        (_("Status"), case.status.label),
    ]
    if risk:
        lines.append((_("Risk level"), case.risk_level.label if case.risk_level else "—"))
    lines.append((_("Registered"), format_date(case.created_at)))
    return lines


def _people(case: Case, restricted: bool) -> Part:
    head = [_("Role"), _("Name"), _("Sex, birth year")]
    if restricted:
        head += [_("Phone"), _("Address or shelter")]

    def row(person: Person) -> list[str]:
        name = " ".join(filter(None, (person.last_name, person.first_name, person.patronymic)))
        role = person.role_label + (f" ({_('child who witnessed the violence')})"
                                    if person.child_witness else "")
        cells = [role, name,
                 f"{person.sex.label}, {person.birth_year or '—'}"]
        if restricted:
            cells += [person.phone or "—", person.address or "—"]
        return cells

    return Part(_("People"), head=head, rows=[row(p) for p in case.people],
                empty=_("None recorded."))


def _incidents(incidents: list[Incident], register_numbers: bool) -> Part:
    head = [_("Date"), _("Forms of violence"), _("Place")]
    if register_numbers:
        head.append(_("Register numbers"))
    rows = []
    for incident in incidents:
        cells = [format_date(incident.occurred_on),
                 ", ".join(form.label for form in incident.forms), incident.place.label]
        if register_numbers:
            cells.append(" / ".join(filter(None, (incident.crime_register_number,
                                                  incident.info_log_number))) or "—")
        rows.append(cells)
    return Part(_("Incidents"), head=head, rows=rows, empty=_("None recorded."))


def _case_as_read(user: User, case: Case, restricted: bool,
                  register_numbers: bool | None = None) -> list[Part]:
    """The case, its people and (with ``register_numbers`` given) its
    incidents, as ``user`` reads the case (``policy.case_reading``): a former
    party, as on the case page, reads no person and not the current risk
    level, and only the incidents its own staff recorded."""
    reading = policy.case_reading(user, case)
    if reading is policy.CaseReading.IN_FULL:
        parts = [Part(_("Case"), lines=_case_lines(case)), _people(case, restricted)]
        incidents = case.incidents
    else:
        parts = [Part(_("Case"), lines=_case_lines(case, risk=False))]
        incidents = list(db.session.scalars(
            sa.select(Incident).where(Incident.case_id == case.id)
            .order_by(Incident.occurred_on).options(*policy.items_read(user, reading))))
    if register_numbers is not None:
        parts.append(_incidents(incidents, register_numbers))
    return parts


def _orders(case: Case) -> Part:
    return Part(_("Protection orders"), head=[_("Kind"), _("Issued by"), _("Valid until")],
                rows=[[o.kind.label, o.issuing_agency.name, format_datetime(o.valid_until, "short")]
                      for o in case.protection_orders], empty=_("None recorded."))


def case_summary(user: User, case: Case) -> bytes:
    """The lead agency's summary of the case; audited."""
    referrals = Part(
        _("Referrals"), head=[_("To"), _("Service"), _("Status"), _("Sent")],
        rows=[[r.to_agency.name, r.service.label, r.status.label, format_date(r.sent_at)]
              for r in case.referrals], empty=_("None recorded."))
    follow_ups = Part(
        _("Follow-ups"), head=[_("Action"), _("Responsible agency"), _("Due date"), _("Status")],
        rows=[[f.action, f.owner_agency.name, format_date(f.due_on), f.status.label]
              for f in case.follow_ups], empty=_("None recorded."))
    data = PrintedRecord(
        **_frame(_("Case summary"), case.lead_agency.name, _("Case summary %(reference)s",
                                                            reference=case.reference)),
        parts=[Part(_("Case"), lines=_case_lines(case)), _people(case, restricted=True),
               _incidents(case.incidents, register_numbers=True), _orders(case), referrals,
               follow_ups])
    pdf = render_record(data)
    record(AuditAction.CASE_SUMMARY_PRINTED, user, "case", case.id)
    return pdf


def referral_letter(user: User, referral: Referral) -> bytes:
    """The letter to the receiving agency, holding only what it may see; audited."""
    case, receiver = referral.case, referral.to_agency
    letter = Part(_("Referral"), lines=[
        (_("From"), referral.from_agency.name),
        (_("To"), receiver.name),
        (_("Service"), referral.service.label),
        (_("Priority"), referral.priority.label),
        (_("Sent"), format_datetime(referral.sent_at, "short")),
        (_("Answer by"), format_datetime(referral.respond_by, "short")),
        (_("Legal ground"), referral.legal_ground.label if referral.legal_ground
         else _("the survivor's consent")),
    ])
    data = PrintedRecord(
        **_frame(_("Referral letter"), receiver.name,
                 _("Referral letter %(reference)s", reference=case.reference)),
        parts=[letter, *_case_as_read(user, case,
                                      restricted=policy.agency_sees_restricted(receiver, case),
                                      register_numbers=_is_police(receiver))])
    pdf = render_record(data)
    record(AuditAction.REFERRAL_LETTER_PRINTED, user, "referral", referral.id)
    return pdf


def _is_police(agency: Agency) -> bool:
    return agency.type == AgencyType.POLICE


def order_record(user: User, order: ProtectionOrder) -> bytes:
    """The record of one protection order and its breaches; audited."""
    now = utcnow()
    lines = [
        (_("Kind"), order.kind.label),
        (_("Issued by"), order.issuing_agency.name),
        (_("Issued"), format_datetime(order.issued_at, "short")),
        (_("Valid until"), format_datetime(order.valid_until, "short")),
        (_("Status"), order.status(now).label),
        (_("Prohibitions"), "; ".join(labels.label("prohibition", name)
                                      for name in order.prohibitions) or "—"),
        (_("Electronic monitoring"), _yes_no(order.electronic_monitoring)),
    ]
    violations = Part(_("Breaches"), head=[_("Date"), _("Recorded")],
                      rows=[[format_datetime(v.occurred_at, "short"),
                             format_datetime(v.recorded_at, "short")] for v in order.violations],
                      empty=_("None recorded."))
    case = order.case
    data = PrintedRecord(
        **_frame(_("Protection order record"), case.reference,
                 _("Protection order record %(reference)s", reference=case.reference)),
        parts=[Part(_("Order"), lines=lines), *_case_as_read(
            user, case, restricted=policy.can(user, policy.Action.VIEW_RESTRICTED, case)),
               violations])
    pdf = render_record(data)
    record(AuditAction.ORDER_RECORD_PRINTED, user, "order", order.id)
    return pdf
