"""The audit trail of assessment results (UU 27/2022): who read or changed whose result."""

from __future__ import annotations

from bakat_common.audit import AuditTrail

from assessment.models import audit_log

RESULT = "assessment_result"
REPORT = "assessment_report"

trail = AuditTrail(audit_log, (RESULT, REPORT))
