"""Scheduling through the gateway (Kota Batu): 25 employees from roster's events, the school's rooms,
2 internal assessors and the province's 5; the solver's answer, the published sessions becoming
pending assessments in the assessment service with their assessors, and the downloads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bakat_common.testing import eventually

from .test_roster import setup_kota

pytestmark = pytest.mark.e2e

MONDAY = date.today() + timedelta(days=14 - date.today().weekday())


async def test_kota_batu_is_scheduled_with_the_province_pool_and_published(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    province = kota.replace("kota-", "prov-")
    nips = [f"19850315201001{1 + n % 2}{n:03d}" for n in range(25)]
    for n, nip in enumerate(nips):
        body = {"nip": nip, "name": f"Pegawai {n}", "employment_type": "PNS",
                "unit_code": ("DINKES", "BKPSDM-MUTASI")[n % 2]}  # fmt: skip
        r = await gateway.post(f"/tenants/{kota}/employees", headers=officer, json=body)
        assert r.status_code == 201, r.text
    campaign = {"name": "Asesmen Batu 2026", "method": "assessment_center", "instruments": ["Integritas"]}
    r = await eventually(
        lambda: gateway.post(f"/tenants/{kota}/campaigns", headers=officer, json=campaign),
        lambda r: r.status_code == 201,
    )
    campaign_id = r.json()["id"]

    rooms = [{"name": "Lab Komputer", "room_type": "computer_lab", "capacity": 30},
             {"name": "Lab Bahasa", "room_type": "language_lab", "capacity": 24}]  # fmt: skip
    r = await gateway.post(
        f"/tenants/{kota}/venues", headers=officer, json={"name": "SMKN 1 Batu", "rooms": rooms}
    )
    assert r.status_code == 201, r.text
    admin = await token_for(kota, "admin")
    province_admin = await token_for(province, "admin")
    for tenant, who, count in ((kota, admin, 2), (province, province_admin, 5)):
        for i in range(count):
            body = {"subject": f"{tenant}-asesor-{i}", "name": f"Asesor {i}", "certification": "Asesor SDM Aparatur",
                    "max_participants_per_day": 16}  # fmt: skip
            r = await gateway.post(f"/tenants/{tenant}/assessors", headers=who, json=body)
            assert r.status_code == 201, r.text

    request = {
        "campaign_id": campaign_id, "name": "Asesmen Batu 2026",
        "window": {"start": MONDAY.isoformat(), "end": MONDAY.isoformat()},
        "participants": [{"nip": n} for n in nips], "daily_cap": 25,
        "ratio": {"assessors": 7, "participants": 25}, "use_province_pool": False, "time_limit_s": 10,
    }  # fmt: skip
    r = await gateway.post(f"/tenants/{kota}/schedules", headers=officer, json=request)
    assert r.status_code == 202, r.text

    async def finished(schedule_id: str) -> dict:
        url = f"/tenants/{kota}/schedules/{schedule_id}"
        r = await eventually(
            lambda: gateway.get(url, headers=officer),
            lambda r: r.json()["status"] not in ("queued", "solving"),
        )
        return r.json()

    alone = await finished(r.json()["id"])
    assert alone["status"] == "infeasible"
    assert any("25 participants need 7 assessors" in reason and "2" in reason for reason in alone["reasons"])

    r = await gateway.post(
        f"/tenants/{kota}/schedules", headers=officer, json=request | {"use_province_pool": True}
    )
    solved = await finished(r.json()["id"])
    assert (solved["status"], solved["days_used"], solved["lower_bound_days"]) == ("optimal", 1, 1)
    [day] = (await gateway.get(f"/tenants/{kota}/schedules/{solved['id']}/days", headers=officer)).json()
    assert day["participants"] == 25 and day["assessors"] == 7

    r = await gateway.post(f"/tenants/{kota}/schedules/{solved['id']}/publish", headers=officer)
    assert r.status_code == 200 and r.json()["published_at"]

    # The assessment service makes a pending assessment per participant, with the session's assessors.
    lead = day["sessions"][0]["assessors"][0]["id"]
    assessors = (await gateway.get(f"/tenants/{kota}/assessors", headers=officer)).json()
    subject = next(a["subject"] for a in assessors if a["id"] == lead)
    sitting = {p["id"] for s in day["sessions"] if s["assessors"][0]["id"] == lead for p in s["participants"]}
    token = await token_for(kota, "assessor", sub=subject)
    mine = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/assessments", headers=token),
        lambda r: r.status_code == 200 and {a["nip"] for a in r.json()} >= sitting,
    )
    for pending in (a for a in mine.json() if a["nip"] in sitting):
        assert (pending["scheduled_day"], pending["lead_assessor"]) == (MONDAY.isoformat(), subject)

    r = await gateway.get(f"/tenants/{kota}/schedules/{solved['id']}/export.xlsx", headers=officer)
    assert r.status_code == 200 and len(r.content) > 1000
    r = await gateway.get(
        f"/tenants/{kota}/schedules/{solved['id']}/assessors/{lead}/calendar.ics", headers=officer
    )
    # One event per session (group) the assessor observes: the solver may give one assessor two groups.
    observed = sum(1 for s in day["sessions"] if lead in {a["id"] for a in s["assessors"]})
    assert observed >= 1 and r.status_code == 200 and r.text.count("BEGIN:VEVENT") == observed

    # Another kota's officer sees none of it.
    stranger = await token_for("kota-lain", "officer")
    r = await gateway.get(f"/tenants/{kota}/schedules/{solved['id']}", headers=stranger)
    assert r.status_code in (403, 404)
