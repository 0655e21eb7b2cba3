"""Calibration through the gateway: one officer proposes moves in a session, another approves them
together; the original and calibrated boxes are both shown; bad requests are problem+json 4xx."""

from __future__ import annotations

import pytest
from bakat_common.testing import eventually

from .test_assessment_workflow import HOLDER, OTHER, kota_with_people

pytestmark = pytest.mark.e2e


async def test_a_session_of_moves_is_proposed_approved_by_a_second_officer_and_audited(gateway, token_for):
    kota, siti = await kota_with_people(gateway, token_for)  # both have SKP 2025 Baik (meets)
    budi = await token_for(kota, "officer", sub="budi")
    viewer = await token_for(kota, "viewer", sub="vera")
    for nip, score in ((HOLDER, 84), (OTHER, 75)):
        r = await gateway.post(
            f"/tenants/{kota}/assessments", headers=siti, json={"nip": nip, "potential_score": score}
        )
        assert r.status_code == 201, r.text
    for nip, box in ((HOLDER, 8), (OTHER, 5)):
        await eventually(
            lambda nip=nip: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=siti),
            lambda r, box=box: r.status_code == 200 and r.json()["box"] == box,
        )

    url = f"/tenants/{kota}/calibrations"
    assert (await gateway.post(url, headers=viewer, json={"title": "Kalibrasi 2025"})).status_code == 403
    r = await gateway.post(url, headers=siti, json={"title": "Kalibrasi 2025", "note": "rapat TPK 12 Mei"})
    assert r.status_code == 201, r.text
    session = r.json()
    assert (session["status"], session["created_by"], session["moves"]) == ("draft", "tester", [])
    moves = f"{url}/{session['id']}/moves"

    # Bad moves: all 4xx problem+json, nothing recorded.
    for nip, body, status in (
        (OTHER, {"to_box": 10, "reason": "terlalu tinggi"}, 422),
        (OTHER, {"to_box": 7}, 422),
        (OTHER, {"to_box": 5, "reason": "kotak yang sama"}, 422),
        ("199912312020121001", {"to_box": 7, "reason": "tidak dikenal"}, 404),
    ):
        r = await gateway.put(f"{moves}/{nip}", headers=siti, json=body)
        assert r.status_code == status, (nip, body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await gateway.put(f"{moves}/{OTHER}", headers=viewer, json={"to_box": 7, "reason": "kinerja tim"})
    assert r.status_code == 403

    r = await gateway.put(
        f"{moves}/{OTHER}", headers=siti, json={"to_box": 7, "reason": "memimpin digitalisasi layanan"}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["from_box"], r.json()["to_box"], r.json()["proposed_by"]) == (5, 7, "tester")
    r = await gateway.put(f"{moves}/{HOLDER}", headers=siti, json={"to_box": 5, "reason": "x y z"})
    assert r.status_code == 201
    r = await gateway.put(
        f"{moves}/{HOLDER}", headers=siti, json={"to_box": 9, "reason": "penghargaan nasional 2025"}
    )
    assert r.status_code == 200  # replaced
    r = await gateway.get(f"{url}/{session['id']}", headers=viewer)  # a viewer reads
    assert [(m["nip"], m["to_box"]) for m in r.json()["moves"]] == [(HOLDER, 9), (OTHER, 7)]

    # Four-eyes: the creator may not approve; another officer does.
    r = await gateway.post(f"{url}/{session['id']}/approve", headers=siti)
    assert r.status_code == 403 and "four-eyes" in r.json()["detail"]
    assert (await gateway.post(f"{url}/{session['id']}/approve", headers=viewer)).status_code == 403
    r = await gateway.post(f"{url}/{session['id']}/approve", headers=budi)
    assert r.status_code == 200, r.text
    approved = r.json()
    assert (approved["status"], approved["approved_by"]) == ("approved", "budi")
    assert [a["action"] for a in approved["audit"]] == [
        "created", "move_proposed", "move_proposed", "move_replaced", "move_proposed", "approved",
    ]  # fmt: skip
    assert (await gateway.post(f"{url}/{session['id']}/approve", headers=budi)).status_code == 409
    r = await gateway.delete(f"{moves}/{OTHER}", headers=siti)
    assert r.status_code == 409  # approved sessions are closed

    other = (await gateway.get(f"/tenants/{kota}/employees/{OTHER}/placement", headers=viewer)).json()
    assert (other["box"], other["computed_box"], other["in_talent_pool"]) == (7, 5, True)
    assert "calibrated from box 5 to box 7" in other["reasons"]
    pool = (await gateway.get(f"/tenants/{kota}/talent-pool", headers=viewer)).json()
    assert sorted(p["nip"] for p in pool["items"]) == sorted([HOLDER, OTHER])
    history = (
        await gateway.get(f"/tenants/{kota}/employees/{OTHER}/placement/history", headers=viewer)
    ).json()
    assert [c["box"] for c in history["changes"]] == [5, 7]
    assert (
        history["changes"][-1]["reasons"][-1]
        == "calibrated from box 5 to box 7: memimpin digitalisasi layanan"
    )

    record = (await gateway.get(f"{url}/moves", headers=viewer, params={"nip": OTHER})).json()
    assert [
        (m["from_box"], m["to_box"], m["proposed_by"], m["approved_by"], m["in_force"]) for m in record
    ] == [(5, 7, "tester", "budi", True)]
    listed = (await gateway.get(url, headers=viewer, params={"status": "approved"})).json()
    assert [(s["id"], s["moves"]) for s in listed] == [(session["id"], 2)]
    assert (await gateway.get(url, headers=viewer, params={"status": "draft"})).json() == []
    assert (await gateway.get(f"{url}/not-a-uuid", headers=viewer)).status_code == 422
