from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from bakat_common.db import key_list
from sqlalchemy import String, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.models import (
    Assessment,
    AssessmentVersion,
    AssessorAssignment,
    Campaign,
    DevelopmentRule,
    EmployeeRecord,
    Instrument,
    IntegratedRating,
    PositionRecord,
    Rating,
    UnitRecord,
)


class AssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- replicas
    async def upsert_position(self, values: dict) -> None:
        stmt = pg_insert(PositionRecord).values(**values)
        changing = {k: v for k, v in values.items() if k not in ("tenant_id", "code")}
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["tenant_id", "code"], set_=changing)
        )

    async def employee(self, tenant_id: str, nip: str) -> EmployeeRecord | None:
        return await self.session.get(EmployeeRecord, (tenant_id, nip))

    async def employees_by_nip(self, tenant_id: str, nips: Sequence[str]) -> dict[str, EmployeeRecord]:
        wanted = key_list(nips)
        rows = await self.session.scalars(
            select(EmployeeRecord)
            .join(wanted, EmployeeRecord.nip == wanted.c.nip)
            .where(EmployeeRecord.tenant_id == tenant_id)
        )
        return {e.nip: e for e in rows}

    async def select_employees(
        self, tenant_id: str, tiers: Sequence[str], unit_paths: Sequence[str]
    ) -> list[EmployeeRecord]:
        """Active employees of any of `tiers` (if given) in any of the units (with sub-units, if given)."""
        stmt = select(EmployeeRecord).where(
            EmployeeRecord.tenant_id == tenant_id, EmployeeRecord.status == "active"
        )
        if tiers:
            stmt = stmt.where(EmployeeRecord.tier.in_(tiers))
        if unit_paths:
            stmt = stmt.where(
                or_(*(EmployeeRecord.unit_path.startswith(p, autoescape=True) for p in unit_paths))
            )
        return list((await self.session.scalars(stmt.order_by(EmployeeRecord.nip))).all())

    async def unit_paths(self, tenant_id: str, codes: Sequence[str]) -> dict[str, str]:
        """unit code -> path ("/BKPSDM/BKPSDM-MUTASI/") of the known units among `codes`."""
        if not codes:
            return {}
        rows = await self.session.execute(
            select(UnitRecord.code, UnitRecord.path).where(
                UnitRecord.tenant_id == tenant_id, UnitRecord.code.in_(codes)
            )
        )
        return {code: path for code, path in rows}

    async def upsert_unit(self, values: dict) -> None:
        stmt = pg_insert(UnitRecord).values(**values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "code"], set_={"name": values["name"], "path": values["path"]}
            )
        )

    async def position(self, tenant_id: str, code: str | None) -> PositionRecord | None:
        return None if code is None else await self.session.get(PositionRecord, (tenant_id, code))

    async def positions(self, tenant_id: str, codes: Sequence[str]) -> dict[str, PositionRecord]:
        if not codes:
            return {}
        rows = await self.session.scalars(
            select(PositionRecord).where(
                PositionRecord.tenant_id == tenant_id, PositionRecord.code.in_(set(codes))
            )
        )
        return {p.code: p for p in rows}

    # ---- instruments, campaigns, rules
    async def instruments(self, tenant_id: str) -> list[Instrument]:
        rows = await self.session.scalars(
            select(Instrument).where(Instrument.tenant_id == tenant_id).order_by(Instrument.code)
        )
        return list(rows.all())

    async def campaign(self, tenant_id: str, campaign_id: uuid.UUID) -> Campaign | None:
        row = await self.session.get(Campaign, campaign_id)
        return row if row is not None and row.tenant_id == tenant_id else None

    async def campaigns(self, tenant_id: str) -> list[Campaign]:
        rows = await self.session.scalars(
            select(Campaign).where(Campaign.tenant_id == tenant_id).order_by(Campaign.created_at.desc())
        )
        return list(rows.all())

    async def status_counts(self, campaign_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
        rows = await self.session.execute(
            select(Assessment.campaign_id, Assessment.status, func.count())
            .where(Assessment.campaign_id.in_(campaign_ids))
            .group_by(Assessment.campaign_id, Assessment.status)
        )
        out: dict[uuid.UUID, dict[str, int]] = {}
        for campaign_id, status, count in rows:
            out.setdefault(campaign_id, {})[status] = count
        return out

    async def participants(self, campaign_id: uuid.UUID) -> set[str]:
        rows = await self.session.scalars(select(Assessment.nip).where(Assessment.campaign_id == campaign_id))
        return set(rows.all())

    async def development_rules(self, tenant_id: str) -> list[DevelopmentRule]:
        rows = await self.session.scalars(
            select(DevelopmentRule)
            .where(DevelopmentRule.tenant_id == tenant_id)
            .order_by(DevelopmentRule.instrument_code)
        )
        return list(rows.all())

    # ---- assessments
    async def assessment(
        self, tenant_id: str, assessment_id: uuid.UUID, *, for_update: bool = False
    ) -> Assessment | None:
        stmt = select(Assessment).where(Assessment.id == assessment_id, Assessment.tenant_id == tenant_id)
        if for_update:  # one writer at a time per assessment: ratings, integration and completion
            stmt = stmt.with_for_update()
        return await self.session.scalar(stmt)

    async def assessments(
        self,
        tenant_id: str,
        *,
        campaign_id: uuid.UUID | None = None,
        nip: str | None = None,
        nips: Sequence[str] | None = None,
        status: str | None = None,
        assessor: str | None = None,
        limit: int = 200,
        after: uuid.UUID | None = None,
    ) -> list[Assessment]:
        stmt = select(Assessment).where(Assessment.tenant_id == tenant_id)
        if campaign_id is not None:
            stmt = stmt.where(Assessment.campaign_id == campaign_id)
        if nip is not None:
            stmt = stmt.where(Assessment.nip == nip)
        if nips is not None:
            stmt = stmt.where(Assessment.nip == any_(literal(list(nips), ARRAY(String))))
        if status is not None:
            stmt = stmt.where(Assessment.status == status)
        if assessor is not None:
            stmt = stmt.where(
                select(AssessorAssignment.assessment_id)
                .where(
                    AssessorAssignment.assessment_id == Assessment.id, AssessorAssignment.assessor == assessor
                )
                .exists()
            )
        if after is not None:
            stmt = stmt.where(Assessment.id > after)
        return list((await self.session.scalars(stmt.order_by(Assessment.id).limit(limit))).all())

    async def assignments(
        self, assessment_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[AssessorAssignment]]:
        rows = await self.session.scalars(
            select(AssessorAssignment)
            .where(AssessorAssignment.assessment_id.in_(assessment_ids))
            .order_by(AssessorAssignment.assessor)
        )
        out: dict[uuid.UUID, list[AssessorAssignment]] = {}
        for row in rows:
            out.setdefault(row.assessment_id, []).append(row)
        return out

    async def assessor_ratings(self, assessment_id: uuid.UUID) -> list[Rating]:
        rows = await self.session.scalars(
            select(Rating)
            .where(Rating.assessment_id == assessment_id)
            .order_by(Rating.instrument_code, Rating.assessor, Rating.exercise)
        )
        return list(rows.all())

    async def integrated(self, assessment_id: uuid.UUID) -> dict[str, IntegratedRating]:
        rows = await self.session.scalars(
            select(IntegratedRating).where(IntegratedRating.assessment_id == assessment_id)
        )
        return {r.instrument_code: r for r in rows}

    async def versions(self, assessment_id: uuid.UUID) -> list[AssessmentVersion]:
        rows = await self.session.scalars(
            select(AssessmentVersion)
            .where(AssessmentVersion.assessment_id == assessment_id)
            .order_by(AssessmentVersion.version)
        )
        return list(rows.all())

    async def needing_assessment(
        self,
        tenant_id: str,
        today: date,
        *,
        unit_path: str | None,
        tier: str | None,
        after_nip: str | None,
        limit: int,
    ) -> list[tuple[EmployeeRecord, date | None]]:
        """Active employees without a completed result valid today, with their latest expiry (None: never)."""
        latest = (
            select(Assessment.nip, func.max(Assessment.valid_until).label("valid_until"))
            .where(Assessment.tenant_id == tenant_id, Assessment.status == "completed")
            .group_by(Assessment.nip)
            .subquery()
        )
        stmt = (
            select(EmployeeRecord, latest.c.valid_until)
            .outerjoin(latest, latest.c.nip == EmployeeRecord.nip)
            .where(
                EmployeeRecord.tenant_id == tenant_id,
                EmployeeRecord.status == "active",
                or_(latest.c.valid_until.is_(None), latest.c.valid_until < today),
            )
        )
        if unit_path is not None:
            stmt = stmt.where(EmployeeRecord.unit_path.startswith(unit_path, autoescape=True))
        if tier is not None:
            stmt = stmt.where(EmployeeRecord.tier == tier)
        if after_nip is not None:
            stmt = stmt.where(EmployeeRecord.nip > after_nip)
        rows = await self.session.execute(stmt.order_by(EmployeeRecord.nip).limit(limit))
        return [(employee, valid_until) for employee, valid_until in rows]

    def add(self, row: object) -> None:
        self.session.add(row)
