"""Succession on real PostgreSQL, through the service's own routes, fed by roster and assessment events
through the consumer handlers: the Mojokerto case (a vacant Administrator post and the ranked Pengawas
pool), duplicate and out-of-order position events, the merit flag, bench strength and bad input."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.contracts.roster import (
    EmployeeRegisteredV1,
    PositionFilledV1,
    PositionRegisteredV1,
    PositionVacatedV1,
)
from bakat_common.events import CloudEvent, new_event
from bakat_common.infrastructure import known_tenants
from placement import service
from placement.succession import service as succession
from placement.succession.models import PositionRecord

pytestmark = pytest.mark.integration
NOW = datetime.now(timezone.utc)
T0 = datetime(2025, 1, 6, tzinfo=timezone.utc)
KABID = "KABID-MUTASI"
PATHS = {"BKPSDM": "/BKPSDM/", "BKPSDM-MUTASI": "/BKPSDM/BKPSDM-MUTASI/",
         "BKPSDM-MUTASI-1": "/BKPSDM/BKPSDM-MUTASI/BKPSDM-MUTASI-1/"}  # fmt: skip


@dataclass
class Stack:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: DevIssuer

    async def tenant(self) -> str:
        tenant = f"kota-mojokerto-{uuid.uuid4().hex[:6]}"
        async with self.runtime.sessions() as s, s.begin():
            await s.execute(
                known_tenants.insert().values(tenant_id=tenant, name="Kota Mojokerto", kind="kota")
            )
        return tenant

    def headers(self, tenant: str, role: str = "officer") -> dict[str, str]:
        return {"authorization": f"Bearer {self.issuer.mint(f'{role}-1', tenant, [role])}"}


@pytest.fixture(scope="module")
async def stack(placement_app) -> AsyncIterator[Stack]:
    async with placement_app("succession") as (client, runtime, issuer):
        yield Stack(client, runtime, issuer)


def nip(n: int) -> str:
    return f"198{n % 10}0101200501{1 + n % 2}{n:03d}"


def standard(level: int) -> dict[str, int]:
    return {c: level for c in STANDARD_COMPETENCIES}


def at(event: CloudEvent, time: datetime) -> CloudEvent:
    return event.model_copy(update={"time": time})


def registered(
    tenant: str, code: str, tier: str, unit: str, time: datetime, title: str = "Kepala"
) -> CloudEvent:
    payload = PositionRegisteredV1(
        code=code, title=title, tier=tier, functional_level=None, eselon="III.b" if tier == "Administrator" else "IV.a",
        job_family=None, unit_code=unit, unit_path=PATHS[unit],
        requirements=standard(3), technical_requirements={"Manajemen ASN": 4}, holder_nip=None,
    )  # fmt: skip
    return at(new_event(payload, service="roster", tenant=tenant, subject=f"position:{code}"), time)


def filled(tenant: str, code: str, tier: str, unit: str, holder: str, time: datetime) -> CloudEvent:
    payload = PositionFilledV1(code=code, tier=tier, unit_code=unit, holder_nip=holder)
    return at(new_event(payload, service="roster", tenant=tenant, subject=f"position:{code}"), time)


def vacated(tenant: str, code: str, tier: str, unit: str, holder: str, time: datetime) -> CloudEvent:
    payload = PositionVacatedV1(code=code, tier=tier, unit_code=unit, previous_holder_nip=holder)
    return at(new_event(payload, service="roster", tenant=tenant, subject=f"position:{code}"), time)


async def deliver(stack: Stack, *events: CloudEvent) -> None:
    """One event per transaction, as the consumer's one-by-one path hands them over."""
    for event in events:
        async with stack.runtime.sessions() as s, s.begin():
            await succession.on_position_events(s, event)


async def deliver_as_one_batch(stack: Stack, *events: CloudEvent) -> None:
    async with stack.runtime.sessions() as s, s.begin():
        await succession.on_position_events.handle(s, list(events))


async def employ(
    stack: Stack,
    tenant: str,
    n: int,
    tier: str,
    *,
    potential: float | None = None,
    predikat: str = "Baik",
    scores: dict[str, int] | None = None,
    position: str | None = None,
    status: str = "active",
    completed: datetime = NOW,
    unit: str = "BKPSDM-MUTASI-1",
) -> str:
    """An employee (roster's event) and, with a potential score, an assessment and an SKP 2025.
    Potential >= 80 is high, 60-80 middle; Sangat Baik is above, Baik meets: 9, 8, 7 and 5."""
    events = [
        new_event(
            EmployeeRegisteredV1(nip=nip(n), name=f"Pegawai {n:03d}", gender="male", birth_date=date(1980, 1, 1),
                                 employment_type="PNS", unit_code=unit, unit_path=PATHS[unit], tier=tier,
                                 position_code=position, status=status),
            service="roster", tenant=tenant, subject=nip(n),
        )
    ]  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_employee_changed.handle(s, events)
    if potential is not None:
        inputs = [
            new_event(PerformanceRecordedV1(nip=nip(n), year=2025, predikat=predikat, recorded_at=NOW),
                      service="assessment", tenant=tenant, subject=nip(n)),
            new_event(AssessmentCompletedV1(assessment_id=f"a-{n}", nip=nip(n), version=1, potential_score=potential,
                                            completed_at=completed, scores=scores or {},
                                            valid_until=completed.date() + timedelta(days=3 * 365)),
                      service="assessment", tenant=tenant, subject=nip(n)),
        ]  # fmt: skip
        async with stack.runtime.sessions() as s, s.begin():
            await service.on_inputs.handle(s, inputs)
    return nip(n)


FULL = {**standard(4), "Manajemen ASN": 4}  # JPM 100 against KABID-MUTASI
WEAK = {**standard(3), "Manajemen ASN": 1}  # (27 + 1) / 31 = 90.3
POOR = {**standard(2), "Manajemen ASN": 2}  # 20 / 31 = 64.5


async def test_mojokerto_a_vacant_administrator_post_is_filled_from_the_ranked_pengawas_pool(stack):
    tenant = await stack.tenant()
    holder = await employ(stack, tenant, 1, "Administrator", potential=85, predikat="Sangat Baik", scores=FULL,
                          position=KABID)  # fmt: skip
    await deliver(
        stack,
        registered(tenant, KABID, "Administrator", "BKPSDM-MUTASI", T0),
        filled(tenant, KABID, "Administrator", "BKPSDM-MUTASI", holder, T0 + timedelta(days=1)),
        vacated(tenant, KABID, "Administrator", "BKPSDM-MUTASI", holder, T0 + timedelta(days=400)),
    )
    box9_poor = await employ(stack, tenant, 2, "Pengawas", potential=85, predikat="Sangat Baik", scores=POOR)
    box8_full = await employ(stack, tenant, 3, "Pengawas", potential=90, predikat="Baik", scores=FULL)
    box8_weak = await employ(stack, tenant, 4, "Pengawas", potential=82, predikat="Baik", scores=POOR)
    box7_full = await employ(stack, tenant, 5, "Pengawas", potential=70, predikat="Sangat Baik", scores=FULL)
    box8_ninety = await employ(stack, tenant, 6, "Pengawas", potential=95, predikat="Baik", scores=WEAK)
    await employ(
        stack, tenant, 7, "Pengawas", potential=70, predikat="Baik", scores=FULL
    )  # box 5: not in pool
    await employ(stack, tenant, 8, "Pengawas", potential=90, predikat="Sangat Baik", scores=FULL,
                 completed=NOW - timedelta(days=4 * 365))  # fmt: skip  # expired result
    await employ(
        stack, tenant, 9, "Pengawas", potential=90, predikat="Sangat Baik", scores=FULL, status="retired"
    )
    await employ(
        stack, tenant, 10, "Pelaksana", potential=90, predikat="Sangat Baik", scores=FULL
    )  # 2 tiers down
    await employ(stack, tenant, 11, "Pengawas")  # never assessed

    officer = stack.headers(tenant)
    r = await stack.client.get(f"/tenants/{tenant}/succession/positions/{KABID}/candidates", headers=officer)
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["position"]["vacant"] and view["position"]["previous_holder_nip"] == holder
    assert view["source_tiers"] == ["Pengawas"] and view["talent_pool_boxes"] == [7, 8, 9]
    ranked = [(c["nip"], c["box"], c["readiness"]) for c in view["candidates"]]
    assert ranked == [
        (box9_poor, 9, "ready_now"),  # DESIGN.md: by box first, then JPM, performance, readiness
        (box8_full, 8, "ready_now"),
        (box8_ninety, 8, "ready_now"),
        (box8_weak, 8, "future"),
        (box7_full, 7, "1_2_years"),
    ]
    assert view["counts"] == {"ready_now": 3, "one_to_two_years": 1, "future": 1, "total": 5}
    first, second, third = view["candidates"][:3]
    assert first["why"].startswith("box 9; JPM 64.5 vs KABID-MUTASI standard (Kurang Memenuhi Syarat)")
    assert first["why"].endswith("SKP 2025 Sangat Baik; potential score 85; ready now: box 9")
    assert second["jpm"] == 100 and second["jpm_category"] == "Memenuhi Syarat" and second["gaps"] == {}
    assert second["decided_by"] == "box" and third["decided_by"] == "JPM"
    assert third["reasons"][-1] == "ready now: box 8 with JPM 90.3 >= 80"
    assert view["fill_without_open_bidding"] is False and "not recorded" in view["merit_reason"]

    limited = await stack.client.get(
        f"/tenants/{tenant}/succession/positions/{KABID}/candidates?limit=2", headers=officer
    )
    assert [c["rank"] for c in limited.json()["candidates"]] == [1, 2] and limited.json()["total"] == 5

    r = await stack.client.get(f"/tenants/{tenant}/succession/vacancies", headers=officer)
    assert [(v["position"]["code"], v["candidates"]["ready_now"], v["candidates"]["total"]) for v in r.json()["items"]] == [
        (KABID, 3, 5)
    ]  # fmt: skip

    # Lateral moves: same tier. The previous holder (an Administrator in box 9) is never his own successor.
    other = await employ(
        stack, tenant, 12, "Administrator", potential=85, predikat="Sangat Baik", scores=WEAK
    )
    r = await stack.client.put(
        f"/tenants/{tenant}/succession/settings", headers=officer,
        json={"candidate_source": "same_tier", "reason": "rotasi antar administrator"},
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["created_by"] == "officer-1"
    r = await stack.client.get(f"/tenants/{tenant}/succession/positions/{KABID}/candidates", headers=officer)
    assert [c["nip"] for c in r.json()["candidates"]] == [other]


async def test_position_events_duplicated_or_out_of_order_end_in_the_same_row(stack):
    tenant = await stack.tenant()
    holder_a, holder_b = nip(21), nip(22)
    events = [
        registered(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", T0, title="Kepala Subbidang"),
        filled(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", holder_a, T0 + timedelta(days=1)),
        vacated(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", holder_a, T0 + timedelta(days=2)),
        filled(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", holder_b, T0 + timedelta(days=3)),
        vacated(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", holder_b, T0 + timedelta(days=4)),
    ]

    async def row() -> tuple:
        async with stack.runtime.sessions() as s:
            p = await s.get(PositionRecord, (tenant, "KASUBBID-1"))
            return (p.title, p.tier, p.requirements["Integritas"], p.holder_nip, p.previous_holder_nip, p.vacant,
                    p.vacant_since, p.defined_at)  # fmt: skip

    await deliver(stack, *events)
    expected = ("Kepala Subbidang", "Pengawas", 3, None, holder_b, True, T0 + timedelta(days=4), T0)
    assert await row() == expected
    await deliver(stack, *reversed(events), events[0], events[1])  # late and duplicated: nothing changes
    assert await row() == expected

    # A holder event before the registration makes a stub the registration completes.
    tenant = await stack.tenant()
    events = [e.model_copy(update={"tenant": tenant}) for e in events]
    await deliver(stack, events[3])
    async with stack.runtime.sessions() as s:
        stub = await s.get(PositionRecord, (tenant, "KASUBBID-1"))
        assert (stub.title, stub.holder_nip, stub.vacant, stub.defined_at) == (None, holder_b, False, None)
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    await deliver_as_one_batch(stack, *shuffled, *shuffled[:2])
    assert await row() == expected

    r = await stack.client.get(f"/tenants/{tenant}/succession/vacancies", headers=stack.headers(tenant))
    assert [v["position"]["code"] for v in r.json()["items"]] == ["KASUBBID-1"]
    # Filled again: no longer a vacancy.
    await deliver(
        stack, filled(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", holder_a, T0 + timedelta(days=5))
    )
    r = await stack.client.get(f"/tenants/{tenant}/succession/vacancies", headers=stack.headers(tenant))
    assert r.json() == {"total": 0, "items": []}


async def test_the_merit_flag_turns_on_at_325_and_settings_are_versioned(stack):
    tenant = await stack.tenant()
    await deliver(stack, registered(tenant, KABID, "Administrator", "BKPSDM-MUTASI", T0))
    officer, viewer = stack.headers(tenant), stack.headers(tenant, "viewer")
    r = await stack.client.get(f"/tenants/{tenant}/succession/settings", headers=viewer)
    assert r.status_code == 200
    assert (r.json()["version"], r.json()["merit_threshold"], r.json()["key_tiers"]) == (
        1, 325, ["JPT Pratama", "Administrator", "Pengawas"],
    )  # fmt: skip
    url = f"/tenants/{tenant}/succession/settings"
    for index, expected in ((324, False), (325, True)):
        r = await stack.client.put(
            url, headers=officer, json={"merit_index": index, "reason": f"ISM {index}"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["fill_without_open_bidding"] is expected
        c = await stack.client.get(
            f"/tenants/{tenant}/succession/positions/{KABID}/candidates", headers=officer
        )
        assert c.json()["fill_without_open_bidding"] is expected, c.text
    assert c.json()["merit_reason"] == (
        "merit-system index 325 >= 325: may fill from the talent pool without open bidding"
    )
    assert (await stack.client.get(url, headers=viewer)).json()["version"] == 3

    r = await stack.client.put(url, headers=viewer, json={"merit_index": 400})
    assert r.status_code == 403
    for bad in (
        {"candidate_source": "everyone"},
        {"merit_index": 401},
        {"key_tiers": []},
        {"key_tiers": ["Eselon V"]},
        {"readiness": {"ready_now_boxes": [10]}},
        {"readiness": {"ready_now_jpm": 60, "one_to_two_years_jpm": 70}},
        {"readiness": {"ready_now_boxes": [8, 9]}},  # 8 also in ready_now_jpm_boxes by default
        {"unknown": 1},
    ):
        r = await stack.client.put(url, headers=officer, json=bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = await stack.client.put(url, headers={**officer, "content-type": "application/json"}, content=b"{not")
    assert r.status_code == 400
    assert (await stack.client.get(url, headers=viewer)).json()["version"] == 3  # nothing stored


async def test_unknown_positions_and_bad_queries_are_4xx(stack):
    tenant = await stack.tenant()
    officer = stack.headers(tenant)
    r = await stack.client.get(f"/tenants/{tenant}/succession/positions/NOPE/candidates", headers=officer)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert "NOPE" in r.json()["detail"]
    r = await stack.client.get(
        f"/tenants/{tenant}/succession/positions/NOPE/candidates?limit=0", headers=officer
    )
    assert r.status_code == 422
    r = await stack.client.get(
        f"/tenants/{tenant}/succession/bench-strength?unit={'x' * 51}", headers=officer
    )
    assert r.status_code == 422
    r = await stack.client.get(f"/tenants/{tenant}/succession/vacancies", headers=stack.headers("elsewhere"))
    assert r.status_code == 403


async def test_bench_strength_per_key_position_and_per_unit(stack):
    tenant = await stack.tenant()
    kabid_holder = await employ(stack, tenant, 31, "Administrator", position=KABID, unit="BKPSDM-MUTASI")
    await deliver(
        stack,
        registered(tenant, KABID, "Administrator", "BKPSDM-MUTASI", T0),
        filled(tenant, KABID, "Administrator", "BKPSDM-MUTASI", kabid_holder, T0 + timedelta(days=1)),
        registered(tenant, "KASUBBID-1", "Pengawas", "BKPSDM-MUTASI-1", T0),
        registered(tenant, "KABAN", "JPT Pratama", "BKPSDM", T0),
        registered(tenant, "STAF-1", "Pelaksana", "BKPSDM-MUTASI-1", T0),  # not a key tier
    )
    await employ(
        stack, tenant, 32, "Pengawas", potential=85, predikat="Sangat Baik", scores=POOR
    )  # ready for KABID
    await employ(
        stack, tenant, 33, "Pengawas", potential=70, predikat="Sangat Baik", scores=FULL
    )  # 1-2 years
    await employ(
        stack, tenant, 34, "Pelaksana", potential=75, predikat="Sangat Baik", scores=POOR
    )  # future (box 7)

    officer = stack.headers(tenant)
    r = await stack.client.get(f"/tenants/{tenant}/succession/bench-strength", headers=officer)
    assert r.status_code == 200, r.text
    view = r.json()
    positions = {p["code"]: p for p in view["positions"]}
    assert set(positions) == {KABID, "KASUBBID-1", "KABAN"}
    assert positions[KABID]["successors"] == {"ready_now": 1, "one_to_two_years": 1, "future": 0, "total": 2}
    assert positions[KABID]["holder_nip"] == kabid_holder and not positions[KABID]["vacant"]
    assert (
        positions["KASUBBID-1"]["successors"]["future"] == 1
        and not positions["KASUBBID-1"]["has_ready_successor"]
    )
    assert positions["KABAN"]["successors"]["total"] == 0  # no Administrator in the pool
    assert (view["key_positions"], view["without_ready_successor"]) == (3, 2)
    units = {u["unit_code"]: u for u in view["units"]}
    assert units["BKPSDM"]["positions_without_ready_successor"] == ["KABAN"]
    assert units["BKPSDM-MUTASI"]["without_ready_successor"] == 0
    assert units["BKPSDM-MUTASI-1"]["positions_without_ready_successor"] == ["KASUBBID-1"]

    r = await stack.client.get(
        f"/tenants/{tenant}/succession/bench-strength?unit=BKPSDM-MUTASI", headers=officer
    )
    assert sorted(p["code"] for p in r.json()["positions"]) == [KABID, "KASUBBID-1"]
    # Key tiers are a setting: without Pengawas, the sub-unit has no key position.
    await stack.client.put(
        f"/tenants/{tenant}/succession/settings",
        headers=officer,
        json={"key_tiers": ["JPT Pratama", "Administrator"]},
    )
    r = await stack.client.get(f"/tenants/{tenant}/succession/bench-strength", headers=officer)
    assert sorted(p["code"] for p in r.json()["positions"]) == ["KABAN", KABID]
