""""Today" and "this week" as the people using the system count them: in
the deployment's time zone (Asia/Bishkek), weeks from Monday to Sunday."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import to_user_timezone, to_utc


@dataclass(frozen=True)
class Week:
    now: datetime  #: naive UTC, as stored
    today: date  #: the local date
    last_day: date  #: the local Sunday of this week
    #: The first moment after this week (naive UTC): the local Monday at midnight.
    ends_at: datetime


def this_week(now: datetime) -> Week:
    """The local day and week around ``now`` (naive UTC)."""
    today = to_user_timezone(now).date()
    last_day = today + timedelta(days=6 - today.weekday())
    next_monday = datetime.combine(last_day + timedelta(days=1), datetime.min.time())
    return Week(now, today, last_day, to_utc(next_monday))
