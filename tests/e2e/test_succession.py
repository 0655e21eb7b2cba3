"""Succession through the gateway (Kota Mojokerto): roster's positions and people, assessment results
and SKP, then the holder of an eselon III post retires: placement lists the vacancy and ranks the
eselon IV pool, from events only; the merit-system flag follows the tenant's settings."""

from __future__ import annotations

import pytest
from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.testing import eventually

from .test_roster import setup_kota, standard

pytestmark = pytest.mark.e2e

HOLDER = "198503152010011003"  # holds KABID-MUTASI, then retires
READY = "199001012015011001"  # KASUBBID-1: box 9
LATER = "199202022016022002"  # KASUBBID-2: box 8, far from the KABID standard


async def test_a_vacated_eselon_iii_post_gets_the_ranked_eselon_iv_pool(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    for code, tier, eselon, unit in (
        ("KABID-MUTASI", "Administrator", "III.b", "BKPSDM-MUTASI"),
        ("KASUBBID-1", "Pengawas", "IV.a", "BKPSDM-MUTASI-1"),
        ("KASUBBID-2", "Pengawas", "IV.a", "BKPSDM-MUTASI-1"),
    ):
        body = {"code": code, "title": f"Kepala {unit}", "tier": tier, "eselon": eselon, "unit_code": unit,
                "requirements": standard(3), "technical_requirements": {"Manajemen ASN": 3}}  # fmt: skip
        assert (
            await gateway.post(f"/tenants/{kota}/positions", headers=officer, json=body)
        ).status_code == 201
    people = (
        (HOLDER, "KABID-MUTASI", "Baik"),
        (READY, "KASUBBID-1", "Sangat Baik"),
        (LATER, "KASUBBID-2", "Baik"),
    )
    for nip, position, predikat in people:
        body = {
            "nip": nip,
            "name": f"Pegawai {nip[-3:]}",
            "employment_type": "PNS",
            "position_code": position,
        }
        r = await gateway.post(f"/tenants/{kota}/employees", headers=officer, json=body)
        assert r.status_code == 201, r.text
        skp = {"nip": nip, "year": 2025, "predikat": predikat}
        r = await eventually(
            lambda: gateway.post(f"/tenants/{kota}/performance-ratings", headers=officer, json=skp),
            lambda r: r.status_code == 201,
        )
    integration = await token_for(kota, "integration", sub="bkn-siasn")
    results = [
        {"nip": READY, "scores": {c: 5 for c in STANDARD_COMPETENCIES} | {"Kecerdasan Emosional": 5}},
        {"nip": LATER, "scores": {c: 2 for c in STANDARD_COMPETENCIES} | {"Kecerdasan Emosional": 5}},
        {"nip": HOLDER, "scores": {c: 5 for c in STANDARD_COMPETENCIES} | {"Kecerdasan Emosional": 5}},
    ]
    r = await eventually(
        lambda: gateway.post(
            f"/tenants/{kota}/assessments/batch", headers=integration, json={"results": results}
        ),
        lambda r: r.status_code == 201,
    )
    for nip, box in ((READY, 9), (LATER, 8)):
        await eventually(
            lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer),
            lambda r, box=box: r.status_code == 200 and r.json()["box"] == box,
        )

    # All three posts are held: no vacancy yet.
    vacancies = f"/tenants/{kota}/succession/vacancies"
    await eventually(
        lambda: gateway.get(vacancies, headers=officer),
        lambda r: r.status_code == 200 and r.json()["total"] == 0,
    )
    r = await gateway.post(
        f"/tenants/{kota}/employees/{HOLDER}/retirement", headers=officer, json={"reason": "BUP"}
    )
    assert r.status_code == 200, r.text

    r = await eventually(lambda: gateway.get(vacancies, headers=officer), lambda r: r.json()["total"] == 1)
    [vacancy] = r.json()["items"]
    assert (
        vacancy["position"]["code"] == "KABID-MUTASI" and vacancy["position"]["previous_holder_nip"] == HOLDER
    )
    assert vacancy["source_tiers"] == ["Pengawas"]
    assert (vacancy["candidates"]["ready_now"], vacancy["candidates"]["total"]) == (1, 2)

    url = f"/tenants/{kota}/succession/positions/KABID-MUTASI/candidates"
    view = (await gateway.get(url, headers=officer)).json()
    assert [(c["nip"], c["box"], c["readiness"]) for c in view["candidates"]] == [
        (READY, 9, "ready_now"),
        (LATER, 8, "future"),
    ]
    # 9 x min(5, 3) of 30 (Manajemen ASN not assessed): 90; 9 x 2 of 30: 60.
    assert view["candidates"][0]["why"].startswith("box 9; JPM 90 vs KABID-MUTASI standard (Memenuhi Syarat)")
    assert view["candidates"][1]["jpm"] == 60 and view["candidates"][1]["decided_by"] == "box"
    assert view["fill_without_open_bidding"] is False

    settings = f"/tenants/{kota}/succession/settings"
    viewer = await token_for(kota, "viewer")
    assert (await gateway.put(settings, headers=viewer, json={"merit_index": 330})).status_code == 403
    r = await gateway.put(settings, headers=officer, json={"merit_index": 330, "reason": "ISM KASN 2025"})
    assert r.status_code == 200 and r.json()["fill_without_open_bidding"] is True
    assert (await gateway.get(url, headers=officer)).json()["fill_without_open_bidding"] is True

    bench = (await gateway.get(f"/tenants/{kota}/succession/bench-strength", headers=officer)).json()
    assert bench["key_positions"] == 3
    by_code = {p["code"]: p for p in bench["positions"]}
    assert by_code["KABID-MUTASI"]["has_ready_successor"]
    assert not by_code["KASUBBID-1"]["has_ready_successor"]  # no Pelaksana in the pool

    r = await gateway.get(f"/tenants/{kota}/succession/positions/NOPE/candidates", headers=officer)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = await gateway.put(settings, headers=officer, json={"candidate_source": "everyone"})
    assert r.status_code == 422
