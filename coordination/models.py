"""Imports every model so that metadata (and Alembic) sees the whole schema."""
from coordination.accounts.models import Role, User  # noqa: F401
from coordination.agencies.models import Agency, AgencyType  # noqa: F401
from coordination.audit.models import AuditAction, AuditEvent  # noqa: F401
from coordination.cases.models import (  # noqa: F401
    Case,
    Incident,
    IncidentViolenceForm,
    Person,
    TimelineEvent,
)
from coordination.settings.models import Setting, SettingChange  # noqa: F401
from coordination.territories.models import Territory, TerritoryLevel  # noqa: F401
