"""Calibration rules with no I/O: who may approve, when a proposed move is stale, what a move says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DRAFT, APPROVED, CANCELLED = "draft", "approved", "cancelled"
STATUSES = (DRAFT, APPROVED, CANCELLED)


@dataclass(frozen=True)
class Snapshot:
    """What a move was judged against: the box in force and the inputs that made the placement."""

    box: int
    assessment_id: str
    assessment_version: int
    skp_year: int
    predikat: str


def staleness(proposed: Snapshot, current: Snapshot | None) -> str | None:
    """Why a move no longer fits the employee's placement (None: it still does). The officer judged
    a box given these inputs; new inputs or another box in force need a fresh judgement."""
    if current is None:
        return "no placement any more"
    why = []
    if current.box != proposed.box:
        why.append(f"box in force is now {current.box}, was {proposed.box}")
    if (current.assessment_id, current.assessment_version) != (
        proposed.assessment_id,
        proposed.assessment_version,
    ):
        why.append(
            f"assessment is now {current.assessment_id} v{current.assessment_version},"
            f" was {proposed.assessment_id} v{proposed.assessment_version}"
        )
    if (current.skp_year, current.predikat) != (proposed.skp_year, proposed.predikat):
        why.append(
            f"SKP is now {current.skp_year} {current.predikat}, was {proposed.skp_year} {proposed.predikat}"
        )
    return "; ".join(why) or None


def four_eyes_violation(approver: str, creator: str, proposers: Iterable[str]) -> str | None:
    """A session is approved by a second person: neither its creator nor anyone who proposed one of
    its moves (otherwise one officer could move an employee alone)."""
    if approver == creator:
        return f"four-eyes rule: {approver} created this calibration session and may not approve it"
    if approver in set(proposers):
        return f"four-eyes rule: {approver} proposed moves in this calibration session and may not approve it"
    return None


def calibration_reason(from_box: int, to_box: int, reason: str) -> str:
    """The line a calibrated placement's history carries."""
    return f"calibrated from box {from_box} to box {to_box}: {reason}"
