"""Succession use cases: keep positions from roster's events, tenant settings, ranked candidates for a
position, vacancies and bench strength."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from bakat_common.auth import Principal, require_roles
from bakat_common.consumer import batched
from bakat_common.contracts.roster import PositionFilledV1, PositionRegisteredV1, PositionVacatedV1
from bakat_common.errors import NotFound
from bakat_common.events import CloudEvent
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from placement.service import current_rules
from placement.succession import domain
from placement.succession.domain import (
    DEFAULT_SETTINGS,
    Candidate,
    PositionStandard,
    RankedCandidate,
    ReadinessRules,
    SuccessionSettings,
)
from placement.succession.models import PositionRecord, SuccessionSettingsVersion
from placement.succession.repository import SuccessionRepository
from placement.succession.schemas import SettingsIn

POSITION_EVENTS = (PositionRegisteredV1, PositionVacatedV1, PositionFilledV1)


# ---- positions replica (consumer) -------------------------------------------------------------------


def _holder(tenant_id: str, code: str, tier: str, unit_code: str, holder: str | None, at: datetime) -> dict:
    return {
        "tenant_id": tenant_id, "code": code, "tier": tier, "unit_code": unit_code, "holder_nip": holder,
        "previous_holder_nip": None, "vacant": holder is None, "vacant_since": at if holder is None else None,
        "holder_changed_at": at,
    }  # fmt: skip


async def _on_position_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Roster's position events, a run of them at once. Each part of a row (the definition, the holder)
    keeps the newest event's state by event time, so duplicates and late events change nothing."""
    definitions, holders = [], []
    for event in events:
        if event.type == PositionRegisteredV1.event_type:
            p = PositionRegisteredV1.model_validate(event.data)
            holder = _holder(event.tenant, p.code, p.tier, p.unit_code, p.holder_nip, event.time)
            definitions.append(
                {**holder, "title": p.title, "eselon": p.eselon, "functional_level": p.functional_level,
                 "unit_path": p.unit_path, "requirements": dict(p.requirements),
                 "technical_requirements": dict(p.technical_requirements), "defined_at": event.time}
            )  # fmt: skip
            holders.append(holder)
        elif event.type == PositionVacatedV1.event_type:
            v = PositionVacatedV1.model_validate(event.data)
            holder = _holder(event.tenant, v.code, v.tier, v.unit_code, None, event.time)
            holders.append({**holder, "previous_holder_nip": v.previous_holder_nip})
        else:
            f = PositionFilledV1.model_validate(event.data)
            holders.append(_holder(event.tenant, f.code, f.tier, f.unit_code, f.holder_nip, event.time))
    repo = SuccessionRepository(session)
    await repo.upsert_definitions(definitions)
    await repo.upsert_holders(holders)


on_position_events = batched(_on_position_events)


# ---- settings ---------------------------------------------------------------------------------------


def settings_of(row: SuccessionSettingsVersion | None) -> SuccessionSettings:
    if row is None:
        return DEFAULT_SETTINGS
    r = row.readiness
    return SuccessionSettings(
        version=row.version,
        candidate_source=row.candidate_source,  # type: ignore[arg-type]
        key_tiers=tuple(row.key_tiers),
        merit_index=row.merit_index,
        merit_threshold=row.merit_threshold,
        readiness=ReadinessRules(
            ready_now_boxes=frozenset(r["ready_now_boxes"]),
            ready_now_jpm_boxes=frozenset(r["ready_now_jpm_boxes"]),
            ready_now_jpm=r["ready_now_jpm"],
            one_to_two_years_jpm=r["one_to_two_years_jpm"],
        ),
    )


async def current_settings(
    session: AsyncSession, tenant_id: str
) -> tuple[SuccessionSettings, SuccessionSettingsVersion | None]:
    row = await SuccessionRepository(session).latest_settings(tenant_id)
    return settings_of(row), row


async def change_settings(
    session: AsyncSession, principal: Principal, tenant_id: str, data: SettingsIn
) -> tuple[SuccessionSettings, SuccessionSettingsVersion]:
    """A new settings version (who, when, why); old versions are kept as they were."""
    require_roles(principal, "admin", "officer")
    # One change at a time per tenant: the version number is taken under this lock.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"succession:{tenant_id}"))))
    current, _ = await current_settings(session, tenant_id)
    row = SuccessionSettingsVersion(
        tenant_id=tenant_id,
        version=current.version + 1,
        candidate_source=data.candidate_source,
        key_tiers=list(data.key_tiers),
        merit_index=data.merit_index,
        merit_threshold=data.merit_threshold,
        readiness=data.readiness.model_dump(),
        created_by=principal.subject,
        reason=data.reason,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return settings_of(row), row


# ---- candidates, vacancies, bench strength ----------------------------------------------------------


def standard_of(p: PositionRecord) -> PositionStandard:
    return PositionStandard(
        code=p.code, tier=p.tier, requirements=p.requirements, technical_requirements=p.technical_requirements,
        unit_code=p.unit_code, holder_nip=p.holder_nip, previous_holder_nip=p.previous_holder_nip,
    )  # fmt: skip


class CandidatePools:
    """The talent pool per set of source tiers, read once per set (one query each) and shared by every
    position that draws on it."""

    def __init__(self, session: AsyncSession, tenant_id: str, boxes: frozenset[int]) -> None:
        self.repo = SuccessionRepository(session)
        self.tenant_id, self.boxes = tenant_id, sorted(boxes)
        self.today = datetime.now(timezone.utc).date()
        self._pools: dict[tuple[str, ...], list[Candidate]] = {}
        self._counters: dict[tuple[str, ...], domain.SuccessorCounter] = {}

    async def of(self, tiers: Sequence[str]) -> list[Candidate]:
        key = tuple(sorted(tiers))
        if key not in self._pools:
            rows = await self.repo.candidate_pool(self.tenant_id, key, self.boxes, self.today)
            self._pools[key] = [
                Candidate(nip=r.nip, name=r.name, tier=r.tier, unit_code=r.unit_code,
                          position_code=r.position_code, box=r.box, predikat=r.predikat, skp_year=r.skp_year,
                          potential_score=r.potential_score, scores=r.scores or {}, valid_until=r.valid_until)
                for r in rows
            ]  # fmt: skip
        return self._pools[key]

    async def counter(self, tiers: Sequence[str], rules: ReadinessRules) -> domain.SuccessorCounter:
        key = tuple(sorted(tiers))
        if key not in self._counters:
            self._counters[key] = domain.SuccessorCounter(await self.of(tiers), rules)
        return self._counters[key]


async def position_or_404(session: AsyncSession, tenant_id: str, code: str) -> PositionRecord:
    position = await SuccessionRepository(session).position(tenant_id, code)
    if position is None:
        raise NotFound(f"position {code!r} not known in {tenant_id}")
    return position


async def ranked_candidates(
    session: AsyncSession, tenant_id: str, code: str
) -> tuple[PositionRecord, tuple[str, ...], frozenset[int], SuccessionSettings, list[RankedCandidate]]:
    position = await position_or_404(session, tenant_id, code)
    settings, _ = await current_settings(session, tenant_id)
    boxes = (await current_rules(session, tenant_id)).talent_pool_boxes
    tiers = domain.source_tiers(position.tier, settings.candidate_source)
    pool = await CandidatePools(session, tenant_id, boxes).of(tiers)
    return (
        position,
        tiers,
        boxes,
        settings,
        domain.rank_candidates(pool, standard_of(position), settings.readiness),
    )


async def successor_counts(
    session: AsyncSession, tenant_id: str, positions: Sequence[PositionRecord], settings: SuccessionSettings
) -> list[tuple[PositionRecord, tuple[str, ...], dict[str, int]]]:
    """Per position: its source tiers and how many successors it has per readiness."""
    boxes = (await current_rules(session, tenant_id)).talent_pool_boxes
    pools = CandidatePools(session, tenant_id, boxes)
    result = []
    for p in positions:
        tiers = domain.source_tiers(p.tier, settings.candidate_source)
        counts = (await pools.counter(tiers, settings.readiness)).counts(standard_of(p))
        result.append((p, tiers, counts))
    return result


async def vacancies(
    session: AsyncSession, tenant_id: str, unit_code: str | None, tier: str | None
) -> list[tuple[PositionRecord, tuple[str, ...], dict[str, int]]]:
    settings, _ = await current_settings(session, tenant_id)
    repo = SuccessionRepository(session)
    positions = await repo.positions(
        tenant_id, vacant=True, tiers=None if tier is None else [tier], unit_code=unit_code
    )
    return await successor_counts(session, tenant_id, positions, settings)


async def bench_strength(
    session: AsyncSession, tenant_id: str, unit_code: str | None
) -> tuple[SuccessionSettings, list[tuple[PositionRecord, tuple[str, ...], dict[str, int]]]]:
    """Every key position (the settings' key tiers) with its successors per readiness."""
    settings, _ = await current_settings(session, tenant_id)
    positions = await SuccessionRepository(session).positions(
        tenant_id, tiers=settings.key_tiers, unit_code=unit_code
    )
    return settings, await successor_counts(session, tenant_id, positions, settings)
