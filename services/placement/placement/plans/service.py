"""Development plan use cases: an employee's plan (stored items + suggestions not adopted yet), adopting
and changing items, programmes for many employees at once, the tracking list and the rapor."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

from bakat_common.auth import Principal, require_roles
from bakat_common.errors import Conflict, InvalidInput, NotFound, Problem
from sqlalchemy import Date, String, Text, and_, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from placement import domain as placement_domain
from placement.models import EmployeeRecord, PerformanceInput, PlacementRecord, PotentialInput
from placement.plans import domain
from placement.plans.models import DevelopmentPlanItem, DevelopmentProgramme
from placement.plans.schemas import (
    AdoptedOut,
    AdoptIn,
    DevelopmentNeedOut,
    DevelopmentPlanOut,
    EnrolmentOut,
    PlanItemIn,
    PlanItemOut,
    PlanItemPage,
    PlanItemPatch,
    ProgrammeIn,
    ProgrammeOut,
    Rapor,
    RaporAssessment,
    RaporEmployee,
    RaporPlacement,
    SuggestionOut,
)
from placement.repository import PlacementRepository
from placement.schemas import PlacementOut, YearBox

WRITERS = ("admin", "officer")
READERS = ("admin", "officer", "assessor", "viewer")


# ---- the employee's basis: who, the placement and the inputs -----------------------------------------


@dataclass
class Basis:
    nip: str
    employee: EmployeeRecord | None
    placement: PlacementRecord | None
    potential: PotentialInput | None
    performance: PerformanceInput | None

    @property
    def box(self) -> int | None:
        return self.placement.box if self.placement is not None else None

    @property
    def cycle(self) -> str:
        if self.placement is not None:
            return domain.cycle_of(self.placement.assessment_id, self.placement.skp_year)
        return domain.cycle_of(
            self.potential.assessment_id if self.potential else None,
            self.performance.year if self.performance else None,
        )

    def suggestions(self) -> list[domain.Suggestion]:
        pot = self.potential
        return domain.suggested_plan(
            self.box, pot.development if pot else [], pot.gaps if pot else {}, pot.scores if pot else {}
        )


async def basis_of(session: AsyncSession, tenant_id: str, nip: str) -> Basis:
    """What placement knows of the employee; 404 when it knows nothing at all."""
    key = (tenant_id, nip)
    basis = Basis(
        nip=nip,
        employee=await session.get(EmployeeRecord, key),
        placement=await session.get(PlacementRecord, key),
        potential=await session.get(PotentialInput, key),
        performance=await session.get(PerformanceInput, key),
    )
    if not any((basis.employee, basis.placement, basis.potential, basis.performance)):
        raise NotFound(
            f"employee {nip} not known in {tenant_id}: no roster record, placement or assessment result here"
        )
    return basis


async def _items(session: AsyncSession, tenant_id: str, nip: str) -> list[DevelopmentPlanItem]:
    rows = await session.scalars(
        select(DevelopmentPlanItem)
        .where(DevelopmentPlanItem.tenant_id == tenant_id, DevelopmentPlanItem.nip == nip)
        .order_by(DevelopmentPlanItem.created_at, DevelopmentPlanItem.id)
    )
    return list(rows.all())


def _adopted_keys(items: list[DevelopmentPlanItem], cycle: str) -> set[str]:
    """A suggestion counts as adopted when an item of this cycle has its key (whatever its status: a
    cancelled one was decided against), or an open item of an earlier cycle still carries it."""
    return {
        i.suggestion_key
        for i in items
        if i.suggestion_key is not None and (i.cycle == cycle or i.status in domain.OPEN_STATUSES)
    }


def _progress(statuses: list[str] | dict[str, int]) -> dict[str, int]:
    counts = dict.fromkeys(domain.STATUSES, 0)
    if isinstance(statuses, dict):
        counts.update(statuses)
    else:
        for s in statuses:
            counts[s] = counts.get(s, 0) + 1
    return counts


def _plan_out(tenant_id: str, basis: Basis, items: list[DevelopmentPlanItem]) -> DevelopmentPlanOut:
    cycle = basis.cycle
    left = domain.pending(basis.suggestions(), _adopted_keys(items, cycle))
    return DevelopmentPlanOut(
        tenant_id=tenant_id,
        nip=basis.nip,
        box=basis.box,
        cycle=cycle,
        items=[PlanItemOut.model_validate(i) for i in items],
        suggestions=[SuggestionOut(key=s.key, title=s.title, kind=s.kind, source=s.source) for s in left],
        progress=_progress([i.status for i in items]),
    )


async def plan_of(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str
) -> DevelopmentPlanOut:
    require_roles(principal, *READERS)
    basis = await basis_of(session, tenant_id, nip)
    return _plan_out(tenant_id, basis, await _items(session, tenant_id, nip))


# ---- changing an employee's plan ---------------------------------------------------------------------


async def _lock_plan(session: AsyncSession, tenant_id: str, nip: str) -> None:
    # Two officers adopting for the same employee at once: one after the other, so the second sees
    # what the first adopted.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"plan:{tenant_id}:{nip}"))))


async def adopt(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, data: AdoptIn
) -> AdoptedOut:
    """Adopt the chosen suggestions (or all not adopted yet); unknown keys reject the whole request,
    keys already adopted are left as they are."""
    require_roles(principal, *WRITERS)
    await _lock_plan(session, tenant_id, nip)
    basis = await basis_of(session, tenant_id, nip)
    suggestions = basis.suggestions()
    by_key = {s.key: s for s in suggestions}
    if data.keys is not None:
        unknown = [(n, k) for n, k in enumerate(data.keys) if k not in by_key]
        if unknown:
            errors = [
                {"field": f"body.keys.{n}", "rule": "unknown_suggestion",
                 "message": f"{k!r} is not a suggestion for {nip} now"}
                for n, k in unknown
            ]  # fmt: skip
            raise Problem(
                "; ".join(e["message"] for e in errors), status=422, title="Invalid input", errors=errors
            )
    cycle = basis.cycle
    taken = _adopted_keys(await _items(session, tenant_id, nip), cycle)
    chosen = [s for s in suggestions if (data.keys is None or s.key in data.keys) and s.key not in taken]
    adopted_ids: list[uuid.UUID] = []
    if chosen:
        now = datetime.now(timezone.utc)
        rows = [
            {"id": uuid.uuid4(), "tenant_id": tenant_id, "nip": nip, "title": s.title, "kind": s.kind,
             "source": s.source, "suggestion_key": s.key, "cycle": cycle, "owner": data.owner,
             "start_date": data.start_date, "due_date": data.due_date, "status": "planned",
             "schedule_note": data.schedule_note, "created_by": principal.subject, "created_at": now,
             "updated_by": principal.subject, "updated_at": now}
            for s in chosen
        ]  # fmt: skip
        stmt = (
            pg_insert(DevelopmentPlanItem)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(DevelopmentPlanItem.id)
        )
        adopted_ids = list((await session.scalars(stmt)).all())
    items = await _items(session, tenant_id, nip)
    return AdoptedOut(
        adopted=[PlanItemOut.model_validate(i) for i in items if i.id in set(adopted_ids)],
        plan=_plan_out(tenant_id, basis, items),
    )


async def add_item(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, data: PlanItemIn
) -> PlanItemOut:
    require_roles(principal, *WRITERS)
    await basis_of(session, tenant_id, nip)  # 404 for an employee placement knows nothing of
    item = DevelopmentPlanItem(
        id=uuid.uuid4(), tenant_id=tenant_id, nip=nip, title=data.title, kind=data.kind, source="custom",
        owner=data.owner, start_date=data.start_date, due_date=data.due_date, status="planned",
        schedule_note=data.schedule_note, created_by=principal.subject, updated_by=principal.subject,
    )  # fmt: skip
    session.add(item)
    await session.flush()
    await session.refresh(item)
    return PlanItemOut.model_validate(item)


async def _item_for_update(
    session: AsyncSession, tenant_id: str, nip: str, item_id: uuid.UUID
) -> DevelopmentPlanItem:
    item = await session.scalar(
        select(DevelopmentPlanItem)
        .where(
            DevelopmentPlanItem.tenant_id == tenant_id,
            DevelopmentPlanItem.nip == nip,
            DevelopmentPlanItem.id == item_id,
        )
        .with_for_update()
    )
    if item is None:
        raise NotFound(f"plan item {item_id} not found for employee {nip} in {tenant_id}")
    return item


async def change_item(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    nip: str,
    item_id: uuid.UUID,
    patch: PlanItemPatch,
) -> PlanItemOut:
    """Change the fields sent; dates stay ordered with the stored ones, and a done or cancelled item is
    reopened only with a reason."""
    require_roles(principal, *WRITERS)
    item = await _item_for_update(session, tenant_id, nip, item_id)
    sent = patch.model_fields_set
    start = patch.start_date if "start_date" in sent else item.start_date
    due = patch.due_date if "due_date" in sent else item.due_date
    problem = domain.check_dates(start, due)
    if problem:
        raise InvalidInput(
            "body.due_date" if "due_date" in sent else "body.start_date", "date_order", problem
        )
    if patch.status is not None and patch.status != item.status:
        problem = domain.check_transition(item.status, patch.status, patch.reason)
        if problem:
            raise InvalidInput("body.reason", "reason_required", problem)
        item.completed_at = datetime.now(timezone.utc) if patch.status == "done" else None
        item.status = patch.status
        item.status_reason = patch.reason
    for name in ("title", "owner", "start_date", "due_date", "schedule_note"):
        if name in sent:
            setattr(item, name, getattr(patch, name))
    item.updated_by = principal.subject
    item.updated_at = datetime.now(timezone.utc)
    await session.flush()
    return PlanItemOut.model_validate(item)


async def delete_item(
    session: AsyncSession, principal: Principal, tenant_id: str, nip: str, item_id: uuid.UUID
) -> None:
    """Only a planned item goes away; one started or finished is part of the record (cancel it)."""
    require_roles(principal, *WRITERS)
    item = await _item_for_update(session, tenant_id, nip, item_id)
    if item.status != "planned":
        raise Conflict(
            f"plan item {item_id} is {item.status}: only planned items can be deleted; cancel it instead"
        )
    await session.delete(item)
    await session.flush()


# ---- programmes ----------------------------------------------------------------------------------------

DEFINITION = (
    "title",
    "kind",
    "boxes",
    "unit_code",
    "tier",
    "owner",
    "start_date",
    "due_date",
    "schedule_note",
)


async def _enrol(session: AsyncSession, programme: DevelopmentProgramme, subject: str) -> int:
    """One INSERT ... SELECT: a planned item for every active employee matching the programme who has
    none in it yet (tens of thousands of employees in one statement)."""
    e, p, item = EmployeeRecord, PlacementRecord, DevelopmentPlanItem
    source = f"programme {programme.code}"
    chosen = select(
        func.gen_random_uuid(), e.tenant_id, e.nip, literal(programme.title, Text), literal(programme.kind, String),
        literal(source, Text), literal(programme.owner, Text), literal(programme.start_date, Date),
        literal(programme.due_date, Date), literal("planned", String), literal(programme.schedule_note, Text),
        literal(programme.id), literal(subject, Text), literal(subject, Text),
    ).where(e.tenant_id == programme.tenant_id, e.status == "active")  # fmt: skip
    if programme.boxes:
        chosen = chosen.join(p, and_(p.tenant_id == e.tenant_id, p.nip == e.nip)).where(
            p.box.in_(list(programme.boxes))
        )
    if programme.unit_code is not None:
        chosen = chosen.where(e.unit_path.contains(f"/{programme.unit_code}/", autoescape=True))
    if programme.tier is not None:
        chosen = chosen.where(e.tier == programme.tier)
    columns = [
        item.id, item.tenant_id, item.nip, item.title, item.kind, item.source, item.owner, item.start_date,
        item.due_date, item.status, item.schedule_note, item.programme_id, item.created_by, item.updated_by,
    ]  # fmt: skip
    stmt = (
        pg_insert(DevelopmentPlanItem)
        .from_select([c.key for c in columns], chosen)
        .on_conflict_do_nothing(index_elements=["tenant_id", "programme_id", "nip"])
    )
    result = await session.execute(stmt)
    return result.rowcount or 0


async def _programme_out(session: AsyncSession, programme: DevelopmentProgramme) -> ProgrammeOut:
    rows = await session.execute(
        select(DevelopmentPlanItem.status, func.count())
        .where(
            DevelopmentPlanItem.tenant_id == programme.tenant_id,
            DevelopmentPlanItem.programme_id == programme.id,
        )
        .group_by(DevelopmentPlanItem.status)
    )
    progress = _progress({status: n for status, n in rows.all()})
    enrolled = sum(progress.values())
    live = enrolled - progress["cancelled"]
    return ProgrammeOut(
        id=programme.id, code=programme.code, title=programme.title, kind=programme.kind,
        boxes=list(programme.boxes), unit_code=programme.unit_code, tier=programme.tier, owner=programme.owner,
        start_date=programme.start_date, due_date=programme.due_date, schedule_note=programme.schedule_note,
        created_by=programme.created_by, created_at=programme.created_at, enrolled=enrolled, progress=progress,
        completion=round(progress["done"] / live, 4) if live else 0.0,
    )  # fmt: skip


async def create_programme(
    session: AsyncSession, principal: Principal, tenant_id: str, data: ProgrammeIn
) -> tuple[ProgrammeOut, bool]:
    """The programme and its items in one transaction. The same code again: the existing programme
    (nothing enrolled twice) when the definition is the same, 409 when it differs."""
    require_roles(principal, *WRITERS)
    values = {name: getattr(data, name) for name in DEFINITION}
    stmt = (
        pg_insert(DevelopmentProgramme)
        .values(id=uuid.uuid4(), tenant_id=tenant_id, code=data.code, created_by=principal.subject, **values)
        .on_conflict_do_nothing(index_elements=["tenant_id", "code"])
        .returning(DevelopmentProgramme.id)
    )
    new_id = await session.scalar(stmt)
    programme = await session.scalar(
        select(DevelopmentProgramme).where(
            DevelopmentProgramme.tenant_id == tenant_id, DevelopmentProgramme.code == data.code
        )
    )
    assert programme is not None
    if new_id is None:
        differs = [name for name in DEFINITION if getattr(programme, name) != values[name]]
        if differs:
            raise Conflict(
                f"programme {data.code!r} already exists with a different {', '.join(differs)}; "
                "use another code for another programme"
            )
        return await _programme_out(session, programme), False
    await _enrol(session, programme, principal.subject)
    return await _programme_out(session, programme), True


async def _programme(session: AsyncSession, tenant_id: str, programme_id: uuid.UUID) -> DevelopmentProgramme:
    programme = await session.get(DevelopmentProgramme, programme_id)
    if programme is None or programme.tenant_id != tenant_id:
        raise NotFound(f"programme {programme_id} not found in {tenant_id}")
    return programme


async def programme_of(
    session: AsyncSession, principal: Principal, tenant_id: str, programme_id: uuid.UUID
) -> ProgrammeOut:
    require_roles(principal, *READERS)
    return await _programme_out(session, await _programme(session, tenant_id, programme_id))


async def list_programmes(session: AsyncSession, principal: Principal, tenant_id: str) -> list[ProgrammeOut]:
    require_roles(principal, *READERS)
    rows = await session.scalars(
        select(DevelopmentProgramme)
        .where(DevelopmentProgramme.tenant_id == tenant_id)
        .order_by(DevelopmentProgramme.created_at.desc(), DevelopmentProgramme.id)
        .limit(500)
    )
    return [await _programme_out(session, p) for p in rows.all()]


async def enrol_again(
    session: AsyncSession, principal: Principal, tenant_id: str, programme_id: uuid.UUID
) -> EnrolmentOut:
    """Enrol the employees who match the programme now and are not in it (e.g. placed in a low box
    since); those already in it are left as they are."""
    require_roles(principal, *WRITERS)
    programme = await _programme(session, tenant_id, programme_id)
    # One enrolment at a time per programme (the unique index would also hold, by waiting).
    await session.execute(
        select(DevelopmentProgramme.id).where(DevelopmentProgramme.id == programme.id).with_for_update()
    )
    added = await _enrol(session, programme, principal.subject)
    return EnrolmentOut(added=added, programme=await _programme_out(session, programme))


# ---- tracking ------------------------------------------------------------------------------------------


def decode_cursor(cursor: str | None) -> tuple[str, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        nip, _, item = base64.urlsafe_b64decode(cursor.encode() + b"==").decode().partition("|")
        return nip, uuid.UUID(item)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("query.cursor", "cursor", "cursor is not one this API gave out") from None


def encode_cursor(nip: str, item_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{nip}|{item_id}".encode()).decode().rstrip("=")


@dataclass(frozen=True)
class ItemFilter:
    status: str | None = None
    kind: str | None = None
    programme_id: uuid.UUID | None = None
    owner: str | None = None
    due_before: date | None = None


async def list_items(
    session: AsyncSession,
    principal: Principal,
    tenant_id: str,
    where: ItemFilter,
    limit: int,
    cursor: str | None,
) -> PlanItemPage:
    """The tenant's plan items by NIP (keyset pages that neither skip nor repeat while others write)."""
    require_roles(principal, *READERS)
    after = decode_cursor(cursor)
    item = DevelopmentPlanItem
    conditions = [item.tenant_id == tenant_id]
    if where.status is not None:
        conditions.append(item.status == where.status)
    if where.kind is not None:
        conditions.append(item.kind == where.kind)
    if where.programme_id is not None:
        conditions.append(item.programme_id == where.programme_id)
    if where.owner is not None:
        conditions.append(item.owner == where.owner)
    if where.due_before is not None:
        conditions.append(item.due_date < where.due_before)
    total = await session.scalar(select(func.count()).select_from(item).where(*conditions)) or 0
    stmt = select(item).where(*conditions).order_by(item.nip, item.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(tuple_(item.nip, item.id) > tuple_(literal(after[0], String), literal(after[1])))
    rows = list((await session.scalars(stmt)).all())
    more, rows = len(rows) > limit, rows[:limit]
    return PlanItemPage(
        items=[PlanItemOut.model_validate(r) for r in rows],
        total=total,
        next_cursor=encode_cursor(rows[-1].nip, rows[-1].id) if more and rows else None,
    )


# ---- the rapor -----------------------------------------------------------------------------------------


def _waiting_for(basis: Basis) -> str:
    if basis.placement is not None:
        return "placed"
    return placement_domain.waiting_for(basis.performance is not None, basis.potential is not None)


async def rapor(session: AsyncSession, principal: Principal, tenant_id: str, nip: str) -> Rapor:
    """The report card in one answer: employee, box with its name and reasons, the trend per SKP year,
    the development needs and gaps, and the plan with each item's status."""
    require_roles(principal, *READERS)
    basis = await basis_of(session, tenant_id, nip)
    e, p, pot = basis.employee, basis.placement, basis.potential
    placement = None
    if p is not None:
        out = PlacementOut.of(p)
        placement = RaporPlacement(
            **out.model_dump(),
            box_name=domain.box_name(p.box),
            computed_box_name=domain.box_name(p.computed_box),
            calibrated=p.calibration_id is not None,
        )
    changes = await PlacementRepository(session).history(tenant_id, nip)  # oldest first
    return Rapor(
        tenant_id=tenant_id,
        nip=nip,
        employee=RaporEmployee(
            nip=nip,
            name=e.name,
            unit_code=e.unit_code,
            unit_path=e.unit_path,
            position_code=e.position_code,
            position_title=e.position_title,
            tier=e.tier,
            status=e.status,
        )
        if e is not None
        else None,  # fmt: skip
        placement=placement,
        placement_status=_waiting_for(basis),
        trend=[
            YearBox(skp_year=y, box=b)
            for y, b in placement_domain.trend((c.skp_year, c.box) for c in changes)
        ],
        assessment=RaporAssessment(
            assessment_id=pot.assessment_id,
            version=pot.version,
            completed_at=pot.completed_at,
            valid_until=pot.valid_until,
            jpm=pot.jpm,
            scores=dict(pot.scores),
            gaps=dict(pot.gaps),
            development=[DevelopmentNeedOut.model_validate(d) for d in pot.development],
        )
        if pot is not None
        else None,  # fmt: skip
        plan=_plan_out(tenant_id, basis, await _items(session, tenant_id, nip)),
    )
