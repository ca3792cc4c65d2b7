"""The borough's calendar: what day it is in the UK, by the server's clock.

Dates people choose and see (when an activity happened, when a milestone or commitment is due, the reporting
periods) are days in the borough, which is in the Europe/London time zone; instants are kept in UTC
(`database.utcnow`).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from engage.database import utcnow

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """The date in the borough now."""
    return utcnow().astimezone(LONDON).date()
