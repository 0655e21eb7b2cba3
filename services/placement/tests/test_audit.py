"""The audit trail of placements on real PostgreSQL through the service's routes: an employee's
placement, the nine-box members, the rapor, a calibration move and the successors list are recorded
with whose data they showed; only the tenant's admins read the trail."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timezone

import pytest
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.roster import EmployeeRegisteredV1
from bakat_common.events import new_event
from bakat_common.infrastructure import known_tenants
from bakat_devstack.in_process import AppParts
from placement import service

pytestmark = pytest.mark.integration
T0 = datetime(2025, 6, 1, tzinfo=timezone.utc)
A, B = "198503152010011003", "199001012015011001"


@pytest.fixture(scope="module")
async def stack(placement_app) -> AsyncIterator[AppParts]:
    async with placement_app("audit") as parts:
        yield parts


async def placed_kota(parts: AppParts) -> str:
    _, runtime, _ = parts
    kota = f"kota-{uuid.uuid4().hex[:6]}"
    async with runtime.sessions() as s, s.begin():
        await s.execute(known_tenants.insert().values(tenant_id=kota, name=kota, kind="kota"))
    for nip, score in ((A, 85), (B, 50)):
        events = [
            new_event(EmployeeRegisteredV1(nip=nip, name=f"Pegawai {nip[-3:]}", gender="male",
                                           birth_date=date(1985, 3, 15), employment_type="PNS"),
                      service="roster", tenant=kota, subject=nip),
            new_event(AssessmentCompletedV1(assessment_id=f"a-{nip[-4:]}", nip=nip, version=1, potential_score=score,
                                            completed_at=T0, valid_until=date(2028, 6, 1)),
                      service="assessment", tenant=kota, subject=nip),
            new_event(PerformanceRecordedV1(nip=nip, year=2025, predikat="Baik", recorded_at=T0),
                      service="assessment", tenant=kota, subject=nip),
        ]  # fmt: skip
        async with runtime.sessions() as s, s.begin():
            await service.on_employee_changed.handle(s, events[:1])
        for event in events[1:]:
            async with runtime.sessions() as s, s.begin():
                await service.on_inputs(s, event)
    return kota


async def test_reads_and_changes_of_placements_are_recorded_for_admins(stack: AppParts) -> None:
    client, _, issuer = stack
    kota = await placed_kota(stack)
    officer = {"authorization": f"Bearer {issuer.mint('siti', kota, ['officer'])}"}
    admin = {"authorization": f"Bearer {issuer.mint('admin-1', kota, ['admin'])}"}
    assert (await client.get(f"/tenants/{kota}/employees/{A}/placement", headers=officer)).status_code == 200
    assert (await client.get(f"/tenants/{kota}/nine-box", headers=officer)).status_code == 200
    assert (await client.get(f"/tenants/{kota}/employees/{B}/rapor", headers=officer)).status_code == 200
    r = await client.post(f"/tenants/{kota}/calibrations", json={"title": "Kalibrasi 2025"}, headers=officer)
    assert r.status_code == 201, r.text
    move = {"to_box": 3, "reason": "kinerja tahun berjalan turun"}
    r = await client.put(
        f"/tenants/{kota}/calibrations/{r.json()['id']}/moves/{A}", json=move, headers=officer
    )
    assert r.status_code == 201, r.text
    # A read that fails showed nothing and records nothing.
    missing = "199912312020121001"
    assert (
        await client.get(f"/tenants/{kota}/employees/{missing}/placement", headers=officer)
    ).status_code == 404

    url = f"/tenants/{kota}/audit/placements"
    assert (await client.get(url, headers=officer)).status_code == 403
    items = (await client.get(url, headers=admin)).json()["items"]
    assert [(e["action"], e["resource"], sorted(e["nips"]), e["detail"]["route"]) for e in items] == [
        ("change", "calibration", [A], "propose move"),
        ("read", "rapor", [B], "rapor"),
        ("read", "nine_box", sorted([A, B]), "nine-box"),
        ("read", "placement", [A], "placement"),
    ]
    assert {e["subject"] for e in items} == {"siti"}
    assert [
        e["resource"] for e in (await client.get(url, params={"nip": B}, headers=admin)).json()["items"]
    ] == [
        "rapor",
        "nine_box",
    ]
