"""Tenant rule sets through the gateway: a change is a new version and recomputes every placement."""

from __future__ import annotations

import asyncio
import time

import pytest
from bakat_common.testing import eventually

from .test_assessment_workflow import HOLDER, OTHER, kota_with_people

pytestmark = pytest.mark.e2e


async def box_of(gateway, headers, kota, nip):
    r = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=headers),
        lambda r: r.status_code == 200,
    )
    return r.json()


async def test_a_rule_change_is_versioned_and_recomputes_every_placement(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)  # both have SKP 2025 Baik (meets)
    for nip, score in ((HOLDER, 84), (OTHER, 75)):
        r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": score})
        assert r.status_code == 201, r.text
    assert (await box_of(gateway, officer, kota, HOLDER))["box"] == 8  # 84 >= 80 high, meets
    assert (await box_of(gateway, officer, kota, OTHER))["box"] == 5  # 75 >= 60 middle, meets
    pool = (await gateway.get(f"/tenants/{kota}/talent-pool", headers=officer)).json()
    assert [p["nip"] for p in pool["items"]] == [HOLDER]

    url = f"/tenants/{kota}/rule-sets"
    bad = await gateway.post(url, headers=officer, json={"potential_high": 70, "potential_middle": 80, "reason": "x y z"})
    assert bad.status_code == 422
    viewer = await token_for(kota, "viewer")
    rules = {"potential_high": 90, "potential_middle": 80, "reason": "Perbup 12/2026: ambang 90/80"}
    assert (await gateway.post(url, headers=viewer, json=rules)).status_code == 403
    assert [v["version"] for v in (await gateway.get(url, headers=officer)).json()] == [1]

    r = await gateway.post(url, headers=officer, json=rules)
    assert r.status_code == 202, r.text
    job = r.json()["job"]
    assert r.json()["rule_set"]["version"] == 2
    deadline = time.monotonic() + 30
    while job["status"] == "running":
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.1)
        job = (await gateway.get(f"{url}/recomputations/{job['id']}", headers=officer)).json()
    assert (job["status"], job["total"], job["done"], job["changed"]) == ("done", 2, 2, 2)

    holder = await box_of(gateway, officer, kota, HOLDER)
    assert (holder["box"], holder["rule_version"]) == (5, 2)  # 84 is now middle
    assert holder["explanation"] == "box 5: potential 84 >= 80 -> middle; SKP 2025 Baik -> meets"
    assert (await box_of(gateway, officer, kota, OTHER))["box"] == 2  # 75 is now low
    assert (await gateway.get(f"/tenants/{kota}/talent-pool", headers=officer)).json()["total"] == 0
    versions = (await gateway.get(url, headers=officer)).json()
    assert [(v["version"], v["reason"]) for v in versions][0] == (2, rules["reason"])
    assert versions[0]["created_by"] == "tester"

    # Events after the change are placed with the new rules too.
    r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": OTHER, "potential_score": 91})
    assert r.status_code == 201
    await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{OTHER}/placement", headers=officer),
        lambda r: (r.json()["box"], r.json()["rule_version"]) == (8, 2),
    )


async def test_placement_history_shows_every_change_and_the_trend_per_year(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)  # SKP 2025 Baik
    r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": HOLDER, "potential_score": 65})
    assert r.status_code == 201
    await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{HOLDER}/placement", headers=officer),
        lambda r: r.status_code == 200 and r.json()["box"] == 5,
    )
    skp = {"nip": HOLDER, "year": 2026, "predikat": "Sangat Baik"}
    assert (await gateway.post(f"/tenants/{kota}/performance-ratings", headers=officer, json=skp)).status_code == 201
    history = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{HOLDER}/placement/history", headers=officer),
        lambda r: r.status_code == 200 and len(r.json()["changes"]) == 2,
    )
    body = history.json()
    assert [(c["skp_year"], c["box"]) for c in body["changes"]] == [(2025, 5), (2026, 7)]
    assert body["trend"] == [{"skp_year": 2025, "box": 5}, {"skp_year": 2026, "box": 7}]
    r = await gateway.get(f"/tenants/{kota}/employees/{OTHER}/placement/history", headers=officer)
    assert r.status_code == 404 and "completed assessment" in r.text


async def test_the_nine_box_of_a_unit_with_its_sub_units(gateway, token_for):
    kota, officer = await kota_with_people(gateway, token_for)  # both in BKPSDM-MUTASI, under BKPSDM
    for nip, score in ((HOLDER, 84), (OTHER, 75)):
        r = await gateway.post(f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": score})
        assert r.status_code == 201
    await box_of(gateway, officer, kota, HOLDER)
    await box_of(gateway, officer, kota, OTHER)
    view = (await gateway.get(f"/tenants/{kota}/nine-box", headers=officer, params={"unit": "BKPSDM"})).json()
    assert view["total"] == 2 and [b["box"] for b in view["boxes"]] == list(range(1, 10))
    counts = {b["box"]: b["count"] for b in view["boxes"] if b["count"]}
    assert counts == {8: 1, 5: 1}
    assert [m["nip"] for m in view["boxes"][7]["members"]] == [HOLDER]
    only = (await gateway.get(f"/tenants/{kota}/nine-box", headers=officer, params={"tier": "Pelaksana"})).json()
    assert only["total"] == 1 and only["boxes"][4]["members"][0]["nip"] == OTHER
    elsewhere = (await gateway.get(f"/tenants/{kota}/nine-box", headers=officer, params={"unit": "DINKES"})).json()
    assert elsewhere["total"] == 0
