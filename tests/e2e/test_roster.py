"""Roster through the gateway: OPD tree, positions, employees, transfers, retirement, queries, events."""

from __future__ import annotations

import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer

from bakat_common.contracts.competencies import STANDARD_COMPETENCIES
from bakat_common.events import CloudEvent

pytestmark = pytest.mark.e2e

UNITS = [
    ("SETDA", "Sekretariat Daerah", "sekretariat", None),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan SDM", "badan", None),
    ("BKPSDM-MUTASI", "Bidang Mutasi dan Promosi", "bidang", "BKPSDM"),
    ("BKPSDM-MUTASI-1", "Subbidang Mutasi", "subbagian", "BKPSDM-MUTASI"),
    ("DINKES", "Dinas Kesehatan", "dinas", None),
]


async def setup_kota(gateway, token_for) -> tuple[str, dict]:
    ops = await token_for("*", "admin")
    suffix = uuid.uuid4().hex[:6]
    province, kota = f"prov-{suffix}", f"kota-{suffix}"
    assert (
        await gateway.post("/tenants", headers=ops, json={"id": province, "name": "P", "kind": "provinsi"})
    ).status_code == 201
    r = await gateway.post(
        "/tenants", headers=ops, json={"id": kota, "name": "K", "kind": "kota", "parent_id": province}
    )
    assert r.status_code == 201
    officer = await token_for(kota, "officer")
    for code, name, kind, parent in UNITS:
        r = await gateway.post(
            f"/tenants/{kota}/units",
            headers=officer,
            json={"code": code, "name": name, "kind": kind, "parent_code": parent},
        )
        assert r.status_code == 201, r.text
    return kota, officer


def standard(level: int) -> dict[str, int]:
    return {c: level for c in STANDARD_COMPETENCIES}


async def test_units_form_a_tree_and_positions_carry_a_standard(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    units = (await gateway.get(f"/tenants/{kota}/units", headers=officer)).json()
    paths = {u["code"]: u["path"] for u in units}
    assert paths["BKPSDM-MUTASI-1"] == "/BKPSDM/BKPSDM-MUTASI/BKPSDM-MUTASI-1/"
    r = await gateway.post(
        f"/tenants/{kota}/units",
        headers=officer,
        json={"code": "X", "name": "X", "kind": "bidang", "parent_code": "NOPE"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.parent_code"
    r = await gateway.post(
        f"/tenants/{kota}/units", headers=officer, json={"code": "DINKES", "name": "X", "kind": "dinas"}
    )
    assert r.status_code == 409

    position = {
        "code": "KABID-MUTASI",
        "title": "Kepala Bidang Mutasi dan Promosi",
        "tier": "Administrator",
        "eselon": "III.b",
        "job_family": "Manajemen SDM Aparatur",
        "unit_code": "BKPSDM-MUTASI",
        "requirements": standard(3),
        "technical_requirements": {"Manajemen ASN": 4},
    }
    r = await gateway.post(f"/tenants/{kota}/positions", headers=officer, json=position)
    assert r.status_code == 201, r.text
    assert r.json()["vacant"] is True and r.json()["requirements"]["Perekat Bangsa"] == 3
    incomplete = {**position, "code": "X", "requirements": {"Integritas": 3}}
    r = await gateway.post(f"/tenants/{kota}/positions", headers=officer, json=incomplete)
    assert r.status_code == 422 and "missing" in r.text
    r = await gateway.post(
        f"/tenants/{kota}/positions",
        headers=officer,
        json={**position, "code": "Y", "requirements": standard(6)},
    )
    assert r.status_code == 422


async def read_roster_events(platform, tenant: str, expect: int, timeout: float = 10) -> list[CloudEvent]:
    consumer = AIOKafkaConsumer(
        "bakat.roster",
        bootstrap_servers=platform.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    events: list[CloudEvent] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(events) < expect:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                events += [e for e in (CloudEvent.from_bytes(r.value) for r in records) if e.tenant == tenant]
    finally:
        await consumer.stop()
    return sorted(events, key=lambda e: e.time)


async def test_an_employee_moves_and_retires_and_nothing_is_overwritten(gateway, token_for, platform):
    kota, officer = await setup_kota(gateway, token_for)
    for code, unit, tier, eselon in (
        ("KABID-MUTASI", "BKPSDM-MUTASI", "Administrator", "III.b"),
        ("KASUBBID-1", "BKPSDM-MUTASI-1", "Pengawas", "IV.a"),
    ):
        body = {
            "code": code,
            "title": f"Kepala {unit}",
            "tier": tier,
            "eselon": eselon,
            "unit_code": unit,
            "requirements": standard(3),
        }
        assert (
            await gateway.post(f"/tenants/{kota}/positions", headers=officer, json=body)
        ).status_code == 201
    nip = "198503152010011003"
    r = await gateway.post(
        f"/tenants/{kota}/employees",
        headers=officer,
        json={
            "nip": nip,
            "name": "Budi Santoso",
            "front_title": "Dr.",
            "back_title": "S.Sos., M.Si.",
            "golongan": "III/d",
            "education_level": "S3",
            "education_major": "Administrasi Publik",
            "unit_code": "BKPSDM-MUTASI-1",
            "position_code": "KASUBBID-1",
            "tmt_position": "2020-01-02",
        },
    )
    assert r.status_code == 201, r.text
    e = r.json()
    assert e["full_name"] == "Dr. Budi Santoso, S.Sos., M.Si."
    assert (e["pangkat"], e["tier"], e["eselon"], e["bup"], e["retirement_date"]) == (
        "Penata Tingkat I",
        "Pengawas",
        "IV.a",
        58,
        "2043-04-01",
    )
    r = await gateway.post(
        f"/tenants/{kota}/employees",
        headers=officer,
        json={"nip": "199001012015011001", "name": "X", "position_code": "KASUBBID-1"},
    )
    assert r.status_code == 409  # the position is held
    r = await gateway.post(
        f"/tenants/{kota}/employees",
        headers=officer,
        json={"nip": "199001012015011001", "name": "X", "golongan": "III/z"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.golongan"

    r = await gateway.patch(f"/tenants/{kota}/employees/{nip}", headers=officer, json={"golongan": "IV/a"})
    assert r.json()["pangkat"] == "Pembina" and r.json()["version"] == 2

    r = await gateway.post(
        f"/tenants/{kota}/employees/{nip}/transfers",
        headers=officer,
        json={
            "unit_code": "BKPSDM-MUTASI",
            "position_code": "KABID-MUTASI",
            "tmt_position": "2025-01-06",
            "reason": "SK Wali Kota 821/7/2025",
        },
    )
    assert r.status_code == 200, r.text
    assert (r.json()["unit_code"], r.json()["tier"], r.json()["eselon"]) == (
        "BKPSDM-MUTASI",
        "Administrator",
        "III.b",
    )
    positions = {
        p["code"]: p for p in (await gateway.get(f"/tenants/{kota}/positions", headers=officer)).json()
    }
    assert positions["KASUBBID-1"]["vacant"] and positions["KABID-MUTASI"]["holder_nip"] == nip
    records = (await gateway.get(f"/tenants/{kota}/employees/{nip}/track-records", headers=officer)).json()
    assert [(t["kind"], t["start_date"], t["end_date"]) for t in records] == [
        ("position", "2020-01-02", "2025-01-06")
    ]

    r = await gateway.post(
        f"/tenants/{kota}/employees/{nip}/retirement", headers=officer, json={"reason": "BUP"}
    )
    assert r.json()["status"] == "retired"
    r = await gateway.post(f"/tenants/{kota}/employees/{nip}/retirement", headers=officer, json={})
    assert r.status_code == 409
    history = (await gateway.get(f"/tenants/{kota}/employees/{nip}/history", headers=officer)).json()
    assert [h["kind"] for h in history] == ["registered", "updated", "transferred", "retired"]
    assert history[1]["changes"] == {"golongan": ["III/d", "IV/a"]}
    assert history[2]["changes"]["unit_code"] == ["BKPSDM-MUTASI-1", "BKPSDM-MUTASI"]
    assert history[2]["reason"] == "SK Wali Kota 821/7/2025"

    events = await read_roster_events(platform, kota, expect=14)
    kinds = [
        e.type.split(".")[2:4]
        for e in events
        if e.subject == nip or (e.subject.startswith("position:") and not e.type.endswith("registered.v1"))
    ]
    assert kinds == [
        ["employee", "registered"], ["position", "filled"], ["employee", "updated"], ["employee", "transferred"],
        ["position", "vacated"], ["position", "filled"], ["employee", "retired"], ["position", "vacated"],
    ]  # fmt: skip
    transferred = next(e for e in events if e.type.endswith("employee.transferred.v1"))
    assert transferred.data["unit_path"] == "/BKPSDM/BKPSDM-MUTASI/" and transferred.data["version"] == 3
    assert transferred.data["from_unit_code"] == "BKPSDM-MUTASI-1"


async def test_employees_are_filtered_by_unit_with_sub_units_and_paged_by_a_stable_cursor(gateway, token_for):
    kota, officer = await setup_kota(gateway, token_for)
    placed = {"BKPSDM": 3, "BKPSDM-MUTASI": 2, "BKPSDM-MUTASI-1": 2, "DINKES": 4}
    n = 0
    for unit, count in placed.items():
        for _ in range(count):
            n += 1
            nip = f"1990010120150110{n:02d}"
            golongan = "III/a" if n % 2 else "III/b"
            body = {
                "nip": nip,
                "name": f"Pegawai {unit} {n}",
                "unit_code": unit,
                "golongan": golongan,
                "tier": "Pelaksana",
            }
            assert (
                await gateway.post(f"/tenants/{kota}/employees", headers=officer, json=body)
            ).status_code == 201

    async def all_pages(**params) -> list[str]:
        nips, cursor = [], None
        while True:
            query = {**params, "limit": 3, **({"cursor": cursor} if cursor else {})}
            page = (await gateway.get(f"/tenants/{kota}/employees", headers=officer, params=query)).json()
            nips += [e["nip"] for e in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return nips

    everyone = await all_pages()
    assert len(everyone) == 11 and everyone == sorted(everyone)
    assert len(await all_pages(unit="BKPSDM")) == 7  # with its sub-units
    assert len(await all_pages(unit="BKPSDM-MUTASI")) == 4
    assert len(await all_pages(unit="DINKES", golongan="III/a")) == 2
    assert await all_pages(q="Pegawai DINKES 10") == ["199001012015011010"]
    assert await all_pages(q="1990010120150110") == everyone
    r = await gateway.get(f"/tenants/{kota}/employees", headers=officer, params={"cursor": "not-a-cursor!"})
    assert r.status_code == 422
    r = await gateway.get(f"/tenants/{kota}/employees", headers=officer, params={"unit": "NOPE"})
    assert r.status_code == 422


async def test_a_province_sees_its_children_and_a_kota_only_itself(gateway, token_for):
    ops = await token_for("*", "admin")
    s = uuid.uuid4().hex[:6]
    await gateway.post("/tenants", headers=ops, json={"id": f"prov-{s}", "name": "P", "kind": "provinsi"})
    for k in ("a", "b"):
        await gateway.post(
            "/tenants",
            headers=ops,
            json={"id": f"kota-{k}-{s}", "name": k, "kind": "kota", "parent_id": f"prov-{s}"},
        )
    seen = {
        t["id"]
        for t in (await gateway.get("/tenants", headers=await token_for(f"prov-{s}", "viewer"))).json()
    }
    assert seen == {f"prov-{s}", f"kota-a-{s}", f"kota-b-{s}"}
    seen = {
        t["id"]
        for t in (await gateway.get("/tenants", headers=await token_for(f"kota-a-{s}", "viewer"))).json()
    }
    assert seen == {f"kota-a-{s}"}
    r = await gateway.get(f"/tenants/kota-b-{s}/employees", headers=await token_for(f"kota-a-{s}", "viewer"))
    assert r.status_code == 403
