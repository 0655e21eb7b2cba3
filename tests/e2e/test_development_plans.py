"""Development plans through the gateway: an assessment result with a weak competency places the
employee; the plan suggests the box's treatment and the gap's training; the officer adopts, a programme
enrols the box, and the rapor shows box, reasons and plan together."""

from __future__ import annotations

import pytest
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.testing import eventually

from .test_assessment_workflow import HOLDER, kota_with_people

pytestmark = pytest.mark.e2e
PUBLIC_SPEAKING = "Pelatihan public speaking dan komunikasi efektif"  # assessment's default rule (Serang)


async def test_the_rapor_shows_box_reasons_and_plan(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)  # SKP 2025 Baik: meets expectation
    integration = await token_for(kota, "integration", sub="bkn-siasn")
    scores = {c: 4 for c in STANDARD_COMPETENCIES} | {"Komunikasi": 2, "Kecerdasan Emosional": 4}
    r = await gateway.post(
        f"/tenants/{kota}/assessments/batch",
        headers=integration,
        json={"results": [{"nip": HOLDER, "scores": scores}]},
    )
    assert r.status_code == 201, r.text
    # JPM 26/30 = 86.67 and aspects 80 -> potential 83.33 (high); meets -> box 8.
    plan_url = f"/tenants/{kota}/employees/{HOLDER}/development-plan"
    plan = (
        await eventually(
            lambda: gateway.get(plan_url, headers=officer),
            lambda r: r.status_code == 200 and r.json()["box"] == 8 and r.json()["suggestions"],
        )
    ).json()
    by_title = {s["title"]: s for s in plan["suggestions"]}
    assert by_title[PUBLIC_SPEAKING]["source"] == "gap: Komunikasi 2 < 3"
    assert by_title["Performance guidance"] == {
        "key": "coaching:performance-guidance", "title": "Performance guidance", "kind": "coaching", "source": "box 8",
    }  # fmt: skip

    viewer = await token_for(kota, "viewer")
    adopt = {"keys": [by_title[PUBLIC_SPEAKING]["key"]], "owner": "BPSDM Provinsi", "due_date": "2026-09-30"}
    assert (await gateway.post(f"{plan_url}/adoptions", headers=viewer, json=adopt)).status_code == 403
    r = await gateway.post(f"{plan_url}/adoptions", headers=officer, json=adopt)
    assert r.status_code == 200, r.text
    [training] = r.json()["adopted"]
    r = await gateway.patch(
        f"{plan_url}/items/{training['id']}", headers=officer, json={"status": "in_progress"}
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"

    programme = {"code": "COACHING-KOTAK-8", "title": "Coaching kinerja", "kind": "coaching", "boxes": [8],
                 "owner": "Bidang PKSDM", "schedule_note": "Selasa dan Kamis"}  # fmt: skip
    r = await gateway.post(f"/tenants/{kota}/development-plans/programmes", headers=officer, json=programme)
    assert r.status_code == 201 and r.json()["enrolled"] == 1, r.text
    r = await gateway.get(
        f"/tenants/{kota}/development-plans/items", headers=viewer, params={"programme_id": r.json()["id"]}
    )
    assert [i["nip"] for i in r.json()["items"]] == [HOLDER]

    r = await gateway.get(f"/tenants/{kota}/employees/{HOLDER}/rapor", headers=viewer)
    assert r.status_code == 200, r.text
    rapor = r.json()
    assert (rapor["employee"]["name"], rapor["employee"]["tier"]) == ("Budi Santoso", "Administrator")
    placement = rapor["placement"]
    assert (placement["box"], placement["box_name"]) == (8, "8 — high potential, meets expectation")
    assert placement["reasons"][1] == "SKP 2025 Baik -> meets" and "-> high" in placement["reasons"][0]
    assert placement["in_talent_pool"] is True
    assert rapor["trend"] == [{"skp_year": 2025, "box": 8}]
    assert rapor["assessment"]["gaps"]["Komunikasi"] == 1
    assert [(i["title"], i["status"], i["owner"]) for i in rapor["plan"]["items"]] == [
        (PUBLIC_SPEAKING, "in_progress", "BPSDM Provinsi"),
        ("Coaching kinerja", "planned", "Bidang PKSDM"),
    ]
    assert "Performance guidance" in [s["title"] for s in rapor["plan"]["suggestions"]]

    r = await gateway.get(f"/tenants/{kota}/employees/199912312020121001/rapor", headers=officer)
    assert r.status_code == 404 and "not known" in r.json()["detail"]
