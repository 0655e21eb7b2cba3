"""Placement keeps the newest inputs whatever order their events arrive in (real PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone

import pytest
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.events import CloudEvent, new_event
from bakat_common.infrastructure import outbox
from bakat_devstack.migrations import migrate
from bakat_devstack.postgres import ensure_database
from placement import service
from placement.repository import PlacementRepository
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

pytestmark = pytest.mark.integration
TENANT, NIP = "kota-batu", "198503152010011003"
T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
async def engine(embedded_postgres) -> AsyncIterator[AsyncEngine]:
    name = f"placement_it_{uuid.uuid4().hex[:6]}"
    await ensure_database(embedded_postgres.server_url, name)
    url = embedded_postgres.database_url(name)
    await asyncio.to_thread(migrate, "placement", url)
    engine = create_async_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine) -> async_sessionmaker[AsyncSession]:
    async with engine.begin() as conn:
        await conn.exec_driver_sql("TRUNCATE placements, performance_inputs, potential_inputs, outbox")
    return async_sessionmaker(engine, expire_on_commit=False)


def skp(year: int, predikat: str, recorded_at: datetime) -> CloudEvent:
    payload = PerformanceRecordedV1(nip=NIP, year=year, predikat=predikat, recorded_at=recorded_at)
    return new_event(payload, service="assessment", tenant=TENANT, subject=NIP)


def result(score: float, completed_at: datetime, version: int = 1, assessment_id: str = "a-1") -> CloudEvent:
    payload = AssessmentCompletedV1(
        assessment_id=assessment_id,
        nip=NIP,
        version=version,
        potential_score=score,
        completed_at=completed_at,
        valid_until=date(2028, 6, 1),
    )
    return new_event(payload, service="assessment", tenant=TENANT, subject=NIP)


async def deliver(sessions, *events: CloudEvent) -> None:
    for event in events:
        handler = {
            PerformanceRecordedV1.event_type: service.on_performance_recorded,
            AssessmentCompletedV1.event_type: service.on_assessment_completed,
        }[event.type]
        async with sessions() as s, s.begin():
            await handler(s, event)


async def placement(sessions):
    async with sessions() as s:
        return await PlacementRepository(s).placement(TENANT, NIP)


async def placed_events(sessions) -> int:
    async with sessions() as s:
        return (await s.execute(select(func.count()).select_from(outbox))).scalar_one()


async def test_an_older_skp_year_arriving_late_does_not_replace_the_newer(sessions):
    await deliver(sessions, result(85, T0), skp(2025, "Sangat Baik", T0), skp(2024, "Butuh Perbaikan", T0 + timedelta(days=1)))
    p = await placement(sessions)
    assert (p.skp_year, p.predikat, p.box) == (2025, "Sangat Baik", 9)


async def test_a_same_year_correction_recorded_later_wins_in_either_order(sessions):
    original, correction = skp(2025, "Baik", T0), skp(2025, "Kurang", T0 + timedelta(hours=1))
    await deliver(sessions, result(70, T0), correction, original)
    assert (await placement(sessions)).predikat == "Kurang"


async def test_an_older_assessment_arriving_late_does_not_replace_the_newer(sessions):
    newer, older = result(90, T0, assessment_id="new"), result(50, T0 - timedelta(days=400), assessment_id="old")
    await deliver(sessions, skp(2025, "Baik", T0), newer, older)
    p = await placement(sessions)
    assert (p.assessment_id, p.potential_score, p.box) == ("new", 90, 8)


async def test_a_corrected_assessment_version_replaces_the_first(sessions):
    await deliver(sessions, skp(2025, "Baik", T0), result(90, T0, version=2), result(50, T0, version=1))
    assert (await placement(sessions)).potential_score == 90


async def test_placement_waits_for_both_axes_and_publishes_only_changes(sessions):
    await deliver(sessions, result(65, T0))
    assert await placement(sessions) is None
    await deliver(sessions, skp(2025, "Baik", T0))
    assert (await placement(sessions)).box == 5
    assert await placed_events(sessions) == 1
    await deliver(sessions, skp(2025, "Baik", T0 + timedelta(hours=1)))  # same box: nothing new to say
    assert await placed_events(sessions) == 1
    await deliver(sessions, skp(2025, "Sangat Baik", T0 + timedelta(hours=2)))
    assert (await placement(sessions)).box == 7
    assert await placed_events(sessions) == 2
