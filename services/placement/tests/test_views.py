"""Dashboard views of placement on real PostgreSQL, through the service's own routes: the distribution
across units with outliers flagged, and the re-assessment-due list under the tenant's validity."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from bakat_common.app import ServiceRuntime
from bakat_common.contracts.assessment import AssessmentCompletedV1, PerformanceRecordedV1
from bakat_common.contracts.roster import EmployeeRegisteredV1, EmployeeRetiredV1, EmployeeTransferredV1
from bakat_common.events import new_event
from bakat_common.infrastructure import known_tenants
from placement import service
from placement.schemas import BoxMember, BoxView, NineBoxView

pytestmark = pytest.mark.integration
TENANT = "kab-serang"
TODAY = date.today()
NOW = datetime.now(timezone.utc)


@dataclass
class Stack:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    headers: dict[str, str]


def nip(n: int) -> str:
    return f"1980{1 + n % 12:02d}{1 + n % 28:02d}2005{1 + n % 12:02d}1{n:03d}"


@pytest.fixture(scope="module")
async def stack(placement_app) -> AsyncIterator[Stack]:
    async with placement_app("views") as (client, runtime, issuer):
        async with runtime.sessions() as s, s.begin():
            await s.execute(
                known_tenants.insert().values(tenant_id=TENANT, name="Kabupaten Serang", kind="kabupaten")
            )
        yield Stack(
            client, runtime, {"authorization": f"Bearer {issuer.mint('officer-1', TENANT, ['officer'])}"}
        )


async def employ(
    stack: Stack, n: int, unit_path: str, *, box_inputs: tuple[float, str] | None, completed: datetime = NOW
):
    """An employee in a unit; with (potential, predikat) also an assessment completed then and an SKP."""
    unit = unit_path.strip("/").split("/")[-1]
    events = [
        new_event(
            EmployeeRegisteredV1(nip=nip(n), name=f"Pegawai {n:03d}", gender="male", birth_date=date(1980, 1, 1),
                                 employment_type="PNS", unit_code=unit, unit_path=unit_path, tier="Pengawas"),
            service="roster", tenant=TENANT, subject=nip(n),
        )
    ]  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_employee_changed.handle(s, events)
    if box_inputs is None:
        return
    score, predikat = box_inputs
    inputs = [
        new_event(PerformanceRecordedV1(nip=nip(n), year=2025, predikat=predikat, recorded_at=NOW),
                  service="assessment", tenant=TENANT, subject=nip(n)),
        new_event(AssessmentCompletedV1(assessment_id=f"a-{n}", nip=nip(n), version=1, potential_score=score,
                                        completed_at=completed, valid_until=completed.date() + timedelta(days=3 * 365)),
                  service="assessment", tenant=TENANT, subject=nip(n)),
    ]  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_inputs.handle(s, inputs)


async def test_the_distribution_compares_units_and_flags_the_odd_one(stack):
    # Six ordinary dinas of 20 (2 in the pool, 3 in box 1), and one whose people are nearly all in the pool.
    n = 0
    for d in range(6):
        for i in range(20):
            n += 1
            inputs = (90, "Baik") if i < 2 else (50, "Butuh Perbaikan") if i < 5 else (70, "Baik")  # 8, 1, 5
            await employ(
                stack, n, f"/DINAS-{d}/DINAS-{d}-BID/" if i % 2 else f"/DINAS-{d}/", box_inputs=inputs
            )
    for i in range(20):
        n += 1
        await employ(stack, n, "/BAPPEDA/", box_inputs=(90, "Sangat Baik") if i < 16 else (70, "Baik"))
    r = await stack.client.get(f"/tenants/{TENANT}/nine-box/distribution", headers=stack.headers)
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["total"] == 140 and view["boxes"] == {"1": 18, "5": 94, "8": 12, "9": 16}
    units = {u["unit_code"]: u for u in view["units"]}
    assert set(units) == {"BAPPEDA", *(f"DINAS-{d}" for d in range(6))}  # sub-units counted in their dinas
    assert units["DINAS-0"]["boxes"] == {"1": 3, "5": 15, "8": 2} and not units["DINAS-0"]["outlier"]
    odd = units["BAPPEDA"]
    assert odd["outlier"] and odd["talent_pool_share"] == 0.8
    assert odd["outlier_reasons"][0].startswith("talent pool 80% vs 10% in the other units (above")
    assert [u for u, v in units.items() if v["outlier"]] == ["BAPPEDA"]

    r = await stack.client.get(
        f"/tenants/{TENANT}/nine-box/distribution", params={"unit": "DINAS-0"}, headers=stack.headers
    )
    inside = {u["unit_code"]: u["total"] for u in r.json()["units"]}
    assert r.json()["parent_unit"] == "DINAS-0" and inside == {"DINAS-0": 10, "DINAS-0-BID": 10}


async def test_the_reassessment_list_holds_the_never_assessed_and_the_expired(stack):
    await employ(stack, 501, "/INSPEKTORAT/", box_inputs=None)  # never assessed
    await employ(
        stack, 502, "/INSPEKTORAT/", box_inputs=(80, "Baik"), completed=NOW - timedelta(days=3 * 365 + 5)
    )
    two_years_ago = NOW - timedelta(days=2 * 365 + 40)
    await employ(stack, 503, "/INSPEKTORAT/", box_inputs=(80, "Baik"), completed=two_years_ago)
    await employ(stack, 504, "/INSPEKTORAT/", box_inputs=(80, "Baik"), completed=NOW - timedelta(days=300))

    url = f"/tenants/{TENANT}/placements/reassessment-due"
    page = (await stack.client.get(url, params={"unit": "INSPEKTORAT"}, headers=stack.headers)).json()
    assert [(i["nip"], i["reason"].split(" on ")[0]) for i in page["items"]] == [
        (nip(501), "never assessed"), (nip(502), "result expired"),
    ]  # fmt: skip
    # Mojokerto re-assesses every 2 years: a 2-year rule puts the third one on the list too.
    async with stack.runtime.sessions() as s, s.begin():
        await service.recompute_many(s, TENANT, None, service.RuleSet(version=2, validity_years=2))
        await s.execute(
            service.RuleSetVersion.__table__.insert().values(
                tenant_id=TENANT, version=2, potential_high=80, potential_middle=60,
                predikat_levels=dict(service.DEFAULT_RULES.predikat_levels), validity_years=2,
                created_by="officer-1", reason="Perwali: 2 tahun",
            )
        )  # fmt: skip
    page = (
        await stack.client.get(url, params={"unit": "INSPEKTORAT", "limit": 2}, headers=stack.headers)
    ).json()
    assert page["total"] == 3 and [i["nip"] for i in page["items"]] == [nip(501), nip(502)]
    rest = await stack.client.get(
        url, params={"unit": "INSPEKTORAT", "limit": 2, "cursor": page["next_cursor"]}, headers=stack.headers
    )
    assert [i["nip"] for i in rest.json()["items"]] == [nip(503)] and rest.json()["next_cursor"] is None
    soon = await stack.client.get(
        url, params={"unit": "INSPEKTORAT", "within_days": 500}, headers=stack.headers
    )
    reasons = {i["nip"]: i["reason"] for i in soon.json()["items"]}
    assert soon.json()["total"] == 4 and reasons[nip(504)].startswith("result expires on ")

    placement = await stack.client.get(
        f"/tenants/{TENANT}/employees/{nip(503)}/placement", headers=stack.headers
    )
    assert placement.json()["potential"]["expired"] is True

    bad = await stack.client.get(url, params={"cursor": "not-ours!"}, headers=stack.headers)
    assert bad.status_code == 422 and "cursor" in bad.text


async def test_a_transfer_moves_the_employee_to_the_other_units_nine_box(stack):
    await employ(stack, 701, "/BPKAD/", box_inputs=(90, "Sangat Baik"))  # box 9 in BPKAD
    url = f"/tenants/{TENANT}/nine-box"
    view = (await stack.client.get(url, params={"unit": "BPKAD"}, headers=stack.headers)).json()
    assert view["total"] == 1 and view["boxes"][8]["members"][0]["name"] == "Pegawai 701"
    moved = EmployeeTransferredV1(
        nip=nip(701), name="Pegawai 701, S.E.", gender="male", birth_date=date(1980, 1, 1), employment_type="PNS",
        unit_code="BAPENDA-PAJAK", unit_path="/BAPENDA/BAPENDA-PAJAK/", tier="Administrator", version=2,
        from_unit_code="BPKAD", from_position_code=None,
    )  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_employee_changed.handle(
            s, [new_event(moved, service="roster", tenant=TENANT, subject=nip(701))]
        )
    assert (await stack.client.get(url, params={"unit": "BPKAD"}, headers=stack.headers)).json()["total"] == 0
    view = (
        await stack.client.get(
            url, params={"unit": "BAPENDA", "tier": "Administrator"}, headers=stack.headers
        )
    ).json()
    assert view["total"] == 1 and view["boxes"][8]["members"][0]["name"] == "Pegawai 701, S.E."
    retired = EmployeeRetiredV1(**{**moved.model_dump(exclude={"from_unit_code", "from_position_code", "reason"}),
                                   "status": "retired", "version": 3}, retirement_date=date(2026, 1, 1))  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_employee_changed.handle(
            s, [new_event(retired, service="roster", tenant=TENANT, subject=nip(701))]
        )
    assert (await stack.client.get(url, params={"unit": "BAPENDA"}, headers=stack.headers)).json()[
        "total"
    ] == 0


def test_the_nine_box_json_is_what_the_validated_view_would_serialise():
    # NineBoxView.json_of skips pydantic for speed; it must still be the same document, in the schema.
    counts = {1: 1, 9: 2}
    rows = [
        (1, nip(1), "Budi", "DINKES", "Pengawas", 55.5, "Butuh Perbaikan"),
        (9, nip(2), "Ani", None, None, 90.0, "Sangat Baik"),
        (9, nip(3), 'Çiçek "Q"', "BKPSDM", "Administrator", 88.25, "Sangat Baik"),
    ]
    fast = NineBoxView.json_of(counts, rows)
    fields = ("nip", "name", "unit_code", "tier", "potential_score", "predikat")
    validated = NineBoxView(
        total=3,
        boxes=[
            BoxView(box=b, count=counts.get(b, 0),
                    members=[BoxMember(**dict(zip(fields, r[1:]))) for r in rows if r[0] == b])
            for b in range(1, 10)
        ],
    )  # fmt: skip
    assert json.loads(fast) == json.loads(validated.model_dump_json())
    assert NineBoxView.model_validate_json(fast) == validated
