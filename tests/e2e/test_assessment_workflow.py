"""The assessment workflow through the gateway: campaign -> assessors rate -> lead integrates ->
completion (JPM, potential, gaps, recommendations) -> placement; corrections, batch results, the
re-assessment list, and the bad input of each step."""

from __future__ import annotations

import pytest
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.testing import eventually

from .test_roster import setup_kota, standard

pytestmark = pytest.mark.e2e

HOLDER = "198503152010011003"  # holds KABID-MUTASI
OTHER = "199001012015012001"
ASPECTS = ["Kecerdasan Emosional", "Motivasi dan Komitmen"]
TECHNICAL = "Manajemen ASN"


async def kota_with_people(gateway, token_for) -> tuple[str, dict]:
    kota, officer = await setup_kota(gateway, token_for)
    position = {
        "code": "KABID-MUTASI", "title": "Kepala Bidang Mutasi dan Promosi", "tier": "Administrator",
        "eselon": "III.b", "unit_code": "BKPSDM-MUTASI", "requirements": standard(3),
        "technical_requirements": {TECHNICAL: 3},
    }  # fmt: skip
    assert (await gateway.post(f"/tenants/{kota}/positions", headers=officer, json=position)).status_code == 201
    for nip, name, extra in (
        (HOLDER, "Budi Santoso", {"position_code": "KABID-MUTASI"}),
        (OTHER, "Siti Rahayu", {"tier": "Pelaksana", "position_title": "Analis SDM"}),
    ):
        body = {"nip": nip, "name": name, "employment_type": "PNS", "unit_code": "BKPSDM-MUTASI", **extra}
        r = await gateway.post(f"/tenants/{kota}/employees", headers=officer, json=body)
        assert r.status_code == 201, r.text
        skp = {"nip": nip, "year": 2025, "predikat": "Baik"}  # placement needs performance too
        r = await gateway.post(f"/tenants/{kota}/performance-ratings", headers=officer, json=skp)
        assert r.status_code == 201, r.text
    return kota, officer


def levels(level: int, codes) -> list[dict]:
    return [{"instrument": c, "exercise": "In-tray", "level": level, "evidence": "diamati"} for c in codes]


async def test_a_participant_is_rated_integrated_completed_corrected_and_placed(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)
    lead = await token_for(kota, "assessor", sub="asesor-1")
    second = await token_for(kota, "assessor", sub="asesor-2")
    stranger = await token_for(kota, "assessor", sub="asesor-9")
    instruments = [*STANDARD_COMPETENCIES, *ASPECTS]

    # Bad campaigns first: nothing is created.
    bad = {"name": "X", "method": "assessment_center", "instruments": ["Integritas", "Menyanyi"]}
    r = await gateway.post(f"/tenants/{kota}/campaigns", headers=officer, json=bad)
    assert r.status_code == 422 and "Menyanyi" in r.text
    bad = {"name": "X", "method": "cat", "instruments": ["Integritas"], "selection": {"nips": ["199912312020121001"]}}
    r = await gateway.post(f"/tenants/{kota}/campaigns", headers=officer, json=bad)
    assert r.status_code == 422 and "199912312020121001" in r.text
    assert (await gateway.get(f"/tenants/{kota}/campaigns", headers=officer)).json() == []

    campaign = {
        "name": "Pemetaan Eselon III 2026", "method": "assessment_center", "instruments": instruments,
        "exercises": ["In-tray", "LGD"], "validity_years": 2, "selection": {"nips": [HOLDER]},
    }  # fmt: skip
    r = await gateway.post(f"/tenants/{kota}/campaigns", headers=officer, json=campaign)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["participants"], created["by_status"]) == (1, {"scheduled": 1})
    [assessment] = (
        await gateway.get(f"/tenants/{kota}/assessments", headers=officer, params={"campaign_id": created["id"]})
    ).json()
    url = f"/tenants/{kota}/assessments/{assessment['id']}"
    assert assessment["position_code"] == "KABID-MUTASI"

    r = await gateway.put(
        f"{url}/assessors", headers=officer, json={"assessors": ["asesor-1", "asesor-2"], "lead": "asesor-3"}
    )
    assert r.status_code == 422
    r = await gateway.put(
        f"{url}/assessors", headers=officer, json={"assessors": ["asesor-1", "asesor-2"], "lead": "asesor-1"}
    )
    assert r.status_code == 200 and r.json()["assessors"] == ["asesor-1", "asesor-2"]

    # Only assigned assessors rate; levels 1-5; instruments and exercises of this campaign only.
    r = await gateway.put(f"{url}/ratings", headers=stranger, json={"ratings": levels(3, ["Integritas"])})
    assert r.status_code == 403
    r = await gateway.put(f"{url}/ratings", headers=officer, json={"ratings": levels(3, ["Integritas"])})
    assert r.status_code == 403
    r = await gateway.put(f"{url}/ratings", headers=lead, json={"ratings": levels(6, ["Integritas"])})
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("level")
    r = await gateway.put(
        f"{url}/ratings",
        headers=lead,
        json={"ratings": [{"instrument": "Menyanyi", "exercise": "Karaoke", "level": 3}]},
    )
    assert r.status_code == 422
    assert {e["rule"] for e in r.json()["errors"]} == {"not_in_campaign", "unknown_exercise"}
    assert (await gateway.get(url, headers=officer)).json()["status"] == "scheduled"  # nothing applied

    everything = [*instruments, TECHNICAL]  # the post's technical competency is rated too
    r = await gateway.put(f"{url}/ratings", headers=lead, json={"ratings": levels(3, everything)})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    second_levels = levels(3, everything)
    second_levels[2]["level"] = 5  # Komunikasi: 3 against 5, a disagreement to settle
    r = await gateway.put(f"{url}/ratings", headers=second, json={"ratings": second_levels})
    assert r.status_code == 200 and r.json()["status"] == "scored"

    r = await gateway.get(f"{url}/integration", headers=second)
    assert r.status_code == 403
    view = (await gateway.get(f"{url}/integration", headers=lead)).json()
    flagged = {line["instrument"]: line for line in view["lines"] if line["disagreement"]}
    assert list(flagged) == ["Komunikasi"] and flagged["Komunikasi"]["suggested_level"] == 4
    assert view["missing_ratings"] == {}

    # Completing before every instrument is integrated names exactly what is missing.
    integrated = {c: 3 for c in STANDARD_COMPETENCIES} | {"Komunikasi": 2, TECHNICAL: 4} | dict(zip(ASPECTS, (4, 5)))
    first = [{"instrument": c, "level": v} for c, v in integrated.items() if c not in ("Integritas", TECHNICAL)]
    r = await gateway.put(f"{url}/integrated-ratings", headers=second, json={"ratings": first})
    assert r.status_code == 403
    r = await gateway.put(f"{url}/integrated-ratings", headers=lead, json={"ratings": first})
    assert r.status_code == 200 and r.json()["status"] == "scored"
    r = await gateway.post(f"{url}/completion", headers=lead)
    assert r.status_code == 422
    assert sorted(e["message"] for e in r.json()["errors"]) == [
        f"no integrated level for {'Integritas'!r}",
        f"no integrated level for {TECHNICAL!r}",
    ]
    rest = [{"instrument": c, "level": integrated[c]} for c in ("Integritas", TECHNICAL)]
    r = await gateway.put(f"{url}/integrated-ratings", headers=lead, json={"ratings": rest})
    assert r.json()["status"] == "integrated"

    r = await gateway.post(f"{url}/completion", headers=lead)
    assert r.status_code == 200, r.text
    result = r.json()
    # JPM: 8 competencies at 3 + Komunikasi min(2, 3) + technical min(4, 3) = 29 of 30 -> 96.67, Optimal.
    # Potential: JPM 96.67 and aspects (4 + 5) / 2 / 5 = 90, weighted 50/50 -> 93.33.
    assert (result["status"], result["version"], result["jpm"], result["jpm_category"]) == (
        "completed", 1, 96.67, "Optimal",
    )  # fmt: skip
    assert result["potential_score"] == 93.33 and result["gaps"] == {"Komunikasi": 1}
    assert [r["instrument"] for r in result["recommendations"]] == ["Komunikasi"]
    assert "public speaking" in result["recommendations"][0]["recommendation"]
    assert result["valid_until"][:4] == str(int(result["completed_at"][:4]) + 2)
    r = await gateway.put(f"{url}/ratings", headers=lead, json={"ratings": levels(1, ["Integritas"])})
    assert r.status_code == 409

    placement = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{HOLDER}/placement", headers=officer),
        lambda r: r.status_code == 200 and r.json()["potential"] is not None,
    )
    assert placement.json()["potential"]["score"] == 93.33

    # A correction is a new version with its reason; the same levels again change nothing.
    correction = {"ratings": [{"instrument": "Komunikasi", "level": 3}], "reason": "salah input nilai Komunikasi"}
    r = await gateway.post(f"{url}/corrections", headers=officer, json={**correction, "reason": ""})
    assert r.status_code == 422
    r = await gateway.post(f"{url}/corrections", headers=officer, json=correction)
    assert r.status_code == 200 and (r.json()["version"], r.json()["gaps"], r.json()["jpm"]) == (2, {}, 100.0)
    r = await gateway.post(f"{url}/corrections", headers=officer, json=correction)
    assert r.json()["version"] == 2
    versions = (await gateway.get(f"{url}/versions", headers=officer)).json()
    assert [(v["version"], v["reason"]) for v in versions] == [(1, "completed"), (2, "salah input nilai Komunikasi")]
    assert versions[0]["result"]["jpm"] == 96.67
    # Placement takes the corrected version: JPM 100 and aspects 90 -> potential 95.
    await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{HOLDER}/placement", headers=officer),
        lambda r: r.json()["potential"]["score"] == 95.0,
    )

    # The re-assessment list: the other employee has never been assessed; the holder is valid.
    page = (await gateway.get(f"/tenants/{kota}/reassessments", headers=officer)).json()
    assert [(e["nip"], e["reason"]) for e in page["items"]] == [(OTHER, "never_assessed")]


async def test_batch_results_are_all_or_nothing(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)
    integration = await token_for(kota, "integration", sub="bkn-siasn")
    scores = {c: 4 for c in STANDARD_COMPETENCIES} | {"Kecerdasan Emosional": 4}
    bad = {"results": [{"nip": OTHER, "scores": scores}, {"nip": "199912312020121001", "scores": {"Menyanyi": 3}}]}
    r = await gateway.post(f"/tenants/{kota}/assessments/batch", headers=integration, json=bad)
    assert r.status_code == 422
    assert {(e["field"], e["rule"]) for e in r.json()["errors"]} == {
        ("body.results.1.nip", "unknown_employee"),
        ("body.results.1.scores", "unknown_instrument"),
    }
    r = await gateway.post(
        f"/tenants/{kota}/assessments/batch",
        headers=integration,
        json={"results": [{"nip": OTHER, "scores": {"Integritas": 9}}]},
    )
    assert r.status_code == 422
    assert (await gateway.get(f"/tenants/{kota}/employees/{OTHER}/assessments", headers=officer)).json() == []

    good = {"results": [{"nip": OTHER, "scores": scores}, {"nip": HOLDER, "scores": scores}], "validity_years": 2}
    r = await gateway.post(f"/tenants/{kota}/assessments/batch", headers=integration, json=good)
    assert r.status_code == 201 and r.json()["recorded"] == 2
    [holder] = (await gateway.get(f"/tenants/{kota}/employees/{HOLDER}/assessments", headers=officer)).json()
    # The holder's post also requires its technical competency, not rated here: 9 x min(4, 3) + 0 = 27 of 30.
    assert (holder["jpm"], holder["jpm_category"], holder["gaps"]) == (90.0, "Optimal", {TECHNICAL: 3})
    [other] = (await gateway.get(f"/tenants/{kota}/employees/{OTHER}/assessments", headers=officer)).json()
    assert (other["jpm"], other["potential_score"]) == (None, 80.0)  # no post: potential from the aspect alone
    page = (await gateway.get(f"/tenants/{kota}/reassessments", headers=officer)).json()
    assert page["items"] == []
    await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{OTHER}/placement", headers=officer),
        lambda r: r.status_code == 200 and r.json()["potential"] is not None,
    )
