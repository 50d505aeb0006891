"""Translated texts looked up by a name rather than carried by an enum.

The domain's enumerations carry their own labels (``CaseStatus.OPEN.label``,
see :class:`coordination.models_base.LabelledEnum`). What remains here are
texts keyed by something that is not an enum member of their own: a sign-in
attempt described by its audit action, and the risk questions named in the
configuration. :func:`label` also reaches the prohibitions' texts, which live
beside the prohibitions in :mod:`coordination.protection.models`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coordination.audit.models import AuditAction
from coordination.protection.models import PROHIBITION_LABELS

#: Sign-in attempts on the profile page, by their audit action.
LOGIN_RESULT = {
    AuditAction.LOGIN_SUCCEEDED: _l("Signed in"),
    AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED: _l("Signed in with a code"),
    AuditAction.LOGIN_RECOVERY_CODE_USED: _l("Signed in with a recovery code"),
    AuditAction.LOGIN_FAILED: _l("Refused: wrong password"),
    AuditAction.LOGIN_CODE_FAILED: _l("Refused: wrong code"),
    AuditAction.LOGIN_LOCKED: _l("Refused: account locked"),
}

RISK_QUESTION = {
    "current_injury": _l("Is the survivor injured now?"),
    "very_frightened": _l("Is the survivor very frightened?"),
    "fears_worse": _l("Does the survivor fear further injury or violence?"),
    "isolated": _l("Is the survivor isolated from family or friends?"),
    "depressed": _l("Is the survivor depressed or having thoughts of suicide?"),
    "separation": _l("Has the survivor separated, or tried to, within the past year?"),
    "child_contact_conflict": _l("Is there conflict over contact with the children?"),
    "stalking": _l("Does the alleged perpetrator keep calling, following or watching "
                   "the survivor?"),
    "pregnancy": _l("Is the survivor pregnant, or has she had a baby in the last 18 months?"),
    "children_at_risk": _l("Are children abused, threatened or witnessing the violence?"),
    "forced_marriage": _l("Was the survivor kidnapped for marriage or forced to marry?"),
    "escalation": _l("Is the abuse happening more often or getting worse?"),
    "controlling": _l("Does the alleged perpetrator control what the survivor does, or "
                      "show excessive jealousy?"),
    "weapons": _l("Has the alleged perpetrator used or threatened to use a weapon?"),
    "threats_to_kill": _l("Has the alleged perpetrator threatened to kill the survivor "
                          "or someone else?"),
    "strangulation": _l("Has the alleged perpetrator ever strangled, choked or "
                        "suffocated the survivor?"),
    "sexual_abuse": _l("Does the abuse include sexual violence?"),
    "others_threaten": _l("Does anyone else threaten the survivor?"),
    "harmed_others": _l("Has the alleged perpetrator hurt children, relatives or "
                        "earlier partners?"),
    "economic_control": _l("Does the alleged perpetrator take the survivor's money or "
                           "documents?"),
    "financial_problems": _l("Does the alleged perpetrator have money problems or no work?"),
    "substance_abuse": _l("Does the alleged perpetrator misuse alcohol or drugs?"),
    "orders_breached": _l("Has the alleged perpetrator breached a protection order before?"),
    "violence_record": _l("Is the alleged perpetrator known to the police for violence?"),
}

#: The tables above, by the name templates use: ``label("login_result", event.action)``.
TABLES = {
    "login_result": LOGIN_RESULT,
    "risk_question": RISK_QUESTION,
    "prohibition": PROHIBITION_LABELS,
}


def label(table: str, value) -> str:
    """The translated text of ``value`` in ``table``; unknown names raise."""
    return str(TABLES[table][value])
