"""The accounts the load test signs in as: those with the most open work."""
from __future__ import annotations

import sqlalchemy as sa

from coordination.accounts.models import Role, User
from coordination.agencies.models import Agency, AgencyType
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.referrals.models import Referral, ReferralStatus

#: Each simulated role, and the agency type its accounts come from.
ROLE_AGENCIES = {"coordinator": AgencyType.COMMITTEE, "police": AgencyType.POLICE,
                 "social": AgencyType.SOCIAL, "analyst": AgencyType.MINISTRY}


def choose_accounts(per_role: int) -> dict[str, list[str]]:
    """Usable accounts of each role, those of the agencies with the most open work
    first; ``pair`` is two accounts of the busiest police agency (one account
    twice when it has a single one)."""
    open_work = (
        sa.select(sa.func.count(Referral.id)).where(
            Referral.to_agency_id == Agency.id, Referral.status == ReferralStatus.SENT)
        .scalar_subquery()
        + sa.select(sa.func.count(FollowUp.id)).where(
            FollowUp.owner_agency_id == Agency.id, FollowUp.status == FollowUpStatus.OPEN)
        .scalar_subquery()
    )
    accounts = {}
    for role, agency_type in ROLE_AGENCIES.items():
        query = (
            sa.select(User.username, User.agency_id).join(User.agency)
            .where(Agency.type == agency_type, Agency.active, User.active,
                   User.role != Role.ADMIN, sa.not_(User.must_change_password))
            .order_by(open_work.desc(), User.username).limit(per_role)
        )
        found = db.session.execute(query).all()
        if not found:
            raise SystemExit(f"the database has no usable {agency_type.value} account")
        accounts[role] = [username for username, _agency in found]
        if role == "police":
            busiest = [u for u, agency in found if agency == found[0].agency_id][:2]
            accounts["pair"] = busiest if len(busiest) == 2 else busiest * 2
    return accounts
