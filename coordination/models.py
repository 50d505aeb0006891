"""Imports every model so that metadata (and Alembic) sees the whole schema."""
from coordination.accounts.models import (  # noqa: F401
    RecoveryCode,
    Role,
    TwoFactorCredential,
    User,
)
from coordination.agencies.models import Agency, AgencyType  # noqa: F401
from coordination.api.models import ApiClient, IdempotencyRecord  # noqa: F401
from coordination.audit.models import AuditAction, AuditEvent  # noqa: F401
from coordination.cases.models import (  # noqa: F401
    Case,
    Incident,
    IncidentViolenceForm,
    Person,
    TimelineEvent,
)
from coordination.consent.models import ConsentRecord  # noqa: F401
from coordination.deliveries.models import Delivery  # noqa: F401
from coordination.documents.models import CaseDocument, MeetingDocument  # noqa: F401
from coordination.followups.models import FollowUp  # noqa: F401
from coordination.meetings.models import (  # noqa: F401
    AgendaItem,
    AgendaItemReason,
    Meeting,
    MeetingAttendance,
    MeetingAttendee,
)
from coordination.notes.models import CaseNote, CaseNoteRevision  # noqa: F401
from coordination.notifications.models import Notification, NotificationRead  # noqa: F401
from coordination.order_checks.models import ExtensionRequest, OrderCheck  # noqa: F401
from coordination.population.models import PopulationFigure  # noqa: F401
from coordination.programmes.models import CorrectionalProgramme  # noqa: F401
from coordination.protection.models import OrderViolation, ProtectionOrder  # noqa: F401
from coordination.referrals.models import Referral  # noqa: F401
from coordination.risk.models import RiskAssessment  # noqa: F401
from coordination.safety.models import SafetyPlan  # noqa: F401
from coordination.settings.models import Setting, SettingChange  # noqa: F401
from coordination.statistics.aggregates import StatisticalAggregate  # noqa: F401
from coordination.statistics.models import StatisticalRecord  # noqa: F401
from coordination.territories.models import Territory, TerritoryLevel  # noqa: F401
from coordination.transfers.models import CaseTransfer  # noqa: F401
from coordination.triage.models import IncomingReport  # noqa: F401
from coordination.visibility.models import CaseAccess  # noqa: F401
