"""Roster use cases: each runs inside the caller's unit of work and queues its events in the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date
from typing import Any

from bakat_common.auth import (
    ALL_TENANTS,
    Principal,
    authorize_path_tenant,
    check_tenant_access,
    require_roles,
)
from bakat_common.contracts import EventPayload
from bakat_common.contracts.roster import (
    EmployeeRegisteredV1,
    EmployeeRetiredV1,
    EmployeeTransferredV1,
    EmployeeUpdatedV1,
    PositionFilledV1,
    PositionRegisteredV1,
    PositionVacatedV1,
    TenantRegisteredV1,
    UnitRegisteredV1,
)
from bakat_common.db import set_tenant_scope, use_tenant_scope
from bakat_common.errors import Conflict, Forbidden, InvalidInput, NotFound
from bakat_common.events import new_event
from bakat_common.outbox import add_to_outbox
from bakat_common.topics import service_topic
from sqlalchemy import Row, func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from roster.civil_service import golongan_problem, pangkat_of, retirement_age, retirement_date
from roster.domain import Nip, NipError, check_nip_matches_record, check_tenant_parent, parse_nip
from roster.models import Employee, EmployeeHistory, Position, Tenant, TrackRecord, Unit
from roster.repository import RosterRepository
from roster.schemas import (
    EmployeeFields,
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    PositionIn,
    PositionOut,
    RetireIn,
    TenantIn,
    TrackRecordIn,
    TransferIn,
    UnitIn,
)

SERVICE = "roster"
TOPIC = service_topic(SERVICE)
WRITERS = ("admin", "officer", "integration")
# A NIP that disagrees with the record is reported against the record's field.
NIP_RULE_FIELDS = {"birth_date_mismatch": "body.birth_date", "gender_mismatch": "body.gender"}


# The (principal, tenant) the request's route dependency has checked already: use cases then skip the
# check. A context variable, not the session's info, because that check runs on a session of its own.
_authorized: ContextVar[tuple[Principal, str] | None] = ContextVar("bakat_roster_authorized", default=None)
# Each request starts with nothing authorized (the app's RequestIdMiddleware sets it).
request_context = (_authorized, None)


async def authorize_tenant(repo: RosterRepository, principal: Principal, tenant_id: str) -> Tenant:
    tenant = await repo.tenant(tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id!r} not found")
    check_tenant_access(principal, tenant.id, tenant.parent_id)
    await set_tenant_scope(repo.session, [tenant.id])  # row-level security: this tenant's rows only
    return tenant


async def authorize_known_tenant(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    tenant_id: str,
    parents: dict[str, str | None],
) -> None:
    """authorize_tenant for routes that need only the check, before the route's own session begins: a
    tenant once found is remembered in `parents` (the process's ServiceRuntime.tenant_parents), so its
    later requests ask the database nothing. A kabupaten/kota token gets 403 for any other tenant,
    existing or not (see bakat_common.auth.authorize_path_tenant), as in every other service.

    A lookup runs in a short session of its own (`sessions`, autocommit): the route's session would
    keep its connection for the whole request beside the route's read session, two connections per
    request, and a pool without overflow could wait on itself."""

    async def find_parent(tenant: str) -> tuple[bool, str | None]:
        async with sessions() as session:
            found = await RosterRepository(session).tenant(tenant)
        return (False, None) if found is None else (True, found.parent_id)

    await authorize_path_tenant(principal, tenant_id, parents, find_parent)
    use_tenant_scope([tenant_id])  # row-level security: the request's transactions see this tenant only
    _authorized.set((principal, tenant_id))


async def ensure_tenant_access(repo: RosterRepository, principal: Principal, tenant_id: str) -> None:
    """authorize_tenant's check, free when this request has made it already (every route's
    `tenant_covered` dependency does, before the use case runs)."""
    if _authorized.get() != (principal, tenant_id):
        await authorize_tenant(repo, principal, tenant_id)


async def register_tenant(session: AsyncSession, principal: Principal, data: TenantIn) -> Tenant:
    require_roles(principal, "admin")
    repo = RosterRepository(session)
    parent = None
    if data.parent_id is not None:
        parent = await repo.tenant(data.parent_id)
        if parent is None:
            raise InvalidInput("body.parent_id", "exists", f"parent tenant {data.parent_id!r} does not exist")
    if (reason := check_tenant_parent(data.kind, parent.kind if parent else None)) is not None:
        raise InvalidInput("body.parent_id", "hierarchy", reason)
    # Only a platform operator creates provinces; a province admin creates its own kabupaten/kota.
    if principal.tenant != ALL_TENANTS and (parent is None or principal.tenant != parent.id):
        raise Forbidden(f"token for tenant {principal.tenant!r} may not create tenant {data.id!r}")
    if await repo.tenant(data.id) is not None:
        raise Conflict(f"tenant {data.id!r} already exists")
    tenant = Tenant(id=data.id, name=data.name, kind=data.kind, parent_id=data.parent_id)
    repo.add(tenant)
    await session.flush()
    payload = TenantRegisteredV1(
        tenant_id=tenant.id, name=tenant.name, kind=data.kind, parent_id=tenant.parent_id
    )
    await add_to_outbox(
        session, new_event(payload, service=SERVICE, tenant=tenant.id, subject=tenant.id), topic=TOPIC
    )
    await session.refresh(tenant)
    return tenant


async def publish(session: AsyncSession, payload: EventPayload, tenant_id: str, subject: str) -> None:
    await add_to_outbox(
        session, new_event(payload, service=SERVICE, tenant=tenant_id, subject=subject), topic=TOPIC
    )


# ---- organisation --------------------------------------------------------------------------------


async def register_unit(session: AsyncSession, principal: Principal, tenant_id: str, data: UnitIn) -> Unit:
    require_roles(principal, "admin", "officer")
    repo = RosterRepository(session)
    await ensure_tenant_access(repo, principal, tenant_id)
    parent = None
    if data.parent_code is not None:
        parent = await repo.unit(tenant_id, data.parent_code)
        if parent is None:
            raise InvalidInput(
                "body.parent_code", "exists", f"parent unit {data.parent_code!r} does not exist"
            )
    if await repo.unit(tenant_id, data.code) is not None:
        raise Conflict(f"unit {data.code!r} already exists in {tenant_id}")
    path = f"{parent.path if parent else '/'}{data.code}/"
    unit = Unit(
        tenant_id=tenant_id,
        code=data.code,
        name=data.name,
        kind=data.kind,
        parent_id=parent.id if parent else None,
        path=path,
    )
    repo.add(unit)
    await session.flush()
    payload = UnitRegisteredV1(
        code=unit.code, name=unit.name, kind=unit.kind, parent_code=data.parent_code, path=path
    )
    await publish(session, payload, tenant_id, f"unit:{unit.code}")
    return unit


def position_out(position: Position, holder_nip: str | None) -> PositionOut:
    return PositionOut(
        id=position.id,
        code=position.code,
        title=position.title,
        tier=position.tier,
        functional_level=position.functional_level,
        eselon=position.eselon,
        job_family=position.job_family,
        unit_code=position.unit.code,
        requirements=position.requirements,
        technical_requirements=position.technical_requirements,
        vacant=holder_nip is None,
        holder_nip=holder_nip,
    )


async def register_position(
    session: AsyncSession, principal: Principal, tenant_id: str, data: PositionIn
) -> PositionOut:
    require_roles(principal, "admin", "officer")
    repo = RosterRepository(session)
    await ensure_tenant_access(repo, principal, tenant_id)
    unit = await repo.unit(tenant_id, data.unit_code)
    if unit is None:
        raise InvalidInput(
            "body.unit_code", "exists", f"unit {data.unit_code!r} does not exist in {tenant_id}"
        )
    if await repo.position(tenant_id, data.code) is not None:
        raise Conflict(f"position {data.code!r} already exists in {tenant_id}")
    position = Position(
        tenant_id=tenant_id,
        code=data.code,
        title=data.title,
        tier=data.tier,
        functional_level=data.functional_level,
        eselon=data.eselon,
        job_family=data.job_family,
        unit_id=unit.id,
        unit=unit,
        requirements=dict(data.requirements),
        technical_requirements=dict(data.technical_requirements),
    )
    repo.add(position)
    await session.flush()
    payload = PositionRegisteredV1(
        code=position.code,
        title=position.title,
        tier=position.tier,
        functional_level=position.functional_level,
        eselon=position.eselon,
        job_family=position.job_family,
        unit_code=unit.code,
        unit_path=unit.path,
        requirements=position.requirements,
        technical_requirements=position.technical_requirements,
        holder_nip=None,
    )
    await publish(session, payload, tenant_id, f"position:{position.code}")
    return position_out(position, None)


# ---- employees -----------------------------------------------------------------------------------


def compose_name(front_title: str | None, name: str, back_title: str | None) -> str:
    """ "Dr. Siti Rahayu, S.E., M.M.": titles as Indonesian documents write them."""
    full = f"{front_title} {name}" if front_title else name
    return f"{full}, {back_title}" if back_title else full


def full_name(employee: Employee) -> str:
    return compose_name(employee.front_title, employee.name, employee.back_title)


def snapshot_from(columns: Mapping[str, Any], unit: Unit | None, position: Position | None) -> dict:
    """The event snapshot of an employee from its column values (ORM object or bulk-import row)."""
    return {
        "nip": columns["nip"],
        "name": compose_name(columns["front_title"], columns["name"], columns["back_title"]),
        "gender": columns["gender"],
        "birth_date": columns["birth_date"],
        "employment_type": columns["employment_type"],
        "golongan": columns["golongan"],
        "unit_code": unit.code if unit else None,
        "unit_name": unit.name if unit else None,
        "unit_path": unit.path if unit else None,
        "position_code": position.code if position else None,
        "position_title": columns["position_title"],
        "tier": columns["tier"],
        "functional_level": columns["functional_level"],
        "eselon": columns["eselon"],
        "status": columns["status"],
        "version": columns["version"],
    }


class _Columns(Mapping[str, Any]):
    """An ORM employee seen as a mapping of its column values."""

    def __init__(self, employee: Employee) -> None:
        self.employee = employee

    def __getitem__(self, key: str) -> Any:
        return getattr(self.employee, key)

    def __iter__(self):
        return iter(EMPLOYEE_COLUMNS)

    def __len__(self) -> int:
        return len(EMPLOYEE_COLUMNS)


def snapshot_fields(employee: Employee) -> dict:
    return snapshot_from(_Columns(employee), employee.unit, employee.position)


def employee_out(employee: Employee) -> EmployeeOut:
    unit, position = employee.unit, employee.position
    return EmployeeOut(
        nip=employee.nip,
        tenant_id=employee.tenant_id,
        name=employee.name,
        full_name=full_name(employee),
        front_title=employee.front_title,
        back_title=employee.back_title,
        gender=employee.gender,
        birth_date=employee.birth_date,
        tmt=employee.tmt,
        employment_type=employee.employment_type,
        golongan=employee.golongan,
        pangkat=pangkat_of(employee.golongan) if employee.employment_type == "PNS" else None,
        education_level=employee.education_level,
        education_major=employee.education_major,
        education_institution=employee.education_institution,
        unit_code=unit.code if unit else None,
        unit_name=unit.name if unit else None,
        position_code=position.code if position else None,
        position_title=employee.position_title,
        tier=employee.tier,
        functional_level=employee.functional_level,
        eselon=employee.eselon,
        tmt_position=employee.tmt_position,
        career_preference=employee.career_preference,
        leadership_experience=employee.leadership_experience,
        bup=employee.bup,
        retirement_date=employee.retirement_date,
        status=employee.status,
        version=employee.version,
        created_at=employee.created_at,
        updated_at=employee.updated_at,
    )


def employee_item(row: Row) -> dict[str, Any]:
    """employee_out of a listed row as the plain dict of its JSON, without a model per row (the list
    page's hot path): the same keys, order and values as `employee_out(employee).model_dump()`.
    The row is RosterRepository.search_employees' (repository.LISTED_COLUMNS, in that order: unpacked,
    not looked up by name, which costs 8x more); services/roster/tests/test_employee_list.py keeps the
    two functions and the column order together."""
    (
        nip, tenant_id, name, front_title, back_title, gender, birth_date, tmt, employment_type, golongan,
        education_level, education_major, education_institution, position_title, tier, functional_level,
        eselon, tmt_position, career_preference, leadership_experience, bup, retirement_date, status, version,
        created_at, updated_at, unit_code, unit_name, position_code,
    ) = row  # fmt: skip
    return {
        "nip": nip,
        "tenant_id": tenant_id,
        "name": name,
        "full_name": compose_name(front_title, name, back_title),
        "front_title": front_title,
        "back_title": back_title,
        "gender": gender,
        "birth_date": birth_date,
        "tmt": tmt,
        "employment_type": employment_type,
        "golongan": golongan,
        "pangkat": pangkat_of(golongan) if employment_type == "PNS" else None,
        "education_level": education_level,
        "education_major": education_major,
        "education_institution": education_institution,
        "unit_code": unit_code,
        "unit_name": unit_name,
        "position_code": position_code,
        "position_title": position_title,
        "tier": tier,
        "functional_level": functional_level,
        "eselon": eselon,
        "tmt_position": tmt_position,
        "career_preference": career_preference,
        "leadership_experience": leadership_experience,
        "bup": bup,
        "retirement_date": retirement_date,
        "status": status,
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
    }


def check_nip(data: EmployeeIn, today: date) -> Nip:
    try:
        nip = parse_nip(data.nip, data.employment_type, today=today)
        check_nip_matches_record(nip, data.birth_date, data.gender)
    except NipError as exc:
        raise InvalidInput(NIP_RULE_FIELDS.get(exc.rule, "body.nip"), exc.rule, exc.message) from None
    return nip


def check_golongan(golongan: str | None, employment_type: str, field: str = "body.golongan") -> None:
    if golongan is not None and (problem := golongan_problem(golongan, employment_type)) is not None:
        raise InvalidInput(field, "golongan", problem)


async def resolve_placement(
    repo: RosterRepository,
    tenant_id: str,
    unit_code: str | None,
    position_code: str | None,
    prefix: str = "body",
) -> tuple[Unit | None, Position | None]:
    unit = position = None
    if unit_code is not None:
        unit = await repo.unit(tenant_id, unit_code)
        if unit is None:
            raise InvalidInput(
                f"{prefix}.unit_code", "exists", f"unit {unit_code!r} does not exist in {tenant_id}"
            )
    if position_code is not None:
        position = await repo.position(tenant_id, position_code)
        if position is None:
            raise InvalidInput(
                f"{prefix}.position_code",
                "exists",
                f"position {position_code!r} does not exist in {tenant_id}",
            )
    if position is not None:
        # A post belongs to one unit: the employee's unit follows it, and a contradicting one is refused.
        if unit is None:
            unit = position.unit
        elif unit.id != position.unit_id:
            raise InvalidInput(
                f"{prefix}.unit_code",
                "position_unit",
                f"position {position.code!r} belongs to unit {position.unit.code!r}, not {unit.code!r}",
            )
    return unit, position


async def _take_position(repo: RosterRepository, employee_nip: str, position: Position | None) -> None:
    if position is None:
        return
    holder = await repo.holder(position)
    if holder is not None and holder.nip != employee_nip:
        raise Conflict(f"position {position.code!r} is held by {holder.nip}; transfer or retire them first")


def _record(
    repo: RosterRepository,
    employee: Employee,
    kind: str,
    actor: str,
    changes: dict,
    reason: str | None = None,
) -> None:
    repo.add(
        EmployeeHistory(
            tenant_id=employee.tenant_id,
            employee_id=employee.id,
            kind=kind,
            version=employee.version,
            actor=actor,
            changes=changes,
            reason=reason,
        )
    )


def _change(
    repo: RosterRepository,
    employee: Employee,
    kind: str,
    actor: str,
    changes: dict,
    reason: str | None = None,
) -> None:
    """Every change to an employee: a new version, a timestamp and a history row with before/after."""
    employee.version += 1
    employee.updated_at = func.now()
    _record(repo, employee, kind, actor, changes, reason)


def _placement_of(employee: Employee) -> dict:
    """Where an employee sits, in the users' terms (for a transfer's before/after)."""
    unit, position = employee.unit, employee.position
    return {
        "unit_code": unit.code if unit else None,
        "position_code": position.code if position else None,
        "position_title": employee.position_title,
        "tier": employee.tier,
        "functional_level": employee.functional_level,
        "eselon": employee.eselon,
        "tmt_position": _jsonable(employee.tmt_position),
    }


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


async def register_employee(
    session: AsyncSession, principal: Principal, tenant_id: str, data: EmployeeIn
) -> Employee:
    require_roles(principal, *WRITERS)
    repo = RosterRepository(session)
    await ensure_tenant_access(repo, principal, tenant_id)
    nip = check_nip(data, date.today())
    check_golongan(data.golongan, data.employment_type)
    unit, position = await resolve_placement(repo, tenant_id, data.unit_code, data.position_code)
    check_tier_fits_position(data.tier, position)
    if await repo.employee(tenant_id, nip.value) is not None:
        raise Conflict(f"employee with NIP {nip.value} already exists in {tenant_id}")
    await _take_position(repo, nip.value, position)
    employee = Employee(
        tenant_id=tenant_id, unit=unit, position=position, **employee_columns(data, nip, position)
    )
    repo.add(employee)
    await session.flush()
    _record(repo, employee, "registered", principal.subject, {})
    await publish(session, EmployeeRegisteredV1(**snapshot_fields(employee)), tenant_id, employee.nip)
    if position is not None:
        await publish(session, position_filled(position, employee.nip), tenant_id, position_subject(position))
    await session.refresh(employee)
    return employee


EMPLOYEE_COLUMNS = (
    "nip", "name", "front_title", "back_title", "gender", "birth_date", "tmt", "employment_type", "golongan",
    "education_level", "education_major", "education_institution", "position_title", "tier",
    "functional_level", "eselon", "tmt_position", "career_preference", "leadership_experience", "bup",
    "retirement_date", "status", "version",
)  # fmt: skip


def check_tier_fits_position(tier: str | None, position: Position | None, field: str = "body.tier") -> None:
    if tier is not None and position is not None and tier != position.tier:
        raise InvalidInput(
            field, "position_tier", f"position {position.code!r} is {position.tier}, not {tier}"
        )


def employee_columns(data: EmployeeFields, nip: Nip, position: Position | None) -> dict[str, Any]:
    """Column values of an employee from a registration or an import row: titles, education, placement,
    BUP and retirement date (unit_id/position_id are the caller's)."""
    tier = data.tier or (position.tier if position else None)
    functional_level = data.functional_level or (position.functional_level if position else None)
    bup = data.bup or retirement_age(tier, functional_level)
    return {
        "nip": nip.value,
        "name": data.name,
        "front_title": data.front_title,
        "back_title": data.back_title,
        "gender": nip.gender,
        "birth_date": nip.birth_date,
        "tmt": nip.tmt,
        "employment_type": data.employment_type,
        "golongan": data.golongan,
        "education_level": data.education_level,
        "education_major": data.education_major,
        "education_institution": data.education_institution,
        "position_title": data.position_title or (position.title if position else None),
        "tier": tier,
        "functional_level": functional_level,
        "eselon": data.eselon or (position.eselon if position else None),
        "tmt_position": data.tmt_position,
        "career_preference": data.career_preference,
        "leadership_experience": data.leadership_experience,
        "bup": bup,
        "retirement_date": retirement_date(nip.birth_date, bup),
        "status": "active",
        "version": 1,
    }


def position_filled(position: Position, nip: str) -> PositionFilledV1:
    return PositionFilledV1(
        code=position.code, tier=position.tier, unit_code=position.unit.code, holder_nip=nip
    )


def position_vacated(position: Position, nip: str) -> PositionVacatedV1:
    return PositionVacatedV1(
        code=position.code, tier=position.tier, unit_code=position.unit.code, previous_holder_nip=nip
    )


def position_subject(position: Position) -> str:
    return f"position:{position.code}"


async def employee_for_change(
    repo: RosterRepository, principal: Principal, tenant_id: str, nip: str
) -> Employee:
    require_roles(principal, *WRITERS)
    await ensure_tenant_access(repo, principal, tenant_id)
    employee = await repo.employee(tenant_id, nip, for_update=True)
    if employee is None:
        raise NotFound(f"employee {nip} not found in {tenant_id}")
    return employee


async def update_employee(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, patch: EmployeePatch
) -> Employee:
    repo = RosterRepository(session)
    employee = await employee_for_change(repo, principal, tenant_id, nip)
    sent = patch.model_dump(exclude_unset=True)
    if "name" in sent and sent["name"] is None:
        raise InvalidInput("body.name", "required", "name cannot be removed")
    check_golongan(sent.get("golongan"), employee.employment_type)
    changes = {
        field: [_jsonable(getattr(employee, field)), _jsonable(value)]
        for field, value in sent.items()
        if getattr(employee, field) != value
    }
    if not changes:
        return employee  # nothing new: no version, no event
    for field, value in sent.items():
        setattr(employee, field, value)
    if "bup" in changes and employee.status == "active":  # a retired employee's date is history
        employee.bup = employee.bup or retirement_age(employee.tier, employee.functional_level)
        new_date = retirement_date(employee.birth_date, employee.bup)
        changes["retirement_date"] = [_jsonable(employee.retirement_date), _jsonable(new_date)]
        employee.retirement_date = new_date
    _change(repo, employee, "updated", principal.subject, changes)
    await session.flush()
    await publish(session, EmployeeUpdatedV1(**snapshot_fields(employee)), tenant_id, employee.nip)
    if expired := sa_inspect(employee).expired_attributes:  # none: the UPDATE returned updated_at
        await session.refresh(employee, list(expired))
    return employee


async def transfer_employee(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, data: TransferIn
) -> Employee:
    repo = RosterRepository(session)
    employee = await employee_for_change(repo, principal, tenant_id, nip)
    if employee.status != "active":
        raise Conflict(f"employee {nip} is {employee.status}; only active employees are transferred")
    unit, position = await resolve_placement(repo, tenant_id, data.unit_code, data.position_code)
    check_tier_fits_position(data.tier, position)
    if employee.tmt_position is not None and data.tmt_position < employee.tmt_position:
        raise InvalidInput(
            "body.tmt_position",
            "order",
            f"the move cannot start before the current post ({employee.tmt_position})",
        )
    await _take_position(repo, employee.nip, position)
    old_unit, old_position = employee.unit, employee.position
    before = _placement_of(employee)
    if old_position is not None or employee.position_title:  # the old post joins the track record
        repo.add(
            TrackRecord(
                tenant_id=tenant_id,
                employee_id=employee.id,
                kind="position",
                title=employee.position_title or old_position.title,  # type: ignore[union-attr]
                organisation=old_unit.name if old_unit else None,
                start_date=employee.tmt_position,
                end_date=data.tmt_position,
                details={"position_code": before["position_code"], "eselon": employee.eselon},
            )
        )
    employee.unit, employee.position = unit, position
    employee.position_title = data.position_title or (position.title if position else None)
    employee.tier = data.tier or (position.tier if position else employee.tier)
    employee.functional_level = data.functional_level or (position.functional_level if position else None)
    employee.eselon = data.eselon or (position.eselon if position else None)
    employee.tmt_position = data.tmt_position
    after = _placement_of(employee)
    changes = {k: [before[k], after[k]] for k in before}
    _change(repo, employee, "transferred", principal.subject, changes, data.reason)
    await session.flush()
    payload = EmployeeTransferredV1(
        **snapshot_fields(employee),
        from_unit_code=before["unit_code"],
        from_position_code=before["position_code"],
        reason=data.reason,
    )
    await publish(session, payload, tenant_id, employee.nip)
    if old_position is not None and old_position is not position:
        await publish(
            session, position_vacated(old_position, employee.nip), tenant_id, position_subject(old_position)
        )
    if position is not None and position is not old_position:
        await publish(session, position_filled(position, employee.nip), tenant_id, position_subject(position))
    await session.refresh(employee)
    return employee


async def retire_employee(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, data: RetireIn
) -> Employee:
    repo = RosterRepository(session)
    employee = await employee_for_change(repo, principal, tenant_id, nip)
    if employee.status == "retired":
        raise Conflict(f"employee {nip} is already retired")
    when = data.retirement_date or employee.retirement_date
    position = employee.position
    employee.status = "retired"
    changes = {
        "status": ["active", "retired"],
        "retirement_date": [_jsonable(employee.retirement_date), _jsonable(when)],
    }
    _change(repo, employee, "retired", principal.subject, changes, data.reason)
    employee.retirement_date = when
    employee.position = None  # the post is vacated: a retired employee holds none
    await session.flush()
    payload = EmployeeRetiredV1(**snapshot_fields(employee), retirement_date=when, reason=data.reason)
    await publish(session, payload, tenant_id, employee.nip)
    if position is not None:
        await publish(
            session, position_vacated(position, employee.nip), tenant_id, position_subject(position)
        )
    await session.refresh(employee)
    return employee


async def add_track_record(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, data: TrackRecordIn
) -> TrackRecord:
    repo = RosterRepository(session)
    employee = await employee_for_change(repo, principal, tenant_id, nip)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise InvalidInput("body.end_date", "order", "end_date is before start_date")
    record = TrackRecord(tenant_id=tenant_id, employee_id=employee.id, **data.model_dump())
    repo.add(record)
    await session.flush()
    return record


async def import_position_history(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, records: list[TrackRecordIn]
) -> list[TrackRecord]:
    """Position history from SIASN (rw-jabatan): entries already on the record (same title and start)
    are not added again, so the same history can be sent twice."""
    repo = RosterRepository(session)
    employee = await employee_for_change(repo, principal, tenant_id, nip)
    known = {(r.kind, r.title, r.start_date) for r in await repo.track_records(employee.id)}
    added = []
    for data in records:
        if (data.kind, data.title, data.start_date) in known:
            continue
        record = TrackRecord(tenant_id=tenant_id, employee_id=employee.id, **data.model_dump())
        repo.add(record)
        added.append(record)
        known.add((data.kind, data.title, data.start_date))
    await session.flush()
    return added
