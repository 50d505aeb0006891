"""The distributions the synthetic data is drawn from (docs/PERFORMANCE.md).

Where the demo set has a weight for the same thing (coordination/demo/),
it is reused, so that both data sets tell the same story. Weights are
relative; ``pick`` in :mod:`.cases` draws from them.
"""
from __future__ import annotations

from coordination.agencies.models import AgencyType
from coordination.cases.models import CaseStatus, ClosureReason
from coordination.demo import workflow as demo_workflow
from coordination.demo.loader import FORM_RATES, LEAD, PLACES, RELATIONSHIPS, REPORTERS, RISKS
from coordination.demo.workflow import ACTIONS, DECLINE_REASONS, OUTCOMES, YES_COUNTS
from coordination.referrals.models import ReferralService

__all__ = ["ACTIONS", "DECLINE_REASONS", "FORM_RATES", "LEAD", "OUTCOMES", "PLACES",
           "RELATIONSHIPS", "REPORTERS", "RISKS", "YES_COUNTS"]

#: Years back from now over which cases were registered.
YEARS = 10
#: Registrations grow over the span: the last year has this many times the
#: first year's rate (official series: about 9,000 victims in 2021, about
#: 20,000 registered facts in 2025).
GROWTH = 2.5

#: Approximate population in thousands by district classifier code, to
#: spread cases over the country; a district missing here counts as 100.
POPULATION = {
    "41721000": 330,  # Osh city
    "41705214": 90, "41705258": 200, "41705236": 140,  # Batken region
    "41703211": 130, "41703204": 110, "41703207": 180, "41703215": 140, "41703220": 290,
    "41703223": 25, "41703225": 100, "41703230": 30,  # Jalal-Abad region
    "41702205": 70, "41702210": 90, "41702215": 80, "41702220": 50, "41702225": 70,
    "41704210": 35, "41704220": 60, "41704230": 45, "41704235": 70, "41704245": 50,
    "41706207": 80, "41706211": 130, "41706226": 380, "41706242": 280, "41706246": 100,
    "41706255": 260, "41706259": 30,  # Osh region
    "41707215": 60, "41707220": 50, "41707225": 35, "41707232": 110,  # Talas region
    "41708203": 190, "41708206": 150, "41708209": 100, "41708213": 45, "41708217": 90,
    "41708219": 45, "41708222": 180, "41708223": 50,  # Chui region
    "41711201": 300, "41711202": 280, "41711203": 250, "41711204": 290,  # Bishkek
}
DEFAULT_POPULATION = 100

#: Regions where many families speak Uzbek: the share of Uzbek names there.
UZBEK_SHARE = {"41721": 0.4, "41706": 0.3, "41703": 0.25, "41705": 0.15}
OTHER_UZBEK_SHARE = 0.02

#: The case-working agencies of each district (crisis centres serve a region).
DISTRICT_AGENCY_TYPES = (AgencyType.COMMITTEE, AgencyType.POLICE, AgencyType.SOCIAL,
                         AgencyType.LSG, AgencyType.HEALTH, AgencyType.EDUCATION)

#: Accounts per agency: (login prefix, how many, the first one's role is
#: lead for the committee; the second account of every other agency is its head).
STAFF = {
    AgencyType.COMMITTEE: ("coordinator", 3),
    AgencyType.POLICE: ("police", 4),
    AgencyType.SOCIAL: ("social", 3),
    AgencyType.LSG: ("lsg", 2),
    AgencyType.HEALTH: ("health", 2),
    AgencyType.EDUCATION: ("education", 2),
    AgencyType.CRISIS_CENTRE: ("crisis", 3),
}

#: Who registers a case: the police register most of them.
OPENING = [(AgencyType.POLICE, 55), (AgencyType.COMMITTEE, 15), (AgencyType.SOCIAL, 12),
           (AgencyType.LSG, 7), (AgencyType.HEALTH, 6), (AgencyType.CRISIS_CENTRE, 3),
           (AgencyType.EDUCATION, 2)]

#: Referrals per case: 0 to 4.
REFERRAL_COUNTS = [(0, 20), (1, 35), (2, 25), (3, 13), (4, 7)]
#: What each receiving agency type is asked for.
SERVICES = {
    **demo_workflow.SERVICES,
    AgencyType.EDUCATION: ReferralService.PSYCHOLOGICAL,
}
RECEIVERS = [(AgencyType.SOCIAL, 30), (AgencyType.POLICE, 20), (AgencyType.HEALTH, 18),
             (AgencyType.CRISIS_CENTRE, 15), (AgencyType.COMMITTEE, 7), (AgencyType.LSG, 6),
             (AgencyType.EDUCATION, 4)]
#: Agency types the survivor's sharing consent usually names at intake.
CONSENT_TYPES = (AgencyType.POLICE, AgencyType.SOCIAL, AgencyType.HEALTH,
                 AgencyType.CRISIS_CENTRE)
#: A referral that consent does not cover goes on a legal ground this often;
#: otherwise the survivor's consent for that agency type is recorded first.
LEGAL_GROUND_SHARE = 0.45

FOLLOW_UP_COUNTS = [(0, 20), (1, 20), (2, 40), (3, 20)]
FOLLOW_UP_OWNERS = [(AgencyType.SOCIAL, 35), (AgencyType.POLICE, 30), (AgencyType.LSG, 15),
                    (AgencyType.HEALTH, 15), (AgencyType.EDUCATION, 5)]

#: Temporary protection orders: the chance that the police, once involved,
#: issue one rises over the span (2019: 3,932 orders; 2025: 15,821 for
#: about 20,000 registered facts).
ORDER_RATE_FIRST_YEAR = 0.45
ORDER_RATE_LAST_YEAR = 0.95
#: Extensions to 30 days are rare (2019: 295 of 3,932).
EXTENSION_RATE = 0.075
#: Court restrictions exist since 2025.
COURT_ORDER_SINCE = 2025
COURT_ORDER_RATE = 0.05
VIOLATION_RATE = 0.03
REVOCATION_RATE = 0.02
REPEAT_RATE = 0.08
PROGRAMME_RATE = 0.1

#: Reasons a case was closed.
CLOSURE_REASONS = [(ClosureReason.SAFETY_PLAN_ACHIEVED, 50),
                   (ClosureReason.NO_FURTHER_CONTACT, 20),
                   (ClosureReason.SURVIVOR_DECLINED_SUPPORT, 15),
                   (ClosureReason.MOVED_AWAY, 10), (ClosureReason.TRANSFERRED, 5)]
#: Older cases are mostly closed: the closed share grows with age up to this.
MAX_CLOSED_SHARE = 0.96
OPEN_STATUSES = [(CaseStatus.MONITORING, 35), (CaseStatus.ACTIVE, 50), (CaseStatus.OPEN, 15)]

VIOLATION_ACTION = "Отреагировать на нарушение охранного ордера"
CLOSED_WITH_CASE = "Дело закрыто"
DONE_NOTE = "Выполнено"
RAISE_REASON = "Угрозы усилились после обращения в милицию"
