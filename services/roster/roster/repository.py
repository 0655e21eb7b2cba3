from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from roster.models import Employee, EmployeeHistory, Position, Tenant, TrackRecord, Unit

# The list page reads with Core (tables, not entities): no identity map, no eager loads, plain rows.
_EMPLOYEES, _UNITS, _POSITIONS = Employee.__table__, Unit.__table__, Position.__table__
# What EmployeeOut shows of an employee besides what it computes (full_name, pangkat), in the order of
# search_employees' rows: service.employee_item unpacks them in this order.
LISTED_COLUMNS = (
    "nip", "tenant_id", "name", "front_title", "back_title", "gender", "birth_date", "tmt", "employment_type",
    "golongan", "education_level", "education_major", "education_institution", "position_title", "tier",
    "functional_level", "eselon", "tmt_position", "career_preference", "leadership_experience", "bup",
    "retirement_date", "status", "version", "created_at", "updated_at", "unit_code", "unit_name", "position_code",
)  # fmt: skip
_LIKE_ESCAPE = "/"


def _like_escaped(value: str) -> str:
    """`value` matched literally by LIKE ... ESCAPE '/' (what SQLAlchemy's autoescape=True does)."""
    e = _LIKE_ESCAPE
    return value.replace(e, e + e).replace("%", e + "%").replace("_", e + "_")


# A unit filter over at most this many units (the unit and its sub-units) reads each unit's first page
# through ix_employees_tenant_unit and merges them; over more, it walks the tenant in NIP order.
FEW_UNITS = 20


@functools.cache  # one statement per combination of filters (64 at most): built and cache-keyed once
def _employee_page(filters: frozenset[str]) -> Select:
    """The list page's statement for these filters' parameters (see search_employees): the page of
    employees, then their unit and position joined to its rows only."""
    e, u, p = _EMPLOYEES, _UNITS, _POSITIONS
    conditions = [e.c.tenant_id == bindparam("tenant_id")]
    if "tier" in filters:
        conditions.append(e.c.tier == bindparam("tier"))
    if "golongan" in filters:
        conditions.append(e.c.golongan == bindparam("golongan"))
    if "status" in filters:
        conditions.append(e.c.status == bindparam("status"))
    if "name_part" in filters:  # NIP starts with, or name contains (case-insensitive)
        conditions.append(
            or_(
                e.c.nip.like(bindparam("nip_prefix"), escape=_LIKE_ESCAPE),
                e.c.name.ilike(bindparam("name_part"), escape=_LIKE_ESCAPE),
            )
        )
    if "after_nip" in filters:
        conditions.append(e.c.nip > bindparam("after_nip"))
    employee_columns = [e.c[name] for name in LISTED_COLUMNS if name in e.c] + [e.c.unit_id, e.c.position_id]
    limit = bindparam("limit")

    def first(stmt: Select) -> Select:
        return stmt.order_by(stmt.selected_columns.nip).limit(limit)

    if "unit" not in filters:
        page = first(select(*employee_columns).where(*conditions)).subquery("page")
    else:
        # The unit and its sub-units (a path prefix), found in the same statement: an unknown unit is an
        # empty scope. Both ways below give the same rows; the scope's size decides which one runs (the
        # other is skipped by its one-time filter), so no plan has to guess how dense the scope is:
        # - few units: each unit's first page from ix_employees_tenant_unit, merged (at most
        #   FEW_UNITS x limit rows read, however big a unit is);
        # - many units (DINKES with its puskesmas, DISDIK with its schools): the tenant in NIP order,
        #   keeping the scope's employees (`IS TRUE` keeps the membership test a hashed filter, not a
        #   join the planner could turn into "read the whole scope, then sort").
        root = u.alias("scope_root")  # the unit asked for
        root_path = select(root.c.path).where(root.c.tenant_id == bindparam("tenant_id"))
        root_path = root_path.where(root.c.code == bindparam("unit")).scalar_subquery()
        scope = select(u.c.id).where(u.c.tenant_id == bindparam("tenant_id"))
        scope = scope.where(func.starts_with(u.c.path, root_path)).cte("scope")
        size = select(func.count()).select_from(scope).scalar_subquery()
        per_unit = first(select(*employee_columns).where(*conditions, e.c.unit_id == scope.c.id)).lateral()
        few = first(select(per_unit).select_from(scope).join(per_unit, true()).where(size <= FEW_UNITS))
        in_scope = e.c.unit_id.in_(select(scope.c.id)).is_(True)
        many = first(select(*employee_columns).where(*conditions, in_scope, size > FEW_UNITS))
        page = union_all(few, many).subquery("page")
    joined = {"unit_code": u.c.code, "unit_name": u.c.name, "position_code": p.c.code}
    columns = [joined[name].label(name) if name in joined else page.c[name] for name in LISTED_COLUMNS]
    return (
        select(*columns)
        .select_from(page.outerjoin(u, u.c.id == page.c.unit_id).outerjoin(p, p.c.id == page.c.position_id))
        .order_by(page.c.nip)
    )


@functools.cache
def _employee_row() -> Select:
    """One employee as a list page's row (LISTED_COLUMNS): for GET of one employee, without an entity."""
    e, u, p = _EMPLOYEES, _UNITS, _POSITIONS
    joined = {"unit_code": u.c.code, "unit_name": u.c.name, "position_code": p.c.code}
    return (
        select(*[joined[name].label(name) if name in joined else e.c[name] for name in LISTED_COLUMNS])
        .select_from(e.outerjoin(u, u.c.id == e.c.unit_id).outerjoin(p, p.c.id == e.c.position_id))
        .where(e.c.tenant_id == bindparam("tenant_id"), e.c.nip == bindparam("nip"))
    )


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ---- tenants
    async def tenant(self, tenant_id: str) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def tenants_visible_to(self, tenant_id: str | None) -> list[Tenant]:
        stmt = select(Tenant).order_by(Tenant.id)
        if tenant_id is not None:
            stmt = stmt.where((Tenant.id == tenant_id) | (Tenant.parent_id == tenant_id))
        return list((await self.session.scalars(stmt)).all())

    # ---- units
    async def unit(self, tenant_id: str, code: str) -> Unit | None:
        return await self.session.scalar(select(Unit).where(Unit.tenant_id == tenant_id, Unit.code == code))

    async def units(self, tenant_id: str) -> list[Unit]:
        return list(
            (
                await self.session.scalars(
                    select(Unit).where(Unit.tenant_id == tenant_id).order_by(Unit.path)
                )
            ).all()
        )

    async def unit_codes(self, tenant_id: str) -> dict[str, Unit]:
        return {u.code: u for u in await self.units(tenant_id)}

    # ---- positions
    async def position(self, tenant_id: str, code: str) -> Position | None:
        return await self.session.scalar(
            select(Position).where(Position.tenant_id == tenant_id, Position.code == code)
        )

    async def positions(
        self, tenant_id: str, vacant: bool | None = None
    ) -> list[tuple[Position, str | None]]:
        """Positions with their holder's NIP (None: vacant)."""
        holder = and_(Employee.position_id == Position.id, Employee.status == "active")
        stmt = (
            select(Position, Employee.nip)
            .outerjoin(Employee, holder)
            .where(Position.tenant_id == tenant_id)
            .order_by(Position.code)
        )
        if vacant is True:
            stmt = stmt.where(Employee.id.is_(None))
        elif vacant is False:
            stmt = stmt.where(Employee.id.is_not(None))
        return [(p, nip) for p, nip in (await self.session.execute(stmt)).all()]

    async def holder(self, position: Position) -> Employee | None:
        return await self.session.scalar(
            select(Employee).where(Employee.position_id == position.id, Employee.status == "active")
        )

    async def position_codes(self, tenant_id: str) -> dict[str, Position]:
        rows = await self.session.scalars(select(Position).where(Position.tenant_id == tenant_id))
        return {p.code: p for p in rows.all()}

    # ---- employees
    async def employee(self, tenant_id: str, nip: str, *, for_update: bool = False) -> Employee | None:
        stmt = select(Employee).where(Employee.tenant_id == tenant_id, Employee.nip == nip)
        if for_update:
            stmt = stmt.with_for_update(of=Employee)
        return await self.session.scalar(stmt)

    async def employee_row(self, tenant_id: str, nip: str) -> Row | None:
        """The employee as a row of LISTED_COLUMNS (see service.employee_item), or None."""
        return (await self.session.execute(_employee_row(), {"tenant_id": tenant_id, "nip": nip})).first()

    async def employees_by_nip(self, tenant_id: str, nips: Sequence[str]) -> dict[str, Employee]:
        rows = await self.session.scalars(
            select(Employee).where(Employee.tenant_id == tenant_id, Employee.nip.in_(nips))
        )
        return {e.nip: e for e in rows.unique().all()}

    async def search_employees(
        self,
        tenant_id: str,
        *,
        unit_code: str | None,
        tier: str | None,
        golongan: str | None,
        status: str | None,
        query: str | None,
        after_nip: str | None,
        limit: int,
    ) -> list[Row]:
        """The list page's rows, in one round trip: the employee columns of EmployeeOut with the unit's code
        and name and the position's code (see service.employee_item), no ORM objects. Keyset pagination
        by NIP: a stable cursor that neither skips nor repeats rows while others write.

        `unit_code` takes the unit and all its sub-units; an unknown unit gives no rows (the caller tells
        that apart from an empty unit only when the page is empty)."""
        filters = {
            "unit": unit_code,
            "tier": tier,
            "golongan": golongan,
            "status": status,
            "after_nip": after_nip,
        }
        params = {name: value for name, value in filters.items() if value is not None}
        if query:
            params["nip_prefix"] = _like_escaped(query) + "%"
            params["name_part"] = "%" + _like_escaped(query) + "%"
        stmt = _employee_page(frozenset(params))
        params.update(tenant_id=tenant_id, limit=limit)
        return list((await self.session.execute(stmt, params)).all())

    async def all_employees(self, tenant_id: str) -> list[Employee]:
        rows = await self.session.scalars(
            select(Employee).where(Employee.tenant_id == tenant_id).order_by(Employee.nip)
        )
        return list(rows.unique().all())

    async def history(self, employee_id: uuid.UUID) -> list[EmployeeHistory]:
        rows = await self.session.scalars(
            select(EmployeeHistory)
            .where(EmployeeHistory.employee_id == employee_id)
            .order_by(EmployeeHistory.id)
        )
        return list(rows.all())

    async def track_records(self, employee_id: uuid.UUID) -> list[TrackRecord]:
        rows = await self.session.scalars(
            select(TrackRecord)
            .where(TrackRecord.employee_id == employee_id)
            .order_by(TrackRecord.start_date.desc().nulls_last(), TrackRecord.kind)
        )
        return list(rows.all())

    def add(self, row: object) -> None:
        self.session.add(row)
