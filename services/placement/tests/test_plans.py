"""Development plans on real PostgreSQL, through the service's own routes: suggestions adopted and
tracked, item changes, a programme over the low boxes with its progress, and the rapor."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_common.contracts.assessment import AssessmentCompletedV1, DevelopmentNeed, PerformanceRecordedV1
from bakat_common.contracts.roster import EmployeeRegisteredV1
from bakat_common.events import new_event
from bakat_common.infrastructure import known_tenants
from placement import service
from sqlalchemy import text

pytestmark = pytest.mark.integration
NOW = datetime.now(timezone.utc)
KOMUNIKASI = DevelopmentNeed(
    instrument="Komunikasi", level=2, target=3,
    recommendation="Pelatihan public speaking dan komunikasi efektif", kind="training",
)  # fmt: skip


@dataclass
class Stack:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    issuer: DevIssuer

    async def tenant(self, tenant: str) -> dict[str, str]:
        """A tenant known to placement; the officer's headers."""
        async with self.runtime.sessions() as s, s.begin():
            await s.execute(known_tenants.insert().values(tenant_id=tenant, name=tenant, kind="kota"))
        return self.headers(tenant, "officer")

    def headers(self, tenant: str, role: str, sub: str = "officer-1") -> dict[str, str]:
        return {"authorization": f"Bearer {self.issuer.mint(sub, tenant, [role])}"}


def nip(n: int) -> str:
    return f"1980{1 + n % 12:02d}{1 + n % 28:02d}2005{1 + n % 12:02d}1{n:03d}"


@pytest.fixture(scope="module")
async def stack(placement_app) -> AsyncIterator[Stack]:
    async with placement_app("plans") as (client, runtime, issuer):
        yield Stack(client, runtime, issuer)


async def employ(
    stack: Stack,
    tenant: str,
    n: int,
    inputs: tuple[float, str] | None,
    *,
    unit_path: str = "/BKPSDM/",
    status_active: bool = True,
    development: list[DevelopmentNeed] = (),
    gaps: dict[str, int] | None = None,
    year: int = 2025,
) -> str:
    """An employee (roster's event); with (potential, predikat) an assessment and an SKP placing them."""
    unit = unit_path.strip("/").split("/")[-1]
    events = [
        new_event(
            EmployeeRegisteredV1(nip=nip(n), name=f"Pegawai {n:03d}", gender="male", birth_date=date(1980, 1, 1),
                                 employment_type="PNS", unit_code=unit, unit_path=unit_path, tier="Pengawas",
                                 position_title="Kepala Subbagian Umum"),
            service="roster", tenant=tenant, subject=nip(n),
        )
    ]  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_employee_changed.handle(s, events)
        if not status_active:
            await s.execute(
                text("UPDATE employees SET status = 'inactive' WHERE nip = :nip"), {"nip": nip(n)}
            )
    if inputs is not None:
        await place(stack, tenant, n, inputs, development=development, gaps=gaps, year=year)
    return nip(n)


async def place(
    stack, tenant, n, inputs, *, development=(), gaps=None, year=2025, assessment_id=None
) -> None:
    score, predikat = inputs
    recorded = NOW + timedelta(seconds=year - 2000)
    events = [
        new_event(PerformanceRecordedV1(nip=nip(n), year=year, predikat=predikat, recorded_at=recorded),
                  service="assessment", tenant=tenant, subject=nip(n)),
        new_event(AssessmentCompletedV1(assessment_id=assessment_id or f"a-{n}", nip=nip(n), version=1,
                                        potential_score=score, completed_at=NOW - timedelta(days=30),
                                        valid_until=date.today() + timedelta(days=700),
                                        scores={d.instrument: d.level for d in development},
                                        gaps=gaps if gaps is not None else {d.instrument: d.target - d.level for d in development},
                                        development=list(development)),
                  service="assessment", tenant=tenant, subject=nip(n)),
    ]  # fmt: skip
    async with stack.runtime.sessions() as s, s.begin():
        await service.on_inputs.handle(s, events)


def plan_url(tenant: str, who: str) -> str:
    return f"/tenants/{tenant}/employees/{who}/development-plan"


async def test_suggestions_merge_the_box_and_the_gaps_and_adoption_is_tracked(stack):
    tenant = "kota-batu-adopt"
    officer = await stack.tenant(tenant)
    who = await employ(stack, tenant, 1, (65, "Kurang"), development=[KOMUNIKASI])  # middle, below: box 3
    url = plan_url(tenant, who)

    r = await stack.client.get(url, headers=stack.headers(tenant, "viewer"))
    assert r.status_code == 200, r.text
    plan = r.json()
    assert (plan["box"], plan["items"], plan["cycle"]) == (3, [], "assessment a-1, SKP 2025")
    assert [(s["title"], s["kind"], s["source"]) for s in plan["suggestions"]] == [
        ("Guidance", "coaching", "box 3"),
        ("Counselling", "counselling", "box 3"),
        ("Suitable placement", "placement", "box 3"),
        ("Pelatihan public speaking dan komunikasi efektif", "training", "gap: Komunikasi 2 < 3"),
    ]

    # Unknown keys reject the whole request: nothing adopted.
    r = await stack.client.post(
        f"{url}/adoptions", headers=officer, json={"keys": ["coaching:guidance", "x:nope"]}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.keys.1"
    assert (await stack.client.get(url, headers=officer)).json()["items"] == []
    r = await stack.client.post(f"{url}/adoptions", headers=stack.headers(tenant, "viewer"), json={})
    assert r.status_code == 403

    body = {"keys": ["counselling:counselling"], "owner": "Psikolog BKPSDM", "start_date": "2026-02-02",
            "due_date": "2026-03-31", "schedule_note": "Selasa dan Kamis"}  # fmt: skip
    r = await stack.client.post(f"{url}/adoptions", headers=officer, json=body)
    assert r.status_code == 200, r.text
    [item] = r.json()["adopted"]
    assert (item["title"], item["source"], item["status"], item["owner"], item["schedule_note"]) == (
        "Counselling", "box 3", "planned", "Psikolog BKPSDM", "Selasa dan Kamis",
    )  # fmt: skip
    assert item["created_by"] == "officer-1" and item["cycle"] == "assessment a-1, SKP 2025"
    assert [s["key"] for s in r.json()["plan"]["suggestions"]] == [
        "coaching:guidance", "placement:suitable-placement", "training:pelatihan-public-speaking-dan-komunikasi-efektif",
    ]  # fmt: skip

    r = await stack.client.post(f"{url}/adoptions", headers=officer, json={})  # the rest
    assert len(r.json()["adopted"]) == 3 and r.json()["plan"]["suggestions"] == []
    r = await stack.client.post(f"{url}/adoptions", headers=officer, json={})  # again: nothing new
    assert r.json()["adopted"] == [] and len(r.json()["plan"]["items"]) == 4
    assert r.json()["plan"]["progress"] == {"planned": 4, "in_progress": 0, "done": 0, "cancelled": 0}

    # A new cycle placing the employee in box 9: its own suggestions; open items are not suggested twice.
    await place(stack, tenant, 1, (90, "Sangat Baik"), year=2026, assessment_id="a-1b")
    plan = (await stack.client.get(url, headers=officer)).json()
    assert plan["box"] == 9
    assert [s["kind"] for s in plan["suggestions"]] == ["promotion", "promotion", "award"]


async def test_items_change_status_and_dates_sanely_and_only_planned_ones_are_deleted(stack):
    tenant = "kota-batu-items"
    officer = await stack.tenant(tenant)
    who = await employ(stack, tenant, 2, (65, "Kurang"))
    url = plan_url(tenant, who)

    bad = {
        "title": "Magang di Dinas Kominfo",
        "kind": "rotation",
        "start_date": "2026-05-01",
        "due_date": "2026-04-01",
    }
    r = await stack.client.post(f"{url}/items", headers=officer, json=bad)
    assert r.status_code == 422 and "before start date" in r.text
    r = await stack.client.post(f"{url}/items", headers=officer, json={"title": "X", "kind": "karaoke"})
    assert r.status_code == 422
    r = await stack.client.post(
        f"{url}/items", headers=officer, json={"title": "X", "kind": "other", "due_date": "0026-01-01"}
    )
    assert r.status_code == 422
    good = {**bad, "due_date": "2026-06-30", "owner": "Kepala Dinas Kominfo"}
    r = await stack.client.post(f"{url}/items", headers=officer, json=good)
    assert r.status_code == 201, r.text
    item = r.json()
    assert (item["source"], item["status"], item["kind"]) == ("custom", "planned", "rotation")
    item_url = f"{url}/items/{item['id']}"

    editor = stack.headers(tenant, "admin", sub="admin-2")
    r = await stack.client.patch(
        item_url, headers=editor, json={"due_date": "2026-04-15"}
    )  # before the stored start
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.due_date"
    r = await stack.client.patch(item_url, headers=editor, json={"status": "in_progress"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["updated_by"]) == ("in_progress", "admin-2")
    assert (await stack.client.delete(item_url, headers=officer)).status_code == 409
    r = await stack.client.patch(item_url, headers=editor, json={"status": "done"})
    assert r.json()["completed_at"] is not None
    r = await stack.client.patch(item_url, headers=editor, json={"status": "planned"})
    assert r.status_code == 422 and "reason" in r.text
    assert (await stack.client.get(url, headers=officer)).json()["items"][0]["status"] == "done"  # unchanged
    r = await stack.client.patch(
        item_url, headers=editor, json={"status": "in_progress", "reason": "diperpanjang"}
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["status_reason"], r.json()["completed_at"]) == (
        "in_progress",
        "diperpanjang",
        None,
    )
    assert (await stack.client.patch(item_url, headers=editor, json={})).status_code == 422
    assert (
        await stack.client.patch(item_url, headers=editor, json={"status": "finished"})
    ).status_code == 422
    assert (await stack.client.patch(item_url, headers=editor, json={"owner": None})).json()["owner"] is None
    r = await stack.client.patch(item_url, headers=stack.headers(tenant, "viewer"), json={"status": "done"})
    assert r.status_code == 403
    r = await stack.client.patch(f"{url}/items/{uuid.uuid4()}", headers=editor, json={"status": "done"})
    assert r.status_code == 404
    r = await stack.client.patch(f"{url}/items/not-a-uuid", headers=editor, json={"status": "done"})
    assert r.status_code == 422

    r = await stack.client.post(
        f"{url}/items", headers=officer, json={"title": "Coaching", "kind": "coaching"}
    )
    assert (await stack.client.delete(f"{url}/items/{r.json()['id']}", headers=officer)).status_code == 204
    assert len((await stack.client.get(url, headers=officer)).json()["items"]) == 1

    unknown = plan_url(tenant, nip(999))
    r = await stack.client.get(unknown, headers=officer)
    assert r.status_code == 404 and "not known" in r.json()["detail"]
    assert (await stack.client.post(f"{unknown}/items", headers=officer, json=good)).status_code == 404


async def test_a_programme_over_boxes_1_to_3_enrols_each_once_and_shows_its_progress(stack):
    tenant = "kota-batu-programme"
    officer = await stack.tenant(tenant)
    low = [
        await employ(stack, tenant, 10, (50, "Kurang")),  # box 1
        await employ(stack, tenant, 11, (50, "Baik")),  # box 2
        await employ(stack, tenant, 12, (65, "Kurang")),  # box 3
        await employ(stack, tenant, 13, (70, "Butuh Perbaikan")),  # box 3
    ]
    await employ(stack, tenant, 14, (70, "Baik"))  # box 5
    await employ(stack, tenant, 15, (90, "Sangat Baik"))  # box 9
    await employ(stack, tenant, 16, (50, "Kurang"), status_active=False)  # box 1, left the service
    await employ(stack, tenant, 17, None)  # not placed

    url = f"/tenants/{tenant}/development-plans/programmes"
    programme = {"code": "COACHING-KOTAK-1-3", "title": "Coaching kinerja", "kind": "coaching", "boxes": [3, 1, 2],
                 "owner": "Bidang PKSDM", "start_date": "2026-02-02", "due_date": "2026-06-30",
                 "schedule_note": "Selasa dan Kamis"}  # fmt: skip
    assert (
        await stack.client.post(url, headers=stack.headers(tenant, "viewer"), json=programme)
    ).status_code == 403
    assert (
        await stack.client.post(url, headers=officer, json={**programme, "boxes": [0]})
    ).status_code == 422
    assert (
        await stack.client.post(url, headers=officer, json={**programme, "boxes": [1, 1]})
    ).status_code == 422
    assert (await stack.client.post(url, headers=officer, json={**programme, "boxes": []})).status_code == 422
    assert (
        await stack.client.post(url, headers=officer, json={**programme, "due_date": "2026-01-01"})
    ).status_code == 422
    assert (await stack.client.get(url, headers=officer)).json() == []  # nothing half-applied

    r = await stack.client.post(url, headers=officer, json=programme)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["boxes"], created["enrolled"], created["progress"]["planned"]) == ([1, 2, 3], 4, 4)
    r = await stack.client.post(url, headers=officer, json=programme)  # the same again: idempotent
    assert r.status_code == 200 and (r.json()["id"], r.json()["enrolled"]) == (created["id"], 4)
    r = await stack.client.post(url, headers=officer, json={**programme, "schedule_note": "Senin"})
    assert r.status_code == 409 and "schedule_note" in r.text

    items_url = f"/tenants/{tenant}/development-plans/items"
    r = await stack.client.get(items_url, headers=officer, params={"programme_id": created["id"], "limit": 3})
    page = r.json()
    assert r.status_code == 200 and page["total"] == 4 and len(page["items"]) == 3 and page["next_cursor"]
    r = await stack.client.get(
        items_url,
        headers=officer,
        params={"programme_id": created["id"], "limit": 3, "cursor": page["next_cursor"]},
    )
    rest = r.json()
    assert rest["next_cursor"] is None
    assert sorted(i["nip"] for i in page["items"] + rest["items"]) == sorted(low)
    first = page["items"][0]
    assert (first["source"], first["schedule_note"], first["owner"], first["kind"]) == (
        "programme COACHING-KOTAK-1-3", "Selasa dan Kamis", "Bidang PKSDM", "coaching",
    )  # fmt: skip
    assert (await stack.client.get(items_url, headers=officer, params={"cursor": "%%%"})).status_code == 422
    assert (
        await stack.client.get(items_url, headers=officer, params={"status": "finished"})
    ).status_code == 422

    # Coaching runs: two done, one under way.
    for item, status in zip(page["items"], ("done", "done", "in_progress"), strict=True):
        r = await stack.client.patch(
            f"{plan_url(tenant, item['nip'])}/items/{item['id']}", headers=officer, json={"status": status}
        )
        assert r.status_code == 200, r.text
    progress = (
        await stack.client.get(f"{url}/{created['id']}", headers=stack.headers(tenant, "assessor"))
    ).json()
    assert progress["progress"] == {"planned": 1, "in_progress": 1, "done": 2, "cancelled": 0}
    assert progress["completion"] == 0.5
    r = await stack.client.get(
        items_url,
        headers=officer,
        params={"programme_id": created["id"], "status": "done", "kind": "coaching"},
    )
    assert r.json()["total"] == 2
    r = await stack.client.get(
        items_url, headers=officer, params={"owner": "Bidang PKSDM", "due_before": "2026-07-01"}
    )
    assert r.json()["total"] == 4
    assert (await stack.client.get(f"{url}/{uuid.uuid4()}", headers=officer)).status_code == 404

    # Someone placed in a low box later is enrolled on request; nobody twice.
    await employ(stack, tenant, 18, (55, "Baik"))  # box 2
    r = await stack.client.post(f"{url}/{created['id']}/enrolments", headers=officer)
    assert (r.json()["added"], r.json()["programme"]["enrolled"]) == (1, 5)
    r = await stack.client.post(f"{url}/{created['id']}/enrolments", headers=officer)
    assert r.json()["added"] == 0

    # The programme's item is in the employee's plan.
    plan = (await stack.client.get(plan_url(tenant, low[0]), headers=officer)).json()
    assert [i["programme_id"] for i in plan["items"]] == [created["id"]]


async def test_a_programme_for_ten_thousand_employees_is_one_statement(stack):
    tenant = "kab-serang-bulk"
    officer = await stack.tenant(tenant)
    async with stack.runtime.sessions() as s, s.begin():
        await s.execute(
            text(
                "INSERT INTO employees (tenant_id, nip, name, unit_code, unit_path, tier, status, version)"
                " SELECT :t, '9' || lpad(n::text, 17, '0'), 'Pegawai ' || n, 'DISKOMINFO', '/DISKOMINFO/',"
                " CASE WHEN n % 10 = 0 THEN 'Administrator' ELSE 'Pengawas' END, 'active', 1"
                " FROM generate_series(1, 11000) n"
            ),
            {"t": tenant},
        )
    body = {"code": "LITERASI-DIGITAL-2026", "title": "Pelatihan literasi digital", "kind": "training",
            "unit_code": "DISKOMINFO", "tier": "Pengawas"}  # fmt: skip
    started = time.perf_counter()
    r = await stack.client.post(f"/tenants/{tenant}/development-plans/programmes", headers=officer, json=body)
    elapsed = time.perf_counter() - started
    assert r.status_code == 201, r.text
    assert r.json()["enrolled"] == 9900
    assert elapsed < 10, elapsed


async def test_the_rapor_shows_the_employee_box_reasons_trend_needs_and_plan(stack):
    tenant = "kota-batu-rapor"
    officer = await stack.tenant(tenant)
    who = await employ(
        stack,
        tenant,
        20,
        (65, "Kurang"),
        development=[KOMUNIKASI],
        gaps={"Komunikasi": 1, "Manajemen ASN": 2},
    )
    await place(stack, tenant, 20, (65, "Baik"), development=[KOMUNIKASI], year=2026)  # box 5 in 2026
    await stack.client.post(
        f"{plan_url(tenant, who)}/adoptions", headers=officer, json={"keys": ["coaching:guidance"]}
    )

    r = await stack.client.get(
        f"/tenants/{tenant}/employees/{who}/rapor", headers=stack.headers(tenant, "assessor")
    )
    assert r.status_code == 200, r.text
    rapor = r.json()
    assert rapor["employee"]["name"] == "Pegawai 020" and rapor["employee"]["tier"] == "Pengawas"
    assert rapor["employee"]["position_title"] == "Kepala Subbagian Umum"
    p = rapor["placement"]
    assert (p["box"], p["box_name"], p["computed_box"], p["calibrated"]) == (
        5, "5 — middle potential, meets expectation", 5, False,
    )  # fmt: skip
    assert p["reasons"] == ["potential 65 >= 60 -> middle", "SKP 2026 Baik -> meets"]
    assert p["in_talent_pool"] is False and p["potential"]["valid_until"] is not None
    assert rapor["placement_status"] == "placed"
    assert rapor["trend"] == [{"skp_year": 2025, "box": 3}, {"skp_year": 2026, "box": 5}]
    assert rapor["assessment"]["development"][0]["recommendation"] == KOMUNIKASI.recommendation
    assert [(i["title"], i["status"], i["source"]) for i in rapor["plan"]["items"]] == [
        ("Guidance", "planned", "box 5")
    ]
    assert "Pelatihan public speaking dan komunikasi efektif" in [
        s["title"] for s in rapor["plan"]["suggestions"]
    ]

    waiting = await employ(stack, tenant, 21, None)
    r = await stack.client.get(f"/tenants/{tenant}/employees/{waiting}/rapor", headers=officer)
    assert r.status_code == 200
    assert (r.json()["placement"], r.json()["placement_status"]) == (
        None, "waiting for an SKP predikat and a completed assessment",
    )  # fmt: skip
    r = await stack.client.get(f"/tenants/{tenant}/employees/{nip(998)}/rapor", headers=officer)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert f"employee {nip(998)} not known" in r.json()["detail"]
    r = await stack.client.get(
        f"/tenants/{tenant}/employees/{who}/rapor", headers=stack.headers(tenant, "integration")
    )
    assert r.status_code == 403
    r = await stack.client.get(
        f"/tenants/{tenant}/employees/{who}/rapor", headers=stack.headers("kota-lain", "officer")
    )
    assert r.status_code in (403, 404)
