"""Events produced by the scheduling service (topic bakat.scheduling)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from bakat_common.contracts import EventPayload, register


@register
class SessionScheduledV1(EventPayload):
    """One assessment session (a day, a room, a group): who takes part and who assesses them.

    Assessors are named by their identity subject (the `sub` of their token), so the assessment
    service can tell an assigned assessor from anyone else. Re-publishing a session with other
    members replaces its assignment for assessments not yet completed.
    """

    event_type: ClassVar[str] = "bakat.scheduling.session.scheduled.v1"
    schedule_id: str
    session_id: str
    campaign_id: str
    day: date
    venue: str
    room: str
    participants: list[str]  # NIPs
    assessors: list[str]
    lead_assessor: str
