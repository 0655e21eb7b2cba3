from __future__ import annotations

import functools
import weakref
from datetime import date
from typing import NamedTuple

from bakat_common.db import any_of, copy_records, upsert_rows
from sqlalchemy import Date, Row, Select, and_, bindparam, cast, func, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from placement.models import (
    EmployeeRecord,
    PerformanceInput,
    PlacementHistory,
    PlacementRecord,
    PotentialInput,
)

PLACEMENT_COLUMNS = (
    "tenant_id", "nip", "box", "potential_level", "performance_level", "potential_score", "predikat",
    "skp_year", "assessment_id", "rule_version", "reasons", "computed_at", "computed_box", "calibration_id",
    "assessment_version", "jpm", "valid_until", "name", "unit_code", "unit_path", "tier", "employee_status",
    "in_talent_pool",
)  # fmt: skip
HISTORY_COLUMNS = (
    "tenant_id", "nip", "box", "computed_box", "calibration_id", "potential_score", "predikat", "skp_year",
    "assessment_id", "rule_version", "reasons", "computed_at",
)  # fmt: skip


# The nine-box's statements are Core (the table, not the entity: no ORM compile step, plain rows) and
# built once per shape with bound parameters: building and cache-keying them cost more than the query.
_PLACEMENTS = PlacementRecord.__table__
_PLACEMENT_BY_KEY = select(_PLACEMENTS).where(
    _PLACEMENTS.c.tenant_id == bindparam("tenant"), _PLACEMENTS.c.nip == bindparam("nip")
)
_LIKE_ESCAPE = "/"


@functools.cache
def _unit_path_statement() -> Select:
    p = _PLACEMENTS
    return (
        select(p.c.unit_path)
        .where(p.c.tenant_id == bindparam("tenant_id"), p.c.unit_path.like(bindparam("pattern"), escape=_LIKE_ESCAPE))
        .limit(1)
    )


# A unit's path never changes (roster registers a unit under its parent once and never moves it), so
# once found it is kept, per database (engine), for the life of the process: finding it reads the
# tenant's placements in path order up to the unit's (30,000 index entries for a unit sorting late).
_UNIT_PATHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UNIT_PATHS_KEPT = 50_000  # per database; past it the cache starts again (memory bound)


@functools.cache
def _nine_box_statements(by_unit: bool, by_tier: bool) -> tuple[Select, Select]:
    """(counts per box, the first `per_box` members of each box) for PlacementRepository.nine_box."""
    p = _PLACEMENTS
    where = [p.c.tenant_id == bindparam("tenant_id"), p.c.employee_status == "active"]
    if by_unit:  # see PlacementRepository._scope
        where += [p.c.unit_path.op("~>=~")(bindparam("low")), p.c.unit_path.op("~<~")(bindparam("high"))]
    if by_tier:
        where.append(p.c.tier == bindparam("tier"))
    counts = select(p.c.box, func.count()).where(*where).group_by(p.c.box)
    boxes = func.generate_series(1, 9).table_valued("box").render_derived(name="b")
    first = (
        select(p.c.box, p.c.nip, p.c.name, p.c.unit_code, p.c.tier, p.c.potential_score, p.c.predikat)
        .where(*where, p.c.box == boxes.c.box)
        .order_by(p.c.name, p.c.nip)
        .limit(bindparam("per_box"))
        .lateral("first")
    )
    return counts, select(first).select_from(boxes).join(first, true())


def _newest(rows: list[dict], order) -> list[dict]:
    """Per (tenant, NIP) the row that sorts last by `order` (a tie goes to the later row)."""
    kept: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["tenant_id"], row["nip"])
        if key not in kept or order(row) >= order(kept[key]):
            kept[key] = row
    return list(kept.values())


class PoolMembershipChange(NamedTuple):
    """A talent-pool member's placement whose employee left active service (member False) or came back."""

    tenant_id: str
    nip: str
    member: bool
    box: int
    rule_version: int


class PlacementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_performance(self, rows: list[dict]) -> None:
        """Keep the newest SKP year; a same-year correction recorded later replaces it (one statement
        for a batch: within it, the newest row per employee is chosen by the same rule)."""
        await upsert_rows(
            self.session, PerformanceInput.__table__, _newest(rows, lambda r: (r["year"], r["recorded_at"])),
            ("tenant_id", "nip"),
            newer="excluded.year > performance_inputs.year OR (excluded.year = performance_inputs.year"
            " AND excluded.recorded_at >= performance_inputs.recorded_at)",
        )  # fmt: skip

    async def upsert_potential(self, rows: list[dict]) -> None:
        """Keep the newest completed assessment; a correction (higher version) of it replaces it."""
        await upsert_rows(
            self.session, PotentialInput.__table__, _newest(rows, lambda r: (r["completed_at"], r["version"])),
            ("tenant_id", "nip"),
            newer="excluded.completed_at > potential_inputs.completed_at OR (excluded.completed_at ="
            " potential_inputs.completed_at AND excluded.version >= potential_inputs.version)",
        )  # fmt: skip

    async def inputs(self, tenant_id: str, nip: str) -> tuple[PerformanceInput | None, PotentialInput | None]:
        perf = await self.session.get(PerformanceInput, (tenant_id, nip))
        pot = await self.session.get(PotentialInput, (tenant_id, nip))
        return perf, pot

    async def placeable(self, tenant_id: str) -> list[str]:
        """NIPs of the tenant's employees that have both inputs, in order."""
        rows = await self.session.scalars(
            select(PerformanceInput.nip)
            .join(PotentialInput, and_(PotentialInput.tenant_id == PerformanceInput.tenant_id,
                                       PotentialInput.nip == PerformanceInput.nip))
            .where(PerformanceInput.tenant_id == tenant_id)
            .order_by(PerformanceInput.nip)
        )  # fmt: skip
        return list(rows.all())

    async def lock_for_placement(self, tenant_id: str, nips: list[str] | None) -> None:
        """Lock the employees' replica rows (FOR SHARE) and their placements (FOR UPDATE), each in NIP
        order, the order every writer of placements takes them in (no deadlock): what commits while
        this transaction holds them waits, and what committed before is read afterwards."""
        for model, mode in ((EmployeeRecord, {"read": True}), (PlacementRecord, {})):
            stmt = (
                select(model.nip)
                .where(model.tenant_id == tenant_id)
                .order_by(model.nip)
                .with_for_update(**mode)
            )
            if nips is not None:
                stmt = stmt.where(any_of(model.nip, nips))
            await self.session.execute(stmt)

    async def inputs_for_placement(self, tenant_id: str, nips: list[str] | None) -> list:
        """Both axes' inputs and the current placement of the given employees (None: the whole tenant)
        who have both; one query."""
        batch = nips

        def same(model):
            # Each table is also told the batch's NIPs, as a constant list (hashed): its lookup stays
            # bounded even when the planner's statistics are stale (a table filled a minute ago looks
            # empty, and a plan that walks the whole tenant per row is then judged cheap).
            on = and_(model.tenant_id == PerformanceInput.tenant_id, model.nip == PerformanceInput.nip)
            return on if batch is None else and_(on, model.tenant_id == tenant_id, any_of(model.nip, batch))

        stmt = (
            select(
                PerformanceInput.nip,
                PerformanceInput.year,
                PerformanceInput.predikat,
                PotentialInput.potential_score,
                PotentialInput.assessment_id,
                PotentialInput.version,
                PotentialInput.jpm,
                PotentialInput.aspects_score,
                PotentialInput.track_record_score,
                PotentialInput.completed_at,
                PotentialInput.valid_until,
                PlacementRecord.box,
                PlacementRecord.computed_box,
                PlacementRecord.calibration_id,
                PlacementRecord.rule_version,
                PlacementRecord.predikat.label("placed_predikat"),
                PlacementRecord.skp_year.label("placed_year"),
                PlacementRecord.assessment_id.label("placed_assessment"),
                PlacementRecord.assessment_version.label("placed_version"),
                PlacementRecord.in_talent_pool,
                EmployeeRecord.name,
                EmployeeRecord.unit_code,
                EmployeeRecord.unit_path,
                EmployeeRecord.tier,
                EmployeeRecord.status.label("employee_status"),
            )
            .select_from(PerformanceInput)
            .join(PotentialInput, same(PotentialInput))
            .outerjoin(PlacementRecord, same(PlacementRecord))
            .outerjoin(EmployeeRecord, same(EmployeeRecord))
            .where(PerformanceInput.tenant_id == tenant_id)
        )
        if batch is not None:
            stmt = stmt.where(any_of(PerformanceInput.nip, batch))
        return list((await self.session.execute(stmt)).all())

    async def placement(self, tenant_id: str, nip: str) -> Row | None:
        """The placement's row (its columns by PlacementRecord's attribute names), read with Core: the
        hot GET needs no entity, and the ORM's identity load cost more than the query."""
        return (await self.session.execute(_PLACEMENT_BY_KEY, {"tenant": tenant_id, "nip": nip})).first()

    async def employee(self, tenant_id: str, nip: str) -> EmployeeRecord | None:
        return await self.session.get(EmployeeRecord, (tenant_id, nip))

    async def save_placements(self, rows: list[tuple]) -> None:
        """Upsert many placements (tuples in PLACEMENT_COLUMNS order, reasons as JSON text) and append
        each to the history: COPY into a per-connection staging table, then two INSERTs from it. COPY
        is what makes a 100,000-row recompute affordable (arrays of the same rows cost asyncpg an ABC
        check per cell)."""
        if not rows:
            return
        await self.session.execute(
            text(
                "CREATE TEMP TABLE IF NOT EXISTS placement_batch"
                " (LIKE placements INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
        )
        await copy_records(self.session, "placement_batch", PLACEMENT_COLUMNS, rows)
        columns = ", ".join(PLACEMENT_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in PLACEMENT_COLUMNS if c not in ("tenant_id", "nip"))
        await self.session.execute(
            text(
                f"INSERT INTO placements ({columns}) SELECT {columns} FROM placement_batch"
                f" ON CONFLICT (tenant_id, nip) DO UPDATE SET {updates}"
            )
        )
        history = ", ".join(HISTORY_COLUMNS)
        await self.session.execute(
            text(f"INSERT INTO placement_history ({history}) SELECT {history} FROM placement_batch")
        )
        await self.session.execute(text("TRUNCATE placement_batch"))  # the next chunk of this transaction

    async def sync_employee_fields(self, keys: list[tuple[str, str]]) -> list[PoolMembershipChange]:
        """Copy the employees' replica fields onto their placements (after an employee event). Returns
        the talent-pool members who left the pool by leaving active service, or came back to it: the
        pool counts active employees only, so a status change is a change of membership."""
        if not keys:
            return []
        tenants, nips = zip(*keys, strict=True)
        params = {"tenants": list(tenants), "nips": list(nips)}
        # Locked in (tenant, NIP) order first, as recompute_many takes them, so the two cannot deadlock.
        before = await self.session.execute(
            text(
                "SELECT p.tenant_id, p.nip, p.employee_status, p.in_talent_pool FROM placements p,"
                " unnest(CAST(:tenants AS text[]), CAST(:nips AS text[])) AS k(tenant_id, nip)"
                " WHERE p.tenant_id = k.tenant_id AND p.nip = k.nip ORDER BY p.tenant_id, p.nip FOR UPDATE OF p"
            ),
            params,
        )
        was_active = {(t, n): status == "active" for t, n, status, in_pool in before if in_pool}
        updated = await self.session.execute(
            text(
                "UPDATE placements p SET name = e.name, unit_code = e.unit_code, unit_path = e.unit_path,"
                " tier = e.tier, employee_status = e.status"
                " FROM employees e, unnest(CAST(:tenants AS text[]), CAST(:nips AS text[])) AS k(tenant_id, nip)"
                " WHERE e.tenant_id = k.tenant_id AND e.nip = k.nip AND p.tenant_id = e.tenant_id AND p.nip = e.nip"
                " AND (p.name, p.unit_code, p.unit_path, p.tier, p.employee_status)"
                " IS DISTINCT FROM (e.name, e.unit_code, e.unit_path, e.tier, e.status)"
                " RETURNING p.tenant_id, p.nip, p.employee_status, p.box, p.rule_version"
            ),
            params,
        )
        return [
            PoolMembershipChange(tenant, nip, status == "active", box, rule_version)
            for tenant, nip, status, box, rule_version in updated
            if (tenant, nip) in was_active and was_active[tenant, nip] != (status == "active")
        ]

    async def unit_prefix(self, tenant_id: str, unit_code: str) -> str | None:
        """The unit's path from the root ("/DINKES/"), read off the first placed employee found in it
        or below it; None when nobody placed belongs to it."""
        bind = self.session.bind
        known: dict[tuple[str, str], str] = _UNIT_PATHS.setdefault(bind, {}) if bind is not None else {}
        if (prefix := known.get((tenant_id, unit_code))) is not None:
            return prefix
        marker = f"/{unit_code}/"
        e = _LIKE_ESCAPE
        pattern = "%" + marker.replace(e, e + e).replace("%", e + "%").replace("_", e + "_") + "%"
        path = await self.session.scalar(_unit_path_statement(), {"tenant_id": tenant_id, "pattern": pattern})
        if path is None:
            return None  # not kept: someone may be placed in the unit later
        if len(known) >= _UNIT_PATHS_KEPT:
            known.clear()
        prefix = known[(tenant_id, unit_code)] = path[: path.index(marker) + len(marker)]
        return prefix

    async def _scope(self, tenant_id: str, unit_code: str | None, tier: str | None) -> list | None:
        """Filters for the active placed employees of a unit (with its sub-units) and/or tier; None when
        the unit has nobody placed."""
        where = [PlacementRecord.tenant_id == tenant_id, PlacementRecord.employee_status == "active"]
        if unit_code is not None:
            prefix = await self.unit_prefix(tenant_id, unit_code)
            if prefix is None:
                return None
            # Paths below "/DINKES/" sort from it up to "/DINKES0" ("0" follows "/"): a range on the
            # pattern-ops index that a generic prepared plan still uses, where LIKE 'prefix%' would not.
            where += [
                PlacementRecord.unit_path.op("~>=~")(prefix),
                PlacementRecord.unit_path.op("~<~")(prefix[:-1] + chr(ord("/") + 1)),
            ]
        if tier is not None:
            where.append(PlacementRecord.tier == tier)
        return where

    async def nine_box(
        self, tenant_id: str, unit_code: str | None, tier: str | None, per_box: int
    ) -> tuple[dict[int, int], list]:
        """Counts per box and the first `per_box` members of each (by name) of the active employees in
        a unit (with its sub-units) and/or tier. The counts read the unit-path index only; the members
        walk each box's (name, NIP) index until enough belong to the unit, so neither sorts the unit."""
        params: dict = {"tenant_id": tenant_id, "per_box": per_box}
        if unit_code is not None:
            prefix = await self.unit_prefix(tenant_id, unit_code)
            if prefix is None:
                return {}, []
            params.update(low=prefix, high=prefix[:-1] + chr(ord("/") + 1))
        if tier is not None:
            params["tier"] = tier
        counts, members = _nine_box_statements(unit_code is not None, tier is not None)
        counted = await self.session.execute(counts, params)
        listed = await self.session.execute(members, params)
        return {box: n for box, n in counted}, list(listed.all())

    async def box_counts_by_unit_path(
        self, tenant_id: str, parent_code: str | None, tier: str | None
    ) -> list[tuple[str, int, int]]:
        """(unit path, box, employees) of the active placed employees, under a unit or the whole tenant."""
        where = await self._scope(tenant_id, parent_code, tier)
        if where is None:
            return []
        stmt = (
            select(PlacementRecord.unit_path, PlacementRecord.box, func.count())
            .where(*where, PlacementRecord.unit_path.is_not(None))
            .group_by(PlacementRecord.unit_path, PlacementRecord.box)
        )
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def box_counts_by_tenant(self) -> list[tuple[str, int, int]]:
        """(tenant, box, active employees) of every tenant the session's scope shows: the platform's
        nine-box distribution, for the metrics."""
        rows = await self.session.execute(
            select(PlacementRecord.tenant_id, PlacementRecord.box, func.count())
            .where(PlacementRecord.employee_status == "active")
            .group_by(PlacementRecord.tenant_id, PlacementRecord.box)
        )
        return [(tenant, box, count) for tenant, box, count in rows]

    async def history(self, tenant_id: str, nip: str) -> list[PlacementHistory]:
        rows = await self.session.scalars(
            select(PlacementHistory)
            .where(PlacementHistory.tenant_id == tenant_id, PlacementHistory.nip == nip)
            .order_by(PlacementHistory.computed_at, PlacementHistory.id)
        )
        return list(rows.all())

    async def placements(
        self, tenant_id: str, box: int | None, limit: int, offset: int, pool_only: bool = False
    ) -> tuple[list[PlacementRecord], int]:
        """The placements of the tenant's active employees (or of the talent pool's members), by NIP."""
        where = [PlacementRecord.tenant_id == tenant_id, PlacementRecord.employee_status == "active"]
        if pool_only:
            where.append(PlacementRecord.in_talent_pool.is_(True))
        if box is not None:
            where.append(PlacementRecord.box == box)
        total = (
            await self.session.scalar(select(func.count()).select_from(PlacementRecord).where(*where)) or 0
        )
        rows = await self.session.scalars(
            select(PlacementRecord).where(*where).order_by(PlacementRecord.nip).limit(limit).offset(offset)
        )
        return list(rows.all()), total

    async def reassessment_due(
        self,
        tenant_id: str,
        validity_years: int,
        due_by: date,
        unit_code: str | None,
        after_nip: str | None,
        limit: int,
    ) -> tuple[list, int]:
        """Active employees with no assessment result, or whose result's last valid day (its own validity,
        shortened to the tenant's years) is before `due_by`, by NIP; and how many in all."""
        by_rule = cast(
            cast(func.timezone("UTC", PotentialInput.completed_at), Date)
            + func.make_interval(validity_years),
            Date,
        )
        until = func.least(PotentialInput.valid_until, by_rule).label("valid_until")
        where = [
            EmployeeRecord.tenant_id == tenant_id,
            EmployeeRecord.status == "active",
            (PotentialInput.nip.is_(None)) | (until < due_by),
        ]
        if unit_code is not None:
            where.append(EmployeeRecord.unit_path.contains(f"/{unit_code}/", autoescape=True))
        joined = and_(
            PotentialInput.tenant_id == EmployeeRecord.tenant_id, PotentialInput.nip == EmployeeRecord.nip
        )
        total = await self.session.scalar(
            select(func.count()).select_from(EmployeeRecord).outerjoin(PotentialInput, joined).where(*where)
        )
        stmt = (
            select(
                EmployeeRecord.nip, EmployeeRecord.name, EmployeeRecord.unit_code, EmployeeRecord.tier,
                PotentialInput.assessment_id, PotentialInput.completed_at, until,
            )
            .outerjoin(PotentialInput, joined)
            .where(*where)
            .order_by(EmployeeRecord.nip)
            .limit(limit)
        )  # fmt: skip
        if after_nip is not None:
            stmt = stmt.where(EmployeeRecord.nip > after_nip)
        return list((await self.session.execute(stmt)).all()), total or 0
