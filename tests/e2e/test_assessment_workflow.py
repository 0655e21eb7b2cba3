"""The assessment workflow through the gateway: campaign -> assessors rate -> lead integrates ->
completion (JPM, potential, gaps, recommendations) -> placement; corrections, batch results, the
re-assessment list, and the bad input of each step."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from aiokafka import AIOKafkaProducer
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.contracts.scheduling import SessionScheduledV1
from bakat_common.events import new_event
from bakat_common.testing import eventually, metric_value

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


async def test_a_participant_is_rated_integrated_completed_corrected_and_placed(gateway, token_for, platform):
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

    completed = ("bakat_assessments_completed_total", {"tenant": kota, "source": "campaign"})
    assert await metric_value(platform.service_urls["assessment"], completed[0], **completed[1]) == 0  # the 422
    r = await gateway.post(f"{url}/completion", headers=lead)
    assert r.status_code == 200, r.text
    result = r.json()
    assert await metric_value(platform.service_urls["assessment"], completed[0], **completed[1]) == 1
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

    # The participant's report: a PDF for the completed result, readable by officers and its assessors.
    r = await gateway.get(f"{url}/report.pdf", headers=officer)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and HOLDER in r.headers["content-disposition"]
    assert (await gateway.get(f"{url}/report.pdf", headers=stranger)).status_code == 403

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


async def test_batch_results_are_all_or_nothing(gateway, token_for, platform):
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
    metrics, batch = platform.service_urls["assessment"], {"tenant": kota, "source": "batch"}
    assert await metric_value(metrics, "bakat_assessments_completed_total", **batch) == 0  # refused: not counted
    r = await gateway.post(f"/tenants/{kota}/assessments/batch", headers=integration, json=good)
    assert r.status_code == 201 and r.json()["recorded"] == 2
    assert await metric_value(metrics, "bakat_assessments_completed_total", **batch) == 2
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


async def test_participants_by_tier_and_unit_and_from_a_scheduled_session(gateway, token_for, platform):
    kota, officer = await kota_with_people(gateway, token_for)
    campaign = {
        "name": "Pemetaan Pelaksana", "method": "cat", "instruments": ["Integritas", "Literasi Digital"],
        "selection": {"tiers": ["Pelaksana"], "unit_codes": ["BKPSDM"]},  # BKPSDM includes BKPSDM-MUTASI
    }  # fmt: skip
    # The assessment service learns employees from roster's events: retry until they have arrived.
    r = await eventually(
        lambda: gateway.post(f"/tenants/{kota}/campaigns", headers=officer, json=campaign),
        lambda r: r.status_code == 201,
    )
    created = r.json()
    assert created["participants"] == 1  # only the Pelaksana; the Administrator is not selected
    url = f"/tenants/{kota}/campaigns/{created['id']}/participants"
    r = await gateway.post(url, headers=officer, json={"nips": [HOLDER, OTHER]})
    assert r.json() == {"added": 1, "already_participating": 1}
    r = await gateway.post(url, headers=officer, json={"nips": ["199912312020121001"]})
    assert r.status_code == 422

    # Scheduling publishes a session: its assessors are assigned (the lead included) and the day is set.
    event = new_event(
        SessionScheduledV1(
            schedule_id="s1", session_id="s1-day1-lab", campaign_id=created["id"], day=date(2026, 12, 1),
            venue="SMKN 1", room="Lab Komputer", participants=[OTHER], assessors=["asesor-1", "asesor-2"],
            lead_assessor="asesor-2",
        ),
        service="scheduling", tenant=kota, subject="s1-day1-lab",
    )  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait("bakat.scheduling", event.to_bytes(), key=event.key.encode())
    finally:
        await producer.stop()
    assessor = await token_for(kota, "assessor", sub="asesor-2")
    mine = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/assessments", headers=assessor),
        lambda r: r.status_code == 200 and len(r.json()) == 1,
    )
    [pending] = mine.json()
    r = await gateway.get(f"/tenants/{kota}/assessments/{pending['id']}/report.pdf", headers=assessor)
    assert r.status_code == 409  # no report before the result is completed
    assert (pending["nip"], pending["scheduled_day"], pending["lead_assessor"]) == (OTHER, "2026-12-01", "asesor-2")
    assert pending["assessors"] == ["asesor-1", "asesor-2"]
    # An assessor sees only their own; another tenant's token sees nothing of this tenant.
    other_assessor = await token_for(kota, "assessor", sub="asesor-7")
    assert (await gateway.get(f"/tenants/{kota}/assessments", headers=other_assessor)).json() == []
    r = await gateway.get(f"/tenants/{kota}/assessments/{pending['id']}", headers=other_assessor)
    assert r.status_code == 403


async def test_expired_results_put_people_back_on_the_reassessment_list(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)
    four_years_ago = (datetime.now(timezone.utc) - timedelta(days=4 * 365)).isoformat()
    r = await gateway.post(
        f"/tenants/{kota}/assessments",
        headers=officer,
        json={"nip": OTHER, "potential_score": 70, "completed_at": four_years_ago},
    )
    assert r.status_code == 201, r.text
    r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": HOLDER, "potential_score": 70})
    assert r.status_code == 201
    page = (await gateway.get(f"/tenants/{kota}/reassessments", headers=officer)).json()
    assert [(e["nip"], e["reason"]) for e in page["items"]] == [(OTHER, "expired")]
    assert page["items"][0]["last_valid_until"] < date.today().isoformat()
    r = await gateway.get(f"/tenants/{kota}/reassessments", headers=officer, params={"unit": "NOPE"})
    assert r.status_code == 422


async def test_tenant_instruments_and_development_rules(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)
    r = await gateway.post(
        f"/tenants/{kota}/instruments", headers=officer, json={"code": "Integritas", "name": "x", "kind": "material"}
    )
    assert r.status_code == 409  # the framework's competencies are fixed
    own = {"code": "Pemahaman Budaya Jawa", "name": "Pemahaman Budaya Jawa", "kind": "material"}
    assert (await gateway.post(f"/tenants/{kota}/instruments", headers=officer, json=own)).status_code == 201
    codes = {
        i["code"]: i["builtin"] for i in (await gateway.get(f"/tenants/{kota}/instruments", headers=officer)).json()
    }
    assert codes["Pemahaman Budaya Jawa"] is False and codes["Komunikasi"] is True

    defaults = (await gateway.get(f"/tenants/{kota}/development-rules", headers=officer)).json()
    assert any("public speaking" in rule["recommendation"] for rule in defaults)
    rules = [
        {"instrument": "Pemahaman Budaya Jawa", "below_level": 4, "recommendation": "Kursus budaya", "kind": "training"}
    ]
    r = await gateway.put(f"/tenants/{kota}/development-rules", headers=officer, json={"rules": rules + rules})
    assert r.status_code == 422
    r = await gateway.put(
        f"/tenants/{kota}/development-rules", headers=await token_for(kota, "viewer"), json={"rules": rules}
    )
    assert r.status_code == 403
    r = await gateway.put(f"/tenants/{kota}/development-rules", headers=officer, json={"rules": rules})
    assert r.status_code == 200 and [x["instrument"] for x in r.json()] == ["Pemahaman Budaya Jawa"]

    integration = await token_for(kota, "integration")
    scores = {"Pemahaman Budaya Jawa": 3, "Komunikasi": 1, "Kecerdasan Emosional": 3}
    r = await gateway.post(
        f"/tenants/{kota}/assessments/batch", headers=integration, json={"results": [{"nip": OTHER, "scores": scores}]}
    )
    [result] = (await gateway.get(f"/tenants/{kota}/employees/{OTHER}/assessments", headers=officer)).json()
    # Only the tenant's own rule applies now: Komunikasi 1 no longer brings the default public speaking.
    assert [(x["instrument"], x["recommendation"]) for x in result["recommendations"]] == [
        ("Pemahaman Budaya Jawa", "Kursus budaya")
    ]
