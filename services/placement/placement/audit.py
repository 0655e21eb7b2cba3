"""The audit trail of placements, calibrations, plans and successors (UU 27/2022): who read or
changed whose data."""

from __future__ import annotations

from bakat_common.audit import AuditTrail

from placement.models import audit_log

PLACEMENT = "placement"  # an employee's placement and its history
NINE_BOX = "nine_box"  # the members listed in a nine-box view
PLACEMENT_LIST = "placement_list"  # placement lists: all, talent pool, re-assessment due
RAPOR = "rapor"
DEVELOPMENT_PLAN = "development_plan"
CALIBRATION = "calibration"
SUCCESSION = "succession"

trail = AuditTrail(
    audit_log, (PLACEMENT, NINE_BOX, PLACEMENT_LIST, RAPOR, DEVELOPMENT_PLAN, CALIBRATION, SUCCESSION)
)
