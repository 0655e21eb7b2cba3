"""The first slice end to end, through the gateway: roster -> assessment -> Kafka -> placement."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from bakat_common.testing import eventually

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


async def new_kota(gateway, token_for) -> tuple[str, str]:
    """A province and one kota under it; returns (province id, kota id)."""
    ops = await token_for("*", "admin")
    suffix = uuid.uuid4().hex[:6]
    province, kota = f"prov-{suffix}", f"kota-{suffix}"
    r = await gateway.post(
        "/tenants", headers=ops, json={"id": province, "name": "Pemprov Jawa Timur", "kind": "provinsi"}
    )
    assert r.status_code == 201, r.text
    prov_admin = await token_for(province, "admin")
    r = await gateway.post(
        "/tenants",
        headers=prov_admin,
        json={"id": kota, "name": "Pemkot Batu", "kind": "kota", "parent_id": province},
    )
    assert r.status_code == 201, r.text
    return province, kota


async def register(gateway, headers, tenant: str, nip: str, name: str = "Budi Santoso, S.Sos.") -> None:
    r = await gateway.post(f"/tenants/{tenant}/employees", headers=headers, json={"nip": nip, "name": name})
    assert r.status_code == 201, r.text


async def record_skp(gateway, headers, tenant, nip, predikat, year=2024) -> httpx.Response:
    # No retry: the assessment service waits for roster's event about a just-registered employee.
    return await gateway.post(
        f"/tenants/{tenant}/performance-ratings",
        headers=headers,
        json={"nip": nip, "year": year, "predikat": predikat},
    )


async def test_employee_lands_in_the_nine_box_through_the_gateway(gateway, token_for):
    province, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    nip = "198503152010011003"
    await register(gateway, officer, kota, nip)

    r = await record_skp(gateway, officer, kota, nip, "Butuh Perbaikan")
    assert r.status_code == 201, r.text
    r = await gateway.post(
        f"/tenants/{kota}/assessments", headers=officer, json={"nip": nip, "potential_score": 84}
    )
    assert r.status_code == 201, r.text
    assessment_id = r.json()["id"]

    r = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer),
        lambda r: r.status_code == 200,
    )
    placement = r.json()
    assert placement["box"] == 6
    valid = placement["potential"]["valid_until"]  # three years from today (the default validity)
    assert placement["potential"] == {
        "score": 84.0, "level": "high", "assessment_id": assessment_id, "jpm": None, "valid_until": valid,
        "expired": False,
    }  # fmt: skip
    assert date.fromisoformat(valid).year == date.today().year + 3
    assert placement["performance"] == {"predikat": "Butuh Perbaikan", "skp_year": 2024, "level": "below"}
    assert placement["explanation"] == "box 6: potential 84 >= 80 -> high; SKP 2024 Butuh Perbaikan -> below"
    assert placement["in_talent_pool"] is False

    # A newer SKP moves the employee: Sangat Baik with high potential is box 9, in the talent pool.
    r = await record_skp(gateway, officer, kota, nip, "Sangat Baik", year=2025)
    assert r.status_code == 201
    r = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer),
        lambda r: r.json().get("box") == 9,
    )
    assert r.json()["in_talent_pool"] is True

    # The province's token covers its kota.
    r = await gateway.get(
        f"/tenants/{kota}/employees/{nip}/placement", headers=await token_for(province, "viewer")
    )
    assert r.status_code == 200 and r.json()["box"] == 9


async def test_placement_waits_for_both_axes(gateway, token_for):
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    nip = "199012152015032001"
    await register(gateway, officer, kota, nip, "Siti Rahayu, S.E.")
    assert (await record_skp(gateway, officer, kota, nip, "Baik")).status_code == 201
    r = await eventually(
        lambda: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=officer),
        lambda r: "waiting for a completed assessment" in r.text,
    )
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


async def test_bad_input_is_refused_and_changes_nothing(gateway, token_for):
    province, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")

    r = await gateway.post(
        f"/tenants/{kota}/employees", headers=officer, json={"nip": "198502302010011003", "name": "X"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["errors"] == [
        {
            "field": "body.nip",
            "rule": "birth_date",
            "message": "digits 1-8 (19850230) are not a real birth date (YYYYMMDD)",
        }
    ]

    r = await gateway.post(f"/tenants/{kota}/employees", headers=officer, json={"nip": "12345", "name": "X"})
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "length"

    r = await gateway.post(
        f"/tenants/{kota}/employees",
        headers=officer,
        json={"nip": "198503152010011003", "name": "X", "birth_date": "1985-03-16"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.birth_date"
    assert r.json()["errors"][0]["rule"] == "birth_date_mismatch"

    r = await gateway.post(
        f"/tenants/{kota}/assessments",
        headers=officer,
        json={"nip": "198503152010011003", "potential_score": 101},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.potential_score"
    r = await gateway.post(
        f"/tenants/{kota}/assessments",
        headers=officer,
        json={"nip": "198503152010011003", "potential_score": 80, "completed_at": "9999-06-01T00:00:00Z"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.completed_at"
    r = await gateway.post(
        "/tenants",
        headers=await token_for("*", "admin"),
        json={"id": "x", "name": "a\u0000b", "kind": "provinsi"},
    )
    assert r.status_code == 422, r.text  # PostgreSQL cannot store NUL: refused, not a 500

    # A tenant that does not exist: the province learns so (404); a kota token, which covers no other
    # tenant anyway, gets 403 in every service, so its answer says nothing about which tenants exist.
    province_officer = await token_for(province, "officer")
    for path in ("employees", "assessments", "venues", "nine-box"):
        r = await gateway.get(f"/tenants/kota-tidak-ada/{path}", headers=province_officer)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, (path, r.text)
        r = await gateway.get(f"/tenants/kota-tidak-ada/{path}", headers=officer)
        assert r.status_code == 403 and r.headers["content-type"] == PROBLEM, (path, r.text)
    r = await gateway.post(
        "/tenants/kota-tidak-ada/employees", headers=officer, json={"nip": "198503152010011003", "name": "X"}
    )
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM

    _, other_kota = await new_kota(gateway, token_for)
    r = await gateway.post(
        f"/tenants/{other_kota}/employees", headers=officer, json={"nip": "198503152010011003", "name": "X"}
    )
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
    r = await gateway.get(f"/tenants/{other_kota}/venues", headers=officer)  # a tenant created a moment ago
    assert r.status_code == 403
    for path, body in (
        ("performance-ratings", {"nip": "198503152010011003", "year": 2025, "predikat": "Baik"}),
        ("assessments", {"nip": "198503152010011003", "potential_score": 80}),
    ):
        r = await gateway.post(f"/tenants/{other_kota}/{path}", headers=officer, json=body)
        assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
        r = await gateway.post(f"/tenants/kota-tidak-ada/{path}", headers=officer, json=body)
        assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
        r = await gateway.post(f"/tenants/kota-tidak-ada/{path}", headers=province_officer, json=body)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    placement = "/tenants/kota-tidak-ada/employees/198503152010011003/placement"
    assert (await gateway.get(placement, headers=officer)).status_code == 403
    assert (await gateway.get(placement, headers=province_officer)).status_code == 404
    r = await gateway.get(f"/tenants/{kota}/employees", headers=await token_for(kota))  # a token with no role
    assert r.status_code == 403

    r = await gateway.post(
        f"/tenants/{kota}/employees",
        headers={**officer, "content-type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM

    r = await gateway.get(f"/tenants/{kota}/employees", headers={"authorization": "Bearer not-a-token"})
    assert r.status_code == 401

    # Nothing was written anywhere.
    admin = await token_for("*", "admin")
    for tenant in (kota, other_kota):
        r = await gateway.get(f"/tenants/{tenant}/employees", headers=admin)
        assert r.json() == {"items": [], "next_cursor": None}
        r = await gateway.get(
            f"/tenants/{tenant}/employees/198503152010011003/performance-ratings", headers=admin
        )
        assert r.json() == []
        r = await gateway.get(f"/tenants/{tenant}/placements", headers=admin)
        assert r.json()["total"] == 0
    r = await gateway.get("/tenants/x", headers=admin)
    assert r.status_code == 404
    r = await gateway.get("/tenants/kota-tidak-ada", headers=admin)
    assert r.status_code == 404


async def test_scheduling_keeps_venues_with_rooms(gateway, token_for, platform):
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    venue = {
        "name": "SMK Negeri 1 Batu",
        "rooms": [
            {"name": "Lab Komputer", "room_type": "computer_lab", "capacity": 36},
            {"name": "Lab Bahasa", "room_type": "language_lab", "capacity": 30},
        ],
    }
    r = await gateway.post(f"/tenants/{kota}/venues", headers=officer, json=venue)
    assert r.status_code == 201, r.text
    venue_id = r.json()["id"]
    r = await gateway.post(
        f"/tenants/{kota}/venues/{venue_id}/rooms",
        headers=officer,
        json={"name": "Kelas XII-1", "room_type": "classroom", "capacity": 40},
    )
    assert r.status_code == 201
    r = await gateway.get(f"/tenants/{kota}/venues/{venue_id}", headers=officer)
    assert sorted(room["name"] for room in r.json()["rooms"]) == ["Kelas XII-1", "Lab Bahasa", "Lab Komputer"]
    r = await gateway.post(
        f"/tenants/{kota}/venues/{venue_id}/rooms",
        headers=officer,
        json={"name": "X", "room_type": "gym", "capacity": 1},
    )
    assert r.status_code == 422


async def test_every_process_serves_health_readiness_and_metrics(platform):
    async with httpx.AsyncClient(timeout=5) as client:
        for name, url in platform.service_urls.items():
            assert (await client.get(f"{url}/healthz")).status_code == 200, name
            assert (await client.get(f"{url}/readyz")).status_code == 200, name
            metrics = await client.get(f"{url}/metrics/")
            assert metrics.status_code == 200, name
            assert "bakat_http_requests_total" in metrics.text, name
            if name != "gateway":
                assert "bakat_outbox_backlog" in metrics.text, name


async def test_gateway_serves_one_openapi_document_covering_every_service(platform, gateway):
    aggregated = (await gateway.get("/openapi.json")).json()
    async with httpx.AsyncClient(timeout=5) as client:
        for name, url in platform.service_urls.items():
            if name == "gateway":
                continue
            own = (await client.get(f"{url}/openapi.json")).json()
            assert own["paths"], name
            for path, operations in own["paths"].items():
                assert path in aggregated["paths"], f"{name} {path} missing from the gateway's document"
                assert set(operations) <= set(aggregated["paths"][path]), path
    assert (await gateway.get("/docs")).status_code == 200


async def test_a_script_can_use_what_it_just_created_without_retrying(gateway, token_for):
    """A BKN integrator's script: tenant, employee, SKP and result back to back, no sleeps, no retries."""
    _, kota = await new_kota(gateway, token_for)
    integration = await token_for(kota, "integration")
    nips = [f"19900101201501{g}{i:03d}" for g, i in (("1", 1), ("2", 2), ("1", 3))]
    for nip in nips:
        await register(gateway, integration, kota, nip)
        r = await gateway.post(
            f"/tenants/{kota}/performance-ratings",
            headers=integration,
            json={"nip": nip, "year": 2025, "predikat": "Baik"},
        )
        assert r.status_code == 201, r.text
        r = await gateway.post(
            f"/tenants/{kota}/assessments", headers=integration, json={"nip": nip, "potential_score": 65}
        )
        assert r.status_code == 201, r.text
    for nip in nips:
        r = await eventually(
            lambda nip=nip: gateway.get(f"/tenants/{kota}/employees/{nip}/placement", headers=integration),
            lambda r: r.status_code == 200,
        )
        assert r.json()["box"] == 5


async def test_an_unregistered_employee_is_refused_after_a_short_wait(gateway, token_for):
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    r = await gateway.post(
        f"/tenants/{kota}/performance-ratings",
        headers=officer,
        json={"nip": "198503152010011003", "year": 2025, "predikat": "Baik"},
    )
    assert r.status_code == 404 and "register it in the roster first" in r.json()["detail"]
    r = await gateway.get(
        f"/tenants/{kota}/employees/198503152010011003/performance-ratings", headers=officer
    )
    assert r.json() == []


async def test_a_201_is_committed_before_it_is_sent(gateway, token_for):
    """Read-after-write on one service: the transaction commits before the response leaves."""
    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    for i in range(30):
        nip = f"19900101201501{1 + i % 2}{i + 100:03d}"
        await register(gateway, officer, kota, nip)
        r = await gateway.get(f"/tenants/{kota}/employees/{nip}", headers=officer)
        assert r.status_code == 200, (i, r.text)


async def test_identical_requests_racing_get_one_201_and_409s_never_a_500(gateway, token_for):
    import asyncio

    _, kota = await new_kota(gateway, token_for)
    officer = await token_for(kota, "officer")
    body = {"nip": "199205052016032001", "name": "Dewi Lestari, S.Psi."}
    responses = await asyncio.gather(
        *(gateway.post(f"/tenants/{kota}/employees", headers=officer, json=body) for _ in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7, [r.text for r in responses]
