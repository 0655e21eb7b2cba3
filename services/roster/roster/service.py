"""Roster use cases: each runs inside the caller's unit of work and queues its events in the outbox."""

from __future__ import annotations

from datetime import date

from bakat_common.auth import ALL_TENANTS, Principal, check_tenant_access, require_roles
from bakat_common.contracts.roster import EmployeeRegisteredV1, TenantRegisteredV1
from bakat_common.errors import Conflict, Forbidden, InvalidInput, NotFound
from bakat_common.events import new_event
from bakat_common.outbox import add_to_outbox
from bakat_common.topics import service_topic
from sqlalchemy.ext.asyncio import AsyncSession

from roster.domain import NipError, check_nip_matches_record, check_tenant_parent, parse_nip
from roster.models import Employee, Tenant
from roster.repository import RosterRepository
from roster.schemas import EmployeeIn, TenantIn

SERVICE = "roster"
TOPIC = service_topic(SERVICE)
WRITERS = ("admin", "officer", "integration")
# A NIP that disagrees with the record is reported against the record's field.
NIP_RULE_FIELDS = {"birth_date_mismatch": "body.birth_date", "gender_mismatch": "body.gender"}


async def authorize_tenant(repo: RosterRepository, principal: Principal, tenant_id: str) -> Tenant:
    tenant = await repo.tenant(tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id!r} not found")
    check_tenant_access(principal, tenant.id, tenant.parent_id)
    return tenant


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
    payload = TenantRegisteredV1(tenant_id=tenant.id, name=tenant.name, kind=data.kind, parent_id=tenant.parent_id)
    await add_to_outbox(session, new_event(payload, service=SERVICE, tenant=tenant.id, subject=tenant.id), topic=TOPIC)
    await session.refresh(tenant)
    return tenant


async def register_employee(session: AsyncSession, principal: Principal, tenant_id: str, data: EmployeeIn) -> Employee:
    require_roles(principal, *WRITERS)
    repo = RosterRepository(session)
    await authorize_tenant(repo, principal, tenant_id)
    try:
        nip = parse_nip(data.nip, data.employment_type, today=date.today())
        check_nip_matches_record(nip, data.birth_date, data.gender)
    except NipError as exc:
        raise InvalidInput(NIP_RULE_FIELDS.get(exc.rule, "body.nip"), exc.rule, exc.message) from None
    if await repo.employee(tenant_id, nip.value) is not None:
        raise Conflict(f"employee with NIP {nip.value} already exists in {tenant_id}")
    employee = Employee(
        tenant_id=tenant_id,
        nip=nip.value,
        name=data.name,
        gender=nip.gender,
        birth_date=nip.birth_date,
        tmt=nip.tmt,
        employment_type=data.employment_type,
        unit=data.unit,
        position_title=data.position_title,
        tier=data.tier,
    )
    repo.add(employee)
    await session.flush()
    payload = EmployeeRegisteredV1(
        nip=employee.nip,
        name=employee.name,
        gender=nip.gender,
        birth_date=employee.birth_date,
        employment_type=data.employment_type,
        unit=employee.unit,
        position_title=employee.position_title,
        tier=employee.tier,
    )
    event = new_event(payload, service=SERVICE, tenant=tenant_id, subject=employee.nip)
    await add_to_outbox(session, event, topic=TOPIC)
    await session.refresh(employee)
    return employee
