from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from placement.models import EmployeeRecord, PlacementRecord, PotentialInput
from placement.succession.models import PositionRecord, SuccessionSettingsVersion

HOLDER_COLUMNS = ("holder_nip", "vacant", "vacant_since", "holder_changed_at")


def _newest(rows: Sequence[dict[str, Any]], at: str) -> list[dict[str, Any]]:
    """Per (tenant, code) the row with the latest `at` (a tie goes to the later row)."""
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["tenant_id"], row["code"])
        if key not in kept or row[at] >= kept[key][at]:
            kept[key] = row
    return list(kept.values())


class SuccessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_definitions(self, rows: Sequence[dict[str, Any]]) -> None:
        """Positions as registered (with their holder at that time for a new row); an existing row takes
        the definition only from a registration not older than the one it has."""
        rows = _newest(rows, "defined_at")
        if not rows:
            return
        stmt = pg_insert(PositionRecord).values(rows)
        definition = [c for c in rows[0] if c not in ("tenant_id", "code", *HOLDER_COLUMNS)]
        definition.remove("previous_holder_nip")
        t = PositionRecord.__table__.c
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "code"],
                set_={c: stmt.excluded[c] for c in definition},
                where=t.defined_at.is_(None) | (stmt.excluded.defined_at >= t.defined_at),
            )
        )

    async def upsert_holders(self, rows: Sequence[dict[str, Any]]) -> None:
        """Who holds each position, from the newest holder event (an older one arriving late changes
        nothing). A stub row is made for a position not registered yet."""
        rows = _newest(rows, "holder_changed_at")
        if not rows:
            return
        stmt = pg_insert(PositionRecord).values(rows)
        t = PositionRecord.__table__.c
        stub = t.defined_at.is_(None)  # the registration, once seen, owns tier and unit
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "code"],
                set_={
                    **{c: stmt.excluded[c] for c in HOLDER_COLUMNS},
                    "previous_holder_nip": func.coalesce(
                        stmt.excluded.previous_holder_nip, t.previous_holder_nip
                    ),
                    "tier": case((stub, stmt.excluded.tier), else_=t.tier),
                    "unit_code": case((stub, stmt.excluded.unit_code), else_=t.unit_code),
                },
                where=stmt.excluded.holder_changed_at >= t.holder_changed_at,
            )
        )

    async def position(self, tenant_id: str, code: str) -> PositionRecord | None:
        return await self.session.get(PositionRecord, (tenant_id, code))

    async def positions(
        self,
        tenant_id: str,
        *,
        vacant: bool | None = None,
        tiers: Sequence[str] | None = None,
        unit_code: str | None = None,
    ) -> list[PositionRecord]:
        stmt = select(PositionRecord).where(PositionRecord.tenant_id == tenant_id)
        if vacant is not None:
            stmt = stmt.where(PositionRecord.vacant.is_(vacant))
        if tiers is not None:
            stmt = stmt.where(PositionRecord.tier.in_(list(tiers)))
        if unit_code is not None:
            # The unit with its sub-units (their paths hold the unit's code); a stub has no path yet.
            stmt = stmt.where(
                PositionRecord.unit_path.contains(f"/{unit_code}/", autoescape=True)
                | (PositionRecord.unit_code == unit_code)
            )
        rows = await self.session.scalars(stmt.order_by(PositionRecord.unit_code, PositionRecord.code))
        return list(rows.all())

    async def candidate_pool(
        self, tenant_id: str, tiers: Sequence[str], boxes: Sequence[int], today: date
    ) -> list:
        """Active employees of the given tiers placed in the given boxes whose assessment is still valid
        (the placement's validity under the tenant's rules, and the result's own): one query."""
        same = lambda model: and_(  # noqa: E731
            model.tenant_id == EmployeeRecord.tenant_id, model.nip == EmployeeRecord.nip
        )
        valid_until = func.least(PlacementRecord.valid_until, PotentialInput.valid_until)
        stmt = (
            select(
                EmployeeRecord.nip, EmployeeRecord.name, EmployeeRecord.tier, EmployeeRecord.unit_code,
                EmployeeRecord.position_code, PlacementRecord.box, PlacementRecord.predikat,
                PlacementRecord.skp_year, PlacementRecord.potential_score, PotentialInput.scores,
                valid_until.label("valid_until"),
            )
            .join(PlacementRecord, same(PlacementRecord))
            .join(PotentialInput, same(PotentialInput))
            .where(
                EmployeeRecord.tenant_id == tenant_id,
                EmployeeRecord.status == "active",
                EmployeeRecord.tier.in_(list(tiers)),
                PlacementRecord.box.in_(list(boxes)),
                valid_until >= today,
            )
        )  # fmt: skip
        return list((await self.session.execute(stmt)).all())

    async def latest_settings(self, tenant_id: str) -> SuccessionSettingsVersion | None:
        return await self.session.scalar(
            select(SuccessionSettingsVersion)
            .where(SuccessionSettingsVersion.tenant_id == tenant_id)
            .order_by(SuccessionSettingsVersion.version.desc())
            .limit(1)
        )
